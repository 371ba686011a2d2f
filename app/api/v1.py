"""The JSON API, version 1: KPI values in and out, for one store per bearer token.

Every answer under /api is JSON, errors included ({"errors": [{"message": ...}, ...]}); the
HTML error pages are for people. No session, no CSRF: the token is the credential.
"""
import json

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from ..auth.models import User
from ..extensions import csrf, db, limiter
from ..kpis import services as kpi_services
from ..validation import MAX_JSON_DEPTH, json_problem
from . import services
from .models import hash_token

MAX_VALUES = 5000  # per POST
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_PAGE = 1_000_000
OTHER_METHODS = ["PUT", "PATCH", "DELETE"]
ALL_METHODS = ["GET", "POST", *OTHER_METHODS]

v1 = Blueprint("v1", __name__, url_prefix="/api")
csrf.exempt(v1)


def _rate_key() -> str:
    token = services.bearer_value(request.headers.get("Authorization"))
    return f"api-token:{hash_token(token)[:32]}" if token else f"api-ip:{get_remote_address()}"


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(v1)


# --- JSON answers and errors -------------------------------------------------------------

def error_response(status: int, errors: list[dict], headers: dict | None = None):
    response = jsonify({"errors": errors})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _message(message: str) -> list[dict]:
    return [{"message": message}]


ERROR_MESSAGES = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Send a valid API token: Authorization: Bearer TOKEN."),
    403: lambda: _("This token may not do this."),
    404: lambda: _("No such API address."),
    405: lambda: _("This address does not accept that kind of request."),
    409: lambda: _("Someone else changed the same values at the same time. Send the request again."),
    413: lambda: _("The request body is too large."),
    415: lambda: _("Send the body as JSON."),
    429: lambda: _("Too many requests. Wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Nothing was saved."),
}


def _unauthorized():
    return error_response(401, _message(ERROR_MESSAGES[401]()),
                          {"WWW-Authenticate": 'Bearer realm="pitwall"'})


def _json_error(e: HTTPException):
    code = e.code or 500
    if code >= 500:
        db.session.rollback()
    if code == 401:
        return _unauthorized()
    headers = {}
    if code == 405 and getattr(e, "valid_methods", None):
        headers["Allow"] = ", ".join(e.valid_methods)
    message = ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])()
    return error_response(code, _message(message), headers)


# Per status code: the application's HTML handlers are registered per code, and Flask prefers a
# code-specific handler anywhere over a handler for the HTTPException class.
for _code in ERROR_MESSAGES:
    v1.register_error_handler(_code, _json_error)


# --- authentication ----------------------------------------------------------------------

@v1.before_request
def require_token():
    request.max_content_length = MAX_BODY_BYTES
    token = services.authenticate(request.headers.get("Authorization"))
    if token is None:
        return _unauthorized()
    g.api_store_id = token.store_id
    db.session.commit()  # the use is recorded even when the request is refused afterwards


# --- KPI values --------------------------------------------------------------------------

@v1.post("/v1/kpi-values")
def post_values():
    """Write a batch of values all-or-nothing: every value is valid, or nothing is written."""
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        body = None
    problem = json_problem(body)
    if problem == "depth":
        return error_response(400, _message(_("The JSON nests deeper than %(num)d levels.", num=MAX_JSON_DEPTH)))
    if problem == "text":
        return error_response(400, _message(_("Texts in the JSON must not hold control characters (such as NUL).")))
    if not isinstance(body, dict) or not isinstance(body.get("values"), list):
        return error_response(400, _message(_('The body must be a JSON object with a "values" list.')))
    items = body["values"]
    if len(items) > MAX_VALUES:
        return error_response(400, _message(_("At most %(num)d values per request.", num=MAX_VALUES)))
    not_objects = [{"index": i, "message": _("Each value must be a JSON object.")}
                   for i, item in enumerate(items) if not isinstance(item, dict)]
    if not_objects:
        return error_response(400, not_objects)
    values, errors = kpi_services.validate_rows(g.api_store_id, [_tame(item) for item in items])
    if errors:
        return error_response(422, [{"index": e.row - 1, "field": e.field, "message": e.message}
                                    for e in errors])
    try:
        counts = kpi_services.upsert_values(g.api_store_id, values, source="api")
        db.session.commit()
    except IntegrityError:  # a concurrent request created the same value first
        db.session.rollback()
        abort(409)
    return counts


def _tame(item: dict) -> dict:
    """An integer too large for a float becomes a non-number, so it fails validation politely."""
    value = item.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return {**item, "value": None}
    return item


@v1.get("/v1/kpi-values")
def list_values():
    """The token's store's values, filtered, by month and KPI, in pages of API_PAGE_SIZE (config)."""
    store_id = g.api_store_id
    flt, page, errors = _read_filter(store_id)
    if errors:
        return error_response(400, errors)
    per_page = current_app.config["API_PAGE_SIZE"]
    stmt = services.kpi_values_stmt(store_id, flt).limit(per_page + 1).offset((page - 1) * per_page)
    rows = db.session.execute(stmt).all()
    has_next = len(rows) > per_page
    return {
        "values": [{"kpi": code, "subject": username or kpi_services.STORE_SUBJECT,
                    "month": month.strftime("%Y-%m"), "value": value,
                    "updated_at": updated_at.isoformat(timespec="seconds") + "Z" if updated_at else None}
                   for code, username, month, value, updated_at in rows[:per_page]],
        "page": page,
        "next_page": page + 1 if has_next else None,
    }


def _read_filter(store_id: int) -> tuple[services.ValueFilter, int, list[dict]]:
    args, errors, fields = request.args, [], {}
    if args.get("kpi"):
        kpi = kpi_services.kpi_by_code(args["kpi"])
        if kpi is None:
            errors.append({"field": "kpi", "message": _("Unknown KPI code “%(code)s”.",
                                                         code=args["kpi"].strip().upper())})
        else:
            fields["kpi_id"] = kpi.id
    if args.get("subject"):
        subject = args["subject"].strip().lower()
        fields["subject_given"] = True
        if subject != kpi_services.STORE_SUBJECT:
            person_id = db.session.scalar(select(User.id).where(User.username == subject,
                                                                User.store_id == store_id))
            if person_id is None:
                errors.append({"field": "subject", "message": _(
                    "Unknown person “%(name)s”: use “store” or a username of this store.", name=subject)})
            fields["person_id"] = person_id
    for name, key in (("from", "first"), ("to", "last")):
        if args.get(name):
            month = kpi_services.parse_month(args[name])
            if month is None:
                errors.append({"field": name, "message": _("The month must look like 2026-03.")})
            fields[key] = month
    if fields.get("first") and fields.get("last") and fields["first"] > fields["last"]:
        errors.append({"field": "to", "message": _("“to” must not be before “from”.")})
    page = args.get("page", "1").strip()
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= MAX_PAGE:
        errors.append({"field": "page", "message": _("The page must be a whole number from 1.")})
        page = "1"
    return services.ValueFilter(**fields), int(page), errors


@v1.route("/v1/kpi-values", methods=OTHER_METHODS)
def kpi_values_other_methods():
    abort(405, valid_methods=["GET", "HEAD", "OPTIONS", "POST"])


@v1.route("/", defaults={"rest": ""}, methods=ALL_METHODS)
@v1.route("/<path:rest>", methods=ALL_METHODS)
def not_found(rest):
    """Any other address under /api answers JSON, not an HTML page."""
    abort(404)
