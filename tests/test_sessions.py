"""Logins that end: logout, end_sessions, remember-me tokens, idle and absolute expiry; the login's
timing and its lockout per username and address."""
import statistics
import time
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select, update

from app.auth.models import UserSession
from app.auth.services import end_sessions
from app.config import TestingConfig
from app.extensions import db, limiter
from app.timeutils import utcnow

from .conftest import PASSWORD, Browserish

PAGE = "/actions/mine"  # any page that needs a login


def cookie(c: Browserish, name: str) -> str | None:
    found = c.client.get_cookie(name)
    return found.value if found else None


def with_cookies(app, **cookies) -> Browserish:
    """A fresh browser holding only these cookies (a copy someone took)."""
    other = Browserish(app.test_client())
    for name, value in cookies.items():
        other.client.set_cookie(name, value)
    return other


def logged_in(c: Browserish) -> bool:
    return c.get(PAGE).status_code == 200


def test_a_session_cookie_copied_before_logout_is_refused_afterwards(app, login, staff, make_item):
    c = login(staff)
    copied = cookie(c, "session")
    item = make_item(staff)
    c.post("/logout")
    thief = with_cookies(app, session=copied)
    assert thief.get(PAGE).status_code == 302
    response = thief.post(f"/actions/{item.id}/progress", data={"status": "in_progress", "note": "written?",
                                                                 "version": item.version, "csrf_token": "x"},
                          csrf=False)
    assert response.status_code in (302, 400, 401)
    db.session.refresh(item)
    assert item.history == [] or all(u.note != "written?" for u in item.history)
    assert db.session.scalar(select(UserSession.revoked_at)) is not None


def test_end_sessions_ends_every_login_of_the_person(app, login, staff):
    phone, desk = login(staff), login(staff)
    remembered = Browserish(app.test_client())
    remembered.post("/login", data={"username": staff.username, "password": PASSWORD, "remember": "y"})
    copies = [with_cookies(app, session=cookie(phone, "session")),
              with_cookies(app, remember_token=cookie(remembered, "remember_token"))]
    assert all(logged_in(c) for c in (phone, desk, *copies))
    assert end_sessions(staff) == 3
    db.session.commit()
    assert not any(logged_in(c) for c in (phone, desk, remembered, *copies))


def test_end_sessions_can_keep_the_login_making_the_request(app, login, staff):
    mine, other = login(staff), login(staff)
    kept = db.session.scalars(select(UserSession.id).order_by(UserSession.id)).first()
    with app.test_request_context():
        g.user_session_id = kept
        assert end_sessions(staff, except_current=True) == 1
    db.session.commit()
    assert logged_in(mine) and not logged_in(other)


def test_deactivating_a_person_refuses_their_cookie(login, staff):
    c = login(staff)
    staff.active = False
    db.session.commit()
    assert not logged_in(c)


def test_remember_me_is_a_new_token_each_login_that_works_alone_until_logout(app, staff):
    tokens = []
    for _ in range(2):
        c = Browserish(app.test_client())
        c.post("/login", data={"username": staff.username, "password": PASSWORD, "remember": "y"})
        tokens.append(cookie(c, "remember_token"))
    assert tokens[0] != tokens[1] and str(staff.id) not in {t.split("|")[0] for t in tokens}

    alone = with_cookies(app, remember_token=tokens[1])
    assert logged_in(alone)
    c.post("/logout")  # the login that set tokens[1]
    assert not logged_in(with_cookies(app, remember_token=tokens[1]))
    assert logged_in(with_cookies(app, remember_token=tokens[0]))  # another login stays


def test_a_remember_token_expires_after_its_days(app, staff):
    c = Browserish(app.test_client())
    c.post("/login", data={"username": staff.username, "password": PASSWORD, "remember": "y"})
    login_row = db.session.scalar(select(UserSession))
    assert timedelta(days=29) < login_row.expires_at - login_row.created_at <= timedelta(days=30)
    token = cookie(c, "remember_token")
    db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not logged_in(with_cookies(app, remember_token=token))


def test_a_session_past_its_lifetime_is_refused(login, staff):
    c = login(staff)
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(days=30),
                                                  expires_at=utcnow() - timedelta(days=16)))
    db.session.commit()
    assert not logged_in(c)


def test_an_idle_session_ends_and_htmx_is_sent_to_the_login(app, login, staff, monkeypatch):
    c = login(staff)
    assert logged_in(c)
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    response = c.get(PAGE, htmx=True)
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")


def test_a_remembered_login_is_not_ended_by_idling(app, staff, monkeypatch):
    c = Browserish(app.test_client())
    c.post("/login", data={"username": staff.username, "password": PASSWORD, "remember": "y"})
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=3)))
    db.session.commit()
    assert logged_in(c)


def test_last_seen_is_written_at_most_once_a_minute(login, staff):
    c = login(staff)
    first = db.session.scalar(select(UserSession.last_seen_at))
    c.get(PAGE)
    assert db.session.scalar(select(UserSession.last_seen_at)) == first
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    c.get(PAGE)
    assert db.session.scalar(select(UserSession.last_seen_at)) > utcnow() - timedelta(minutes=1)


def test_the_token_is_stored_only_as_a_hash(app, staff):
    c = Browserish(app.test_client())
    c.post("/login", data={"username": staff.username, "password": PASSWORD, "remember": "y"})
    token = cookie(c, "remember_token").split("|")[0]
    assert db.session.scalar(select(UserSession.token_hash)) != token


# --- the login -------------------------------------------------------------------------------

def test_unknown_and_known_usernames_take_the_same_time(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")  # the real method, not the fast one
    make_user(username="known")
    c = Browserish(app.test_client())

    def took(username):
        # The work the server does for the answer, as this thread's CPU time: what an attacker times is
        # that work, and unlike the wall clock it does not move when other tests load the machine.
        started = time.thread_time()
        assert c.post("/login", data={"username": username, "password": "wrong-password"}).status_code == 422
        return time.thread_time() - started

    took("nobody")  # the dummy hash is made once, on the first unknown name
    known, unknown = [], []
    for _ in range(5):
        known.append(took("known"))
        unknown.append(took("nobody"))
    assert abs(statistics.median(unknown) - statistics.median(known)) <= 0.2 * statistics.median(known)


@pytest.fixture
def three_tries(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    yield
    limiter.reset()
    app.config["LOGIN_RATE_LIMIT"] = TestingConfig.LOGIN_RATE_LIMIT


def attempt(app, username, password, lang="en"):
    c = Browserish(app.test_client())
    c.client.set_cookie("lang", lang)
    return c.post("/login", data={"username": username, "password": password})


def test_successful_logins_are_not_counted(app, staff, three_tries):
    assert [attempt(app, staff.username, PASSWORD).status_code for _ in range(5)] == [302] * 5
    assert attempt(app, staff.username, "wrong").status_code == 422


def test_one_name_locked_out_does_not_lock_out_another_from_the_same_address(app, staff, make_user, three_tries):
    other = make_user(username="colleague")
    assert [attempt(app, staff.username, "wrong").status_code for _ in range(3)] == [422] * 3
    locked = attempt(app, staff.username, PASSWORD)
    assert locked.status_code == 429
    assert "Try again in 1 minute" in locked.get_data(as_text=True)
    assert attempt(app, other.username, PASSWORD).status_code == 302
    assert attempt(app, "Colleague ", "wrong").status_code == 422  # names count as typed, case aside


def test_the_lockout_message_is_translated(app, staff, three_tries):
    for _ in range(3):
        attempt(app, staff.username, "wrong")
    assert "1 分钟后再试" in attempt(app, staff.username, "wrong", lang="zh_CN").get_data(as_text=True)


# --- the changes that end a person's logins (people pages) ------------------------------------

def test_a_password_reset_ends_the_persons_logins(login, manager, staff):
    c = login(manager)
    phone = login(staff)
    assert c.post(f"/people/{staff.id}/reset-password").status_code == 200
    assert not logged_in(phone)


def test_changing_ones_own_password_keeps_this_login_and_ends_the_others(login, staff):
    here, lost_phone = login(staff), login(staff)
    response = here.post("/account/password", data={"current": PASSWORD, "new": "tea-kettle-harbour-42",
                                                     "repeat": "tea-kettle-harbour-42"})
    assert response.status_code in (200, 302)
    assert logged_in(here) and not logged_in(lost_phone)


def test_a_role_change_ends_the_persons_logins(login, make_user, store, manager):
    c, theirs = login(make_user("admin", store, username="root")), login(manager)
    response = c.post(f"/people/{manager.id}/edit", data={
        "display_name": manager.display_name, "role": "staff", "position": "service_advisor",
        "store_id": manager.store_id, "phone": "", "email": ""})
    assert response.status_code == 302
    assert not logged_in(theirs)
