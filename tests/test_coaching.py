"""Five-step coaching: the steps in order, permissions, the gap and the effect from KPI data."""
from datetime import timedelta

import pytest

from app.actions.models import ActionItem
from app.auth.models import STAFF
from app.coaching import analysis, services
from app.coaching.models import CoachingSession
from app.common import RuleViolation
from app.extensions import db
from app.goals.models import Goal
from app.kpis.models import KpiValue
from app.kpis.services import kpi_by_code
from app.timeutils import local_today


def _value(store, person, code, month, value):
    kpi = kpi_by_code(code)
    db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=person.id if person else None,
                            subject_key=person.id if person else 0, month=month, value=value))


@pytest.fixture
def login(login):
    """The module's pages are read in English (the default is Chinese)."""
    def as_(user):
        c = login(user)
        c.client.set_cookie("lang", "en")
        return c
    return as_


@pytest.fixture
def advisor(make_user, store):
    return make_user(STAFF, store, username="adv", position="service_advisor", name="Advisor Wang")


def _start(store, manager, advisor, held_on=None, codes=("CSI",)):
    s = services.start_session(store_id=store.id, person=advisor, manager_id=manager.id,
                               kpi_ids=[kpi_by_code(c).id for c in codes], held_on=held_on or local_today())
    db.session.commit()
    return s


def _url(s, tail=""):
    return f"/coaching/sessions/{s.id}{tail}"


def _reload(s):
    db.session.expire_all()
    return db.session.get(CoachingSession, s.id)


def _due(days=14):
    return (local_today() + timedelta(days=days)).isoformat()


def _walk_to(c, s, step):
    """Complete, over HTTP as the manager does, the steps from the next one up to `step` (excluded)."""
    posts = {
        1: [(_url(s, "/steps/1"), {"purpose": "CSI has slipped for two months"})],
        2: [(_url(s, "/steps/2"), {"months": "3", "gap_remarks": "below peers"})],
        3: [(_url(s, "/measures"), {"what": "Explain every invoice", "due": _due(), "as_action": "y"}),
            (_url(s, "/steps/3"), {"plan_notes": "weekly check"})],
        4: [(_url(s, "/steps/4"), {"questions": "Q? A.", "verbal": "y"})],
        5: [(_url(s, "/steps/5"), {"agreed": "Try for a month", "follow_up_on": _due(30)})],
    }
    for n in range(_reload(s).steps_done + 1, step):
        for url, data in posts[n]:
            assert c.post(url, data=data, htmx=True).status_code == 200, url


# --- the steps -----------------------------------------------------------------------------

def test_each_step_saves_in_place_and_the_talk_finishes(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    r = c.post(_url(s, "/steps/1"), data={"purpose": "CSI has slipped"}, htmx=True)
    assert r.status_code == 200 and "CSI has slipped" in r.text and 'id="steps"' in r.text
    assert "<html" not in r.text  # a fragment for htmx
    assert _reload(s).steps_done == 1
    assert c.post(_url(s, "/steps/2"), data={"months": "3", "gap_remarks": "below peers"}, htmx=True).status_code == 200
    s = _reload(s)
    assert s.steps_done == 2 and s.gap_to == analysis.last_complete_month(local_today())
    assert s.gap_from == analysis.add_months(s.gap_to, -2)
    r = c.post(_url(s, "/measures"), data={"what": "Explain every invoice", "due": _due(), "as_action": "y"}, htmx=True)
    assert r.status_code == 200 and "Explain every invoice" in r.text
    assert c.post(_url(s, "/measures"), data={"what": "Read the CSI survey", "due": ""}, htmx=True).status_code == 200
    assert c.post(_url(s, "/steps/3"), data={"plan_notes": "weekly check"}, htmx=True).status_code == 200
    r = c.post(_url(s, "/steps/4"), data={"questions": "Q?"}, htmx=True)
    assert r.status_code == 422 and "acknowledge" in r.text  # nobody confirmed yet
    assert c.post(_url(s, "/steps/4"), data={"questions": "Q? A.", "verbal": "y"}, htmx=True).status_code == 200
    r = c.post(_url(s, "/steps/5"), data={"agreed": "Ok", "recognition": "Praise at the meeting",
                                          "follow_up_on": _due(30)}, htmx=True)
    assert r.status_code == 200 and "Praise at the meeting" in r.text
    s = _reload(s)
    assert s.finished and s.verbal_confirmation and s.follow_up_on.isoformat() == _due(30)
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
    r = c.post(_url(s, "/steps/5"), data={"agreed": "ok", "follow_up_on": local_today().isoformat()}, htmx=True)
    assert r.status_code == 422 and "follow-up date after the talk" in r.text
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
    r = a.post(_url(s, "/acknowledge"), htmx=True)
    assert r.status_code == 200 and "acknowledged the plan" in r.text
    assert _reload(s).acknowledged_at is not None
    assert "waiting for your acknowledgement" not in a.get(f"/coaching/people/{advisor.id}").text
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
    assert _reload(s).steps_done == 0


def test_csrf_is_required(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    c = login(manager)
    assert c.post(_url(s, "/steps/1"), data={"purpose": "x"}, csrf=False, htmx=True).status_code == 400
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
    colleague = make_user("manager", store, username="m2")
    assert c.post(f"/coaching/people/{colleague.id}/sessions", data={"kpi_ids": "1"}).status_code == 303
    assert _reload_count() == 1


def _reload_count():
    db.session.expire_all()
    return db.session.query(CoachingSession).count()


def test_unfinished_talks_are_shown_as_such(login, store, manager, advisor):
    s = _start(store, manager, advisor)
    services.save_purpose(s, "why")
    db.session.commit()
    c = login(manager)
    assert "Unfinished: step 2 of 5 next" in c.get(f"/coaching/people/{advisor.id}").text
    index = c.get("/coaching/").text
    assert "Unfinished talks" in index and "Unfinished: step 2 of 5 next" in index


# --- the gap and the effect ----------------------------------------------------------------

def _history(store, advisor, peer, before, after_values, held):
    """CSI for the advisor: `before` in the three months before the talk's month, then `after_values`
    in the months after it; the peer stays at 94."""
    talk_month = analysis.month_start(held)
    for n in range(1, 4):
        m = analysis.add_months(talk_month, -n)
        _value(store, advisor, "CSI", m, before)
        _value(store, peer, "CSI", m, 94)
    for n, v in enumerate(after_values, start=1):
        _value(store, advisor, "CSI", analysis.add_months(talk_month, n), v)
    db.session.commit()


def _finished(store, manager, advisor, held, follow_up):
    s = _start(store, manager, advisor, held_on=held)
    s.gap_to = analysis.add_months(analysis.month_start(held), -1)
    s.gap_from = analysis.add_months(s.gap_to, -2)
    s.steps_done, s.follow_up_on = 5, follow_up
    db.session.commit()
    return s


def test_gap_against_target_store_average_and_best(store, manager, advisor, make_user):
    peer = make_user(STAFF, store, username="peer", position="service_advisor")
    held = local_today()
    _history(store, advisor, peer, 80, [], held)
    s = _finished(store, manager, advisor, held, held + timedelta(days=30))
    row = analysis.gap_rows(s)[0]
    assert (row.level, row.target, row.store_average, row.store_best) == (80, 90, 87, 94)
    assert row.gap == 10 and row.attainment == pytest.approx(80 / 90)
    # The person's own goal for the period is their target.
    db.session.add(Goal(store_id=store.id, kpi_id=row.kpi.id, person_id=advisor.id, title="",
                        period_kind="quarter", period_start=s.gap_from, period_end=s.gap_to, target=85,
                        owner_id=advisor.id, created_by_id=manager.id))
    db.session.commit()
    row = analysis.gap_rows(s)[0]
    assert row.target == 85 and row.gap == 5


def test_lower_is_better_kpi_gap_and_best(store, manager, make_user):
    tech = make_user(STAFF, store, username="tech", position="technician")
    peer = make_user(STAFF, store, username="peer", position="technician")
    month = analysis.last_complete_month(local_today())
    _value(store, tech, "COMEBACK_RATE", month, 5)
    _value(store, peer, "COMEBACK_RATE", month, 1)
    db.session.commit()
    s = services.start_session(store_id=store.id, person=tech, manager_id=manager.id,
                               kpi_ids=[kpi_by_code("COMEBACK_RATE").id], held_on=local_today())
    s.gap_from = s.gap_to = month
    row = analysis.gap_rows(s)[0]
    assert (row.level, row.store_best, row.store_average, row.gap) == (5, 1, 3, 3)  # target 2


@pytest.mark.parametrize("after, verdict", [([88, 92], analysis.CLOSED), ([84, 86], analysis.NARROWED),
                                            ([78, 79], analysis.NOT_NARROWED)])
def test_effect_at_the_follow_up(login, store, manager, advisor, make_user, after, verdict):
    peer = make_user(STAFF, store, username="peer", position="service_advisor")
    today = local_today()
    held = analysis.add_months(analysis.month_start(today), -3) + timedelta(days=4)
    _history(store, advisor, peer, 80, after, held)
    s = _finished(store, manager, advisor, held, held + timedelta(days=60))
    row = analysis.effects([s], today)[s.id][0]
    assert row.before == 80 and row.after == sum(after) / 2 and row.gap_before == 10
    assert row.verdict == verdict
    summary = analysis.coaching_effect([store.id], today)
    assert (summary.narrowed, summary.total) == ((0, 1) if verdict == analysis.NOT_NARROWED else (1, 1))
    dashboard = login(manager).get("/dashboard/").text
    narrowed = 0 if verdict == analysis.NOT_NARROWED else 1
    assert f"{narrowed} of 1 coaching talks followed up in the last 12 months narrowed the KPI gap." in dashboard
    page = login(manager).get(_url(s)).text
    assert {"closed": "gap closed", "narrowed": "gap narrowed", "not_narrowed": "gap not narrowed"}[verdict] in page
    assert "Follow-up conclusion" in page


def test_the_effect_waits_for_the_follow_up_date_and_its_data(login, store, manager, advisor, make_user):
    peer = make_user(STAFF, store, username="peer", position="service_advisor")
    today = local_today()
    _history(store, advisor, peer, 80, [], today)
    s = _finished(store, manager, advisor, today, today + timedelta(days=30))
    c = login(manager)
    assert "shown from the follow-up date on" in c.get(_url(s)).text
    assert c.post(_url(s, "/follow-up"), data={"conclusion": "early"}, htmx=True).status_code == 422
    s.follow_up_on = today - timedelta(days=0)
    s.held_on = today - timedelta(days=1)
    db.session.commit()
    # Due, but no complete month after the talk: no verdict, and the dashboard counts it as pending.
    summary = analysis.coaching_effect([store.id], today)
    assert (summary.total, summary.pending) == (0, 1)


def test_follow_up_conclusion_and_its_conflict(app, login, store, manager, advisor):
    s = _start(store, manager, advisor, held_on=local_today() - timedelta(days=40))
    s.steps_done, s.follow_up_on = 5, local_today()
    s.gap_from = s.gap_to = analysis.last_complete_month(local_today())
    db.session.commit()
    c = login(manager)
    version = _reload(s).version
    r = c.post(_url(s, "/follow-up"), data={"conclusion": "Better calls", "version": version}, htmx=True)
    assert r.status_code == 200 and "Better calls" in r.text
    assert _reload(s).followed_up_at is not None
    r = c.post(_url(s, "/follow-up"), data={"conclusion": "stale text", "version": version}, htmx=True)
    assert r.status_code == 409 and "Better calls" in r.text
    assert _reload(s).follow_up_conclusion == "Better calls"
    assert c.post(_url(s, "/follow-up"), data={"conclusion": " ", "version": _reload(s).version},
                  htmx=True).status_code == 422
    with app.test_request_context(), pytest.raises(RuleViolation):
        services.record_follow_up(_reload(s), "x", None, local_today() - timedelta(days=1))


# --- the store's list ------------------------------------------------------------------------

def test_coverage_of_staff_below_target(login, store, manager, advisor, make_user):
    fine = make_user(STAFF, store, username="fine", position="service_advisor", name="Fine Li")
    today = local_today()
    month = analysis.last_complete_month(today)
    _value(store, advisor, "CSI", month, 85)
    _value(store, fine, "CSI", month, 95)
    db.session.commit()
    assert [g.person.id for g in analysis.coverage_gaps(store.id, today)] == [advisor.id]
    _start(store, manager, advisor, held_on=today - timedelta(weeks=10))
    assert len(analysis.coverage_gaps(store.id, today, weeks=8)) == 1
    assert analysis.coverage_gaps(store.id, today, weeks=12) == []
    c = login(manager)
    assert "Advisor Wang" in c.get("/coaching/?weeks=8").text.split('id="due-h"')[0]
    assert "Advisor Wang" not in c.get("/coaching/?weeks=12").text.split('id="due-h"')[0]
    r = c.get("/coaching/?weeks=abc")
    assert r.status_code == 200 and "Advisor Wang" in r.text


def test_store_list_by_person_and_month_and_follow_ups_due(login, store, manager, advisor):
    today = local_today()
    due = _start(store, manager, advisor, held_on=today - timedelta(days=20))
    due.steps_done, due.follow_up_on = 5, today
    db.session.commit()
    _start(store, manager, advisor)
    c = login(manager)
    page = c.get("/coaching/").text
    assert "Follow-ups due" in page and page.count(f'href="/coaching/sessions/{due.id}"') >= 2
    month = today.strftime("%Y-%m")
    filtered = c.get(f"/coaching/?person={advisor.id}&month={month}").text
    assert "Show all talks" in filtered


def test_list_pages_and_queries_do_not_grow(login, store, manager, advisor, count_queries, make_user):
    def add_people(n, offset):
        for i in range(offset, offset + n):
            person = make_user(STAFF, store, username=f"p{i}", position="service_advisor")
            _value(store, person, "CSI", analysis.last_complete_month(local_today()), 70)
            for days in (200 + i, 3):  # one finished with its follow-up due, one unfinished
                s = _start(store, manager, person, held_on=local_today() - timedelta(days=days))
                if days > 3:
                    s.steps_done, s.follow_up_on = 5, local_today() - timedelta(days=1)
                    s.gap_from = s.gap_to = analysis.last_complete_month(local_today())
        db.session.commit()

    add_people(1, 0)
    c = login(manager)
    with count_queries() as few:
        c.get("/coaching/")
    with count_queries() as dash_few:
        c.get("/dashboard/")
    add_people(8, 1)
    with count_queries() as many:
        r = c.get("/coaching/")
    assert r.status_code == 200 and "Page 1 of 4" in r.text
    assert many() == few()  # a fixed number of queries, not one per row
    with count_queries() as dash_many:
        assert c.get("/dashboard/").status_code == 200
    assert dash_many() == dash_few()


def test_pages_render_with_one_h1(login, store, manager, advisor, gm):
    _value(store, advisor, "CSI", analysis.last_complete_month(local_today()), 85)
    db.session.commit()
    s = _start(store, manager, advisor)
    for user in (manager, gm, advisor):
        c = login(user)
        for url in (f"/coaching/people/{advisor.id}", _url(s)):
            r = c.get(url)
            assert r.status_code == 200 and r.text.count("<h1") == 1, (user.username, url)
    assert login(manager).get("/coaching/").text.count("<h1") == 1
    assert "Coaching effect" in login(gm).get("/dashboard/").text


def test_gm_dashboard_shows_the_effect_for_the_group(login, store, manager, advisor, gm, make_store, make_user):
    peer = make_user(STAFF, store, username="peer", position="service_advisor")
    today = local_today()
    held = analysis.add_months(analysis.month_start(today), -3) + timedelta(days=4)
    _history(store, advisor, peer, 80, [84, 86], held)
    _finished(store, manager, advisor, held, held + timedelta(days=60))
    other = make_store("S2")
    other_manager = make_user("manager", other, username="m2")
    other_advisor = make_user(STAFF, other, username="adv2", position="service_advisor")
    other_peer = make_user(STAFF, other, username="peer2", position="service_advisor")
    _history(other, other_advisor, other_peer, 80, [78, 79], held)
    _finished(other, other_manager, other_advisor, held, held + timedelta(days=60))
    gm.extra_stores.append(other)
    db.session.commit()
    page = login(gm).get("/dashboard/").text
    assert "1 of 1 coaching talks followed up" in page  # the store in view
    assert "All your stores: 1 of 2." in page
