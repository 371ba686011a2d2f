"""The demo store (DEMO) and its people, all with the same password."""
from datetime import timedelta

from ..auth.models import ADMIN, GM, MANAGER, STAFF, Store, User
from ..auth.services import create_user
from ..extensions import db
from ..timeutils import utcnow

DEMO_PASSWORD = "pitwall-demo"

STAFF_PEOPLE = [
    ("staff1", "张伟", "service_advisor"),
    ("staff2", "刘洋", "service_advisor"),
    ("staff3", "陈强", "technician"),
    ("staff4", "赵磊", "workshop_supervisor"),
    ("staff5", "孙丽", "quality_inspector"),
    ("staff6", "周敏", "customer_service"),
]


def load_people() -> tuple[Store, User, dict[str, User]]:
    """The store, its service manager, and its staff by username (the admin and the GM too)."""
    store = Store(code="DEMO", name="演示4S店 售后服务部")
    db.session.add(store)

    phones = iter(range(13800138001, 13800138100))
    joined = utcnow() - timedelta(days=730)

    def person(username, name, role, position=None):
        user = create_user(username=username, password=DEMO_PASSWORD, display_name=name, role=role,
                           store=store, position=position)
        user.phone, user.email = str(next(phones)), f"{username}@demo.pitwall.cn"
        user.created_at = joined  # a team of years: last month's review counts them as its staff
        return user

    person("admin", "系统管理员", ADMIN)
    person("gm", "王总", GM)
    manager = person("manager", "李经理", MANAGER)
    staff = {u: person(u, n, STAFF, p) for u, n, p in STAFF_PEOPLE}
    return store, manager, staff
