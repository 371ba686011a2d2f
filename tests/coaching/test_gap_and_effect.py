"""The gap before a talk and its effect at the follow-up, read from KPI data (coaching/analysis.py), with the edge cases of the rules."""
from datetime import timedelta

import pytest

from app.auth.models import STAFF
from app.coaching import analysis, services
from app.common import RuleViolation
from app.extensions import db
from app.goals.models import Goal
from app.kpis.services import kpi_by_code
from app.months import add_months, month_start, previous_month
from app.timeutils import local_today

from .support import _effect_of, _finished, _history, _reload, _start, _url, _value, _walk_to

PAGE_LANGUAGE = "en"  # the pages are read in English (the default is Chinese)


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
