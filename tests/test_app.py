"""The foundation: schema, login, language, CSRF, htmx conventions, CLI."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.auth.models import User
from app.config import TestingConfig
from app.extensions import db


def test_migrations_match_the_models():
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_health_needs_no_login(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_pages_require_login(client):
    for url in ["/", "/meetings/", "/actions/mine", "/actions/board", "/meetings/decisions"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login?next=" in response.location


def test_login_wrong_password_says_so_and_keeps_username(client, staff):
    response = client.post("/login", data={"username": "sa1", "password": "nope"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Wrong username or password." in page or "用户名或密码" in page
    assert 'value="sa1"' in page


def test_login_follows_local_next_only(client, staff):
    ok = client.post("/login", data={"username": "sa1", "password": "secret-pass", "next": "/meetings/"})
    assert ok.location == "/meetings/"


def test_login_username_is_case_insensitive_and_password_hashed(client, staff):
    assert db.session.get(User, staff.id).password_hash != "secret-pass"
    assert client.post("/login", data={"username": "SA1", "password": "secret-pass"}).status_code == 302


def test_logout_needs_csrf_and_ends_session(login, staff):
    c = login(staff)
    assert c.post("/logout", csrf=False).status_code == 400
    assert c.get("/actions/mine").status_code == 200
    assert c.post("/logout").status_code == 302
    assert c.get("/actions/mine").status_code == 302


def test_inactive_user_cannot_log_in(client, staff):
    staff.active = False
    db.session.commit()
    assert client.post("/login", data={"username": "sa1", "password": "secret-pass"}).status_code == 422


def test_state_change_without_csrf_token_is_refused(login, manager, make_meeting):
    meeting = make_meeting()
    c = login(manager)
    response = c.post(f"/meetings/{meeting.id}/close", csrf=False)
    assert response.status_code == 400
    htmx_response = c.post(f"/meetings/{meeting.id}/decisions", data={"decision-text": "x"}, htmx=True, csrf=False)
    assert htmx_response.status_code == 400


def test_browser_language_chooses_and_switch_overrides(client, staff):
    zh = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    en = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh and "登录" in zh
    assert '<html lang="en">' in en and "Log in" in en
    response = client.post("/language", data={"lang": "en", "next": "/login"},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 302 and response.location == "/login"
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_htmx_request_after_logout_gets_hx_redirect(client):
    response = client.get("/actions/mine", htmx=True)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_responses_vary_on_hx_request(login, staff):
    response = login(staff).get("/actions/mine")
    assert "HX-Request" in response.headers["Vary"]


def test_unknown_page_is_a_friendly_404(login, staff):
    response = login(staff).get("/meetings/999999")
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)


def test_cli_demo_is_idempotent_and_prints_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert "Loaded the demo data." in first.output and "staff1" in first.output
    users = db.session.scalar(db.select(db.func.count()).select_from(User))
    assert users == 9
    second = runner.invoke(args=["demo"])
    assert "not loaded" in second.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == users


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    for name in ["admin", "gm", "manager", "staff1", "staff6"]:
        c = client.__class__(app.test_client())
        assert c.login(name, "pitwall-demo").status_code == 302, name


def test_cli_create_user(app, client):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--username", "Chen", "--name", "陈经理", "--role", "manager", "--store", "sh01",
        "--store-name", "Shanghai", "--password", "long-password"])
    assert result.exit_code == 0, result.output
    assert "Created store SH01" in result.output
    assert client.login("chen", "long-password").status_code == 302
    again = app.test_cli_runner().invoke(args=[
        "create-user", "--username", "chen", "--name", "x", "--role", "staff", "--store", "SH01",
        "--password", "p"])
    assert again.exit_code != 0 and "taken" in again.output


def test_login_attempts_are_rate_limited(app, client, staff):
    from app.extensions import limiter

    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        codes = [client.post("/login", data={"username": "sa1", "password": "wrong"}).status_code for _ in range(4)]
        assert codes == [422, 422, 422, 429]
        assert client.get("/login").status_code == 200  # only the attempts are limited
    finally:
        limiter.reset()
        app.config["LOGIN_RATE_LIMIT"] = TestingConfig.LOGIN_RATE_LIMIT


def test_numbers_too_large_for_a_key_are_not_found(login, manager):
    """SQLite refuses integers over 2**63 - 1 with an error: such ids and pages must not reach it."""
    huge = "99999999999999999999"
    c = login(manager)
    for url in (f"/coaching/sessions/{huge}", f"/meetings/{huge}", f"/kpis/grid?subject={huge}",
                f"/reviews/new?manager={huge}"):
        assert c.get(url).status_code == 404, url
    for url in (f"/coaching/?page={huge}", f"/coaching/?person={huge}", f"/actions/board?owner={huge}&page={huge}"):
        assert c.get(url).status_code == 200, url
