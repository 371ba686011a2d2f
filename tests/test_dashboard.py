"""The dashboard: exceptions, goals, trend charts, store comparison, management health; its
services and chart geometry tested directly."""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.actions.models import CANCELLED, DONE
from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.dashboard import services
from app.extensions import db
from app.goals.models import CheckRecord, Goal, PlanStep
from app.kpis import charts
from app.kpis.models import Kpi, KpiValue
from app.meetings.models import CLOSED
from app.months import last_months, month_start, previous_month
from app.timeutils import local_today, utcnow

# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def today():
    return local_today()


@pytest.fixture
def kpi():
    def get(code):
        return db.session.scalar(select(Kpi).where(Kpi.code == code))
    return get


@pytest.fixture
def value(kpi):
    def add(code, store, month, figure, person=None):
        row = KpiValue(kpi_id=kpi(code).id, store_id=store.id, person_id=person.id if person else None,
                       subject_key=person.id if person else 0, month=month, value=figure)
        db.session.add(row)
        db.session.commit()
        return row
    return add


@pytest.fixture
def goal(kpi, today):
    def add(code, store, owner, target, person=None, baseline=None, start=None, end=None, title=""):
        start = start or date(today.year, 1, 1)
        g = Goal(store_id=store.id, kpi_id=kpi(code).id, person_id=person.id if person else None,
                 period_kind="year", period_start=start, period_end=end or date(today.year, 12, 31),
                 target=target, baseline=baseline, owner_id=owner.id, created_by_id=owner.id, stage="do",
                 title=title)
        db.session.add(g)
        db.session.commit()
        return g
    return add


@pytest.fixture
def store_b(make_store):
    return make_store("S2", "Second store")


def page(client, url="/dashboard/"):
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- the page per role --------------------------------------------------------------------

def test_requires_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_kpi_below_target_is_an_exception_with_a_new_goal_link(login, manager, store, value, today):
    value("COMPLAINT_RATE", store, previous_month(today), 2.5)  # lower is better, target 1
    html = page(login(manager))
    assert html.count("<h1") == 1
    assert "Complaint rate" in html
    assert "Open a PDCA goal" in html
    link = re.search(r'href="([^"]*goals/new[^"]*)"', html).group(1)
    assert "kpi=COMPLAINT_RATE" in link and "baseline=2.5" in link and "subject=store" in link


def test_kpi_with_an_active_goal_is_no_exception(login, manager, store, value, goal, today):
    value("COMPLAINT_RATE", store, previous_month(today), 2.5)
    goal("COMPLAINT_RATE", store, manager, target=1)
    html = page(login(manager))
    assert "Open a PDCA goal" not in html


def test_goal_shows_target_actual_attainment_and_status(login, manager, store, value, goal, today):
    g = goal("LABOUR_EFFICIENCY", store, manager, target=100, start=month_start(today),
             end=month_start(today) + timedelta(days=27), title="Efficiency to 100")
    value("LABOUR_EFFICIENCY", store, month_start(today), 80)
    html = page(login(manager))
    assert f'href="/goals/{g.id}"' in html
    goals = html[html.index('id="h-goals"'):]
    row = goals[goals.index("Efficiency to 100"):]
    row = row[:row.index("</tr>")]
    # Actual against target with the gap in the KPI's unit, not a bare percentage (goals.figures).
    assert ">100%<" in row and "<strong>80</strong> / 100%" in row and "20 pts short" in row
    assert "Off track" in row and "state-off_track" in row and "✕" in row
    # Off track and not checked this month: also an exception, and in the management health list.
    exceptions = html[html.index('id="h-exceptions"'):html.index('id="h-goals"')]
    assert "Efficiency to 100" in exceptions


def test_checked_goal_is_no_exception(login, manager, store, value, goal, today):
    g = goal("LABOUR_EFFICIENCY", store, manager, target=100, title="Efficiency to 100")
    value("LABOUR_EFFICIENCY", store, month_start(today), 50)
    db.session.add(CheckRecord(goal_id=g.id, checked_on=today, deviation_source="execution", cause="people",
                               author_id=manager.id))
    db.session.commit()
    html = page(login(manager))
    exceptions = html[html.index('id="h-exceptions"'):html.index('id="h-goals"')]
    assert "Efficiency to 100" not in exceptions


def test_overdue_plan_step_is_an_exception(login, manager, store, goal, today):
    g = goal("LABOUR_EFFICIENCY", store, manager, target=100)
    db.session.add_all([
        PlanStep(goal_id=g.id, who_id=manager.id, what="Train the technicians", due=today - timedelta(days=2)),
        PlanStep(goal_id=g.id, who_id=manager.id, what="Due today, not late", due=today),
    ])
    db.session.commit()
    html = page(login(manager))
    assert "Overdue plan steps" in html and "Train the technicians" in html
    assert "Due today, not late" not in html


def test_a_long_exception_list_shows_the_latest_five_and_links_to_the_rest(login, manager, store, goal, today):
    g = goal("LABOUR_EFFICIENCY", store, manager, target=100)
    db.session.add_all([PlanStep(goal_id=g.id, who_id=manager.id, what=f"Step due {n} weeks ago",
                                 due=today - timedelta(weeks=n)) for n in range(1, 9)])
    db.session.commit()
    html = page(login(manager))
    card = html[html.index("Overdue plan steps"):html.index('id="h-goals"')]
    assert [f"Step due {n} weeks ago" in card for n in range(1, 9)] == [True] * 5 + [False] * 3
    assert card.index("Step due 1 weeks ago") < card.index("Step due 5 weeks ago")  # the latest first
    assert "and 3 more" in card and 'href="/goals/"' in card
    assert '<span class="count">8</span>' in html  # the count is of them all


def test_trend_chart_is_an_svg_with_line_and_target(login, manager, store, value, today):
    for back, figure in enumerate([97.0, 94.0, 91.0]):
        value("ON_TIME_DELIVERY", store, last_months(today, 3)[2 - back], figure)
    html = page(login(manager))
    start = html.index('<svg viewBox')  # the first chart (the meeting rhythm's bars are SVG too)
    svg = html[start:html.index("</svg>", start)]
    assert 'role="img"' in svg and "aria-label=" in svg and "On-time delivery" in svg
    assert '<path class="chart-line"' in svg and 'class="chart-target"' in svg and "stroke-dasharray" in svg
    assert svg.count("<circle") == 3 and "<title>" in svg
    assert "/kpis/grid" in html


def test_band_kpi_is_drawn_with_a_shaded_band(login, manager, store, value, today):
    value("BAY_UTILISATION", store, month_start(today), 70)
    html = page(login(manager))
    assert 'class="chart-band"' in html


@pytest.mark.parametrize("role", [GM, ADMIN])
def test_gm_and_admin_see_the_dashboard(login, make_user, store, value, role, today):
    value("COMPLAINT_RATE", store, previous_month(today), 2.5)
    html = page(login(make_user(role, store)))
    # Only the store's service manager opens goals: no button that would answer 403.
    assert "KPIs below target with no goal" in html and "Management health" in html
    assert "Open a PDCA goal" not in html and "/goals/new" not in html


def test_staff_see_their_own_goals_and_kpis(login, staff, manager, store, make_user, value, goal, today):
    other = make_user(STAFF, store, username="sa2")
    goal("CSI", store, manager, target=90, person=staff, title="My CSI goal")
    goal("CSI", store, manager, target=90, person=other, title="Someone else's goal")
    goal("COMPLAINT_RATE", store, manager, target=1, title="Store goal")
    value("CSI", store, month_start(today), 88, person=staff)
    value("FIRST_TIME_FIX", store, month_start(today), 90, person=other)
    value("COMPLAINT_RATE", store, previous_month(today), 2.5)
    html = page(login(staff))
    assert "My dashboard" in html and "My CSI goal" in html
    assert "Someone else" not in html and "Store goal" not in html
    assert "Customer satisfaction" in html and 'class="chart-line"' in html
    assert "Fixed right first time" not in html and "Open a PDCA goal" not in html
    assert "Management health" not in html


# --- store scoping ------------------------------------------------------------------------

def test_manager_of_another_store_sees_nothing_of_store_a(login, make_user, store, store_b, manager, value, goal,
                                                         today):
    value("COMPLAINT_RATE", store, previous_month(today), 2.5)
    value("ON_TIME_DELIVERY", store, month_start(today), 80)
    goal("LABOUR_EFFICIENCY", store, manager, target=100, title="Store A goal")
    boss_b = make_user(MANAGER, store_b, username="boss_b")
    html = page(login(boss_b))
    assert "Second store" in html
    assert "Store A goal" not in html and "Complaint rate" not in html and "chart-svg" not in html
    assert "Store comparison" not in html


def test_gm_with_two_stores_sees_the_comparison(login, make_user, store, store_b, value, today):
    gm = make_user(GM, store, username="gm_two")
    gm.extra_stores.append(store_b)
    db.session.commit()
    last = previous_month(today)
    value("ON_TIME_DELIVERY", store, last, 97)
    value("ON_TIME_DELIVERY", store_b, last, 80)
    html = page(login(gm))
    compare = html[html.index('id="h-compare"'):]
    assert "First store" in compare and "Second store" in compare
    assert "state-on_track" in compare and "state-off_track" in compare and ">97<" in compare and ">80<" in compare
    assert "15 pts short" in compare and "2 pts ahead of target" in compare


def test_manager_with_one_store_sees_no_comparison(login, manager, store, value, today):
    value("ON_TIME_DELIVERY", store, previous_month(today), 97)
    assert "Store comparison" not in page(login(manager))


# --- management health --------------------------------------------------------------------

def _closed_meeting(make_meeting, day, today):
    meeting = make_meeting(days_ahead=(day - today).days)
    meeting.status, meeting.closed_at = CLOSED, utcnow()
    db.session.commit()
    return meeting


def test_meeting_rhythm_counts_closed_meetings_per_month(make_meeting, store, today):
    months = last_months(today, 6)
    _closed_meeting(make_meeting, months[5], today)
    _closed_meeting(make_meeting, months[5], today)
    _closed_meeting(make_meeting, months[3] + timedelta(days=5), today)
    _closed_meeting(make_meeting, months[0] - timedelta(days=1), today)  # before the window
    make_meeting(days_ahead=-1 if today.day > 1 else 0)  # planned, never closed
    rhythm = services.meeting_rhythm(store.id, today)
    assert [m for m, _ in rhythm] == months
    assert [n for _, n in rhythm] == [0, 0, 0, 1, 0, 2]


def _item(make_item, owner, deadline, today, status=None, done_at=None):
    item = make_item(owner, days=(deadline - today).days)
    if status:
        item.status = status
    item.done_at = done_at
    db.session.commit()
    return item


def test_on_time_share_and_overdue_count(make_item, staff, store, today):
    due = today - timedelta(days=10)
    noon = datetime(due.year, due.month, due.day, 4)  # 04:00 UTC: the same day in the store's zone
    _item(make_item, staff, due, today, DONE, noon - timedelta(days=2))  # on time
    _item(make_item, staff, due, today, DONE, noon)  # on its deadline: on time
    _item(make_item, staff, due, today, DONE, noon + timedelta(days=3))  # late
    _item(make_item, staff, due, today)  # never done: late, and overdue
    _item(make_item, staff, due, today, CANCELLED)  # does not count
    _item(make_item, staff, today - timedelta(days=120), today)  # outside the window, but overdue
    _item(make_item, staff, today, today)  # due today: not yet judged, not overdue
    share = services.on_time_share(store.id, today)
    assert (share.on_time, share.total) == (2, 4)
    assert share.share == 0.5
    assert services.overdue_count(store.id, today) == 2


def test_on_time_share_without_items_is_unknown(store, today):
    assert services.on_time_share(store.id, today).share is None


def test_health_numbers_on_the_page(login, manager, staff, make_item, make_meeting, store, goal, today):
    _closed_meeting(make_meeting, today, today)
    due = today - timedelta(days=5)
    _item(make_item, staff, due, today, DONE, datetime(due.year, due.month, due.day, 4))
    _item(make_item, staff, due, today)
    goal("LABOUR_EFFICIENCY", store, manager, target=100, title="Unchecked goal")
    html = page(login(manager))
    health = html[html.index('id="h-health"'):html.index('id="h-trends"')]
    assert "50%" in health and "1 of 2 items" in health
    assert 'href="/actions/board?overdue=1">1<' in health
    assert "Unchecked goal" in health
    assert 'href="/meetings/">1<' in health


# --- queries ------------------------------------------------------------------------------

def _fill(store, manager, make_item, make_meeting, value, goal, today, start, n):
    codes = ["LABOUR_EFFICIENCY", "ON_TIME_DELIVERY", "PARTS_FILL_RATE", "RESOLUTION_RATE", "COMPLAINT_RATE"]
    for i in range(start, n):
        g = goal(codes[i % len(codes)], store, manager, target=100 + i, title=f"Goal {i}")
        db.session.add(PlanStep(goal_id=g.id, who_id=manager.id, what=f"Step {i}", due=today - timedelta(days=3)))
        _closed_meeting(make_meeting, today - timedelta(days=30 * i), today)
        _item(make_item, manager, today - timedelta(days=i + 1), today)
    for code in codes[start:n]:
        for month in last_months(today, 12):
            value(code, store, month, 90)


def test_query_count_does_not_grow_with_data(login, make_user, store, store_b, manager, make_item, make_meeting,
                                             value, goal, today, count_queries):
    gm = make_user(GM, store, username="gm_q")
    gm.extra_stores.append(store_b)
    db.session.commit()
    client = login(gm)
    _fill(store, manager, make_item, make_meeting, value, goal, today, 0, 1)
    with count_queries() as few:
        page(client)
    _fill(store, manager, make_item, make_meeting, value, goal, today, 1, 5)
    with count_queries() as many:
        html = page(client)
    assert "Goal 4" in html and "Step 4" in html
    assert many() == few()


# --- services -----------------------------------------------------------------------------

def test_trend_series_keeps_kpis_with_data_only(store, staff, value, kpi, today):
    months = last_months(today, 12)
    value("ON_TIME_DELIVERY", store, months[0], 90)
    value("ON_TIME_DELIVERY", store, months[11], 95)
    value("ON_TIME_DELIVERY", store, months[0] - timedelta(days=1), 10)  # 13 months ago: outside
    value("CSI", store, months[11], 88, person=staff)
    kpis = [kpi("ON_TIME_DELIVERY"), kpi("PARTS_FILL_RATE"), kpi("CSI")]
    [series] = charts.trend_series(store.id, kpis, today)
    assert series.kpi.code == "ON_TIME_DELIVERY"
    assert series.values[0] == 90 and series.values[11] == 95 and series.values[1:11] == [None] * 10
    assert series.latest == (months[11], 95)
    [mine] = charts.trend_series(store.id, kpis, today, person_id=staff.id)
    assert mine.kpi.code == "CSI"


def test_store_comparison_uses_the_latest_month(store, store_b, value, today):
    last, before = previous_month(today), previous_month(previous_month(today))
    value("ON_TIME_DELIVERY", store, before, 50)
    value("ON_TIME_DELIVERY", store, last, 95)
    value("PARTS_FILL_RATE", store_b, last, 90)
    value("CSI", store, last, 99)  # a person-scope KPI: not compared
    value("PARTS_FILL_RATE", store, month_start(today), 10)  # this month: still being entered
    comparison = services.store_comparison([store.id, store_b.id], today)
    assert comparison.month == last
    assert [k.code for k in comparison.kpis] == ["ON_TIME_DELIVERY", "PARTS_FILL_RATE"]
    otd = comparison.kpis[0].id
    assert comparison.cells[(otd, store.id)] == (95, 1.0)
    assert (otd, store_b.id) not in comparison.cells


# --- chart geometry -----------------------------------------------------------------------

def _chart(values, **kw):
    return charts.line_chart(values, [f"m{i}" for i in range(len(values))], **kw)


def test_chart_min_at_bottom_max_at_top():
    c = _chart([0.0, 50.0, 100.0])
    left, top, right, bottom = c.plot
    assert (c.low, c.high) == (0, 100)
    ys = [p.y for p in c.points]
    assert ys[0] == bottom and ys[2] == top and ys[1] == pytest.approx((top + bottom) / 2)
    assert c.points[0].x == left and c.points[2].x == right
    assert [t.label for t in c.y_ticks] == ["0", "25", "50", "75", "100"]
    assert c.polyline.count(",") == 3


def test_target_line_never_sits_on_the_axis():
    c = _chart([1.2, 1.4, 1.3], target=1.0)
    assert c.low < 1.0 and c.target_y < c.plot[3]


def test_chart_range_is_rounded_and_covers_the_target():
    c = _chart([83.0, 87.0, 91.0], target=95)
    assert c.low <= 83 and c.high >= 95
    assert c.plot[1] <= c.target_y <= c.plot[3]
    assert all(c.plot[1] <= p.y <= c.plot[3] for p in c.points)


def test_chart_with_one_point_sits_in_the_middle():
    c = _chart([None, None, 5.0, None])
    [p] = c.points
    left, top, right, bottom = c.plot
    assert p.slot == 2 and top < p.y < bottom
    single = _chart([5.0])
    assert single.points[0].x == (left + right) / 2


def test_chart_with_equal_values_has_a_range():
    c = _chart([7.0, 7.0, 7.0])
    assert c.low < 7 < c.high
    assert len({p.y for p in c.points}) == 1
    zero = _chart([0.0, 0.0])
    assert zero.low < 0 < zero.high


def test_chart_with_negative_values():
    c = _chart([-30.0, 10.0])
    assert c.low <= -30 and c.high >= 10
    assert c.points[0].y > c.points[1].y  # the negative value is lower down
    assert "-30" in [t.label for t in c.y_ticks] or c.low < -30


def test_chart_band_and_no_values():
    c = _chart([85.0], band=(80, 95))
    assert c.band_y[0] < c.band_y[1] and c.target_y is None
    empty = _chart([None, None])
    assert empty.points == [] and empty.polyline == ""


def test_chart_labels_the_latest_month():
    c = charts.line_chart([1.0] * 12, [f"m{i}" for i in range(12)])
    assert [t.label for t in c.x_ticks] == ["m2", "m5", "m8", "m11"]
    assert charts.nice_step(100) == 25


def test_chart_makes_room_for_long_value_labels():
    small, large = _chart([1.0, 2.0]), _chart([290000.0, 380000.0])
    assert large.plot[0] > small.plot[0]
    assert large.points[0].x == large.plot[0]
