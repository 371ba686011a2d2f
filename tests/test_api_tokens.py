"""API tokens: the service functions, the administrators' pages and the `flask api-token` commands."""
import re

import pytest
from sqlalchemy import select

from app.api import services
from app.api.models import ApiToken, hash_token
from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.extensions import db


@pytest.fixture
def admin(make_user, store):
    return make_user(ADMIN, store, username="root", name="Administrator")


def all_tokens():
    db.session.expire_all()
    return db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()


def api_get(client, plaintext):
    with client.client.application.app_context():
        response = client.client.get("/api/v1/kpi-values", headers={"Authorization": f"Bearer {plaintext}"})
    db.session.expire_all()
    return response


# --- services ----------------------------------------------------------------------------

def test_create_token_keeps_only_a_hash_and_a_display_prefix(store, manager):
    token, plaintext = services.create_token(store, "  DMS export ", manager.id)
    db.session.commit()
    assert plaintext.startswith("pw_") and len(plaintext) > 40
    assert token.token_hash == hash_token(plaintext) and plaintext not in token.token_hash
    assert plaintext.startswith(token.prefix) and len(token.prefix) < 12
    assert (token.store_id, token.name, token.created_by_id) == (store.id, "DMS export", manager.id)
    assert token.last_used_at is None and token.is_active


def test_tokens_are_random(store):
    first = services.create_token(store, "a", None)[1]
    second = services.create_token(store, "b", None)[1]
    assert first != second


def test_authenticate(store):
    token, plaintext = services.create_token(store, "a", None)
    db.session.commit()
    assert services.authenticate(f"Bearer {plaintext}") is token
    assert services.authenticate(f"bearer   {plaintext}  ") is token
    assert token.last_used_at is not None
    for header in (None, "", "Bearer", f"Basic {plaintext}", plaintext, f"Bearer {plaintext}x",
                   f"Bearer {plaintext} extra", f"Bearer {token.prefix}", "Bearer " + "x" * 5000):
        assert services.authenticate(header) is None, header


def test_revoked_tokens_do_not_authenticate(store):
    token, plaintext = services.create_token(store, "a", None)
    assert services.revoke_token(token) is True
    revoked_at = token.revoked_at
    assert services.revoke_token(token) is False and token.revoked_at == revoked_at
    db.session.commit()
    assert services.authenticate(f"Bearer {plaintext}") is None


def test_find_token_by_id_or_prefix(store):
    token, _plaintext = services.create_token(store, "a", None)
    db.session.commit()
    assert services.find_token(str(token.id)) is token
    assert services.find_token(token.prefix) is token
    assert services.find_token("pw_nothing") is None
    assert services.find_token("999999") is None


# --- admin pages -------------------------------------------------------------------------

@pytest.mark.parametrize("role", [MANAGER, GM, STAFF])
def test_only_administrators_open_the_token_pages(login, make_user, store, role):
    token, _plaintext = services.create_token(store, "a", None)
    db.session.commit()
    client = login(make_user(role, store))
    assert client.get("/admin/api-tokens").status_code == 403
    assert client.post("/admin/api-tokens", data={"store_id": store.id, "name": "x"}).status_code == 403
    assert client.post(f"/admin/api-tokens/{token.id}/revoke").status_code == 403
    assert [t.name for t in all_tokens()] == ["a"] and all_tokens()[0].is_active


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/admin/api-tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_token_page_lists_tokens_without_their_secret(login, admin, store, make_store):
    other = make_store("S2", "Second store")
    _active, secret = services.create_token(store, "DMS export", admin.id)
    revoked, _secret = services.create_token(other, "Old macro", None)
    services.revoke_token(revoked)
    db.session.commit()
    page = login(admin).get("/admin/api-tokens")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "DMS export" in html and "Old macro" in html and _active.prefix in html
    assert secret not in html
    assert html.count("<h1>") == 1
    assert 'for="store_id"' in html and 'for="name"' in html
    assert "Second store" in html  # every store can get a token
    assert html.count("data-confirm=") == 1  # only the active token can be revoked


def test_create_shows_the_token_once_and_it_works(login, admin, store, client):
    browser = login(admin)
    response = browser.post("/admin/api-tokens", data={"store_id": store.id, "name": "DMS export"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    plaintext = re.search(r'value="(pw_[^"]+)"', html).group(1)
    [token] = all_tokens()
    assert (token.store_id, token.name, token.created_by_id) == (store.id, "DMS export", admin.id)
    assert token.token_hash == hash_token(plaintext)
    assert plaintext not in browser.get("/admin/api-tokens").get_data(as_text=True)
    assert api_get(client, plaintext).status_code == 200


@pytest.mark.parametrize("data", [{"name": "x"}, {"store_id": "999", "name": "x"}, {"store_id": "abc", "name": "x"},
                                  {"store_id": "STORE", "name": "   "}, {"store_id": "STORE", "name": "x" * 121},
                                  {"store_id": "STORE"}])
def test_create_refuses_bad_input(login, admin, store, data):
    data = {k: store.id if v == "STORE" else v for k, v in data.items()}
    response = login(admin).post("/admin/api-tokens", data=data)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert all_tokens() == []


def test_create_needs_the_csrf_token(login, admin, store):
    response = login(admin).post("/admin/api-tokens", data={"store_id": store.id, "name": "x"}, csrf=False)
    assert response.status_code == 400
    assert all_tokens() == []


def test_revoke_flow(login, admin, store, client):
    token, plaintext = services.create_token(store, "DMS export", admin.id)
    db.session.commit()
    browser = login(admin)
    assert browser.post(f"/admin/api-tokens/{token.id}/revoke", csrf=False).status_code == 400
    assert all_tokens()[0].is_active
    response = browser.post(f"/admin/api-tokens/{token.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/api-tokens")
    assert not all_tokens()[0].is_active
    assert api_get(client, plaintext).status_code == 401
    again = browser.post(f"/admin/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert again.status_code == 200
    assert browser.post("/admin/api-tokens/999999/revoke").status_code == 404


# --- command line ------------------------------------------------------------------------

def test_cli_create_list_and_revoke(app, store, client):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["api-token", "create", "--store", "s1", "--name", "Nightly export"])
    assert created.exit_code == 0, created.output
    plaintext = created.output.strip().splitlines()[-1]
    [token] = all_tokens()
    assert token.token_hash == hash_token(plaintext) and token.name == "Nightly export"
    assert api_get(client, plaintext).status_code == 200

    listed = runner.invoke(args=["api-token", "list"])
    assert listed.exit_code == 0
    assert token.prefix in listed.output and "S1" in listed.output and "active" in listed.output
    assert plaintext not in listed.output

    by_prefix = runner.invoke(args=["api-token", "revoke", token.prefix])
    assert by_prefix.exit_code == 0 and "Revoked" in by_prefix.output
    assert not all_tokens()[0].is_active
    assert api_get(client, plaintext).status_code == 401
    assert "revoked" in runner.invoke(args=["api-token", "list"]).output
    by_id = runner.invoke(args=["api-token", "revoke", str(token.id)])
    assert by_id.exit_code == 0 and "already revoked" in by_id.output


def test_cli_errors(app, store):
    runner = app.test_cli_runner()
    unknown_store = runner.invoke(args=["api-token", "create", "--store", "NOPE", "--name", "x"])
    assert unknown_store.exit_code != 0 and "NOPE" in unknown_store.output
    blank = runner.invoke(args=["api-token", "create", "--store", "S1", "--name", "  "])
    assert blank.exit_code != 0
    unknown_token = runner.invoke(args=["api-token", "revoke", "pw_nothing"])
    assert unknown_token.exit_code != 0
    assert "No API tokens" in runner.invoke(args=["api-token", "list"]).output
    assert all_tokens() == []
