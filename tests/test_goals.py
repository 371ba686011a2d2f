"""Goals: creating them (store, personal, per position), the PDCA gates, check, act, permissions."""
import re
from datetime import date, timedelta

import pytest

from app.actions.models import ActionItem
from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.extensions import db
from app.goals import services
from app.goals.models import ActRecord, CheckRecord, Goal, GoalUpdate, PlanStep
from app.kpis.models import Kpi, KpiValue
from app.timeutils import local_today

EN = {"Accept-Language": "en"}


# --- fixtures ----------------------------------------------------------------------------

@pytest.fixture
def kpi():
    def by_code(code):
        return db.session.scalar(db.select(Kpi).where(Kpi.code == code))
    return by_code


@pytest.fixture
def add_value(store):
    def add(kpi, month, value, person=None, store_id=None):
        db.session.add(KpiValue(kpi_id=kpi.id, store_id=store_id or store.id, person_id=person.id if person else None,
                                subject_key=person.id if person else 0, month=month, value=value))
        db.session.commit()
    return add


@pytest.fixture
def make_goal(store, manager, kpi):
    def make(code="COMPLAINT_RATE", person=None, kind="year", day=None, target=2.0, baseline=None, parent=None):
        goal = services.create_goal(
            store_id=store.id, kpi=kpi(code), person_id=person.id if person else None, period_kind=kind,
            period_day=day or local_today(), target=target, baseline=baseline,
            owner_id=(person or manager).id, created_by_id=manager.id, parent_id=parent.id if parent else None)
        db.session.commit()
        return goal
    return make


def month_of(day, back=0):
    y, m = day.year, day.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def new_goal_data(kpi, **overrides):
    data = {"subject": "store", "person_id": 0, "kpi_id": kpi.id, "title": "", "period_kind": "year",
            "period_day": local_today().isoformat(), "target": "2", "baseline": "", "owner_id": 0, "parent_id": 0}
    data.update(overrides)
    return data


def stage_post(client, goal, stage):
    goal = db.session.get(Goal, goal.id)
    return client.post(f"/goals/{goal.id}/stage", data={"stage": stage, "version": goal.version}, headers=EN)


# --- periods and baseline ----------------------------------------------------------------

def test_period_bounds():
    assert services.period_bounds("year", date(2026, 5, 17)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert services.period_bounds("quarter", date(2026, 5, 17)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert services.period_bounds("month", date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert services.next_period("quarter", date(2026, 10, 1)) == (date(2027, 1, 1), date(2027, 3, 31))


def test_baseline_from_last_year_mean_or_sum(app, store, kpi, add_value):
    complaint, profit = kpi("COMPLAINT_RATE"), kpi("GROSS_PROFIT")
    add_value(complaint, date(2025, 4, 1), 3.0)
    add_value(complaint, date(2025, 6, 1), 5.0)
    add_value(complaint, date(2025, 7, 1), 99.0)  # another quarter
    add_value(profit, date(2025, 4, 1), 100.0)
    add_value(profit, date(2025, 5, 1), 50.0)
    assert services.last_year_baseline(store.id, complaint, None, "quarter", date(2026, 5, 3)) == 4.0
    assert services.last_year_baseline(store.id, profit, None, "quarter", date(2026, 5, 3)) == 150.0
    assert services.last_year_baseline(store.id, profit, None, "month", date(2026, 1, 3)) is None


# --- creating goals ----------------------------------------------------------------------

def test_manager_creates_store_goal(login, manager, kpi):
    c = login(manager)
    assert c.get("/goals/new").status_code == 200
    response = c.post("/goals/new", data=new_goal_data(kpi("COMPLAINT_RATE"), owner_id=manager.id, target="1.5"))
    assert response.status_code == 302
    goal = db.session.scalar(db.select(Goal))
    assert goal.person_id is None and goal.target == 1.5 and goal.stage == "plan"
    assert goal.period_start == date(local_today().year, 1, 1) and goal.period_end == date(local_today().year, 12, 31)
    assert [u.event for u in goal.updates] == ["created"]
    page = c.get("/goals/", headers=EN).get_data(as_text=True)
    assert goal.kpi.name_en in page and "No data" in page


def test_manager_creates_personal_goal_under_store_goal(login, manager, staff, kpi, make_goal):
    parent = make_goal("CSI", target=90)
    response = login(manager).post("/goals/new", data=new_goal_data(
        kpi("CSI"), subject="person", person_id=staff.id, owner_id=staff.id, target="92", parent_id=parent.id))
    assert response.status_code == 302
    child = db.session.scalar(db.select(Goal).where(Goal.person_id == staff.id))
    assert child.parent_id == parent.id and child.owner_id == staff.id


def test_personal_goal_needs_person_measured_kpi(login, manager, staff, kpi):
    response = login(manager).post("/goals/new", headers=EN, data=new_goal_data(
        kpi("COMPLAINT_RATE"), subject="person", person_id=staff.id, owner_id=staff.id))
    assert response.status_code == 422
    assert "measured for the store, not per person" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Goal.id))) == 0


def test_invalid_form_is_422_and_keeps_input(login, manager, kpi):
    response = login(manager).post("/goals/new", headers=EN, data=new_goal_data(
        kpi("COMPLAINT_RATE"), owner_id=manager.id, target="lots", title="Fewer complaints", subject="person"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a number." in page and "Choose the person this goal belongs to." in page
    assert 'value="Fewer complaints"' in page and 'value="lots"' in page


def test_prefill_from_query_params(login, manager, kpi):
    page = login(manager).get("/goals/new?kpi=COMPLAINT_RATE&baseline=3.7&subject=store").get_data(as_text=True)
    complaint = kpi("COMPLAINT_RATE")
    assert re.search(rf'<option selected value="{complaint.id}"|<option value="{complaint.id}" selected', page)
    assert 'name="baseline"' in page and 'value="3.7"' in page


def test_new_form_prefills_baseline_from_last_year(login, manager, kpi, add_value):
    today = local_today()
    complaint = kpi("COMPLAINT_RATE")
    add_value(complaint, date(today.year - 1, 1, 1), 2.0)
    add_value(complaint, date(today.year - 1, 12, 1), 4.0)
    add_value(complaint, date(today.year, 1, 1), 1.0)  # a new goal is for next year: its basis is this year
    add_value(complaint, date(today.year, 2, 1), 2.0)
    c = login(manager)
    page = c.get("/goals/new?kpi=COMPLAINT_RATE&period_kind=year").get_data(as_text=True)
    assert 'value="1.5"' in page and f'value="{today.year + 1}-01-01"' in page
    fragment = c.get(f"/goals/new/baseline?kpi_id={complaint.id}&period_kind=year&subject=store"
                     f"&period_day={today.isoformat()}", htmx=True, headers=EN).get_data(as_text=True)
    assert 'value="3.0"' in fragment and "Filled in from last year" in fragment


def test_goals_for_every_person_of_a_position(login, manager, make_user, store, kpi, add_value):
    today = local_today()
    a = make_user(STAFF, store, position="service_advisor", name="Advisor A")
    b = make_user(STAFF, store, position="service_advisor", name="Advisor B")
    make_user(STAFF, store, position="technician", name="Tech T")
    gone = make_user(STAFF, store, position="service_advisor", name="Gone G")
    gone.active = False
    db.session.commit()
    csi = kpi("CSI")
    add_value(csi, date(today.year - 1, 2, 1), 88.0, person=a)
    response = login(manager).post("/goals/for-position", data={
        "position": "service_advisor", "kpi_id": csi.id, "period_kind": "year",
        "period_day": today.isoformat(), "target": "92", "parent_id": 0, "store_target": "91"})
    assert response.status_code == 302
    parent = db.session.scalar(db.select(Goal).where(Goal.person_id.is_(None)))
    assert parent.target == 91
    children = {g.person_id: g for g in parent.children}
    assert set(children) == {a.id, b.id}
    assert children[a.id].baseline == 88.0 and children[b.id].baseline is None
    assert all(g.target == 92 and g.owner_id == g.person_id for g in children.values())


def test_position_template_refuses_empty_position(login, manager, kpi):
    response = login(manager).post("/goals/for-position", headers=EN, data={
        "position": "dispatcher", "kpi_id": kpi("CSI").id, "period_kind": "year",
        "period_day": local_today().isoformat(), "target": "92", "parent_id": 0, "store_target": "91"})
    assert response.status_code == 422 and "Nobody active" in response.get_data(as_text=True)


def test_children_add_up_for_summed_kpi(login, manager, staff, make_user, store, make_goal):
    db.session.add(Kpi(code="PAID_RO_PERSON", name_zh="有偿台次", name_en="Paid repair orders per person",
                       unit="count", direction="higher", aggregation="sum", scope="person"))
    db.session.commit()
    other = make_user(STAFF, store, username="sa2")
    parent = make_goal("PAID_RO_PERSON", target=1000)
    make_goal("PAID_RO_PERSON", person=staff, target=400, parent=parent)
    make_goal("PAID_RO_PERSON", person=other, target=500, parent=parent)
    assert services.children_sum(db.session.get(Goal, parent.id)) == {"total": 900, "gap": 100}
    page = login(manager).get(f"/goals/{parent.id}", headers=EN).get_data(as_text=True)
    assert "Sum of the personal targets: 900" in page and "100 of the store target is not given to anyone" in page


# --- PDCA gates --------------------------------------------------------------------------

def test_stage_gates_refuse_then_allow(login, manager, staff, make_goal):
    goal = make_goal()
    c = login(manager)
    # Plan → Check / Act refused; Plan → Do refused without a plan step.
    response = stage_post(c, goal, "check")
    assert response.status_code == 422 and "Check comes after Do" in response.get_data(as_text=True)
    response = stage_post(c, goal, "act")
    assert response.status_code == 422 and "Record at least one check" in response.get_data(as_text=True)
    response = stage_post(c, goal, "do")
    assert response.status_code == 422 and "at least one plan step" in response.get_data(as_text=True)
    assert db.session.get(Goal, goal.id).stage == "plan"
    # Add a step: Do is allowed.
    c.post(f"/goals/{goal.id}/steps", data={"step-what": "Call every complaint back within 4 h",
                                             "step-who_id": staff.id, "step-due": local_today().isoformat(),
                                             "step-standard": "100 % called", "step-monitoring": "weekly list"})
    assert stage_post(c, goal, "do").status_code == 302
    # Do → Act refused without a check.
    response = stage_post(c, goal, "act")
    assert response.status_code == 422 and "Record at least one check" in response.get_data(as_text=True)
    assert stage_post(c, goal, "check").status_code == 302
    c.post(f"/goals/{goal.id}/checks", data={"check-checked_on": local_today().isoformat(),
                                              "check-deviation_source": "execution", "check-cause": "people"})
    assert stage_post(c, goal, "act").status_code == 302
    goal = db.session.get(Goal, goal.id)
    assert goal.stage == "act"
    assert [u.stage for u in goal.updates if u.event == "stage"] == ["act", "check", "do"]


def test_stale_version_is_a_409(login, manager, make_goal):
    goal = make_goal()
    db.session.add(PlanStep(goal_id=goal.id, who_id=manager.id, what="x", due=local_today()))
    db.session.commit()
    response = login(manager).post(f"/goals/{goal.id}/stage", data={"stage": "do", "version": goal.version + 5},
                                   headers=EN)
    assert response.status_code == 409 and "Someone else changed this goal" in response.get_data(as_text=True)
    assert db.session.get(Goal, goal.id).stage == "plan"


def test_edit_goal_with_stale_version_is_409_and_keeps_input(login, manager, make_goal):
    goal = make_goal(target=2.0)
    c = login(manager)
    data = {"title": "Mine", "target": "1.8", "baseline": "", "owner_id": manager.id, "version": goal.version}
    assert c.post(f"/goals/{goal.id}/edit", data=data).status_code == 302
    data["target"] = "1.6"  # based on the old version
    response = c.post(f"/goals/{goal.id}/edit", data=data, headers=EN)
    assert response.status_code == 409 and 'value="1.6"' in response.get_data(as_text=True)
    assert db.session.get(Goal, goal.id).target == 1.8


# --- plan, check, act --------------------------------------------------------------------

def test_plan_step_becomes_action_item_of_its_person(login, manager, staff, make_goal):
    goal = make_goal()
    c = login(manager)
    due = local_today() + timedelta(days=10)
    response = c.post(f"/goals/{goal.id}/steps", htmx=True, data={
        "step-what": "Follow up every complaint", "step-who_id": staff.id, "step-due": due.isoformat(),
        "step-standard": "within 24 h", "step-monitoring": ""})
    assert response.status_code == 200 and "Follow up every complaint" in response.get_data(as_text=True)
    step = db.session.scalar(db.select(PlanStep))
    response = c.post(f"/goals/{goal.id}/steps/{step.id}/action-item", htmx=True, headers=EN)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "actionItemsChanged"
    assert "Open" in response.get_data(as_text=True)
    item = db.session.scalar(db.select(ActionItem))
    step = db.session.get(PlanStep, step.id)
    assert step.action_item_id == item.id
    assert item.owner_id == staff.id and item.deadline == due and item.store_id == goal.store_id
    # Once only.
    assert c.post(f"/goals/{goal.id}/steps/{step.id}/action-item", htmx=True).status_code == 422
    assert "Follow up every complaint" in login(staff).get("/actions/mine").get_data(as_text=True)


def test_plan_step_invalid_is_422(login, manager, make_goal):
    goal = make_goal()
    response = login(manager).post(f"/goals/{goal.id}/steps", htmx=True, headers=EN, data={
        "step-what": "  ", "step-who_id": 0, "step-due": "soon"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the person responsible." in page and "Enter a valid date." in page


def test_check_record_takes_actual_and_attainment(login, manager, make_goal, kpi, add_value):
    today = local_today()
    goal = make_goal("COMPLAINT_RATE", kind="month", target=2.0)
    add_value(kpi("COMPLAINT_RATE"), month_of(today), 4.0)
    goal.stage = "do"
    db.session.commit()
    c = login(manager)
    response = c.post(f"/goals/{goal.id}/checks", data={
        "check-checked_on": today.isoformat(), "check-deviation": "Twice the target",
        "check-deviation_source": "plan", "check-cause": "method", "check-analysis": "No callback rule"})
    assert response.status_code == 302
    record = db.session.scalar(db.select(CheckRecord))
    assert record.actual == 4.0 and record.attainment == pytest.approx(0.5)
    page = c.get(f"/goals/{goal.id}", headers=EN).get_data(as_text=True)
    assert "50%" in page and "Off track" in page and "attainment = target ÷ actual" in page


def test_check_form_invalid_is_422(login, manager, make_goal):
    goal = make_goal()
    goal.stage = "do"
    db.session.commit()
    response = login(manager).post(f"/goals/{goal.id}/checks", headers=EN, data={
        "check-checked_on": "", "check-deviation_source": "plan", "check-cause": "bogus",
        "check-deviation": "kept text"})
    assert response.status_code == 422 and "kept text" in response.get_data(as_text=True)


def _goal_in_act(make_goal, manager, **kw):
    goal = make_goal(**kw)
    goal.stage = "act"
    db.session.add(CheckRecord(goal_id=goal.id, checked_on=local_today(), deviation_source="plan", cause="people",
                               author_id=manager.id))
    db.session.commit()
    return goal


def test_act_roll_over_links_both_ways(login, manager, make_goal, kpi, add_value):
    today = local_today()
    goal = _goal_in_act(make_goal, manager, kind="month", target=2.0, baseline=5.0)
    add_value(kpi("COMPLAINT_RATE"), month_of(today), 3.0)
    c = login(manager)
    response = c.post(f"/goals/{goal.id}/acts", data={"act-kind": "roll_over", "act-note": "Keep going",
                                                       "act-version": goal.version})
    assert response.status_code == 302
    act = db.session.scalar(db.select(ActRecord))
    nxt = db.session.get(Goal, act.next_goal_id)
    assert response.location.endswith(f"/goals/{nxt.id}")
    assert nxt.previous_id == goal.id and nxt.baseline == 3.0 and nxt.target == 2.0 and nxt.stage == "plan"
    assert nxt.period_start == services.next_period("month", goal.period_start)[0]
    assert nxt.kpi_id == goal.kpi_id and nxt.owner_id == goal.owner_id and nxt.person_id == goal.person_id
    assert f"/goals/{goal.id}" in c.get(f"/goals/{nxt.id}").get_data(as_text=True)
    assert f"/goals/{nxt.id}" in c.get(f"/goals/{goal.id}").get_data(as_text=True)
    again = c.post(f"/goals/{goal.id}/acts", data={"act-kind": "roll_over", "act-version": goal.version})
    assert again.status_code == 422


def test_act_adjust_goes_back_to_plan(login, manager, make_goal):
    goal = _goal_in_act(make_goal, manager)
    response = login(manager).post(f"/goals/{goal.id}/acts", data={"act-kind": "adjust", "act-note": "New step",
                                                                    "act-version": goal.version})
    assert response.status_code == 302
    goal = db.session.get(Goal, goal.id)
    assert goal.stage == "plan" and goal.updates[0].event == "stage" and goal.updates[0].stage == "plan"


def test_act_refused_outside_act_stage(login, manager, make_goal):
    goal = make_goal()
    response = login(manager).post(f"/goals/{goal.id}/acts", headers=EN,
                                   data={"act-kind": "standardise", "act-version": goal.version})
    assert response.status_code == 422 and "Move the goal to Act" in response.get_data(as_text=True)


def test_progress_note_with_htmx(login, manager, make_goal):
    goal = make_goal()
    c = login(manager)
    response = c.post(f"/goals/{goal.id}/notes", htmx=True, data={"note-note": "Two callbacks missed"})
    assert response.status_code == 200 and "Two callbacks missed" in response.get_data(as_text=True)
    assert c.post(f"/goals/{goal.id}/notes", htmx=True, data={"note-note": " "}).status_code == 422
    assert db.session.scalar(db.select(db.func.count(GoalUpdate.id)).where(GoalUpdate.event == "note")) == 1


# --- pages and permissions ---------------------------------------------------------------

def test_detail_page_shows_cycle_children_and_history(login, manager, staff, make_goal, kpi, add_value):
    parent = make_goal("CSI", target=90)
    child = make_goal("CSI", person=staff, target=92, parent=parent)
    add_value(kpi("CSI"), month_of(local_today()), 93.0, person=staff)
    page = login(manager).get(f"/goals/{parent.id}", headers=EN).get_data(as_text=True)
    assert page.count("<h1") == 1
    assert 'aria-current="step"' in page and "Move on to Do" in page
    assert f"/goals/{child.id}" in page and "On track" in page
    assert "created the goal" in page and "How this is calculated" in page


def test_staff_sees_own_goals_and_their_store_goals_not_colleagues(login, manager, staff, make_user, store, make_goal):
    other = make_user(STAFF, store, username="sa2")
    parent = make_goal("CSI", target=90)
    mine = make_goal("CSI", person=staff, target=92, parent=parent)
    theirs = make_goal("CSI", person=other, target=92)
    unrelated = make_goal("COMPLAINT_RATE")
    c = login(staff)
    assert c.get(f"/goals/{mine.id}").status_code == 200
    assert c.get(f"/goals/{parent.id}").status_code == 200
    assert c.get(f"/goals/{theirs.id}").status_code == 403
    assert c.get(f"/goals/{unrelated.id}").status_code == 200  # a store goal concerns the whole store
    listing = c.get("/goals/").get_data(as_text=True)
    assert f"/goals/{mine.id}" in listing and f"/goals/{parent.id}" in listing
    assert f"/goals/{theirs.id}" not in listing and f"/goals/{unrelated.id}\"" in listing
    page = c.get(f"/goals/{mine.id}").get_data(as_text=True)
    assert "Move on to" not in page and "Add plan step" not in page
    assert c.get("/goals/new").status_code == 403
    assert stage_post(c, mine, "do").status_code == 403
    assert c.post(f"/goals/{mine.id}/notes", data={"note-note": "x"}).status_code == 403


@pytest.mark.parametrize("role", [GM, ADMIN])
def test_gm_and_admin_read_only(login, make_user, store, manager, staff, make_goal, role):
    goal = make_goal()
    step = PlanStep(goal_id=goal.id, who_id=staff.id, what="x", due=local_today())
    db.session.add(step)
    db.session.commit()
    c = login(make_user(role, store))
    assert c.get("/goals/").status_code == 200
    assert c.get(f"/goals/{goal.id}").status_code == 200
    assert c.get("/goals/new").status_code == 403
    assert c.post("/goals/new", data=new_goal_data(goal.kpi, owner_id=manager.id)).status_code == 403
    assert c.post("/goals/for-position", data={}).status_code == 403
    assert stage_post(c, goal, "do").status_code == 403
    assert c.post(f"/goals/{goal.id}/steps", data={}).status_code == 403
    assert c.post(f"/goals/{goal.id}/steps/{step.id}/action-item").status_code == 403
    assert c.post(f"/goals/{goal.id}/checks", data={}).status_code == 403
    assert c.post(f"/goals/{goal.id}/acts", data={}).status_code == 403
    assert c.post(f"/goals/{goal.id}/notes", data={"note-note": "x"}).status_code == 403
    assert c.post(f"/goals/{goal.id}/edit", data={}).status_code == 403


def test_other_store_is_403(login, make_store, make_user, make_goal):
    goal = make_goal()
    elsewhere = make_store("S2")
    for role in (MANAGER, STAFF, GM):
        c = login(make_user(role, elsewhere))
        assert c.get(f"/goals/{goal.id}").status_code == 403
        assert stage_post(c, goal, "do").status_code == 403


def test_list_filters_and_empty_state(login, manager, make_goal):
    today = local_today()
    make_goal(kind="month", day=date(today.year - 2, 1, 15))
    c = login(manager)
    page = c.get("/goals/", headers=EN).get_data(as_text=True)
    assert "No goals for this period" in page and "New goal" in page
    assert f"{today.year - 2}年1月" in c.get("/goals/?period=past").get_data(as_text=True)


def test_a_goals_heading_names_its_period_once(app):
    """The period follows the title unless the title already names it."""
    from flask_babel import force_locale

    from app.goals.models import Goal
    from app.kpis.models import Kpi

    with app.test_request_context(), force_locale("zh_CN"):
        kpi = Kpi(code="X", name_zh="客户满意度", name_en="CSI")
        year = Goal(title="2026 年客户满意度提升到 92 分", kpi=kpi, period_kind="year", period_start=date(2026, 1, 1))
        plain = Goal(title="客户满意度提升到 92 分", kpi=kpi, period_kind="year", period_start=date(2026, 1, 1))
        assert year.heading == "2026 年客户满意度提升到 92 分"
        assert plain.heading == "客户满意度提升到 92 分 · 2026年"
