"""The demo's monthly reviews: last month's published (frozen) and this month's draft."""
from ..extensions import db
from ..months import previous_month
from ..reports import services


def load_reports(store, manager, today) -> None:
    last = services.start_report(store.id, "month", previous_month(today), manager.id, today)
    services.save_narrative(last, {
        "summary": "上月客户满意度保持在目标以上，周例会按节奏召开，逾期行动项有所减少。",
        "went_well": "回访及时率提升；技师工时效率达标。",
        "problems": "部分行动项延期，原因是备件到货慢（执行过程）。",
        "next_plan": "每周跟进逾期行动项；与备件部门协调到货周期。",
    }, last.version, manager.id)
    services.publish(last, last.version, manager.id, today)
    services.start_report(store.id, "month", today, manager.id, today)
    db.session.flush()
