"""The five steps of a coaching talk over HTTP: in place and without JS, their order, validation, acknowledgement, discarding, permissions."""
from datetime import timedelta

import pytest

from app.actions.models import ActionItem, ActionItemUpdate
from app.auth.models import STAFF
from app.coaching import services
from app.coaching.models import CoachingSession
from app.common import RuleViolation
from app.extensions import db
from app.kpis.services import kpi_by_code
from app.months import add_months, month_start, previous_month
from app.timeutils import local_today

from .support import _due, _follow_up, _reload, _reload_count, _start, _url, _walk_to

PAGE_LANGUAGE = "en"  # the pages are read in English (the default is Chinese)


def test_each_step_saves_in_place_and_the_talk_finishes(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    r = c.post(_url(s, "/steps/1"), data={"purpose": "CSI has slipped"}, htmx=True)
    assert r.status_code == 200 and "CSI has slipped" in r.text and 'id="steps"' in r.text
    assert "<html" not in r.text  # a fragment for htmx
    assert _reload(s).steps_done == 1
    assert c.post(_url(s, "/steps/2"), data={"months": "3", "gap_remarks": "below peers"}, htmx=True).status_code == 200
    s = _reload(s)
    assert s.steps_done == 2 and s.gap_to == previous_month(local_today())
    assert s.gap_from == add_months(s.gap_to, -2)
    r = c.post(_url(s, "/measures"), data={"what": "Explain every invoice", "due": _due(), "as_action": "y"}, htmx=True)
    assert r.status_code == 200 and "Explain every invoice" in r.text
    assert c.post(_url(s, "/measures"), data={"what": "Read the CSI survey", "due": ""}, htmx=True).status_code == 200
    assert c.post(_url(s, "/steps/3"), data={"plan_notes": "weekly check"}, htmx=True).status_code == 200
    r = c.post(_url(s, "/steps/4"), data={"questions": "Q?"}, htmx=True)
    assert r.status_code == 422 and "acknowledge" in r.text  # nobody confirmed yet
    assert c.post(_url(s, "/steps/4"), data={"questions": "Q? A.", "verbal": "y"}, htmx=True).status_code == 200
    r = c.post(_url(s, "/steps/5"), data={"agreed": "Ok", "recognition": "Praise at the meeting",
                                          "follow_up_on": _follow_up()}, htmx=True)
    assert r.status_code == 200 and "Praise at the meeting" in r.text
    s = _reload(s)
    assert s.finished and s.verbal_confirmation and s.follow_up_on.isoformat() == _follow_up()
    assert s.questions == "Q? A." and s.plan_notes == "weekly check"
    first, second = s.measures
    assert first.action_item.owner_id == advisor.id and first.action_item.deadline.isoformat() == _due()
    assert first.action_item.store_id == store.id
    assert second.action_item is None  # a measure without an action item
    # The action item is an ordinary one: it shows among the person's own items.
    assert "Explain every invoice" in login(advisor).get("/actions/mine").text


def test_steps_cannot_be_skipped(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    for step in (2, 3, 4, 5):
        r = c.post(_url(s, f"/steps/{step}"), data={"months": "3", "agreed": "x", "follow_up_on": _due(),
                                                     "verbal": "y"}, htmx=True)
        assert r.status_code == 422 and "step 1 comes next" in r.text
    assert c.post(_url(s, "/measures"), data={"what": "x", "due": _due()}, htmx=True).status_code == 422
    assert _reload(s).steps_done == 0 and not _reload(s).measures
    _walk_to(c, s, 3)
    r = c.post(_url(s, "/steps/3"), data={}, htmx=True)  # a plan needs a measure
    assert r.status_code == 422 and "at least one concrete measure" in r.text
    assert _reload(s).steps_done == 2


def test_a_saved_step_is_not_overwritten(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    _walk_to(c, s, 2)
    r = c.post(_url(s, "/steps/1"), data={"purpose": "something else"}, htmx=True)
    assert r.status_code == 409 and "Someone else saved" in r.text
    assert _reload(s).purpose == "CSI has slipped for two months"
    _walk_to(c, s, 4)
    assert c.post(_url(s, "/measures"), data={"what": "late", "due": _due()}, htmx=True).status_code == 409
    assert len(_reload(s).measures) == 1


def test_step_fields_are_validated(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    r = c.post(_url(s, "/steps/1"), data={"purpose": "   "}, htmx=True)
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    _walk_to(c, s, 2)
    assert c.post(_url(s, "/steps/2"), data={"months": "5"}, htmx=True).status_code == 422
    assert c.post(_url(s, "/steps/2"), data={"months": "3"}, htmx=True).status_code == 200
    r = c.post(_url(s, "/measures"), data={"what": "x", "due": "31.02.2026", "as_action": "y"}, htmx=True)
    assert r.status_code == 422 and "Enter a valid date." in r.text and 'value="x"' in r.text
    r = c.post(_url(s, "/measures"), data={"what": "x", "due": "", "as_action": "y"}, htmx=True)
    assert r.status_code == 422 and "needs a deadline" in r.text
    past = (local_today() - timedelta(days=1)).isoformat()
    r = c.post(_url(s, "/measures"), data={"what": "x", "due": past, "as_action": "y"}, htmx=True)
    assert r.status_code == 422 and "cannot be in the past" in r.text
    assert not _reload(s).measures and db.session.query(ActionItem).count() == 0
    _walk_to(c, s, 5)
    next_month = add_months(month_start(local_today()), 1) + timedelta(days=27)
    r = c.post(_url(s, "/steps/5"), data={"agreed": "ok", "follow_up_on": next_month.isoformat()}, htmx=True)
    assert r.status_code == 422 and "or later: the effect is read from at least one whole month" in r.text
    r = c.post(_url(s, "/steps/5"), data={"agreed": "", "follow_up_on": _due()}, htmx=True)
    assert r.status_code == 422 and _reload(s).steps_done == 4


def test_without_javascript_each_step_redirects_to_the_next(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    r = c.post(_url(s, "/steps/1"), data={"purpose": "why"})
    assert r.status_code == 302 and r.headers["Location"].endswith(_url(s) + "#step-2")
    r = c.post(_url(s, "/steps/2"), data={"months": "99"})
    assert r.status_code == 422 and "<html" in r.text and r.text.count("<h1") == 1


def test_the_person_acknowledges_from_their_own_login(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    m = login(manager)
    _walk_to(m, s, 4)
    a = login(advisor)
    page = a.get(f"/coaching/people/{advisor.id}").text
    assert "waiting for your acknowledgement" in page
    badge = 'title="Plans waiting for your acknowledgement">1</span>'
    assert badge in a.get("/actions/mine").text  # told on every page, beside "My coaching"
    r = a.post(_url(s, "/acknowledge"), htmx=True)
    assert r.status_code == 200 and "acknowledged the plan" in r.text
    assert _reload(s).acknowledged_at is not None
    assert "waiting for your acknowledgement" not in a.get(f"/coaching/people/{advisor.id}").text
    assert "Plans waiting for your acknowledgement" not in a.get("/actions/mine").text
    # The manager goes on without recording a verbal confirmation.
    assert m.post(_url(s, "/steps/4"), data={"questions": "none"}, htmx=True).status_code == 200
    s = _reload(s)
    assert s.steps_done == 4 and not s.verbal_confirmation


def test_only_the_coached_person_can_acknowledge(app, login, store, manager, advisor, gm, make_user):
    other = make_user(STAFF, store, username="other", position="service_advisor")
    s = _start(store, manager, advisor)
    assert login(advisor).post(_url(s, "/acknowledge"), htmx=True).status_code == 422  # no plan yet
    _walk_to(login(manager), s, 4)
    for user in (other, manager, gm):
        assert login(user).post(_url(s, "/acknowledge"), htmx=True).status_code == 403
    assert _reload(s).acknowledged_at is None
    with app.test_request_context(), pytest.raises(RuleViolation):
        services.acknowledge(_reload(s), manager)


def test_permissions(login, store, manager, advisor, gm, make_user, make_store):
    other = make_user(STAFF, store, username="other", position="service_advisor")
    s = _start(store, manager, advisor)
    csi = str(kpi_by_code("CSI").id)
    assert login(other).get(_url(s)).status_code == 403
    assert login(other).get(f"/coaching/people/{advisor.id}").status_code == 403
    assert login(advisor).get(f"/coaching/people/{advisor.id}").status_code == 200
    assert login(advisor).get(_url(s)).status_code == 200
    assert login(advisor).get("/coaching/").status_code == 302  # staff go to their own page
    for user in (advisor, other, gm):
        c = login(user)
        assert c.post(_url(s, "/steps/1"), data={"purpose": "x"}).status_code == 403
        assert c.post(_url(s, "/measures"), data={"what": "x"}).status_code == 403
        assert c.post(_url(s, "/follow-up"), data={"conclusion": "x"}).status_code == 403
        assert c.post(_url(s, "/discard")).status_code == 403
        assert c.post(f"/coaching/people/{advisor.id}/sessions", data={"kpi_ids": csi}).status_code == 403
    g = login(gm)
    assert g.get(_url(s)).status_code == 200 and g.get(f"/coaching/people/{advisor.id}").status_code == 200
    assert "Save and continue" not in g.get(_url(s)).text  # the GM reads only
    far_store = make_store("S9")
    far = make_user(STAFF, far_store, username="far", position="service_advisor")
    far_manager = make_user("manager", far_store, username="farm")
    assert login(manager).get(f"/coaching/people/{far.id}").status_code == 403
    assert login(far_manager).get(_url(s)).status_code == 403
    assert login(far_manager).post(_url(s, "/steps/1"), data={"purpose": "x"}).status_code == 403
    assert login(far_manager).post(_url(s, "/discard")).status_code == 403
    assert _reload(s).steps_done == 0


def test_a_talk_can_be_discarded_until_its_plan_is_agreed(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    _walk_to(c, s, 3)  # step 3 is open: a measure is already an action item
    assert c.post(_url(s, "/measures"), data={"what": "Explain every invoice", "due": _due(), "as_action": "y"},
                  htmx=True).status_code == 200
    item = db.session.scalar(db.select(ActionItem))
    assert "Discard this talk" in c.get(_url(s)).text
    talk_id = s.id
    r = c.post(_url(s, "/discard"), htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/coaching/people/{advisor.id}"
    db.session.expire_all()
    assert db.session.get(CoachingSession, talk_id) is None
    last = db.session.scalars(db.select(ActionItemUpdate).order_by(ActionItemUpdate.id.desc())).first()
    assert item.status == "cancelled" and (last.event, last.note) == ("cancelled", "The coaching talk was discarded.")
    assert "The talk was discarded." in c.get(f"/coaching/people/{advisor.id}").text
    agreed = _start(store, manager, advisor)
    _walk_to(c, agreed, 4)  # the plan is agreed
    assert "Discard this talk" not in c.get(_url(agreed)).text
    r = c.post(_url(agreed, "/discard"), htmx=True)
    assert r.status_code == 422 and "can no longer be discarded" in r.text
    assert c.post(_url(agreed, "/discard")).status_code == 422  # without JS too
    plain = _start(store, manager, advisor)
    plain_id = plain.id
    r = c.post(_url(plain, "/discard"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/coaching/people/{advisor.id}")
    db.session.expire_all()
    assert db.session.get(CoachingSession, plain_id) is None


def test_csrf_is_required(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    assert c.post(_url(s, "/steps/1"), data={"purpose": "x"}, csrf=False, htmx=True).status_code == 400
    assert c.post(_url(s, "/discard"), csrf=False, htmx=True).status_code == 400
    assert _reload(s).steps_done == 0


def test_starting_a_talk(login, store, manager, advisor, make_user):
    c = login(manager)
    r = c.post(f"/coaching/people/{advisor.id}/sessions", data={})
    assert r.status_code == 303 and _reload_count() == 0
    assert "Choose at least one" in c.get(r.headers["Location"]).text
    tech_kpi = str(kpi_by_code("FIRST_TIME_FIX").id)  # not a service advisor's KPI
    assert c.post(f"/coaching/people/{advisor.id}/sessions", data={"kpi_ids": tech_kpi}).status_code == 303
    r = c.post(f"/coaching/people/{advisor.id}/sessions", data={"kpi_ids": str(kpi_by_code("CSI").id)})
    assert r.status_code == 302 and _reload_count() == 1
    page = c.get(r.headers["Location"]).text
    assert "Coaching talk with Advisor Wang" in page and "Purpose of the talk" in page
    colleague = make_user("manager", store, username="m2")  # only staff are coached, and not seen by peers
    assert c.post(f"/coaching/people/{colleague.id}/sessions", data={"kpi_ids": "1"}).status_code == 403
    assert _reload_count() == 1


def test_unfinished_talks_are_shown_as_such(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    services.save_purpose(s, "why")
    db.session.commit()
    c = login(manager)
    assert "Unfinished: step 2 of 5 next" in c.get(f"/coaching/people/{advisor.id}").text
    index = c.get("/coaching/").text
    assert "Unfinished talks" in index and "Unfinished: step 2 of 5 next" in index
