"""Demo problems (every state, comebacks among them) and typical cases (proposed, published, from a
problem, on the next meeting's agenda, training material)."""
from datetime import date, datetime, timedelta

from ..auth.models import Store, User
from ..cases import services as cases
from ..extensions import db
from ..meetings.models import Meeting
from ..problems import services as problems


def _ago(today: date, days: int, hour: int = 2) -> datetime:
    """A stored (UTC) moment `days` before today, during the working day in China."""
    return datetime.combine(today - timedelta(days=days), datetime.min.time()) + timedelta(hours=hour)


def _raise(store, by, today, days_ago, **fields):
    p = problems.raise_problem(store_id=store.id, raised_by_id=by.id, **fields)
    p.raised_at = _ago(today, days_ago)
    for e in p.events:
        e.at = p.raised_at
    return p


def _triage(p, manager, owner, today, deadline_in, cause, origin, analysis, check_days=30, urgency=None):
    problems.triage(p, manager.id, None, owner_id=owner.id, deadline=today + timedelta(days=deadline_in),
                    urgency=urgency or p.urgency, type=p.type, cause=cause, cause_origin=origin,
                    cause_analysis=analysis, check_days=check_days)


def _measures(p, manager, owner, today, done_days_ago=None, titles=()):
    for kind, title in zip(("corrective", "recurrence"), titles, strict=False):
        m = problems.add_measure(p, manager.id, kind=kind, title=title, owner_id=owner.id,
                                 deadline=today + timedelta(days=5))
        db.session.flush()
        if done_days_ago is not None:
            m.action_item.status = "done"
            m.action_item.done_at = _ago(today, done_days_ago)


def load_problems_and_cases(store: Store, manager: User, staff: dict[str, User], upcoming: Meeting,
                            today: date) -> None:
    sa, sa2, tech, foreman, qc, cs = (staff[f"staff{i}"] for i in range(1, 7))

    # New, waiting for triage: an urgent comeback raised by the technician this morning.
    comeback = _raise(store, tech, today, 0, kind="comeback", title="帕萨特刹车异响返修", location="3号工位",
                      urgency="urgent", type="technical", original_ro="RO20261118-023",
                      return_ro="RO20261201-007", plate="沪A·5K321", vin="LSVAB4187EN123456", vehicle_model="帕萨特 330TSI",
                      technician_id=tech.id, description="上周更换刹车片，客户反映低速制动仍有异响。")
    _raise(store, sa2, today, 2, title="前台排队叫号屏坏了", location="接待前台", urgency="can_wait", type="equipment")

    # Being fixed: triaged, measures under way; one past its deadline.
    lift = _raise(store, foreman, today, 20, title="2号举升机液压漏油", location="2号工位", urgency="urgent",
                  type="equipment")
    _triage(lift, manager, foreman, today, -3, "machine", "execution", "密封圈老化，举升机未按月保养。")
    _measures(lift, manager, foreman, today, titles=("更换举升机密封圈", "举升机纳入月度保养计划并点检签字"))
    parts = _raise(store, sa, today, 9, title="常用滤芯经常缺货，客户等待", location="备件库", urgency="can_wait",
                   type="parts")
    _triage(parts, manager, staff["staff4"], today, 10, "method", "plan", "安全库存按去年销量设定，未随保有量调整。")
    _measures(parts, manager, staff["staff4"], today, titles=("紧急调拨本周缺货滤芯",))

    # Measures done, the window has passed: ready for the effectiveness check.
    wash = _raise(store, cs, today, 50, title="洗车后车内有水渍，客户投诉", location="洗车区", urgency="urgent",
                  type="customer")
    _triage(wash, manager, qc, today, -30, "people", "execution", "洗车工未按标准擦干门槛和车内脚垫。", check_days=14)
    _measures(wash, manager, qc, today, done_days_ago=20,
              titles=("对洗车工重新培训擦干标准", "交车前质检增加车内水渍检查项"))

    # Closed: the result reported back, not yet read by the service advisor who raised it.
    oil = _raise(store, sa, today, 70, kind="comeback", title="保养后机油滤清器漏油返修", location="1号工位",
                 urgency="urgent", type="technical", original_ro="RO20260920-011", return_ro="RO20260923-004",
                 plate="沪B·7Q882", vehicle_model="朗逸", technician_id=tech.id)
    _triage(oil, manager, tech, today, -55, "method", "execution", "机滤密封圈未涂机油，拧紧力矩未按标准。",
            check_days=30)
    _measures(oil, manager, tech, today, done_days_ago=45,
              titles=("为客户重新更换机滤并道歉", "保养作业单增加机滤密封圈涂油和力矩检查项"))
    problems.record_check(oil, manager.id, None, "not_recurred", "检查后续30天内保养车辆，未再出现机滤漏油。", today)

    # Closed and read; and one reopened by whoever raised it.
    signs = _raise(store, sa2, today, 95, title="客户找不到售后入口", location="停车场", urgency="can_wait",
                   type="process")
    _triage(signs, manager, sa2, today, -80, "environment", "plan", "入口指示牌被绿化遮挡。", check_days=14)
    _measures(signs, manager, sa2, today, done_days_ago=70, titles=("移除遮挡并新增指示牌", "每周巡检指示牌"))
    problems.record_check(signs, manager.id, None, "not_recurred", "两周内无客户再反映。", today)
    problems.mark_seen(signs, sa2.id)
    ac = _raise(store, tech, today, 60, title="空调检测仪读数不稳", location="诊断区", urgency="can_wait",
                type="equipment")
    _triage(ac, manager, foreman, today, -40, "machine", "execution", "检测仪未定期校准。", check_days=7)
    _measures(ac, manager, foreman, today, done_days_ago=20, titles=("送检校准检测仪",))
    problems.record_check(ac, manager.id, None, "not_recurred", "校准后一周读数稳定。", today)
    problems.reopen(ac, tech.id, None, "昨天又出现读数跳动。", today)
    db.session.flush()

    # The urgent comeback and the leaking lift go on the next meeting's agenda.
    problems.put_on_agenda(comeback, upcoming, manager.id)
    problems.put_on_agenda(lift, upcoming, manager.id)

    # Typical cases.
    def case(author, title, days_ago, publish=True, **fields):
        c = cases.propose(store_id=store.id, created_by_id=author.id, case_date=today - timedelta(days=days_ago),
                          title=title, **fields)
        if publish:
            cases.publish(c, manager.id, None)
        return c

    good = case(tech, "底盘异响一次修复，客户当场表扬", 12, example="good", category="technical",
                customer_problem="过减速带时底盘有咯噔异响，已在别处修过两次。", plate="沪C·2M019", vin="LFV2A21K6G3012345",
                vehicle_model="速腾", mileage=68500, repair_order="RO20261120-015", advisor_id=sa.id, technician_id=tech.id,
                what_happened="技师与客户一起路试复现异响，举升检查发现稳定杆球头松旷。",
                handling="更换左右稳定杆球头，再次路试确认异响消失，交车时向客户展示旧件。",
                satisfaction="satisfied", lessons="异响类故障先与客户一起路试复现；交车时展示旧件能增加信任。",
                tags="异响, 底盘, 路试", training=True)
    case(sa, "保养后漏油返修，客户投诉", 60, example="bad", category="process",
         customer_problem="保养三天后车库地面有油渍。", plate="沪B·7Q882", vehicle_model="朗逸", mileage=30210,
         repair_order="RO20260923-004", advisor_id=sa.id, technician_id=tech.id,
         what_happened="机滤密封圈未涂机油，拧紧力矩不足导致渗油。", handling="免费更换机滤，上门道歉并赠送一次洗车。",
         satisfaction="complaint", lessons="保养作业必须按作业单逐项签字；质检抽查机滤位置。",
         tags="漏油, 返修, 保养", training=True, problem_id=oil.id)
    case(cs, "解释延期交车，客户理解并好评", 25, example="good", category="communication",
         customer_problem="备件延迟两天到货，客户急需用车。", vehicle_model="途观L", advisor_id=sa2.id,
         what_happened="客服提前一天电话说明原因并提供代步车。", handling="按新时间交车，交车时附上回访卡。",
         satisfaction="satisfied", lessons="坏消息早说；给出替代方案。", tags="沟通, 延期交车")
    case(qc, "电瓶亏电误判为启动机故障", 40, example="bad", category="technical",
         customer_problem="车辆无法启动。", vehicle_model="迈腾", mileage=91200, technician_id=tech.id,
         what_happened="技师未测电瓶电压即更换启动机，问题未解决。", handling="检测后更换电瓶，退还启动机费用。",
         satisfaction="dissatisfied", lessons="先做基础检测（电瓶电压、搭铁）再换件。", tags="误诊, 电器")
    case(sa2, "客户休息区等待时间过长", 3, publish=False, example="bad", category="process",
         customer_problem="快保等待超过两小时。", satisfaction="neutral", lessons="快保预约要按工位产能排。",
         tags="等待, 预约")
    db.session.flush()
    cases.take_onto_agenda(good, upcoming, manager.id, "sharing")
    db.session.flush()
