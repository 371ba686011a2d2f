"""A small store with one of everything, real ids for every URL, and a fingerprint of the database.

Shared by the bounds regression tests and the property-based fuzz tests: they walk app.url_map and
post every form, so they need a meeting, an item, a goal, a talk, an assessment and a token to point at.
"""
import io
from datetime import date, time, timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.actions.services import create_action_item
from app.api.services import create_token
from app.attachments.services import attach
from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.cases import services as cases
from app.coaching import services as coaching
from app.extensions import db
from app.goals import services as goals
from app.kpis.models import PERSON_SCOPE, STORE_SCOPE, Kpi
from app.meetings import calendar
from app.meetings import services as meetings
from app.notifications.models import Notification
from app.notifications.robots import ChatRobot
from app.problems import services as problems
from app.reports import services as reports
from app.reviews.services import create_review
from app.timeutils import local_today

ROLES = (MANAGER, STAFF, GM, ADMIN)


def build_world(make_user, make_store, store) -> dict:
    """Users of every role in `store` (and a second store the GM and admin also see), with data."""
    other = make_store("S2", "Second store")
    manager = make_user(MANAGER, store, username="w_manager")
    staff = make_user(STAFF, store, username="w_staff")
    gm = make_user(GM, store, username="w_gm")
    admin = make_user(ADMIN, store, username="w_admin")
    today = local_today()
    meeting = meetings.create_meeting(
        store_id=store.id, created_by_id=manager.id, attendee_ids=[staff.id], weekly_series=False,
        kind="weekly", theme="Weekly meeting", objective="", meeting_date=today + timedelta(days=7),
        start_time=time(17, 30), place="Room 1", chair_id=manager.id, minute_taker_id=None)
    item = create_action_item(store_id=store.id, title="Call back customers", owner_id=staff.id,
                              deadline=today + timedelta(days=3), created_by_id=manager.id, meeting_id=meeting.id)
    store_kpi = db.session.scalar(select(Kpi).where(Kpi.scope == STORE_SCOPE, Kpi.active.is_(True)).limit(1))
    goal = goals.create_goal(store_id=store.id, kpi=store_kpi, person_id=None, period_kind="quarter",
                             period_day=today, target=90, baseline=80, owner_id=manager.id,
                             created_by_id=manager.id)
    step = goals.add_plan_step(goal, who_id=staff.id, what="Call every customer", standard="All called",
                               due=today + timedelta(days=10), monitoring="Weekly list")
    talk = coaching.start_session(store_id=store.id, person=staff, manager_id=manager.id,
                                  kpi_ids=[k.id for k in coaching.person_kpis(staff)][:1], held_on=today)
    review = create_review(manager=manager, reviewer_id=gm.id, reviewed_on=today, met={}, remarks={})
    token, plaintext = create_token(store, "Nightly export", admin.id)
    problem = problems.raise_problem(store_id=store.id, raised_by_id=staff.id, title="Lift 3 leaks oil",
                                     urgency="urgent", type="equipment")
    case = cases.propose(store_id=store.id, created_by_id=staff.id, title="异响一次修好", case_date=today,
                         example="good", category="technical", satisfaction="satisfied", tags="异响")
    cases.publish(case, manager.id, None)
    photo = attach("action_item", item, FileStorage(io.BytesIO(_png()), filename="photo.png"), staff)
    # A robot whose host the tests do not allow: a test message is refused without leaving the machine.
    robot = ChatRobot(store_id=store.id, name="Service group", platform="wecom", events="minutes",
                      webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=world")
    db.session.add(robot)
    feed_token = calendar.create_feed(staff)
    report = reports.start_report(store.id, "month", today, manager.id, today)
    db.session.commit()
    gm.extra_stores.append(other)
    admin.extra_stores.append(other)
    db.session.commit()
    return {
        "store": store, "other_store": other, "users": dict(zip(ROLES, (manager, staff, gm, admin), strict=True)),
        "meeting": meeting, "agenda_item": meeting.agenda_items[0], "item": item, "goal": goal, "step": step,
        "kpi": store_kpi, "person_kpi": db.session.scalar(select(Kpi).where(Kpi.scope == PERSON_SCOPE).limit(1)),
        "problem": problem, "case": case,
        "attachment": photo, "attachment_id": photo.id,  # the id stays readable once a fuzzed post deletes it
        # The staff member's notification of their new item (notifications).
        "notification": db.session.scalar(select(Notification).where(Notification.user_id == staff.id).limit(1)),
        "robot": robot, "feed_token": feed_token,
        "talk": talk, "review": review, "report": report, "token": token, "plaintext": plaintext, "today": today,
    }


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "PNG")
    return out.getvalue()


def url_args(world) -> dict:
    """A real value for each URL parameter name used in the routes."""
    return {
        "item_id": world["item"].id, "action_item_id": world["item"].id, "meeting_id": world["meeting"].id,
        "agenda_item_id": world["agenda_item"].id,
        "goal_id": world["goal"].id, "step_id": world["step"].id, "kpi_id": world["kpi"].id,
        "user_id": world["users"][STAFF].id, "manager_id": world["users"][MANAGER].id,
        "person_id": world["users"][STAFF].id, "store_id": world["other_store"].id,
        "problem_id": world["problem"].id, "case_id": world["case"].id,
        "owner_type": "action_item", "owner_id": world["item"].id, "attachment_id": world["attachment_id"],
        "notification_id": world["notification"].id, "message_id": 1,
        "robot_id": world["robot"].id, "token": world["feed_token"],
        "session_id": world["talk"].id, "review_id": world["review"].id, "report_id": world["report"].id, "token_id": world["token"].id,
        "proposal_id": 1, "step": 1, "op": "save", "choice": "keep", "filename": "app.css", "view": "goals",
    }


def get_pages(app, world) -> list[str]:
    """Every GET address of the app (but the JSON API and static files), filled with real ids."""
    from werkzeug.routing import BuildError

    args, urls = url_args(world), []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint.startswith("api.v1") or rule.endpoint == "static":
                continue
            try:
                urls.append(app.url_for(rule.endpoint, **{name: args[name] for name in rule.arguments}))
            except (BuildError, KeyError):
                raise AssertionError(f"no test value for the parameters of {rule.rule}: add it to url_args") from None
    # Pages that show more with a query string.
    urls += [f"/reviews/new?manager={args['manager_id']}", f"/kpis/grid?subject={args['user_id']}&year=2026",
             f"/goals/new?subject=person&person={args['user_id']}&kpi={world['person_kpi'].code}",
             f"/goals/new/baseline?kpi_id={world['kpi'].id}&period_kind=month", "/coaching/?month=2026-03",
             "/goals/?period=past", "/actions/board?status=open&overdue=1"]
    return sorted(set(urls))


# Written on every request, refused or not: when a token or a user was last seen.
TOUCHED_COLUMNS = {"last_used_at", "last_login_at"}
# The audit trail records failed logins and lockouts: a refusal that writes, by design.
REFUSALS_RECORDED = ("login_failed", "lockout")


def fingerprint() -> dict:
    """Row counts and a checksum of every table's rows: equal before and after means nothing changed."""
    result = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in TOUCHED_COLUMNS]
            stmt = select(*columns)
            if table.name == "audit_entry":  # a refused login (422) is recorded on purpose
                stmt = stmt.where(table.c.action.not_in(REFUSALS_RECORDED))
            rows = conn.execute(stmt).all()
            result[table.name] = (len(rows), hash(tuple(sorted(map(repr, rows)))))
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


FAR_DATE = date(9999, 12, 31)


def build_group(make_user, make_store) -> dict:
    """Three stores under one general manager (home store North), in a known order of need:
    East is worst (a goal off track, KPIs below target, seven overdue items, one extended twice,
    no weekly meeting held), South in between (one overdue item, three of four meetings held),
    North fine (its goal on track, every meeting held, its manager assessed capable)."""
    from app.auth.models import Store
    from app.dashboard.group import due_days
    from app.kpis.models import KpiValue
    from app.kpis.services import kpi_by_code
    from app.meetings.models import CLOSED
    from app.months import month_start, previous_month
    from app.reviews.models import DUTY_KEYS

    today = local_today()
    north = db.session.scalar(select(Store).where(Store.code == "N1")) or make_store("N1", "North store")
    east, south = make_store("E1", "East store"), make_store("S9", "South store")
    gm = make_user(GM, north, username="g_gm", name="GM Wang")
    managers = {s.code: make_user(MANAGER, s, username=f"g_mgr_{s.code.lower()}", name=f"Manager {s.code}")
                for s in (north, east, south)}
    staff = {s.code: make_user(STAFF, s, username=f"g_staff_{s.code.lower()}", name=f"Advisor {s.code}")
             for s in (north, east, south)}
    gm.extra_stores.extend([east, south])
    db.session.commit()
    resolution, delivery = kpi_by_code("RESOLUTION_RATE"), kpi_by_code("ON_TIME_DELIVERY")
    last = previous_month(today)
    # A month goal for this month, judged on this month's value (so it has data on any day).
    goals_made = {}
    for store, actual in ((north, 93.0), (east, 89.7)):
        goal = goals.create_goal(store_id=store.id, kpi=resolution, person_id=None, period_kind="month",
                                 period_day=today, target=92, baseline=87.5, owner_id=managers[store.code].id,
                                 created_by_id=managers[store.code].id, title=f"Resolution {store.code}")
        goals_made[store.code] = goal
        db.session.add(KpiValue(kpi_id=resolution.id, store_id=store.id, person_id=None, subject_key=0,
                                month=month_start(today), value=actual, source="demo"))
    for store, res, deliv in ((north, 95.0, 97.0), (east, 80.0, 90.0), (south, 91.0, 94.0)):
        for kpi, value in ((resolution, res), (delivery, deliv)):
            db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=None, subject_key=0,
                                    month=last, value=value, source="demo"))
    db.session.commit()
    for store, overdue in ((east, 7), (south, 1)):
        for n in range(overdue):
            item = create_action_item(store_id=store.id, title=f"Overdue {n}", owner_id=staff[store.code].id,
                                      deadline=today + timedelta(days=3), created_by_id=managers[store.code].id)
            db.session.flush()
            item.deadline = today - timedelta(days=2 + n)
            item.extension_count = 2 if (store is east and n == 0) else 0
    db.session.commit()
    days = due_days(0, today)
    for store, held in ((north, days), (south, days[1:])):
        for day in held:
            m = meetings.create_meeting(
                store_id=store.id, created_by_id=managers[store.code].id, attendee_ids=[], weekly_series=False,
                kind="weekly", theme="Weekly meeting", objective="", meeting_date=today + timedelta(days=7),
                start_time=time(8, 30), place="Room 1", chair_id=managers[store.code].id, minute_taker_id=None)
            db.session.flush()
            m.meeting_date, m.status = day, CLOSED
    db.session.commit()
    create_review(manager=managers["N1"], reviewer_id=gm.id, reviewed_on=today,
                  met=dict.fromkeys(DUTY_KEYS[:9], True),
                  remarks={})
    db.session.commit()
    return {"gm": gm, "stores": {"N1": north, "E1": east, "S9": south}, "managers": managers, "staff": staff,
            "goals": goals_made, "today": today}
