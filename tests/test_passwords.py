"""The password policy, changing one's own password, and the forced change after a reset."""
import pytest

from app.auth.models import STAFF
from app.auth.passwords import (
    MIN_LENGTH,
    common_passwords,
    password_problem,
    temporary_password,
)
from app.auth.services import find_user
from app.config import Config
from app.extensions import db

from .conftest import PASSWORD

PAGE_LANGUAGE = "en"


@pytest.mark.parametrize("password", ["a", "", "short9", "x" * (MIN_LENGTH - 1)])
def test_short_passwords_are_refused(app, password):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "at least 10 characters" in password_problem(password, "zhang")


@pytest.mark.parametrize("password", ["zhangwei-2026", "my-ZHANGWEI-pass", "zhangwei99!!"])
def test_passwords_holding_the_username_are_refused(app, password):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "username" in password_problem(password, "zhangwei")


@pytest.mark.parametrize("password", ["woaini1314", "1qaz2wsx3edc", "qwertyuiop", "Password123", "1234567890",
                                      "QWERTYUIOP!", "5201314520", "abcdefghij"])
def test_common_passwords_are_refused(app, password):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "common" in password_problem(password, "zhang")


def test_a_good_password_passes_and_the_list_is_substantial(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert password_problem("tea-kettle-harbour-42", "zhang") is None
    assert len(common_passwords()) >= 500
    assert password_problem(temporary_password(), "zhang") is None


def test_create_user_refuses_weak_passwords_with_the_reason(app, store):
    runner = app.test_cli_runner()
    for weak, reason in [("a", "at least 10"), ("", "at least 10"), ("woaini1314", "common"),
                         ("newboss-2026", "username")]:
        result = runner.invoke(args=["create-user", "--username", "newboss", "--name", "Boss", "--role", "manager",
                                     "--store", "S1", "--password", weak])
        assert result.exit_code != 0, weak
        assert reason in result.output, result.output
    assert find_user("newboss") is None
    ok = runner.invoke(args=["create-user", "--username", "newboss", "--name", "Boss", "--role", "manager",
                             "--store", "S1", "--password", "tea-kettle-harbour-42"])
    assert ok.exit_code == 0, ok.output
    assert find_user("newboss").check_password("tea-kettle-harbour-42")
    assert Config.PASSWORD_HASH_METHOD == "scrypt"  # production hashes (the tests use a fast one)


def test_everyone_changes_their_own_password_with_the_old_one(login, staff, client):
    c = login(staff)
    assert c.get("/account/password").status_code == 200
    wrong = c.post("/account/password", data={"current": "nope", "new": "tea-kettle-harbour-42",
                                              "repeat": "tea-kettle-harbour-42"})
    assert wrong.status_code == 422 and "current password is wrong" in wrong.get_data(as_text=True)
    weak = c.post("/account/password", data={"current": PASSWORD, "new": "woaini1314", "repeat": "woaini1314"})
    assert weak.status_code == 422 and "common" in weak.get_data(as_text=True)
    differ = c.post("/account/password", data={"current": PASSWORD, "new": "tea-kettle-harbour-42",
                                               "repeat": "tea-kettle-harbour-43"})
    assert differ.status_code == 422
    ok = c.post("/account/password", data={"current": PASSWORD, "new": "tea-kettle-harbour-42",
                                           "repeat": "tea-kettle-harbour-42"})
    assert ok.status_code == 302
    assert client.login("sa1").status_code == 422
    assert client.login("sa1", "tea-kettle-harbour-42").status_code == 302


def test_must_change_password_leads_every_page_to_the_change(login, staff):
    c = login(staff)
    staff.must_change_password = True
    db.session.commit()
    for url in ["/", "/meetings/", "/actions/mine", "/account/"]:
        response = c.get(url)
        assert response.status_code == 302 and response.location == "/account/password", url
    fragment = c.get("/actions/mine", htmx=True)
    assert fragment.headers["HX-Redirect"] == "/account/password"
    assert c.post("/language", data={"lang": "en", "next": "/"}).status_code == 302  # still allowed
    assert c.get("/account/password").status_code == 200
    c.post("/account/password", data={"current": PASSWORD, "new": "tea-kettle-harbour-42",
                                      "repeat": "tea-kettle-harbour-42"})
    assert not db.session.get(type(staff), staff.id).must_change_password
    assert c.get("/actions/mine").status_code == 200


def test_my_account_saves_name_phone_email_and_language(login, staff):
    c = login(staff)
    page = c.get("/account/")
    assert page.status_code == 200
    for field in ("display_name", "phone", "email", "language"):
        assert f'for="{field}"' in page.get_data(as_text=True)
    bad = c.post("/account/", data={"display_name": "Zhang", "phone": "call me", "email": "nope", "language": "en"})
    assert bad.status_code == 422
    ok = c.post("/account/", data={"display_name": "Zhang Wei", "phone": "+86 138 0013 8000",
                                   "email": "zw@example.cn", "language": "zh_CN"})
    assert ok.status_code == 302
    assert "lang=zh_CN" in ok.headers["Set-Cookie"]
    user = find_user("sa1")
    assert (user.display_name, user.phone, user.email) == ("Zhang Wei", "+86 138 0013 8000", "zw@example.cn")
    assert user.role == STAFF
