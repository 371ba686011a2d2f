"""Fill a fresh database with a dealer group's after-sales data, for the benchmark (bench/run.py).

    .venv/bin/python bench/generate.py --scale large
    .venv/bin/python bench/generate.py --scale small --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

The schema comes from the migrations, as in production; the rows go in through the app's models with
bulk inserts and ids chosen here (so rows can point at each other without a round trip each).
Everything is seeded: the same scale gives the same data (dates are relative to today).
"""
import argparse
import bisect
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import MetaData, func, insert, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import (
    create_app,  # noqa: E402
    freshness,  # noqa: E402
)
from app.actions.models import ActionItem, ActionItemUpdate  # noqa: E402
from app.auth.models import ADMIN, GM, MANAGER, STAFF, Store, User, store_access  # noqa: E402
from app.coaching.models import CoachingMeasure, CoachingSession, coaching_session_kpi  # noqa: E402
from app.config import Config  # noqa: E402
from app.demo.goals import STORE_TRENDS  # noqa: E402
from app.extensions import db  # noqa: E402
from app.goals.models import ActRecord, CheckRecord, Goal, GoalUpdate, PlanStep, meeting_goal  # noqa: E402
from app.kpis.models import PERSON_SCOPE, Kpi, KpiValue  # noqa: E402
from app.meetings.models import (  # noqa: E402
    STANDARD_AGENDA,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingSeries,
    ReviewEntry,
)
from app.meetings.proposals import propose_topics  # noqa: E402
from app.months import add_months, month_start, quarter_bounds  # noqa: E402
from app.notifications.models import Notification  # noqa: E402
from app.problems.models import CAN_WAIT, COMEBACK, PROBLEM, URGENT, Problem, ProblemEvent  # noqa: E402
from app.reviews.models import DUTY_KEYS, ManagerReview, ManagerReviewDuty  # noqa: E402
from app.reviews.services import verdict  # noqa: E402
from app.timeutils import local_today  # noqa: E402

PASSWORD = "bench-pass"


@dataclass(frozen=True)
class Scale:
    stores: int
    staff: int  # staff per store, besides its service manager and general manager
    weeks: int  # weekly meetings held so far in each store
    kpi_months: int  # complete months of KPI values
    items_per_meeting: tuple[int, int]
    talks: int  # coaching talks per store
    problems: int = 0  # problems and comebacks raised per store (the register)
    notifications: int = 0  # in-app notifications per user


SCALES = {
    # Small on purpose: a page whose statement count differs from large has queries that grow with data.
    "small": Scale(stores=2, staff=8, weeks=4, kpi_months=6, items_per_meeting=(1, 2), talks=8),
    "large": Scale(stores=20, staff=30, weeks=104, kpi_months=24, items_per_meeting=(2, 4), talks=48),
    # A dealer group five years on (issue 14): 441 users, 5,200 weekly meetings, ~100,000 action items
    # with ~440,000 progress entries, ~70,000 KPI values over 60 months, 5,000 coaching talks.
    "group": Scale(stores=20, staff=20, weeks=260, kpi_months=60, items_per_meeting=(15, 22), talks=250,
                   problems=400, notifications=40),
}


def default_url(scale: str) -> str:
    return f"sqlite:////tmp/pitwall-bench-{scale}.db"


def bench_config(url: str) -> type[Config]:
    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench-only"
        WTF_CSRF_ENABLED = False  # the benchmark reads pages; it does not test forms
        RATELIMIT_ENABLED = False  # three logins per run, but never throttle a benchmark

    return BenchConfig


# Positions in the order a store fills them: every store has advisors, technicians and a customer
# service specialist (the positions with person KPIs), then the supervisors.
POSITION_CYCLE = [
    "service_advisor", "technician", "customer_service", "technician", "service_advisor", "workshop_supervisor",
    "technician", "quality_inspector", "service_advisor", "technician", "dispatcher", "parts_supervisor",
    "technician", "service_advisor", "warranty_assessor", "front_desk_supervisor", "technician",
    "information_supervisor", "service_advisor", "customer_service", "technician", "technician",
    "service_advisor", "technician", "service_advisor", "technician", "customer_service", "technician",
    "service_advisor", "technician",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "丽",
         "刚", "平", "辉", "鹏", "华", "飞", "斌", "宇", "浩", "凯", "健", "俊", "帆"]
THEMES = ["投诉率上升的原因与对策", "提高维修效率", "客户回访结果分析", "备件缺货与预约管理", "一次修复率改进",
          "交车等待时间", "技师培训计划", "工位利用率", "续保与保养提醒", "服务顾问接待流程", "质检抽查情况",
          "月度经营情况回顾"]
ACTIONS = ["建立投诉 48 小时回访机制", "整理返修车型和故障清单", "每周出一份工位利用率周报",
           "预约客户提前一天备好备件", "更新质检抽查表", "回访未接通客户二次回访", "洗车等待时间优化方案",
           "制定本月技师培训计划", "核对保养提醒名单", "整理客户意见并在周例会通报", "检查未完工车辆交车时间",
           "更新服务顾问接待话术"]
DECISIONS = ["每天晨会通报前一日的投诉和处理结果。", "预约单须在前一天下午确认备件到位。",
             "回访未接通的客户当天内二次拨打。", "返修车辆逐台分析原因并登记。", "下午三点检查未完工车辆。"]
MINUTES = "本周进厂 {n} 台，投诉 {c} 起。逐一发言，讨论了主要问题和改进措施，责任人和完成时间见行动项。"


def at(day: date, hour: int = 9) -> datetime:
    """A naive UTC timestamp on a store-local day (UTC+8: 09:00 UTC is 17:00 in the store)."""
    return datetime.combine(day, clock(hour))


class Generator:
    def __init__(self, scale: Scale, today: date, seed: int = 2026):
        self.s = scale
        self.today = today
        self.rng = random.Random(seed)
        self.rows: dict = {}  # model or table -> list of row dicts, inserted at the end in FK order
        self.next_id: dict = {}
        self.position: dict[int, str | None] = {}  # user id -> position
        self.upcoming: dict[int, int] = {}  # store id -> its coming (open) meeting
        self.closed_meetings: dict[int, list] = {}  # store id -> [(meeting id, date)], oldest first
        self.closed_days: dict[int, list] = {}  # store id -> the closed meetings' dates, for bisect
        self.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # once, reused

    # --- plumbing ------------------------------------------------------------------------------

    def add(self, model, **row) -> int:
        """Queue a row; returns its id (chosen here) for the rows that point at it."""
        if hasattr(model, "__mapper__"):
            row["id"] = self.next_id[model] = self.next_id.get(model, 0) + 1
        self.rows.setdefault(model, []).append(row)
        return row.get("id")

    def pick(self, seq):
        return self.rng.choice(seq)

    # --- the data --------------------------------------------------------------------------------

    def build(self, kpis: dict[str, Kpi]):
        self.kpis = kpis
        gm_of_group = None
        for n in range(1, self.s.stores + 1):
            store = self.add(Store, code=f"S{n:02d}", name=f"第{n}店 售后服务部", created_at=at(self.today - timedelta(days=800)))
            if n == 1:
                self.user(store, "admin", "系统管理员", ADMIN)
            gm = self.user(store, f"gm{n:02d}", f"{self.pick(SURNAMES)}总", GM)
            gm_of_group = gm_of_group or gm
            manager = self.user(store, f"manager{n:02d}", f"{self.pick(SURNAMES)}经理", MANAGER)
            staff = [self.user(store, f"s{n:02d}-staff{i:02d}", self.name(), STAFF,
                               POSITION_CYCLE[(i - 1) % len(POSITION_CYCLE)])
                     for i in range(1, self.s.staff + 1)]
            self.store(store, gm, manager, staff)
        # gm01 oversees every store of the group: the dashboard's comparison of stores.
        for store_id in range(2, self.s.stores + 1):
            self.add(store_access, user_id=gm_of_group, store_id=store_id)

    def name(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN)

    def user(self, store, username, display_name, role, position=None) -> int:
        uid = self.add(User, username=username, display_name=display_name, password_hash=self.password_hash,
                       role=role, position=position, store_id=store, created_at=at(self.today - timedelta(days=800)))
        self.position[uid] = position
        return uid

    def store(self, store, gm, manager, staff):
        self.store_kpis(store, staff)
        self.meetings(store, manager, staff)
        goals = self.goals(store, manager, staff)
        self.coaching(store, manager, staff)
        self.manager_reviews(store, gm, manager)
        self.problems(store, manager, staff)
        self.notifications(store, [gm, manager, *staff])
        # The coming meeting discusses two of the running goals.
        for goal_id in goals[:2]:
            self.add(meeting_goal, meeting_id=self.upcoming[store], goal_id=goal_id)

    # --- meetings, action items, reviews ---------------------------------------------------------

    def meetings(self, store, manager, staff):
        """A weekly series: `weeks` closed meetings up to last week, and next week's, still open."""
        monday = self.today - timedelta(days=self.today.weekday())
        dates = [monday - timedelta(weeks=k) for k in range(self.s.weeks, 0, -1)] + [monday + timedelta(weeks=1)]
        series = self.add(MeetingSeries, store_id=store, created_at=at(dates[0] - timedelta(days=7)))
        minute_taker = staff[2]
        meetings = []  # (id, date, agenda ids)
        decision_no = 0
        for i, day in enumerate(dates):
            closed = i < len(dates) - 1
            mid = self.add(Meeting, store_id=store, series_id=series, kind="weekly",
                           theme=f"售后周例会：{THEMES[i % len(THEMES)]}", objective="找出主要原因，定出改进措施。",
                           meeting_date=day, start_time=clock(17, 30), place="售后会议室", chair_id=manager,
                           minute_taker_id=minute_taker, status="closed" if closed else "planned",
                           closed_at=at(day, 11) if closed else None, closed_by_id=manager if closed else None,
                           created_by_id=manager, created_at=at(day - timedelta(days=7)))
            agenda = {}
            for pos, (kind, minutes) in enumerate(STANDARD_AGENDA):
                written = closed and kind in ("opening", "theme", "summary")
                agenda[kind] = self.add(
                    AgendaItem, meeting_id=mid, position=pos, kind=kind, duration_minutes=minutes,
                    minutes=MINUTES.format(n=self.rng.randint(250, 420), c=self.rng.randint(0, 9)) if written else "",
                    minutes_version=1 if written else 0, minutes_updated_at=at(day, 10) if written else None,
                    minutes_updated_by_id=minute_taker if written else None)
            for person in [manager, *staff]:
                status = "invited" if not closed else self.rng.choices(
                    ["present", "absent", "excused"], [92, 3, 5])[0]
                self.add(Attendance, meeting_id=mid, user_id=person, status=status)
            if closed:
                for _ in range(self.rng.randint(1, 2)):
                    decision_no += 1
                    self.add(Decision, store_id=store, meeting_id=mid, agenda_item_id=agenda["theme"],
                             number=decision_no, text=self.pick(DECISIONS), created_by_id=manager,
                             created_at=at(day, 10))
            meetings.append((mid, day, agenda))
        self.upcoming[store] = meetings[-1][0]
        self.closed_meetings[store] = [(mid, day) for mid, day, _ in meetings[:-1]]
        self.closed_days[store] = [day for _, day, _ in meetings[:-1]]
        self.action_items(store, manager, staff, meetings[:-1])

    def action_items(self, store, manager, staff, meetings):
        """Items raised in each closed meeting; the most recent ones are sometimes never done."""
        last_closed = meetings[-1][1]
        for mid, day, agenda in meetings:
            for _ in range(self.rng.randint(*self.s.items_per_meeting)):
                deadline = day + timedelta(days=self.rng.randint(3, 14))
                stuck = (last_closed - day).days < 90 and self.rng.random() < 0.15
                done_on = None if stuck else deadline + timedelta(days=self.rng.randint(-3, 12))
                self.item(store, self.pick(staff), manager, self.pick(ACTIONS), day, deadline, done_on,
                          meeting=mid, agenda_item=agenda["action_plan"])

    def item(self, store, owner, manager, title, created: date, deadline: date, done_on: date | None,
             meeting=None, agenda_item=None) -> int:
        """An action item followed through the store's later meeting reviews, as the app would: verified
        once done, on schedule while not due, extended or escalated when late, now and then cancelled."""
        item = dict(store_id=store, meeting_id=meeting, agenda_item_id=agenda_item, title=title, owner_id=owner,
                    deadline=deadline, original_deadline=deadline,
                    priority=self.rng.choices(["low", "normal", "high"], [1, 6, 2])[0],
                    created_by_id=manager, created_at=at(created, 10))
        history = [dict(author_id=manager, at=at(created, 10), event="created", new_status="open")]
        status, closed_at, reviews = "open", None, []
        cancel = self.rng.random() < 0.04
        if done_on is not None and done_on - timedelta(days=3) <= self.today:
            history.append(dict(author_id=owner, at=at(done_on - timedelta(days=3)), event="status",
                                old_status="open", new_status="in_progress", note="正在处理。"))
            status = "in_progress"

        def mark_done():
            history.append(dict(author_id=owner, at=at(done_on), event="status", old_status=status,
                                new_status="done", note="已完成。"))
            item["done_at"] = at(done_on)
            return "done"

        # The meetings after the item was raised (bisect: at the group scale a store has 260).
        later_meetings = self.closed_meetings[store][bisect.bisect_right(self.closed_days[store], created):]
        for later_id, later_day in later_meetings:
            if done_on is not None and done_on <= later_day and status != "done":
                status = mark_done()
            entry = dict(meeting_id=later_id, status_at_review=status, deadline_at_review=item["deadline"],
                         decided_by_id=manager, decided_at=at(later_day, 10), reason="")
            if status == "done":
                entry["disposition"] = "verified"
                history.append(dict(author_id=manager, at=at(later_day, 10), event="verified"))
                closed_at = at(later_day, 10)
            elif cancel and reviews:
                entry.update(disposition="cancelled", reason="情况变化，不再需要。")
                history.append(dict(author_id=manager, at=at(later_day, 10), event="cancelled",
                                    old_status=status, new_status="cancelled", note=entry["reason"]))
                status, closed_at = "cancelled", at(later_day, 10)
            elif item["deadline"] >= later_day:
                entry["disposition"] = "on_schedule"
            elif len(reviews) >= 3 and not item.get("escalated"):
                entry.update(disposition="escalated", reason="需要总经理协调。")
                item["escalated"] = True
                history.append(dict(author_id=manager, at=at(later_day, 10), event="escalated", note=entry["reason"]))
            else:
                item["deadline"] = entry["new_deadline"] = later_day + timedelta(days=7)
                entry["reason"] = "等待备件到货。"
                entry["disposition"] = "extended"
                item["extension_count"] = item.get("extension_count", 0) + 1
                history.append(dict(author_id=manager, at=at(later_day, 10), event="extended", note=entry["reason"]))
            reviews.append(entry)
            if closed_at:
                break
        if status in ("open", "in_progress") and done_on is not None and done_on <= self.today:
            status = mark_done()  # done since the last meeting: the coming meeting's review verifies it
        item.update(status=status, closed_at=closed_at, updated_at=history[-1]["at"], version=len(history))
        item_id = self.add(ActionItem, **item)
        for entry in reviews:
            self.add(ReviewEntry, action_item_id=item_id, **entry)
        for h in history:
            self.add(ActionItemUpdate, action_item_id=item_id, **h)
        return item_id

    # --- KPI values ----------------------------------------------------------------------------

    def months(self) -> list[date]:
        last = add_months(month_start(self.today), -1)
        return [add_months(last, -k) for k in range(self.s.kpi_months - 1, -1, -1)]

    def store_kpis(self, store, staff):
        """The demo's trends (app/demo/goals.py), shifted a little per store, and each person's values
        of the person KPIs that apply to their position."""
        months = self.months()
        shift = self.rng.uniform(-0.04, 0.04)
        for code, (start, end, noise) in STORE_TRENDS.items():
            kpi = self.kpis[code]
            for i, month in enumerate(months):
                level = (start + (end - start) * i / max(len(months) - 1, 1)) * (1 + shift)
                value = round(level + self.rng.gauss(0, noise), 2)
                self.add(KpiValue, kpi_id=kpi.id, store_id=store, person_id=None, subject_key=0, month=month,
                         value=value, source="demo", updated_at=at(add_months(month, 1)))
                if kpi.scope != PERSON_SCOPE:
                    continue
                for person in staff:
                    if self.position[person] in kpi.position_list:
                        self.add(KpiValue, kpi_id=kpi.id, store_id=store, person_id=person, subject_key=person,
                                 month=month, value=round(value + self.rng.gauss(0, noise * 1.5), 2), source="demo",
                                 updated_at=at(add_months(month, 1)))

    # --- goals ---------------------------------------------------------------------------------

    def goals(self, store, manager, staff) -> list[int]:
        """Per year a CSI goal broken down to the advisors; per quarter two store goals rolled over from
        the quarter before; a technician's personal goal this quarter. Returns the running goals."""
        running = []
        advisors = [p for p in staff if self.position[p] == "service_advisor"]
        technicians = [p for p in staff if self.position[p] == "technician"]
        first_month = self.months()[0]
        self.people = [manager, *staff]  # who carries out plan steps
        for year in range(first_month.year, self.today.year + 1):
            current = year == self.today.year
            start, end = date(year, 1, 1), date(year, 12, 31)
            csi = self.goal(store, manager, "CSI", "year", start, end, 92, 88.0, stage="do" if current else "act",
                            title=f"{year} 年客户满意度提升到 92 分")
            for person in advisors:
                self.goal(store, manager, "CSI", "year", start, end, 92, 87.5, stage="do" if current else "act",
                          person=person, parent=csi)
            if current:
                running.append(csi)
        quarter = quarter_bounds(first_month)[0]
        previous = {}
        while quarter <= self.today:
            q_start, q_end = quarter_bounds(quarter)
            current = q_start <= self.today <= q_end
            for code, target, baseline in (("COMPLAINT_RATE", 0.8, 1.3), ("ON_TIME_DELIVERY", 96, 93.0)):
                stage = self.pick(["plan", "do", "check"]) if current else "act"
                gid = self.goal(store, manager, code, "quarter", q_start, q_end, target, baseline, stage=stage,
                                previous=previous.get(code))
                if code in previous:
                    self.add(ActRecord, goal_id=previous[code], kind="roll_over", note="做法已写入标准，转入下季度继续。",
                             next_goal_id=gid, author_id=manager, created_at=at(q_start))
                previous[code] = gid
                if current:
                    running.append(gid)
            quarter = add_months(quarter, 3)
        if technicians:
            q_start, q_end = quarter_bounds(self.today)
            running.append(self.goal(store, manager, "FIRST_TIME_FIX", "quarter", q_start, q_end, 96, 94.0,
                                     stage="check", person=technicians[0]))
        return running

    def goal(self, store, manager, code, kind, start, end, target, baseline, stage, person=None, parent=None,
             previous=None, title="") -> int:
        created = start - timedelta(days=5)
        gid = self.add(Goal, store_id=store, kpi_id=self.kpis[code].id, person_id=person, parent_id=parent,
                       previous_id=previous, title=title, period_kind=kind, period_start=start, period_end=end,
                       baseline=baseline, target=target, owner_id=person or manager, stage=stage,
                       created_by_id=manager, created_at=at(created))
        self.add(GoalUpdate, goal_id=gid, author_id=manager, at=at(created), event="created", stage="plan")
        reached = ["plan", "do", "check", "act"].index(stage)
        for n, later in enumerate(["do", "check", "act"][:reached], 1):
            self.add(GoalUpdate, goal_id=gid, author_id=manager, at=at(min(start + timedelta(days=25 * n), self.today)),
                     event="stage", stage=later)
        if person is None:  # store goals carry the plan; personal goals follow their parent's
            for pos in range(self.rng.randint(1, 3)):
                due = min(start + timedelta(days=20 + 15 * pos), end)
                linked = pos == 0
                item = self.item(store, manager, manager, "计划步骤：逐台分析原因并登记", created, due,
                                 due if due < self.today else None) if linked else None
                self.add(PlanStep, goal_id=gid, position=pos, who_id=self.pick(self.people), what="逐台分析原因并登记",
                         standard="每台都有原因分析记录", due=due, monitoring="周例会回顾", action_item_id=item,
                         created_at=at(created))
        if reached >= 2:
            self.add(CheckRecord, goal_id=gid, checked_on=min(end, self.today), actual=target * 0.97,
                     attainment=0.9, deviation="接近目标。", deviation_source=self.pick(["plan", "execution", "external"]),
                     cause=self.pick(["people", "machine", "material", "method", "environment"]),
                     analysis="计划未覆盖备件缺货的车辆。", author_id=manager, created_at=at(min(end, self.today)))
        return gid

    # --- coaching and the GM's assessments -------------------------------------------------------

    def coaching(self, store, manager, staff):
        """Talks spread over the last two years: finished and followed up, follow-up due, waiting
        for the person's acknowledgement, and cut short at every step."""
        coached = [p for p in staff if self.position[p] in ("service_advisor", "technician", "customer_service")]
        span = max(self.s.kpi_months * 30, 120)
        for n in range(self.s.talks):
            person = coached[n % len(coached)]
            # The newest talks come first in the loop, a few days apart, so every state is present.
            held = self.today - timedelta(days=3 + n * span // self.s.talks)
            steps = 5 if n >= 6 else [0, 1, 2, 3, 4, 5][n]
            kpi_ids = [k.id for k in self.kpis.values() if k.scope == PERSON_SCOPE
                       and self.position[person] in k.position_list][:2]
            gap_to = add_months(month_start(held), -1)
            follow_up = held + timedelta(days=49) if steps == 5 else None
            followed = follow_up is not None and follow_up <= self.today and n % 5 != 0  # every fifth still due
            sid = self.add(
                CoachingSession, store_id=store, person_id=person, manager_id=manager, held_on=held, steps_done=steps,
                purpose="谈一下最近的业绩，一起看看数据、找找办法。" if steps >= 1 else "",
                gap_from=add_months(gap_to, -2) if steps >= 2 else None, gap_to=gap_to if steps >= 2 else None,
                gap_remarks="近三个月低于目标。" if steps >= 2 else "",
                plan_notes="先解决最主要的问题，每周五汇报进展。" if steps >= 3 else "",
                questions="无。" if steps >= 4 else "", verbal_confirmation=steps >= 4 and n % 2 == 0,
                acknowledged_at=at(held, 12) if steps >= 4 and n % 2 == 1 else None,
                agreed="两个月内达到目标。" if steps >= 5 else "", recognition="工作认真，客户评价好。" if steps >= 5 else "",
                support="安排主管每周带教。" if steps >= 5 else "", follow_up_on=follow_up,
                follow_up_conclusion="差距明显缩小，继续保持。" if followed else "",
                followed_up_at=at(follow_up) if followed else None, created_at=at(held), updated_at=at(held))
            for kpi_id in kpi_ids:
                self.add(coaching_session_kpi, session_id=sid, kpi_id=kpi_id)
            if steps >= 3:  # step 3 agreed the measures
                for pos in range(2):
                    due = held + timedelta(days=7 + 7 * pos)
                    item = self.item(store, person, manager, "按标准流程逐项检查并登记", held, due,
                                     due - timedelta(days=1) if due < self.today else None) if pos == 0 else None
                    self.add(CoachingMeasure, session_id=sid, position=pos, what="按标准流程逐项检查并登记", due=due,
                             action_item_id=item, created_at=at(held))

    def manager_reviews(self, store, gm, manager):
        """The GM assesses the service manager twice a year."""
        for k in range(max(self.s.kpi_months // 6, 1), 0, -1):
            reviewed = self.today - timedelta(days=182 * k - 30)
            met = {key: self.rng.random() < 0.4 + 0.1 * (4 - k) for key in DUTY_KEYS}
            rid = self.add(ManagerReview, store_id=store, manager_id=manager, reviewer_id=gm, reviewed_on=reviewed,
                           verdict=verdict(sum(met.values())), created_at=at(reviewed))
            for key in DUTY_KEYS:
                self.add(ManagerReviewDuty, review_id=rid, duty=key, met=met[key],
                         remark="" if met[key] else "还需加强。")

    # --- the problem register and notifications (the group scale only) -----------------------------

    def problems(self, store, manager, staff):
        """Problems and comebacks raised over the years, the older ones checked and closed, the newest
        still waiting for triage or being fixed."""
        span = max(self.s.kpi_months * 30, 120)
        technicians = [p for p in staff if self.position[p] == "technician"] or staff
        for n in range(self.s.problems):
            raised = self.today - timedelta(days=1 + n * span // max(self.s.problems, 1))
            comeback = n % 3 == 0
            title = ("返修：" if comeback else "") + self.pick(THEMES)
            state = "new" if n < 3 else "open" if n < 12 else "closed"
            triaged = state != "new"
            pid = self.add(
                Problem, store_id=store, kind=COMEBACK if comeback else PROBLEM, title=title, description="客户反映，需要查明原因。",
                urgency=URGENT if n % 7 == 0 else CAN_WAIT, type=self.pick(["technical", "process", "parts", "customer"]),
                original_ro=f"RO{store:02d}{n:05d}" if comeback else "", technician_id=self.pick(technicians) if comeback else None,
                raised_by_id=self.pick(staff), raised_at=at(raised), status=state,
                owner_id=manager if triaged else None, deadline=raised + timedelta(days=14) if triaged else None,
                cause=self.pick(["people", "machine", "material", "method", "environment"]) if triaged else None,
                triaged_at=at(raised, 11) if triaged else None, triaged_by_id=manager if triaged else None,
                check_result="not_recurred" if state == "closed" else None,
                checked_on=raised + timedelta(days=30) if state == "closed" else None,
                checked_by_id=manager if state == "closed" else None,
                closed_at=at(raised + timedelta(days=30)) if state == "closed" else None,
                search_text=title.lower(), updated_at=at(raised, 11))
            self.add(ProblemEvent, problem_id=pid, author_id=manager, at=at(raised), event="raised")
            if state == "closed":
                self.add(ProblemEvent, problem_id=pid, author_id=manager, at=at(raised + timedelta(days=30)), event="closed")

    def notifications(self, store, people):
        """Each person's in-app notifications, the latest few unread."""
        for person in people:
            for n in range(self.s.notifications):
                created = at(self.today - timedelta(days=n * 3), 1)
                self.add(Notification, user_id=person, store_id=store, kind="goals.check_due",
                         params={"goal_id": 1, "goal": "客户满意度提升", "kpi_zh": "客户满意度（CSI）",
                                 "kpi_en": "Customer satisfaction index (CSI)", "note": ""},
                         link="/goals/1", created_at=created, read_at=None if n < 3 else created)


# Parents before children, so foreign keys hold on PostgreSQL at every insert.
INSERT_ORDER = [
    Store, User, store_access, MeetingSeries, Meeting, AgendaItem, Attendance, Decision, ActionItem, ReviewEntry,
    ActionItemUpdate, KpiValue, Goal, GoalUpdate, PlanStep, CheckRecord, ActRecord, meeting_goal, CoachingSession,
    coaching_session_kpi, CoachingMeasure, ManagerReview, ManagerReviewDuty, Problem, ProblemEvent, Notification,
]


def insert_all(gen: Generator) -> None:
    for target in INSERT_ORDER:
        rows = gen.rows.get(target, [])
        if not rows:
            continue
        if hasattr(target, "__mapper__"):
            # SQLAlchemy batches only consecutive rows with the same keys: give every row every key,
            # filling a missing one with the model's default, as the ORM would.
            padding = {c.key: column_default(c) for c in target.__table__.columns if c.key in set().union(*rows)}
            for chunk in chunks(rows, 5000):
                db.session.execute(insert(target), [padding | r for r in chunk])
        else:  # an association table
            for chunk in chunks(rows, 5000):
                db.session.execute(target.insert(), chunk)


def column_default(column):
    if column.default is None:
        return None
    if column.default.is_callable:
        return column.default.arg(None)  # e.g. utcnow, wrapped by SQLAlchemy to take a context
    return column.default.arg


def chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def reset_sequences() -> None:
    """PostgreSQL: ids were given explicitly, so move each id sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--database-url", help="default: a SQLite file under /tmp named after the scale")
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.scale)
    started = time.perf_counter()
    counts = fill(url, SCALES[args.scale])
    print(f"{args.scale}: {url} filled in {time.perf_counter() - started:.1f} s")
    print("  " + ", ".join(f"{name} {n}" for name, n in counts.items()))


def fill(url: str, scale: Scale) -> dict[str, int]:
    """Drop whatever is in the database, migrate it, fill it at this scale; returns rows per table."""
    app = create_app(bench_config(url))
    with app.app_context():
        stale = MetaData()
        stale.reflect(db.engine)
        stale.drop_all(db.engine)  # a previous run's tables, including alembic_version
        upgrade()  # the schema exists only through the migrations, as in production
        kpis = {k.code: k for k in db.session.scalars(select(Kpi).order_by(Kpi.id))}
        gen = Generator(scale, local_today())
        gen.build(kpis)
        insert_all(gen)
        reset_sequences()
        # The rows went in without the audit trail: give every store the stamp of its cached figures.
        freshness.seed(range(1, scale.stores + 1))
        # The coming meetings get the topics the data proposes, by the app's own rules.
        for meeting_id in gen.upcoming.values():
            propose_topics(db.session.get(Meeting, meeting_id), gen.today)
        db.session.commit()
        counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                  for model in (Store, User, Meeting, ActionItem, ActionItemUpdate, KpiValue, Goal, CoachingSession,
                                Problem, Notification)}
    return counts


if __name__ == "__main__":
    main()
