"""Who may do what, per role: refusals are 403 pages, and nothing changes."""
import re
from datetime import timedelta
from pathlib import Path

import pytest

from app.actions.models import ActionItem
from app.auth.models import ADMIN, GM, MANAGER, STAFF, store_access
from app.extensions import db
from app.meetings.models import Meeting
from app.timeutils import local_today


@pytest.fixture
def world(store, manager, staff, make_user, make_store, make_meeting, make_item):
    """One store with a meeting and an item; a second store with its own manager and staff."""
    other_store = make_store("S2", "Second store")
    meeting = make_meeting(attendees=[staff])
    return dict(
        meeting=meeting,
        item=make_item(staff, meeting=meeting),
        colleague=make_user(STAFF, store, username="colleague"),
        gm=make_user(GM, store, username="gm"),
        admin=make_user(ADMIN, store, username="admin"),
        other_manager=make_user(MANAGER, other_store, username="boss2"),
        other_staff=make_user(STAFF, other_store, username="sa2"),
        other_store=other_store,
    )


def manager_posts(meeting, item, staff):
    """Every state-changing meeting route with valid data, as the manager would send it."""
    m, deadline = meeting.id, (local_today() + timedelta(days=5)).isoformat()
    return [
        ("/meetings/new", {"kind": "weekly", "theme": "T", "meeting_date": deadline, "start_time": "17:30",
                           "chair_id": staff.id, "minute_taker_id": staff.id}),
        (f"/meetings/{m}/edit", {"kind": "weekly", "theme": "Changed", "meeting_date": deadline,
                                 "start_time": "17:30", "chair_id": staff.id, "minute_taker_id": staff.id}),
        (f"/meetings/{m}/agenda", {"title": "Extra", "duration_minutes": "5"}),
        (f"/meetings/{m}/agenda/{meeting.agenda_items[0].id}/down", {}),
        (f"/meetings/{m}/attendance/{staff.id}", {"status": "present"}),
        (f"/meetings/{m}/agenda/{meeting.agenda_items[0].id}/minutes", {"minutes": "x", "version": "0"}),
        (f"/meetings/{m}/decisions", {"decision-text": "D"}),
        (f"/meetings/{m}/actions", {"action-title": "A", "action-owner_id": staff.id, "action-deadline": deadline,
                                    "action-priority": "normal", "action-agenda_item_id": meeting.agenda_items[0].id}),
        (f"/meetings/{m}/review/{item.id}", {"disposition": "escalated", "reason": "r"}),
        (f"/meetings/{m}/next", {}),
        (f"/meetings/{m}/close", {}),
        (f"/actions/{item.id}/edit", {"title": "Changed", "owner_id": staff.id, "deadline": deadline,
                                      "priority": "low", "version": "1"}),
    ]


@pytest.mark.parametrize("who", ["staff", "colleague", "gm", "admin", "other_manager"])
def test_only_the_stores_manager_changes_meetings(who, world, login, staff, manager):
    user = staff if who == "staff" else world[who]
    c = login(user)
    if who == "other_manager":  # the new-meeting form is for their own store, so it is allowed
        posts = manager_posts(world["meeting"], world["item"], staff)[1:]
    else:
        posts = manager_posts(world["meeting"], world["item"], staff)
    for url, data in posts:
        assert c.post(url, data=data).status_code == 403, (who, url)
        assert c.post(url, data=data, htmx=True).status_code == 403, (who, url)
    meeting = db.session.get(Meeting, world["meeting"].id)
    assert meeting.theme == "Weekly meeting" and not meeting.is_closed and not meeting.decisions
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(ActionItem)) == 1


def test_the_manager_may_do_all_of_it(world, login, staff, manager):
    c = login(manager)
    for url, data in manager_posts(world["meeting"], world["item"], staff):
        assert c.post(url, data=data).status_code in (200, 302), url


@pytest.mark.parametrize("who", ["staff", "colleague", "gm", "admin"])
def test_people_of_the_store_see_its_meetings(who, world, login, staff):
    c = login(staff if who == "staff" else world[who])
    m = world["meeting"].id
    for url in ["/meetings/", f"/meetings/{m}", f"/meetings/{m}/minutes", "/meetings/decisions",
                f"/actions/{world['item'].id}"]:
        assert c.get(url).status_code == 200, (who, url)


@pytest.mark.parametrize("who", ["staff", "colleague", "gm", "admin"])
def test_forms_for_running_a_meeting_are_the_managers(who, world, login, staff):
    c = login(staff if who == "staff" else world[who])
    m = world["meeting"].id
    for url in ["/meetings/new", f"/meetings/{m}/edit", f"/meetings/{m}/agenda", f"/actions/{world['item'].id}/edit"]:
        assert c.get(url).status_code == 403, (who, url)
    page = c.get(f"/meetings/{m}").get_data(as_text=True)
    assert f'action="/meetings/{m}/close"' not in page and 'name="minutes"' not in page


@pytest.mark.parametrize("who", ["other_manager", "other_staff"])
def test_another_store_sees_nothing(who, world, login):
    c = login(world[who])
    m, i = world["meeting"].id, world["item"].id
    for url in [f"/meetings/{m}", f"/meetings/{m}/minutes", f"/actions/{i}"]:
        assert c.get(url).status_code == 403, (who, url)
    assert "Weekly meeting" not in c.get("/meetings/").get_data(as_text=True)
    assert c.post(f"/actions/{i}/progress", data={"status": "done", "version": "1"}).status_code == 403


def test_only_the_owner_or_manager_reports_progress(world, login, staff, manager):
    item = world["item"]
    for who in ["colleague", "gm", "admin"]:
        response = login(world[who]).post(f"/actions/{item.id}/progress", data={"status": "done", "version": "1"}, htmx=True)
        assert response.status_code == 403, who
    assert db.session.get(ActionItem, item.id).status == "open"
    assert login(staff).post(f"/actions/{item.id}/progress", data={"status": "in_progress", "version": "1"}).status_code == 302
    assert login(manager).post(f"/actions/{item.id}/progress", data={"status": "done", "version": "2"}).status_code == 302


def test_staff_have_no_board_and_no_foreign_store(world, login, staff):
    c = login(staff)
    assert c.get("/actions/board").status_code == 403
    assert c.post("/store", data={"store_id": world["other_store"].id}).status_code == 400


def test_gm_over_several_stores_switches_between_them(world, login):
    gm = world["gm"]
    db.session.execute(store_access.insert().values(user_id=gm.id, store_id=world["other_store"].id))
    db.session.commit()
    c = login(gm)
    assert c.get("/actions/board").status_code == 200
    assert "Weekly meeting" in c.get("/meetings/").get_data(as_text=True)
    assert c.post("/store", data={"store_id": world["other_store"].id, "next": "/meetings/"}).status_code == 302
    assert "Weekly meeting" not in c.get("/meetings/").get_data(as_text=True)
    # Still no say in the meetings of either store:
    assert c.get("/meetings/new").status_code == 403


EXPECTED_NAV = {  # the role's own links in the header, besides those everyone has
    STAFF: {"/coaching/people/{id}"},
    MANAGER: {"/actions/board", "/coaching/", "/reviews/manager/{id}"},
    GM: {"/actions/board", "/coaching/", "/reviews/"},
    ADMIN: {"/actions/board", "/coaching/", "/reviews/", "/admin/api-tokens"},
}


@pytest.mark.parametrize("role", [STAFF, MANAGER, GM, ADMIN])
def test_the_header_offers_what_the_rules_allow(role, store, make_user, login):
    """The header asks the permission rules (not roles): each link it shows opens, the others are absent."""
    user = make_user(role, store, username=f"nav-{role}")
    c = login(user)
    page = c.get("/meetings/").get_data(as_text=True)
    nav = set(re.findall(r'href="([^"]+)"', page.split('class="mainnav"')[1].split("</nav>")[0]))
    optional = {u.format(id=user.id) for links in EXPECTED_NAV.values() for u in links}
    assert nav & optional == {u.format(id=user.id) for u in EXPECTED_NAV[role]}
    for url in nav:
        assert c.get(url).status_code == 200, url


def test_templates_ask_rules_not_roles(app):
    """A rule changes in its permissions.py only: templates never test a role, and every `can.<rule>`
    they ask is a registered rule."""
    from app.auth.permissions import can

    for path in Path(app.root_path).rglob("templates/**/*.html"):
        text = path.read_text()
        assert not re.search(r"\.role\s*(==|!=|in\b|not in\b)", text), path
        for rule in re.findall(r"\bcan\.(\w+)", text):
            assert hasattr(can, rule), (path, rule)
