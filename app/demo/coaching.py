"""Demo coaching talks and manager assessments, so the coaching pages and the GM's reviews tell a story.

Four talks by the service manager: two finished ones 3–4 months ago that worked (one followed up, one
whose follow-up is due), an older one that did not, and one from a few days ago waiting for the staff
member's acknowledgement. The coached people's KPI values are shaped around each talk, because the
effect is read from them; 张伟 stays above target since, so the coverage list asks for a new talk.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..actions import services as actions
from ..actions.models import DONE, ActionItem, ActionItemUpdate
from ..auth.models import GM, Store, User
from ..coaching import services as coaching
from ..coaching.analysis import earliest_follow_up
from ..coaching.models import CoachingSession
from ..extensions import db
from ..kpis.models import KpiValue
from ..kpis.services import kpi_by_code
from ..months import add_months, previous_month
from ..reviews.services import create_review


def load_coaching_and_reviews(store: Store, manager: User, staff: dict[str, User], today: date) -> None:
    _talks(store, manager, staff, today)
    gm = db.session.scalar(select(User).where(User.store_id == store.id, User.role == GM))
    _reviews(manager, gm, today)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(6))  # naive UTC like every timestamp: mid-day in the store


def _put(store: Store, code: str, person: User, month: date, value: float) -> None:
    """Overwrite the demo value of a month (one row per kpi, store, person and month)."""
    kpi = kpi_by_code(code)
    row = db.session.scalar(select(KpiValue).where(
        KpiValue.kpi_id == kpi.id, KpiValue.store_id == store.id, KpiValue.subject_key == person.id,
        KpiValue.month == month))
    if row is None:
        row = KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=person.id, subject_key=person.id,
                       month=month, source="demo")
        db.session.add(row)
    row.value = value


def _shape(store, code, person, held_on, today, before, after=()):
    """The three months before the talk get `before` (the gap); every complete month after the talk
    gets `after`, its last value repeated up to last month (the effect, and last month's level)."""
    gap_to = add_months(held_on, -1)
    for i, value in enumerate(before):
        _put(store, code, person, add_months(gap_to, i - len(before) + 1), value)
    month, i = add_months(held_on, 1), 0
    while after and month <= previous_month(today):
        _put(store, code, person, month, after[min(i, len(after) - 1)])
        month, i = add_months(month, 1), i + 1


def _talk(store, manager, person, code, held_on, purpose, gap_remarks, measures, plan_notes):
    """Steps 1–3 as the manager records them on the day of the talk (so the gap period is the three
    complete months before it). measures: (what, days after the talk or None, as an action item)."""
    s = coaching.start_session(store_id=store.id, person=person, manager_id=manager.id,
                               kpi_ids=[kpi_by_code(code).id], held_on=held_on)
    coaching.save_purpose(s, purpose)
    coaching.save_gap(s, 3, gap_remarks)
    for what, days, as_action in measures:
        due = held_on + timedelta(days=days) if days is not None else None
        coaching.add_measure(s, what, due, as_action, manager.id, held_on)
    coaching.save_plan(s, plan_notes)
    # Dated as the day of the talk, not the day the demo was loaded.
    s.created_at = s.updated_at = _at(held_on)
    for m in s.measures:
        if m.action_item:
            _backdate(m.action_item, held_on)
    return s


def _backdate(item: ActionItem, created: date, done: date | None = None) -> None:
    item.created_at = item.updated_at = _at(created)
    if done:
        item.done_at = item.updated_at = _at(done)
    for entry in db.session.scalars(select(ActionItemUpdate).where(ActionItemUpdate.action_item_id == item.id)):
        entry.at = _at(created if entry.event == "created" or done is None else done)


def _finish(s, questions, verbal, agreed, recognition, support, follow_up_days):
    coaching.save_confirmation(s, questions, verbal)
    # Recorded on the day of the talk, so the follow-up date was still ahead then; not before a whole
    # month after the talk is complete.
    follow_up = max(s.held_on + timedelta(days=follow_up_days), earliest_follow_up(s.held_on) + timedelta(days=4))
    coaching.save_motivation(s, agreed, recognition, support, follow_up, s.held_on)


def _done(s: CoachingSession, note: str, days: int) -> None:
    """The person reports the talk's first action item done, `days` after the talk."""
    item = next(m.action_item for m in s.measures if m.action_item)
    actions.report_progress(item, s.person_id, DONE, note, item.version)
    _backdate(item, s.held_on, s.held_on + timedelta(days=days))


def _talks(store, manager, staff, today):
    # 1. 周敏's follow-up calls, ~3.7 months ago: 90 % -> 94 % against 95 %, narrowed; followed up.
    zhou = staff["staff6"]
    held = today - timedelta(days=112)
    _shape(store, "FOLLOW_UP_RATE", zhou, held, today, [90.6, 89.4, 90.9], [93.2, 94.1, 94.6, 95.4])
    s = _talk(
        store, manager, zhou, "FOLLOW_UP_RATE", held,
        "这次谈一下回访工作。回访完成率是厂家满意度考核的依据，也是我们及早发现投诉的渠道。"
        "今天不是追究责任，是一起看看数据、找找办法。",
        "近三个月回访完成率平均 90% 左右，目标是 95%。没打完的主要是周末交车的客户：周一积压太多，"
        "3–7 天内来不及回访。",
        [("每天下班前核对当日应回访名单，未接通的次日上午补拨", 14, True),
         ("周一上午由前台协助拨打周末交车客户的回访电话", 7, False)],
        "先解决周一积压，再把未接通客户的补拨固定下来。每周五把完成率报给我。")
    coaching.acknowledge(s, zhou)  # she confirmed the plan from her own login that evening
    s.acknowledged_at = _at(held)
    _finish(s, "周敏问前台忙的时候是否还能协助。答：周一上午 9–11 点前台固定一人协助，已和刘洋说好。", False,
            "两个月内回访完成率回到 95% 以上。",
            "你的回访记录是全店最完整的，客户意见反馈得很及时，大家都认可。",
            "协调前台周一协助拨打；申请给回访岗位配一部专用手机。", 56)
    _done(s, "补拨登记表已启用，每天下班前核对。", 10)
    coaching.record_follow_up(s, "回访完成率从 90% 左右提高到 93%–94%，差距明显缩小。周一积压基本消除，"
                                 "补拨已成习惯。继续保持，下季度争取稳定在 95% 以上。", s.version, today)
    s.followed_up_at = _at(s.follow_up_on)

    # 2. 陈强's comebacks, ~3.2 months ago: 2.7 % -> under 2 %, closed; the follow-up is due.
    chen = staff["staff3"]
    held = today - timedelta(days=98)
    _shape(store, "COMEBACK_RATE", chen, held, today, [2.7, 2.9, 2.6], [1.9, 1.8, 1.7, 1.8])
    s = _talk(
        store, manager, chen, "COMEBACK_RATE", held,
        "找你谈谈返修的事。返修率直接影响客户满意度，也是技师评级的依据。你技术底子好，我们一起看看问题出在哪里。",
        "近三个月返修率平均 2.7%，标准是 2% 以内。返修的车大多是电气故障，问题集中在诊断环节。",
        [("电气故障按厂家标准诊断流程逐项检测并填写检测单", 7, True),
         ("疑难电气故障先请赵磊一起确认再动手", None, False)],
        "重点在诊断环节：按流程检测，拿不准的先请教主管。")
    _finish(s, "陈强担心按流程检测会影响工时效率。答：诊断工时按实际登记，本季度效率考核酌情考虑。", True,
            "两个月内返修率降到 2% 以内。",
            "上个月你主动留下来帮新技师排查故障，这种责任心很难得。",
            "安排赵磊每周抽半天带你做电气诊断；厂家在线课程的账号我来申请。", 49)
    _done(s, "检测单已全部使用，本月返修车辆均有检测记录。", 6)

    # 3. 张伟's response time, ~5 months ago: stayed at 2.6 h against 2 h, not narrowed; followed up.
    zhang = staff["staff1"]
    held = today - timedelta(days=150)
    _shape(store, "RESPONSE_TIME", zhang, held, today, [2.5, 2.6, 2.4], [2.6, 2.7, 2.5, 2.6, 2.8, 2.6])
    s = _talk(
        store, manager, zhang, "RESPONSE_TIME", held,
        "今天谈谈客户咨询的响应速度。2 小时内答复是我们对客户的承诺，答复慢是投诉的主要原因之一。",
        "近三个月平均首次答复时间 2.5 小时，标准是 2 小时以内。慢的主要是接车高峰时段的微信咨询。",
        [("接车高峰时段（8:30–10:30）每小时查看一次微信和电话留言", 7, False),
         ("用标准话术先答复客户，再处理具体问题", 7, False)],
        "先保证高峰时段不漏看消息。")
    _finish(s, "张伟提出高峰时段人手不够。答：先按计划执行，一个月后看数据再考虑调整排班。", True,
            "六周内平均响应时间降到 2 小时以内。",
            "你接待客户热情周到，客户评价里经常点名表扬你。",
            "把标准回复话术整理好发给你。", 42)
    coaching.record_follow_up(s, "响应时间没有改善，仍在 2.6 小时左右，高峰时段自查没有坚持下来。"
                                 "下一步调整排班，高峰时段增加一名服务顾问，并再安排一次辅导面谈。", s.version, today)
    s.followed_up_at = _at(s.follow_up_on)

    # 4. 刘洋's satisfaction, a few days ago: steps 1–3 done, waiting for his acknowledgement.
    liu = staff["staff2"]
    held = today - timedelta(days=3)
    _shape(store, "CSI", liu, held, today, [88.4, 87.6, 88.1])
    _talk(
        store, manager, liu, "CSI", held,
        "谈一下客户满意度。满意度是厂家考核我们店最重要的指标，也和你的绩效挂钩。最近几个月你的分数有些下滑，"
        "我们一起看看原因。",
        "近三个月满意度平均 88 分左右，没有达到个人目标。扣分项主要是交车时的费用解释和等待时间告知。",
        [("交车时逐项向客户解释结算单费用", 14, True),
         ("维修超过预计时间 30 分钟的，主动告知客户并说明原因", 7, True)],
        "交车说明和进度告知两件事先做好，两周后看回访里的不满意项有没有减少。")


def _reviews(manager, gm, today):
    # Half a year ago basically capable (7 of 14); a month ago capable (9): coaching and training now done.
    first = ["targets_plans", "review_forecast", "cooperate", "safe_workplace", "service_quality",
             "delegated_authority", "complaints"]
    create_review(manager=manager, reviewer_id=gm.id, reviewed_on=today - timedelta(days=182),
                  met=dict.fromkeys(first, True), remarks={
                      "meet_targets": "上半年产值目标完成 93%，厂家满意度考核未达标。",
                      "appraise": "还没有对员工做过一对一的辅导和业绩面谈。",
                      "train": "有培训计划，执行不到位。",
                      "complaints": "投诉处理及时，48 小时回访做得好。"})
    create_review(manager=manager, reviewer_id=gm.id, reviewed_on=today - timedelta(days=30),
                  met=dict.fromkeys(first + ["appraise", "train"], True), remarks={
                      "appraise": "已按五步法与多名员工做辅导面谈，并按期跟进效果。",
                      "train": "技师电气诊断培训已落实，返修率下降。",
                      "meet_targets": "产值目标基本完成，满意度还差一点。",
                      "budget": "费用控制需要加强。"})
