"""One log line per request, and a request id that ties it to errors, the 500 page and the response.

The id comes from the proxy's X-Request-ID when it looks like one, else it is made here; it is sent
back as X-Request-ID and added to every record of the app's logger (Flask's own "Exception on ..."
with its traceback included). LOG_FORMAT=json writes one JSON object per line.
"""
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler, wsgi_errors_stream

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # nothing that could forge a log line or markup

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(message)s"


def request_id() -> str:
    if "request_id" not in g:
        given = request.headers.get(HEADER, "")
        g.request_id = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def init_app(app: Flask) -> None:
    logger = app.logger
    handler = logging.StreamHandler(wsgi_errors_stream)  # gunicorn's error log, else stderr
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else logging.Formatter(TEXT_FORMAT))
    handler.pitwall = True
    # Every app made in one process logs through the same named logger: one handler, one filter.
    for old in [h for h in logger.handlers if h is default_handler or getattr(h, "pitwall", False)]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    if not any(isinstance(f, RequestIdFilter) for f in logger.filters):
        logger.addFilter(RequestIdFilter())
    if not logger.isEnabledFor(logging.INFO):
        logger.setLevel(logging.INFO)

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        # The user only if this request already loaded one: a log line must not query the database.
        user = g.get("_login_user")
        fields = {
            "method": request.method,
            "endpoint": request.endpoint or "-",
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user_id": getattr(user, "id", None),
            "remote_addr": request.remote_addr,
        }
        logger.info("%(method)s %(endpoint)s %(status)s %(duration_ms)sms user=%(user_id)s ip=%(remote_addr)s",
                    fields, extra={"fields": fields})
        response.headers[HEADER] = request_id()
        return response
