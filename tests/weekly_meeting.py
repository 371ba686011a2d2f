"""An ordinary weekly meeting at a real store: meeting 2 of a series, whose review holds action items
from the series' first meeting, from a PDCA goal's plan steps, from a coaching talk and from nowhere.

Shared by the review's HTTP tests and the meeting-mode browser test.
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.actions.models import DONE
from app.actions.services import create_action_item
from app.coaching import services as coaching
from app.coaching.models import CoachingMeasure
from app.extensions import db
from app.goals import services as goals
from app.kpis.models import STORE_SCOPE, Kpi
from app.meetings import services as meetings
from app.meetings.models import Meeting
from app.timeutils import local_now


@dataclass
class WeeklyMeeting:
    first: Meeting
    second: Meeting
    items: dict = field(default_factory=dict)  # name -> ActionItem
    goal_id: int = 0
    talk_id: int = 0


# name: (origin, days from the meeting to the deadline, done already)
ROWS = {
    "series_a": ("series", 3, False), "series_b": ("series", 5, False), "series_done": ("series", -1, True),
    "series_late": ("series", -2, False),
    "goal_a": ("goal", 6, False), "goal_b": ("goal", 10, False), "goal_done": ("goal", -3, True),
    "talk_a": ("coaching", 4, False), "talk_late": ("coaching", -5, False),
    "loose": ("other", 2, False),
}
TITLES_ZH = {
    "series_a": "前台接待流程培训", "series_b": "更新预约看板", "series_done": "48小时回访制度上墙",
    "series_late": "整理返修车辆清单", "goal_a": "每日晨会通报客户满意度", "goal_b": "完成保养套餐价目表",
    "goal_done": "配件缺货日报", "talk_a": "跟进三位投诉客户", "talk_late": "学习新车型保养规范",
    "loose": "检查工位5S",
}


def build_weekly_meeting(manager, staff: list, extra_items: int = 0, zh: bool = False,
                         starts_minutes_ago: int = 3, only=None) -> WeeklyMeeting:
    """Meeting 1 (closed, a week ago) and meeting 2 (today, started a few minutes ago) of a series,
    with the ten review rows of ROWS (six not yet due; `only` these names) and `extra_items` more
    not-yet-due rows."""
    now = local_now()
    start = (now - timedelta(minutes=starts_minutes_ago)).replace(second=0, microsecond=0)
    if start.date() != now.date():  # just after midnight: start at 00:00
        start = datetime.combine(now.date(), time(0, 0))
    first = meetings.create_meeting(
        store_id=manager.store_id, created_by_id=manager.id, attendee_ids=[u.id for u in staff],
        weekly_series=True, kind="weekly", theme="每周例会" if zh else "Weekly meeting", objective="",
        meeting_date=start.date() - timedelta(days=7), start_time=start.time(), place="会议室" if zh else "Room 1",
        chair_id=manager.id, minute_taker_id=None)
    meetings.close_meeting(first, manager.id)
    second = meetings.create_next_in_series(first, manager.id, "每周例会" if zh else "Weekly meeting")
    world = WeeklyMeeting(first=first, second=second)

    kpi = db.session.scalar(select(Kpi).where(Kpi.scope == STORE_SCOPE, Kpi.active.is_(True)).limit(1))
    goal = goals.create_goal(store_id=manager.store_id, kpi=kpi, person_id=None, period_kind="quarter",
                             period_day=start.date(), target=90, baseline=80, owner_id=manager.id,
                             created_by_id=manager.id, title="提升客户满意度" if zh else "Raise CSI")
    talk = coaching.start_session(store_id=manager.store_id, person=staff[0], manager_id=manager.id,
                                  kpi_ids=[k.id for k in coaching.person_kpis(staff[0])][:1],
                                  held_on=start.date() - timedelta(days=10))
    world.goal_id, world.talk_id = goal.id, talk.id
    today = start.date()
    for n, (name, (origin, days, done)) in enumerate(ROWS.items()):
        if only is not None and name not in only:
            continue
        owner = staff[n % len(staff)]
        title = TITLES_ZH[name] if zh else name.replace("_", " ").capitalize()
        due = today + timedelta(days=days)
        if origin == "goal":
            step = goals.add_plan_step(goal, who_id=owner.id, what=title, standard="", due=due, monitoring="")
            item = goals.make_action_item(step, manager.id)
        else:
            item = create_action_item(store_id=manager.store_id, title=title, owner_id=owner.id, deadline=due,
                                      created_by_id=manager.id,
                                      meeting_id=first.id if origin == "series" else None)
            if origin == "coaching":
                db.session.add(CoachingMeasure(session_id=talk.id, what=title, due=due, action_item_id=item.id,
                                               position=n))
        if done:
            item.status, item.progress_note = DONE, "已完成，照片已上传" if zh else "Done, photos uploaded"
        world.items[name] = item
    for n in range(extra_items):
        world.items[f"extra_{n}"] = create_action_item(
            store_id=manager.store_id, title=f"Extra {n}", owner_id=staff[n % len(staff)].id,
            deadline=today + timedelta(days=1 + n % 20), created_by_id=manager.id, meeting_id=first.id)
    db.session.commit()
    return world
