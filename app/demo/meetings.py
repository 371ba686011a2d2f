"""Demo meetings: three weeks of weekly meetings with open promises, and the coming week's meeting."""
from datetime import time, timedelta

from ..actions import services as actions
from ..actions.models import DONE, IN_PROGRESS
from ..auth.models import Store, User
from ..extensions import db
from ..meetings import services as meetings
from ..meetings.models import (
    ABSENT,
    ACTION_PLAN,
    ESCALATED,
    EXCUSED,
    EXTENDED,
    ON_SCHEDULE,
    OPENING,
    PRESENT,
    SUMMARY,
    THEME,
    VERIFIED,
    Meeting,
)
from ..timeutils import local_today
from .files import load_files


def load_meetings(store: Store, manager: User, staff: dict[str, User]) -> Meeting:
    today = local_today()
    this_monday = today - timedelta(days=today.weekday())
    everyone = [u.id for u in staff.values()]

    def item(meeting, who, title, days, description=""):
        return meetings.add_action_item(
            meeting, manager.id, title=title, description=description, owner_id=staff[who].id,
            deadline=meeting.meeting_date + timedelta(days=days), priority="normal",
            agenda_item_id=meeting.agenda_item(ACTION_PLAN).id)

    def minutes(meeting, kind, text):
        agenda_item = meeting.agenda_item(kind)
        meetings.save_minutes(agenda_item, text, agenda_item.minutes_version, manager.id)

    def attend(meeting, absent=None, excused=None):
        for a in meeting.attendances:
            status = ABSENT if a.user_id == absent else EXCUSED if a.user_id == excused else PRESENT
            meetings.set_attendance(meeting, a.user_id, status)

    # Week 1: complaints are rising.
    m1 = meetings.create_meeting(
        store_id=store.id, created_by_id=manager.id, attendee_ids=everyone, weekly_series=True,
        kind="weekly", theme="售后周例会：投诉率上升的原因与对策", objective="找出投诉上升的主要原因，定出改进措施。",
        meeting_date=this_monday - timedelta(days=21), start_time=time(17, 30), place="售后会议室",
        chair_id=manager.id, minute_taker_id=staff["staff6"].id)
    attend(m1, excused=staff["staff5"].id)
    minutes(m1, OPENING, "本周投诉 9 起，比上周多 4 起，主要集中在交车等待时间和返修。")
    minutes(m1, THEME, "逐一发言：前台反映高峰期接车排队；车间反映备件到货慢导致延期交车。")
    meetings.add_decision(m1, "每天晨会通报前一日的投诉和处理结果。", None, manager.id)
    a1 = item(m1, "staff1", "建立投诉 48 小时回访机制", 7, "每起投诉 48 小时内回访并登记结果。")
    a2 = item(m1, "staff3", "整理一次修复率低的车型和故障清单", 10)
    a3 = item(m1, "staff4", "每周出一份工位利用率周报", 7)
    meetings.close_meeting(m1, manager.id)
    actions.report_progress(a1, staff["staff1"].id, DONE, "回访登记表已启用，本周回访 9 起。", a1.version)
    actions.report_progress(a3, staff["staff4"].id, DONE, "第一份周报已发群。", a3.version)
    actions.report_progress(a2, staff["staff3"].id, IN_PROGRESS, "已整理 3 个车型。", a2.version)

    # Week 2: repair efficiency.
    m2 = meetings.create_next_in_series(m1, manager.id, "售后周例会：提高维修效率")
    attend(m2)
    meetings.record_disposition(m2, a1, manager.id, VERIFIED)
    meetings.record_disposition(m2, a3, manager.id, VERIFIED)
    meetings.record_disposition(m2, a2, manager.id, ON_SCHEDULE)
    minutes(m2, THEME, "预约客户到店后仍等备件，平均多等 40 分钟。")
    meetings.add_decision(m2, "预约单须在前一天下午确认备件到位。", None, manager.id)
    a4 = item(m2, "staff2", "预约客户提前一天备好备件", 5)
    a5 = item(m2, "staff5", "更新质检抽查表", 7)
    meetings.close_meeting(m2, manager.id)
    actions.report_progress(a5, staff["staff5"].id, DONE, "新抽查表已启用。", a5.version)

    # Week 3: follow-up call results.
    m3 = meetings.create_next_in_series(m2, manager.id, "售后周例会：客户回访结果分析")
    attend(m3, absent=staff["staff3"].id)
    meetings.record_disposition(m3, a2, manager.id, EXTENDED, "等待厂家技术通报", m3.meeting_date + timedelta(days=14))
    meetings.record_disposition(m3, a4, manager.id, ESCALATED, "备件部门人手不足，需总经理协调")
    meetings.record_disposition(m3, a5, manager.id, VERIFIED)
    minutes(m3, THEME, "回访未接通率 18%，不满意的主要原因是洗车等待时间长。")
    minutes(m3, SUMMARY, "下周重点：回访二次拨打，洗车流程优化。")
    meetings.add_decision(m3, "回访未接通的客户当天内二次拨打。", None, manager.id)
    a6 = item(m3, "staff6", "回访未接通客户二次回访", 5)
    a7 = item(m3, "staff1", "洗车等待时间优化方案", (today - m3.meeting_date).days + 7)
    item(m3, "staff3", "制定本月技师培训计划", 3)
    meetings.close_meeting(m3, manager.id)
    actions.report_progress(a6, staff["staff6"].id, DONE, "二次回访完成 21 位客户。", a6.version)
    actions.report_progress(a7, staff["staff1"].id, IN_PROGRESS, "已与洗车组讨论两种方案。", a7.version)
    db.session.flush()
    load_files({"wash": a7, "models": a2}, staff)

    # The coming week's meeting: its review lists every promise still open.
    m4 = meetings.create_next_in_series(m3, manager.id, "售后周例会：本周经营情况与上周决议回顾")
    db.session.flush()
    return m4

