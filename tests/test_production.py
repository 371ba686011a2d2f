"""Production settings: browser hardening, secure cookies, the client behind a proxy, health,
request logs, and gunicorn's refusal of per-worker rate-limit counters."""
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import TestingConfig
from app.extensions import db, limiter
from app.request_log import JsonFormatter
from app.security import CONTENT_SECURITY_POLICY

from .conftest import Browserish

PAGE_LANGUAGE = "en"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def make_app(app):
    """A second app on the same database with some settings changed (`make_app(TRUSTED_PROXIES=1)`)."""
    made = []

    def make(**settings):
        config = type("Config", (TestingConfig,), {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **settings})
        other = create_app(config)
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
    limiter.reset()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- headers ---------------------------------------------------------------------------------

def test_every_response_carries_the_security_headers(client, login, manager):
    pages = [client.get("/login"), client.get("/health"), login(manager).get("/dashboard/"),
             client.get("/static/app.css")]
    for response in pages:
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY


def test_pages_are_not_stored_but_static_files_may_be(client, login, manager):
    assert "no-store" in login(manager).get("/dashboard/").headers["Cache-Control"]
    assert "no-store" in client.get("/login").headers["Cache-Control"]  # it carries a CSRF token
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def test_templates_need_no_inline_script_or_style():
    """What the CSP would block: inline scripts and handlers, <style> elements, style= attributes."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:|hx-on", re.I)
    found = [f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
             for path in sorted((ROOT / "app").rglob("templates/**/*.html"))
             for match in inline.finditer(path.read_text())]
    assert found == []


def test_development_server_names_no_versions(app):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/static/app.css") as response:
        assert response.headers["Server"] == "Pitwall"
    thread.join(timeout=5)
    server.server_close()


# --- cookies -----------------------------------------------------------------------------------

def set_cookies(response) -> dict[str, str]:
    return {value.split("=", 1)[0]: value for value in response.headers.getlist("Set-Cookie")}


def test_login_cookies_are_secure_when_served_over_https(app, client, staff, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_SECURE", True)
    response = client.post("/login", data={"username": "sa1", "password": "secret-pass", "remember": "y"})
    cookies = set_cookies(response)
    assert "; Secure" in cookies["session"] and "; HttpOnly" in cookies["session"]
    assert "; Secure" in cookies["remember_token"] and "; HttpOnly" in cookies["remember_token"]


def test_login_cookies_work_over_plain_http_by_default(client, staff):
    response = client.post("/login", data={"username": "sa1", "password": "secret-pass", "remember": "y"})
    assert "; Secure" not in set_cookies(response)["session"]


# --- behind a proxy ----------------------------------------------------------------------------

def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(make_app, staff, caplog):
    proxied = make_app(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="2 per minute")
    client = Browserish(proxied.test_client())
    limiter.reset()

    def attempt(address):
        return client.post("/login", data={"username": "sa1", "password": "wrong"},
                           headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https",
                                    "Referer": "https://localhost/login"}).status_code  # CSRF over HTTPS

    with caplog.at_level(logging.INFO, logger="app"):
        codes = [attempt("203.0.113.7") for _ in range(3)]
    assert codes == [422, 422, 429]
    assert attempt("198.51.100.4") == 422  # another client behind the same proxy is not locked out
    assert any(getattr(r, "fields", {}).get("remote_addr") == "203.0.113.7" for r in caplog.records)


def test_without_trusted_proxies_forwarded_headers_are_ignored(client, caplog):
    with caplog.at_level(logging.INFO, logger="app"):
        client.get("/login", headers={"X-Forwarded-For": "203.0.113.7"})
    assert [r.fields["remote_addr"] for r in caplog.records if hasattr(r, "fields")] == ["127.0.0.1"]


# --- health --------------------------------------------------------------------------------------

def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_health_reports_a_redis_that_does_not_answer(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json == {"status": "down", "checks": {"database": "ok", "redis": "down"}}


@pytest.mark.skipif(not redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_health_checks_the_rate_limit_redis(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_health_reports_a_database_that_does_not_answer(make_app):
    cut_off = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    response = cut_off.test_client().get("/health")
    assert response.status_code == 503
    assert response.json == {"status": "down", "checks": {"database": "down"}}


# --- request logs ------------------------------------------------------------------------------

def request_lines(caplog):
    return [r for r in caplog.records if hasattr(r, "fields")]


def test_one_log_line_per_request_with_its_id_user_route_status_and_time(login, staff, caplog):
    c = login(staff)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="app"):
        response = c.get("/actions/mine", headers={"X-Request-ID": "edge-42.abc"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "edge-42.abc"
    [line] = request_lines(caplog)
    assert line.request_id == "edge-42.abc"
    assert {k: line.fields[k] for k in ("method", "endpoint", "status", "user_id")} == {
        "method": "GET", "endpoint": "actions.mine", "status": 200, "user_id": staff.id}
    assert line.fields["duration_ms"] >= 0
    assert "GET actions.mine 200" in line.getMessage() and f"user={staff.id}" in line.getMessage()
    entry = json.loads(JsonFormatter().format(line))  # LOG_FORMAT=json
    assert entry["request_id"] == "edge-42.abc" and entry["endpoint"] == "actions.mine"
    assert entry["user_id"] == staff.id and entry["level"] == "INFO"


def test_a_request_id_that_is_not_sane_is_replaced(client, caplog):
    with caplog.at_level(logging.INFO, logger="app"):
        response = client.get("/health", headers={"X-Request-ID": "x\" onload=\"alert(1)"})
    given = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", given)
    assert [r.request_id for r in request_lines(caplog)] == [given]


def test_json_log_format_is_chosen_by_setting(make_app):
    other = make_app(LOG_FORMAT="json")
    assert [type(h.formatter) for h in other.logger.handlers if getattr(h, "pitwall", False)] == [JsonFormatter]
    make_app()  # back to text for the tests that follow


def test_a_500_is_logged_with_traceback_and_its_id_shown_to_the_person(make_app, caplog):
    broken = make_app(PROPAGATE_EXCEPTIONS=False)

    @broken.get("/boom")
    def boom():
        raise RuntimeError("the disk is full")

    with caplog.at_level(logging.INFO, logger="app"):
        response = broken.test_client().get("/boom", headers={"Accept-Language": "en"})
    request_id = response.headers["X-Request-ID"]
    assert response.status_code == 500
    assert request_id in response.get_data(as_text=True)
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.request_id == request_id and error.exc_info
    entry = json.loads(JsonFormatter().format(error))
    assert "RuntimeError: the disk is full" in entry["traceback"] and entry["request_id"] == request_id
    assert [r.fields["status"] for r in request_lines(caplog)] == [500]


# --- gunicorn ----------------------------------------------------------------------------------

def gunicorn(workers: int, storage: str, port: int, tmp_path) -> subprocess.Popen:
    env = {**os.environ, "RATELIMIT_STORAGE_URI": storage, "SECRET_KEY": "test-gunicorn",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}
    env.pop("WEB_CONCURRENCY", None)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_gunicorn_refuses_several_workers_with_in_memory_counters(tmp_path):
    server = gunicorn(2, "memory://", free_port(), tmp_path)
    try:
        _, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode != 0
    assert "RATELIMIT_STORAGE_URI=redis://" in err and "--workers 1" in err


@pytest.mark.skipif(not redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_gunicorn_serves_with_redis_counters_and_names_no_version(tmp_path):
    port = free_port()
    server = gunicorn(2, "redis://127.0.0.1:6379", port, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
                    assert response.status == 200
                    assert json.load(response)["checks"] == {"database": "ok", "redis": "ok"}
                    assert response.headers["Server"] == "gunicorn"
                    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
