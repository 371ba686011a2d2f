"""After a form, `next` sends the user back only to a path on this site (one rule: common.safe_next)."""
import pytest

from app.auth.models import MANAGER

FOREIGN = ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/\x00"]
LOCAL = "/meetings/?q=a#b"


@pytest.fixture
def post_with_next(client, login, make_user, store, make_item):
    """Each endpoint that reads `next`: (post(next) -> response, where it goes without a usable next)."""
    def by(endpoint):
        user = make_user(MANAGER, store, username="chief")
        if endpoint == "login":
            return lambda target: client.post("/login", data={
                "username": "chief", "password": "secret-pass", "next": target}), "/"
        c = login(user)
        if endpoint == "language":
            return lambda target: c.post("/language", data={"lang": "en", "next": target}), "/"
        if endpoint == "store":
            return lambda target: c.post("/store", data={"store_id": store.id, "next": target}), "/"
        item = make_item(user)
        return lambda target: c.post(f"/actions/{item.id}/progress", data={
            "status": "in_progress", "note": "", "version": item.version, "next": target},
        ), f"/actions/mine#item-{item.id}"
    return by


ENDPOINTS = ["login", "language", "store", "progress"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("target", FOREIGN)
def test_next_off_the_site_is_refused(post_with_next, endpoint, target):
    post, default = post_with_next(endpoint)
    response = post(target)
    if response.status_code == 302:
        assert response.location == default
    else:  # a form that carries `next` as a field refuses control characters outright
        assert response.status_code == 422 and any(c in target for c in "\t\x00")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_next_on_the_site_is_followed(post_with_next, endpoint):
    post, _default = post_with_next(endpoint)
    response = post(LOCAL)
    assert response.status_code == 302
    assert response.location == LOCAL
