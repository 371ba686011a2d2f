"""Demo KPI values (24 months) and goals in every PDCA stage, so the dashboard tells a story."""
import random
from datetime import date, timedelta

from sqlalchemy import select

from ..actions.services import create_action_item
from ..auth.models import Store, User
from ..extensions import db
from ..goals.models import ActRecord, CheckRecord, Goal, GoalUpdate, PlanStep
from ..goals.progress import goal_progress
from ..kpis.models import PERSON_SCOPE, Kpi, KpiValue
from ..months import last_months, previous_month, quarter_bounds, year_bounds

# code: (level two years ago, level now, noise); the store's story: complaints creep up, first-time
# fix slips, on-time delivery dips last month, the rest improves slowly.
STORE_TRENDS = {
    "CSI": (86, 90.5, 1.2), "GROSS_PROFIT": (820_000, 960_000, 40_000), "PAID_RO": (1150, 1320, 60),
    "BAY_UTILISATION": (74, 86, 3), "LABOUR_EFFICIENCY": (92, 101, 3), "FIRST_TIME_FIX": (95, 92.5, 0.8),
    "RESPONSE_TIME": (3.0, 1.9, 0.3), "RESOLUTION_RATE": (85, 91, 2), "COMPLAINT_RATE": (0.8, 1.4, 0.1),
    "COMEBACK_RATE": (2.4, 1.8, 0.2), "FOLLOW_UP_RATE": (88, 96, 2), "REVENUE_PER_RO": (1450, 1620, 40),
    "HOURS_PER_RO": (1.7, 1.9, 0.1), "TECH_EFFICIENCY": (96, 104, 3), "ON_TIME_DELIVERY": (93, 96, 1.5),
    "PARTS_FILL_RATE": (90, 94, 1.5),
}


def load_kpis_and_goals(store: Store, manager: User, staff: dict[str, User], today: date) -> None:
    rng = random.Random(2026)
    kpis = {k.code: k for k in db.session.scalars(select(Kpi))}
    months = last_months(previous_month(today), 24)
    for code, (start, end, noise) in STORE_TRENDS.items():
        kpi = kpis[code]
        for i, month in enumerate(months):
            level = start + (end - start) * i / (len(months) - 1)
            value = level + rng.gauss(0, noise)
            if code == "ON_TIME_DELIVERY" and i == len(months) - 1:
                value = 91.0  # a bad last month: shows up as an exception
            _value(kpi, store, None, month, value)
            if kpi.scope == PERSON_SCOPE:
                for person in staff.values():
                    if kpi.applies_to(person):
                        _value(kpi, store, person, month, value + rng.gauss(0, noise * 1.5))
    db.session.flush()
    _goals(store, manager, staff, kpis, today)


def _value(kpi, store, person, month, value):
    db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=person.id if person else None,
                            subject_key=person.id if person else 0, month=month, value=round(value, 2),
                            source="demo"))


def _goals(store, manager, staff, kpis, today):
    year_start, year_end = year_bounds(today)
    q_start, q_end = quarter_bounds(today)
    prev_q_start, prev_q_end = quarter_bounds(q_start - timedelta(days=1))

    def goal(code, stage, target, start, end, kind, person=None, parent=None, baseline=None, title=""):
        g = Goal(store_id=store.id, kpi_id=kpis[code].id, person_id=person.id if person else None,
                 parent=parent, period_kind=kind, period_start=start, period_end=end, target=target,
                 baseline=baseline, owner_id=(person or manager).id, stage=stage, created_by_id=manager.id,
                 title=title)
        db.session.add(g)
        db.session.flush()
        db.session.add(GoalUpdate(goal_id=g.id, author_id=manager.id, event="created", stage=stage))
        return g

    def step(g, who, what, days, standard="", monitoring="", as_item=False):
        s = PlanStep(goal_id=g.id, who_id=who.id, what=what, standard=standard, monitoring=monitoring,
                     due=today + timedelta(days=days), position=len(g.plan_steps))
        if as_item:
            item = create_action_item(store_id=store.id, title=what, owner_id=who.id, deadline=s.due,
                                      created_by_id=manager.id, description=standard)
            s.action_item_id = item.id
        db.session.add(s)
        db.session.flush()
        return s

    # Do: the year's satisfaction goal, broken down to the service advisors.
    csi = goal("CSI", "do", 92, year_start, year_end, "year", baseline=88.0,
               title="全年客户满意度提升到 92 分")
    step(csi, staff["staff6"], "每周汇总回访中的不满意项并在周例会通报", 10,
         standard="每周一前提交，覆盖全部回访记录", monitoring="周例会回顾", as_item=True)
    step(csi, manager, "服务顾问交车说明话术培训", 20, standard="全部服务顾问参加并考核通过")
    for username in ("staff1", "staff2"):
        goal("CSI", "do", 92, year_start, year_end, "year", person=staff[username], parent=csi, baseline=87.5)

    # Plan: complaints are rising; this quarter's goal is being planned.
    complaints = goal("COMPLAINT_RATE", "plan", 0.8, q_start, q_end, "quarter", baseline=1.3,
                      title="本季度投诉率降到 0.8%")
    step(complaints, staff["staff1"], "投诉 48 小时内回访并登记", 7, standard="回访率 100%",
         monitoring="回访登记表")

    # Check: the technician's first-time fix rate, checked this month.
    ftf = goal("FIRST_TIME_FIX", "check", 96, q_start, q_end, "quarter", person=staff["staff3"], baseline=94.0)
    step(ftf, staff["staff4"], "返修车辆逐台分析原因", -5, standard="每台返修都有原因分析记录", as_item=True)
    db.session.flush()
    result = goal_progress(ftf, today)
    db.session.add(CheckRecord(goal_id=ftf.id, checked_on=today, actual=result.actual,
                               attainment=result.attainment, deviation="一次修复率低于目标，电气类故障返修偏多。",
                               deviation_source="execution", cause="people",
                               analysis="新技师对电路诊断不熟练，未按标准流程检测。", author_id=manager.id))

    # Act: last quarter's on-time delivery goal, standardised and rolled into this quarter.
    otd = goal("ON_TIME_DELIVERY", "act", 96, prev_q_start, prev_q_end, "quarter", baseline=94.0)
    step(otd, staff["staff4"], "每日下午三点检查未完工车辆", -40, standard="逐台确认交车时间")
    db.session.add(CheckRecord(goal_id=otd.id, checked_on=prev_q_end, actual=95.8, attainment=0.9,
                               deviation="接近目标。", deviation_source="plan", cause="method",
                               analysis="计划未覆盖备件缺货的车辆。", author_id=manager.id))
    nxt = goal("ON_TIME_DELIVERY", "plan", 96, q_start, q_end, "quarter", baseline=93.0)
    nxt.previous_id = otd.id
    db.session.add(ActRecord(goal_id=otd.id, kind="roll_over", note="下午三点检查的做法已写入车间标准，转入本季度继续。",
                             next_goal_id=nxt.id, author_id=manager.id))
    db.session.flush()
