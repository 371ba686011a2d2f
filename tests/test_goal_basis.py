"""Goals, issue 14: a new goal starts with the next whole period; a goal already set for the same KPI,
subject and period is pointed out (not refused); the form shows the current level and last year's
value with the unit and a baseline rounded to the KPI's precision; the goal page leads with its
monthly chart, opens only the current stage's section and disables a stage move the rules refuse."""
from datetime import date

import pytest

from app.auth.models import GM, STAFF
from app.extensions import db
from app.goals import services
from app.goals.models import Goal, PlanStep
from app.kpis.models import Kpi, KpiValue
from app.months import add_months
from app.timeutils import local_today

PAGE_LANGUAGE = "en"
EN = {"Accept-Language": "en"}


@pytest.fixture
def kpi():
    return lambda code: db.session.scalar(db.select(Kpi).where(Kpi.code == code))


@pytest.fixture
def add_value(store):
    def add(kpi, month, value, person=None):
        db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=person.id if person else None,
                                subject_key=person.id if person else 0, month=month, value=value))
        db.session.commit()
    return add


def make_goal(store, manager, kpi, kind="quarter", day=None, target=2.0, baseline=None):
    goal = services.create_goal(store_id=store.id, kpi=kpi, person_id=None, period_kind=kind,
                                period_day=day or local_today(), target=target, baseline=baseline,
                                owner_id=manager.id, created_by_id=manager.id)
    db.session.commit()
    return goal


def test_a_new_goal_defaults_to_the_next_whole_period():
    assert services.default_period_day("quarter", date(2026, 12, 1)) == date(2027, 1, 1)
    assert services.default_period_day("quarter", date(2026, 5, 20)) == date(2026, 7, 1)
    assert services.default_period_day("month", date(2026, 12, 31)) == date(2027, 1, 1)
    assert services.default_period_day("year", date(2026, 1, 1)) == date(2027, 1, 1)


def test_the_form_starts_on_the_next_quarter(login, manager):
    page = login(manager).get("/goals/new", headers=EN).get_data(as_text=True)
    start = services.default_period_day("quarter", local_today())
    assert f'value="{start.isoformat()}"' in page


def test_the_basis_shows_current_level_last_year_with_unit_and_a_rounded_baseline(login, manager, kpi, add_value):
    csi, today = kpi("FIRST_TIME_FIX"), local_today()
    start = services.default_period_day("quarter", today)
    for i, value in enumerate((94.8, 94.9, 94.9)):  # last year's same quarter: mean 94.8667
        add_value(csi, add_months(start, i - 12), value)
    add_value(csi, add_months(today.replace(day=1), -1), 96.25)
    page = login(manager).get("/goals/new?kpi=FIRST_TIME_FIX&period_kind=quarter", headers=EN).get_data(as_text=True)
    assert "94.8667" not in page and 'value="94.9"' in page
    assert "Current level" in page and "96.3 %" in page  # percent: one decimal, with its unit
    assert "Last year, same period" in page and "94.9 %" in page
    fragment = login(manager).get(
        f"/goals/new/baseline?kpi_id={csi.id}&period_kind=quarter&subject=store&period_day={start}",
        htmx=True, headers=EN).get_data(as_text=True)
    assert 'value="94.9"' in fragment and "Current level" in fragment and "94.8667" not in fragment


def test_a_second_goal_for_the_same_period_is_warned_about_not_refused(login, manager, store, kpi):
    rate = kpi("COMPLAINT_RATE")
    start = services.default_period_day("quarter", local_today())
    first = make_goal(store, manager, rate, day=start)
    c = login(manager)
    fragment = c.get(f"/goals/new/baseline?kpi_id={rate.id}&period_kind=quarter&subject=store&period_day={start}",
                     htmx=True, headers=EN).get_data(as_text=True)
    assert "already has a goal for the same subject and period" in fragment
    assert f"/goals/{first.id}" in fragment
    other = c.get(f"/goals/new/baseline?kpi_id={rate.id}&period_kind=month&subject=store&period_day={start}",
                  htmx=True, headers=EN).get_data(as_text=True)
    assert "already has a goal" not in other  # a month is another period
    reply = c.post("/goals/new", data={"subject": "store", "person_id": 0, "kpi_id": rate.id, "title": "Stretch",
                                       "period_kind": "quarter", "period_day": start.isoformat(), "target": "1",
                                       "baseline": "", "owner_id": manager.id, "parent_id": 0},
                   headers=EN, follow_redirects=True)
    assert reply.status_code == 200
    assert "already had a goal for the same subject and period" in reply.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Goal)) == 2


def test_the_edit_form_shows_the_baseline_rounded(login, manager, store, kpi):
    goal = make_goal(store, manager, kpi("FIRST_TIME_FIX"), target=96, baseline=94.8667)
    page = login(manager).get(f"/goals/{goal.id}/edit", headers=EN).get_data(as_text=True)
    assert 'value="94.9"' in page and "94.8667" not in page


def test_the_goal_page_leads_with_its_monthly_chart(login, manager, gm, store, kpi, add_value):
    rate = kpi("COMPLAINT_RATE")
    goal = make_goal(store, manager, rate, kind="year", target=1.5)
    add_value(rate, goal.period_start, 2.5)
    for who in (manager, gm):
        page = login(who).get(f"/goals/{goal.id}", headers=EN).get_data(as_text=True)
        chart, plan = page.index('class="goal-chart"'), page.index('id="plan"')
        assert chart < plan and "<svg" in page[chart:plan] and "Month by month" in page


def test_a_goal_without_values_says_so_instead_of_a_chart(login, manager, store, kpi):
    goal = make_goal(store, manager, kpi("COMPLAINT_RATE"))
    page = login(manager).get(f"/goals/{goal.id}", headers=EN).get_data(as_text=True)
    assert "No month of this period has a value yet." in page


def test_only_the_current_stage_is_open_and_a_refused_move_is_disabled_with_its_reason(login, manager, store, kpi):
    goal = make_goal(store, manager, kpi("COMPLAINT_RATE"))
    c = login(manager)
    page = c.get(f"/goals/{goal.id}", headers=EN).get_data(as_text=True)
    plan = page.split('id="plan"', 1)[1].split("</section>", 1)[0]
    check = page.split('id="check"', 1)[1].split("</section>", 1)[0]
    assert "<details" not in plan and '<details class="stage-fold">' in check
    button = page.split("Move on to Do", 1)[0].rsplit("<button", 1)[1]
    assert "disabled" in button
    assert "Write at least one plan step (who does what, by when) before moving to Do." in page
    # with a plan step the rule allows the move: the button is live
    db.session.add(PlanStep(goal_id=goal.id, who_id=manager.id, what="Call back", standard="", monitoring="",
                            due=local_today()))
    db.session.commit()
    page = c.get(f"/goals/{goal.id}", headers=EN).get_data(as_text=True)
    button = page.split("Move on to Do", 1)[0].rsplit("<button", 1)[1]
    assert "disabled" not in button and "Write at least one plan step" not in page


def test_staff_and_gm_see_no_stage_button(login, make_user, store, manager, kpi):
    goal = make_goal(store, manager, kpi("COMPLAINT_RATE"))
    gm = make_user(GM, store, username="gm2")
    assert "Move on to Do" not in login(gm).get(f"/goals/{goal.id}", headers=EN).get_data(as_text=True)
    staff = make_user(STAFF, store, username="s9")
    assert login(staff).get("/goals/new", headers=EN).status_code == 403


def test_a_first_plan_step_saved_in_place_enables_the_stage_button(login, manager, store, kpi):
    goal = make_goal(store, manager, kpi("COMPLAINT_RATE"))
    reply = login(manager).post(f"/goals/{goal.id}/steps", htmx=True, headers=EN, data={
        "step-what": "Call every complaint back", "step-who_id": manager.id, "step-due": local_today().isoformat(),
        "step-standard": "", "step-monitoring": ""})
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    stepper = html.split('id="stepper"', 1)[1]
    assert 'hx-swap-oob="true"' in stepper.split(">", 1)[0]
    button = stepper.split("Move on to Do", 1)[0].rsplit("<button", 1)[1]
    assert "disabled" not in button


def test_the_edit_form_shows_the_basis_too(login, manager, store, kpi, add_value):
    rate = kpi("COMPLAINT_RATE")
    goal = make_goal(store, manager, rate, kind="year", target=1.5)
    add_value(rate, add_months(local_today().replace(day=1), -1), 2.25)
    page = login(manager).get(f"/goals/{goal.id}/edit", headers=EN).get_data(as_text=True)
    assert "Current level" in page and "2.3 %" in page
    assert "already has a goal" not in page  # the goal itself does not count
