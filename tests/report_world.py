"""A small fixture store for the monthly and year-end reviews, with every figure of October 2025
computed by hand (see the comments): tests/test_reports.py checks the report against them."""
from datetime import date, datetime, time

from app.actions.models import CANCELLED, DONE, OPEN, ActionItem, ActionItemUpdate
from app.auth.models import GM, MANAGER, STAFF
from app.coaching.models import CoachingSession
from app.extensions import db
from app.goals.models import DO, Goal
from app.kpis.models import Kpi, KpiValue
from app.meetings.models import ABSENT, CLOSED, EXCUSED, INVITED, MONTHLY, PRESENT, Attendance, Decision, Meeting
from app.reviews.services import create_review

OCTOBER = date(2025, 10, 1)


def kpi(code="TCSI", target=88.0):
    row = Kpi(code=code, name_zh="测试满意度", name_en="Test satisfaction", unit="percent", direction="higher",
              aggregation="mean", scope="store", default_target=target)
    db.session.add(row)
    db.session.flush()
    return row


def value(store, k, month, figure):
    db.session.add(KpiValue(kpi_id=k.id, store_id=store.id, subject_key=0, month=month, value=figure, source="grid"))


def meeting(store, chair, day, status=CLOSED, kind="weekly", theme="Weekly meeting"):
    m = Meeting(store_id=store.id, kind=kind, theme=theme, meeting_date=day, start_time=time(8, 30),
                chair_id=chair.id, created_by_id=chair.id, status=status)
    db.session.add(m)
    db.session.flush()
    return m


def item(store, owner, creator, created, deadline, status=OPEN, done_at=None):
    row = ActionItem(store_id=store.id, title="Item", owner_id=owner.id, deadline=deadline, original_deadline=deadline,
                     status=status, done_at=done_at, created_by_id=creator.id, created_at=created)
    db.session.add(row)
    db.session.flush()
    return row


def build(make_user, store):
    """The store of October 2025 (the department's clock is Asia/Shanghai, UTC+8)."""
    manager = make_user(MANAGER, store, username="boss", name="Manager Li")
    staff = make_user(STAFF, store, username="sa1", name="Advisor Zhang")
    staff2 = make_user(STAFF, store, username="sa2", name="Advisor Wang")
    gm = make_user(GM, store, username="gm1", name="GM Wang")
    for person in (manager, staff, staff2, gm):  # all on the team since before October 2025
        person.created_at = datetime(2024, 6, 1)
    db.session.flush()
    k = kpi()

    # Meetings. The usual weekday is Monday (no settings): Mondays of October 2025 are the 6th,
    # 13th, 20th and 27th -> 4 expected. Closed weekly meetings on the 6th, 13th and 27th -> 3 held;
    # the 20th is still planned (not held); one closed on 3 November is outside.
    m1 = meeting(store, manager, date(2025, 10, 6))
    m2 = meeting(store, manager, date(2025, 10, 13))
    meeting(store, manager, date(2025, 10, 20), status="planned")
    m3 = meeting(store, manager, date(2025, 10, 27))
    m_nov = meeting(store, manager, date(2025, 11, 3))
    # Attendance: present 4 (manager at all three, staff at m1) of 6 recorded (the staff absent at
    # m2, excused at m3; staff2's "not recorded" at m3 does not count) -> 66.67 %.
    for m, rows in ((m1, [(manager, PRESENT), (staff, PRESENT)]), (m2, [(manager, PRESENT), (staff, ABSENT)]),
                    (m3, [(manager, PRESENT), (staff, EXCUSED), (staff2, INVITED)]),
                    (m_nov, [(manager, PRESENT), (staff, PRESENT)])):
        for person, status in rows:
            db.session.add(Attendance(meeting_id=m.id, user_id=person.id, status=status))
    # Decisions: 2 at m1, 1 at m3 -> 3 (the one on 3 November is outside).
    for number, m in enumerate((m1, m1, m3, m_nov), start=1):
        db.session.add(Decision(store_id=store.id, meeting_id=m.id, number=number, text=f"Decision {number}",
                                created_by_id=manager.id))
    # The monthly review meeting in November, where October's review is presented.
    review_meeting = meeting(store, manager, date(2025, 11, 5), status="planned", kind=MONTHLY,
                             theme="October review")

    # Action items (times are UTC, as stored).
    # A: opened 2 Oct, due 10 Oct, done 9 Oct -> on time.
    item(store, staff, manager, datetime(2025, 10, 2, 2), date(2025, 10, 10), DONE, datetime(2025, 10, 9, 8))
    # B: opened 3 Oct, due 15 Oct, done 16 Oct 10:00 local -> late (overdue).
    item(store, staff, manager, datetime(2025, 10, 3, 2), date(2025, 10, 15), DONE, datetime(2025, 10, 16, 2))
    # C: opened 5 Oct, due 20 Oct, still open -> overdue and still open; extended on 18 Oct.
    c = item(store, staff, manager, datetime(2025, 10, 5, 2), date(2025, 10, 20))
    db.session.add(ActionItemUpdate(action_item_id=c.id, author_id=manager.id, at=datetime(2025, 10, 18, 3),
                                    event="extended"))
    db.session.add(ActionItemUpdate(action_item_id=c.id, author_id=manager.id, at=datetime(2025, 10, 19, 3),
                                    event="extended"))  # the same item twice: counted once
    # D: opened 6 Oct, due 5 Nov (not due in October); extended on 1 Nov (not in October).
    d = item(store, staff, manager, datetime(2025, 10, 6, 2), date(2025, 11, 5))
    db.session.add(ActionItemUpdate(action_item_id=d.id, author_id=manager.id, at=datetime(2025, 11, 1, 3),
                                    event="extended"))
    # E: opened in September, due 25 Oct, cancelled -> not counted as due.
    item(store, staff, manager, datetime(2025, 9, 20, 2), date(2025, 10, 25), CANCELLED)
    # F: 31 Oct 17:00 UTC is 1 Nov 01:00 in Shanghai -> opened in November, not October.
    item(store, staff, manager, datetime(2025, 10, 31, 17), date(2025, 11, 10))
    # G: 30 Sep 17:00 UTC is 1 Oct 01:00 local -> opened in October; due 31 Oct, done 31 Oct
    # 16:30 UTC = 1 Nov 00:30 local -> late.
    item(store, staff, manager, datetime(2025, 9, 30, 17), date(2025, 10, 31), DONE, datetime(2025, 10, 31, 16, 30))
    # -> opened 5 (A B C D G), due 4 (A B C G), on time 1 (A), overdue 3, still open 1 (C), extended 1 (C).

    # KPI: October 90, September 85, October 2024 80 -> +5 (+5.88 %) and +10 (+12.5 %);
    # attainment against the default target 88: 90 / 88.
    value(store, k, date(2025, 10, 1), 90.0)
    value(store, k, date(2025, 9, 1), 85.0)
    value(store, k, date(2024, 10, 1), 80.0)
    # A goal for 2025 on it, target 95, in Do: the mean of the months with data by 31 October
    # (September 85, October 90) is 87.5 -> attainment 87.5 / 95 = 92.11 %.
    db.session.add(Goal(store_id=store.id, kpi_id=k.id, title="CSI 95", period_kind="year",
                        period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), target=95.0,
                        owner_id=manager.id, stage=DO, created_by_id=manager.id))
    # Coaching: one talk with an agreed plan in October (staff), one left at step 1 (not counted)
    # -> 1 talk, 1 of 2 staff coached (50 %).
    db.session.add(CoachingSession(store_id=store.id, person_id=staff.id, manager_id=manager.id,
                                   held_on=date(2025, 10, 14), steps_done=3))
    db.session.add(CoachingSession(store_id=store.id, person_id=staff2.id, manager_id=manager.id,
                                   held_on=date(2025, 10, 15), steps_done=1))
    # The GM's assessment on 28 October: 9 duties met -> capable.
    from app.reviews.models import DUTY_KEYS
    create_review(manager=manager, reviewer_id=gm.id, reviewed_on=date(2025, 10, 28),
                  met={key: True for key in DUTY_KEYS[:9]}, remarks={})
    db.session.commit()
    return {"manager": manager, "staff": staff, "staff2": staff2, "gm": gm, "kpi": k,
            "review_meeting": review_meeting}
