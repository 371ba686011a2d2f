"""Five-step coaching: the steps in order, permissions, the gap and the effect from KPI data."""
from datetime import timedelta

import pytest

from app.actions.models import ActionItem, ActionItemUpdate
from app.auth.models import STAFF
from app.coaching import analysis, services
from app.coaching.models import CoachingSession
from app.common import RuleViolation
from app.extensions import db
from app.goals.models import Goal
from app.kpis.models import KpiValue
from app.kpis.services import kpi_by_code
from app.months import add_months, month_start, previous_month
from app.timeutils import local_today


def _value(store, person, code, month, value):
    kpi = kpi_by_code(code)
    db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=person.id if person else None,
                            subject_key=person.id if person else 0, month=month, value=value))


PAGE_LANGUAGE = "en"  # the pages are read in English (the default is Chinese)


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


def _follow_up():
    """A follow-up date in the second month after today's (the earliest allowed), whatever today is."""
    return (add_months(month_start(local_today()), 2) + timedelta(days=14)).isoformat()


def _walk_to(c, s, step):
    """Complete, over HTTP as the manager does, the steps from the next one up to `step` (excluded)."""
    posts = {
        1: [(_url(s, "/steps/1"), {"purpose": "CSI has slipped for two months"})],
        2: [(_url(s, "/steps/2"), {"months": "3", "gap_remarks": "below peers"})],
        3: [(_url(s, "/measures"), {"what": "Explain every invoice", "due": _due(), "as_action": "y"}),
            (_url(s, "/steps/3"), {"plan_notes": "weekly check"})],
        4: [(_url(s, "/steps/4"), {"questions": "Q? A.", "verbal": "y"})],
        5: [(_url(s, "/steps/5"), {"agreed": "Try for a month", "follow_up_on": _follow_up()})],
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
    talk_month = month_start(held)
    for n in range(1, 4):
        m = add_months(talk_month, -n)
        _value(store, advisor, "CSI", m, before)
        _value(store, peer, "CSI", m, 94)
    for n, v in enumerate(after_values, start=1):
        _value(store, advisor, "CSI", add_months(talk_month, n), v)
    db.session.commit()


def _finished(store, manager, advisor, held, follow_up):
    s = _start(store, manager, advisor, held_on=held)
    s.gap_to = add_months(month_start(held), -1)
    s.gap_from = add_months(s.gap_to, -2)
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


def test_a_kpi_without_a_target_is_measured_against_the_store_average(login, store, manager, advisor, make_user):
    peer = make_user(STAFF, store, username="peer", position="service_advisor")
    month = previous_month(local_today())
    _value(store, advisor, "REVENUE_PER_RO", month, 1400)
    _value(store, peer, "REVENUE_PER_RO", month, 1600)
    s = _start(store, manager, advisor, codes=("REVENUE_PER_RO",))
    c = login(manager)
    _walk_to(c, s, 2)
    page = c.post(_url(s, "/steps/2"), data={"months": "1"}, htmx=True).text
    row = analysis.gap_rows(_reload(s))[0]
    assert (row.target, row.store_average, row.gap) == (None, 1500, 100)
    assert "100 short of the store average" in page and "on target" not in page


def test_lower_is_better_kpi_gap_and_best(store, manager, make_user):
    tech = make_user(STAFF, store, username="tech", position="technician")
    peer = make_user(STAFF, store, username="peer", position="technician")
    month = previous_month(local_today())
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
    held = add_months(month_start(today), -3) + timedelta(days=4)
    _history(store, advisor, peer, 80, after, held)
    s = _finished(store, manager, advisor, held, month_start(today))  # two whole months after the talk
    row = analysis.effects([s], today)[s.id][0]
    assert row.before == 80 and row.after == sum(after) / 2 and row.gap_before == 10
    assert row.verdict == verdict
    summary = analysis.coaching_effect_by_store([store.id], today)[store.id]
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
    summary = analysis.coaching_effect_by_store([store.id], today)[store.id]
    assert (summary.total, summary.pending) == (0, 1)


def test_follow_up_conclusion_and_its_conflict(app, login, store, manager, advisor):
    s = _start(store, manager, advisor, held_on=local_today() - timedelta(days=40))
    s.steps_done, s.follow_up_on = 5, local_today()
    s.gap_from = s.gap_to = previous_month(local_today())
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
    month = previous_month(today)
    _value(store, advisor, "CSI", month, 85)
    _value(store, fine, "CSI", month, 95)
    db.session.commit()
    assert [g.person.id for g in analysis.coverage_gaps(store.id, today)] == [advisor.id]
    abandoned = _start(store, manager, advisor, held_on=today - timedelta(days=2))  # left at step 0
    assert len(analysis.coverage_gaps(store.id, today, weeks=8)) == 1  # coached nobody
    db.session.delete(abandoned)
    talk = _start(store, manager, advisor, held_on=today - timedelta(weeks=10))
    talk.steps_done = 3  # the plan is agreed: that counts as coaching
    db.session.commit()
    assert len(analysis.coverage_gaps(store.id, today, weeks=8)) == 1
    assert analysis.coverage_gaps(store.id, today, weeks=12) == []
    c = login(manager)
    assert "Advisor Wang" in c.get("/coaching/?weeks=8").text.split('id="due-h"')[0]
    assert "Advisor Wang" not in c.get("/coaching/?weeks=12").text.split('id="due-h"')[0]
    r = c.get("/coaching/?weeks=abc")
    assert r.status_code == 200 and "Advisor Wang" in r.text


def test_coverage_reads_the_latest_month_with_data(login, store, manager, advisor):
    """Early in a month last month's figures are often not entered yet: coverage uses the month
    before rather than showing nobody below target, and says which month it read."""
    today = local_today()
    c = login(manager)
    page = c.get("/coaching/").text
    assert "No staff KPI values in the last 3 months" in page and "Everyone below target" not in page
    earlier = add_months(previous_month(today), -1)
    _value(store, advisor, "CSI", earlier, 85)
    db.session.commit()
    assert analysis.coverage_month(store.id, today) == earlier
    assert [g.person.id for g in analysis.coverage_gaps(store.id, today)] == [advisor.id]
    page = c.get("/coaching/").text
    assert f"KPI values of {earlier:%b %Y}, the latest month with data." in page
    assert "Advisor Wang" in page.split('id="due-h"')[0]
    too_old = add_months(previous_month(today), -analysis.COVERAGE_LOOKBACK_MONTHS)
    db.session.query(KpiValue).update({KpiValue.month: too_old})
    db.session.commit()
    assert analysis.coverage_month(store.id, today) is None and analysis.coverage_gaps(store.id, today) == []


def test_store_list_by_person_and_month_and_follow_ups_due(login, store, manager, advisor, make_user):
    today = local_today()
    due = _start(store, manager, advisor, held_on=today - timedelta(days=40))
    due.steps_done, due.follow_up_on = 5, today
    db.session.commit()
    this_month = _start(store, manager, advisor)
    other = make_user(STAFF, store, username="other", position="service_advisor", name="Other Zhao")
    others = _start(store, manager, other)
    c = login(manager)
    page = c.get("/coaching/").text
    due_section = page.split('id="due-h"')[1].split('id="unfinished-h"')[0]
    assert _url(due) in due_section and _url(this_month) not in due_section
    grid = page.split('id="grid-h"')[1].split('id="all-h"')[0]
    assert f"person={advisor.id}&amp;month={today.strftime('%Y-%m')}" in grid
    filtered = c.get(f"/coaching/?person={advisor.id}&month={today.strftime('%Y-%m')}").text.split('id="all-h"')[1]
    assert "Show all talks" in filtered and _url(this_month) in filtered
    assert _url(others) not in filtered  # another person
    assert _url(due) not in filtered  # 40 days ago: another month


def test_list_pages_and_queries_do_not_grow(login, store, manager, advisor, count_queries, make_user):
    def add_people(n, offset):
        for i in range(offset, offset + n):
            person = make_user(STAFF, store, username=f"p{i}", position="service_advisor")
            _value(store, person, "CSI", previous_month(local_today()), 70)
            for days in (200 + i, 3):  # one finished with its follow-up due, one unfinished
                s = _start(store, manager, person, held_on=local_today() - timedelta(days=days))
                if days > 3:
                    s.steps_done, s.follow_up_on = 5, local_today() - timedelta(days=1)
                    # each in a month of its own: targets are read per month, and must not cost a query each
                    s.gap_from = s.gap_to = add_months(previous_month(local_today()), -i)
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
    _value(store, advisor, "CSI", previous_month(local_today()), 85)
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
    held = add_months(month_start(today), -3) + timedelta(days=4)
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


# --- edge cases of the rules --------------------------------------------------------------------

def test_follow_up_date_rules(app, store, manager, advisor):
    held = add_months(month_start(local_today()), -2) + timedelta(days=3)
    s = _start(store, manager, advisor, held_on=held)
    s.steps_done = 4
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for follow_up, message in [(held + timedelta(days=1), "or later"),
                                   (add_months(month_start(held), 2) - timedelta(days=1), "or later"),
                                   (held + timedelta(days=367), "within a year"),
                                   (local_today(), "after today")]:
            with pytest.raises(RuleViolation, match=message):
                services.save_motivation(s, "ok", "", "", follow_up, local_today())
        services.save_motivation(s, "ok", "", "", local_today() + timedelta(days=1), local_today())
    assert s.finished


def test_the_gap_is_read_before_the_talk_even_when_saved_later(login, store, manager, advisor):
    held = add_months(month_start(local_today()), -2) + timedelta(days=5)
    s = _start(store, manager, advisor, held_on=held)
    c = login(manager)
    _walk_to(c, s, 2)
    assert c.post(_url(s, "/steps/2"), data={"months": "3"}, htmx=True).status_code == 200
    s = _reload(s)
    assert s.gap_to == add_months(month_start(held), -1)  # not last month
    assert analysis.after_window(s, local_today())[0] > s.gap_to


def _effect_of(store, manager, person, code, before, after, make_user, peer_value):
    """A finished talk three months ago on one KPI: `before` in the three months before it, `after`
    in the two after it; a peer holds `peer_value` throughout."""
    today = local_today()
    held = add_months(month_start(today), -3) + timedelta(days=4)
    peer = make_user(STAFF, store, username=f"peer-{code}", position=person.position)
    talk_month = month_start(held)
    for n in range(-3, 3):
        if n == 0:
            continue
        month = add_months(talk_month, n)
        _value(store, person, code, month, before if n < 0 else after)
        _value(store, peer, code, month, peer_value)
    s = services.start_session(store_id=store.id, person=person, manager_id=manager.id,
                               kpi_ids=[kpi_by_code(code).id], held_on=held)
    s.gap_to = add_months(talk_month, -1)
    s.gap_from = add_months(s.gap_to, -2)
    s.steps_done, s.follow_up_on = 5, held + timedelta(days=60)
    db.session.commit()
    return analysis.effects([s], today)[s.id][0]


def test_effect_of_a_lower_is_better_kpi(store, manager, make_user):
    tech = make_user(STAFF, store, username="tech", position="technician")
    row = _effect_of(store, manager, tech, "COMEBACK_RATE", 3.0, 2.5, make_user, 1.0)  # target 2
    assert (row.gap_before, row.gap_after, row.verdict) == (1.0, 0.5, analysis.NARROWED)


def test_effect_of_a_band_kpi(store, manager, make_user):
    from app.kpis.models import Kpi

    # The catalogue's band KPIs are store KPIs; a test KPI (deleted after the test) is a person's.
    db.session.add(Kpi(code="HOURS_SHARE", name_zh="工时占比", name_en="Share of hours", unit="%",
                       direction="band", band_low=80, band_high=95, aggregation="mean", scope="person",
                       positions="technician", default_target=None))
    tech = make_user(STAFF, store, username="tech", position="technician")
    db.session.commit()
    row = _effect_of(store, manager, tech, "HOURS_SHARE", 105, 99, make_user, 88)
    assert row.gap_before == pytest.approx(10) and row.gap_after == pytest.approx(4)
    assert row.verdict == analysis.NARROWED


def test_a_kpi_on_target_before_the_talk_does_not_count(store, manager, advisor, make_user):
    row = _effect_of(store, manager, advisor, "CSI", 95, 96, make_user, 92)  # target 90
    assert row.verdict == analysis.NO_GAP
    summary = analysis.coaching_effect_by_store([store.id], local_today())[store.id]
    assert (summary.narrowed, summary.total, summary.pending) == (0, 0, 0)  # not "no data yet" either


def test_the_effect_concluded_on_does_not_change_with_later_months(store, manager, advisor, make_user):
    """The effect is read up to the last month complete on the follow-up date: a bad month after the
    conclusion does not turn "narrowed" into "not narrowed"."""
    peer = make_user(STAFF, store, username="peer", position="service_advisor")
    today = local_today()
    held = add_months(month_start(today), -4) + timedelta(days=4)
    _history(store, advisor, peer, 80, [85, 60, 60], held)  # 85 in the month before the follow-up
    s = _finished(store, manager, advisor, held, analysis.earliest_follow_up(held) + timedelta(days=4))
    row = analysis.effects([s], today)[s.id][0]
    assert (row.after, row.verdict) == (85, analysis.NARROWED)


def test_a_summed_kpis_goal_target_is_taken_per_month(store, manager, make_user):
    from app.kpis.models import Kpi

    kpi = Kpi(code="CARS_WASHED", name_zh="洗车台次", name_en="Cars washed", unit="count", direction="higher",
              aggregation="sum", scope="person", positions="technician", default_target=None)
    db.session.add(kpi)
    tech = make_user(STAFF, store, username="tech", position="technician")
    month = previous_month(local_today())
    quarter = add_months(month, -2)
    db.session.add(Goal(store_id=store.id, kpi_id=kpi.id, person_id=tech.id, title="", period_kind="quarter",
                        period_start=quarter, period_end=add_months(quarter, 2), target=90,
                        owner_id=tech.id, created_by_id=manager.id))
    db.session.commit()
    assert analysis.person_targets([tech.id], [kpi], month) == {(tech.id, kpi.id): 30}


# --- who sees what, when people move -----------------------------------------------------------

def test_a_talk_stays_with_its_store_when_the_person_moves(login, store, manager, advisor, make_store, make_user):
    s = _start(store, manager, advisor, held_on=local_today() - timedelta(days=40))
    s.steps_done, s.follow_up_on = 5, local_today()
    s.gap_from = s.gap_to = previous_month(local_today())
    new_store = make_store("S2")
    new_manager = make_user("manager", new_store, username="m2")
    advisor.store_id = new_store.id
    db.session.commit()
    c = login(manager)
    assert c.get(_url(s)).status_code == 200  # the old manager concludes the follow-up
    assert c.post(_url(s, "/follow-up"), data={"conclusion": "done", "version": _reload(s).version},
                  htmx=True).status_code == 200
    n = login(new_manager)
    assert n.get(_url(s)).status_code == 403
    person_page = n.get(f"/coaching/people/{advisor.id}").text
    assert _url(s) not in person_page  # the new store sees the person, not the old store's talks
    assert login(advisor).get(_url(s)).status_code == 200  # the person always sees their own talk


def test_a_manager_sees_staff_pages_not_the_gms(login, store, manager, gm, make_user):
    colleague = make_user("manager", store, username="m2")
    c = login(manager)
    assert c.get(f"/coaching/people/{gm.id}").status_code == 403
    assert c.get(f"/coaching/people/{colleague.id}").status_code == 403
    assert c.get(f"/coaching/people/{manager.id}").status_code == 200
    assert login(gm).get(f"/coaching/people/{manager.id}").status_code == 200


def test_forbidden_htmx_posts_change_nothing(login, store, manager, advisor, gm):
    s = _start(store, manager, advisor)
    for user in (advisor, gm):
        c = login(user)
        assert c.post(_url(s, "/steps/1"), data={"purpose": "x"}, htmx=True).status_code == 403
        assert c.post(_url(s, "/measures"), data={"what": "x", "due": _due()}, htmx=True).status_code == 403
    assert _reload(s).steps_done == 0 and not _reload(s).measures


def test_a_follow_up_without_its_version_does_not_overwrite(login, store, manager, advisor):
    s = _start(store, manager, advisor, held_on=local_today() - timedelta(days=40))
    s.steps_done, s.follow_up_on = 5, local_today()
    s.gap_from = s.gap_to = previous_month(local_today())
    db.session.commit()
    c = login(manager)
    assert c.post(_url(s, "/follow-up"), data={"conclusion": "first", "version": _reload(s).version},
                  htmx=True).status_code == 200
    r = c.post(_url(s, "/follow-up"), data={"conclusion": "blind overwrite"}, htmx=True)
    assert r.status_code == 409 and _reload(s).follow_up_conclusion == "first"
    assert "blind overwrite" in r.text  # what they typed is kept in the form, now on the current version
    assert f'name="version" type="hidden" value="{_reload(s).version}"' in r.text
