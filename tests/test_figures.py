"""The display of a figure against its target (goals.figures) and chart gaps (kpis.charts)."""
import pytest

from app.goals.figures import figure, floor_percent, goal_figure
from app.goals.rules import AT_RISK, OFF_TRACK, ON_TRACK, progress
from app.kpis import charts
from app.months import month_start

PAGE_LANGUAGE = "en"


@pytest.fixture
def en(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def zh(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        yield


def test_floor_never_rounds_a_miss_up_to_100():
    assert floor_percent(0.99996) == 99.9 and floor_percent(0.9999) == 99.9
    assert floor_percent(1.0) == 100.0 and floor_percent(0.487) == 48.7 and floor_percent(1.234) == 123.4
    assert floor_percent(0.29) == 29.0  # 0.29 * 1000 is 289.999… in floating point


def test_csi_89_7_against_92_reads_as_2_3_short_not_49_percent(en):
    f = figure(actual=89.7, target=92, direction="higher", unit="score", unit_label="score", baseline=87.5)
    assert f.actual_text == "89.7" and f.target_text == "92"
    assert f.gap_text == "2.3 score short" and f.met is False
    assert f.state == OFF_TRACK and f.state_label == "Off track" and f.symbol == "✕"
    assert f.percent == 48.8 and f.bar == 48.8  # the bar, not a headline figure
    assert "89.7 against 92 score" in f.summary and "2.3 score short" in f.summary


def test_chinese_gap_in_the_unit(zh):
    f = figure(actual=89.7, target=92, direction="higher", unit="score", unit_label="分")
    assert f.gap_text == "差 2.3 分"
    pct = figure(actual=93.5, target=95, direction="higher", unit="percent", unit_label="%")
    assert pct.gap_text == "差 1.5 个百分点"
    assert figure(actual=None, target=95).state_label == "无数据"


def test_a_miss_never_shows_a_full_bar_or_100(en):
    f = figure(actual=94.99, target=95, direction="higher", unit="percent")
    assert f.met is False and f.percent == 99.9 and f.bar == 99.9 and f.percent_text == "99.9%"
    assert f.gap_text == "just short of target"
    met = figure(actual=95, target=95, direction="higher", unit="percent")
    assert met.met and met.bar == 100 and met.gap_text == "on target" and met.state == ON_TRACK


def test_below_the_baseline_is_words_not_a_negative_percentage(en):
    f = figure(actual=85, target=92, direction="higher", unit="score", unit_label="score", baseline=87.5)
    assert f.attainment < 0 and f.below_baseline and f.percent is None and f.bar == 0
    assert f.percent_text == "below the baseline" and "-" not in f.summary.replace("–", "")


def test_lower_is_better_and_bands(en):
    worse = figure(actual=2.5, target=1, direction="lower", unit="percent")
    assert worse.gap_text == "1.5 pts too high" and worse.state == OFF_TRACK
    better = figure(actual=0.8, target=1, direction="lower", unit="percent")
    assert better.gap_text == "0.2 pts better than target" and better.state == ON_TRACK and better.bar == 100
    inside = figure(actual=85, target=None, direction="band", unit="percent", band=(80, 90))
    assert inside.gap_text == "within the band" and inside.state == ON_TRACK and inside.target_text == "80–90"
    above = figure(actual=93, target=None, direction="band", unit="percent", band=(80, 90))
    assert above.gap_text == "3 pts above the band" and above.met is False


def test_counts_are_whole_and_grouped(en):
    f = figure(actual=1248.94, target=1500, direction="higher", unit="count", unit_label="orders")
    assert f.actual_text == "1,249" and f.gap_text == "251 orders short"


def test_no_data_and_no_target(en):
    none = figure(actual=None, target=95)
    assert none.state == "no_data" and none.gap_text == "no data" and none.bar == 0
    untargeted = figure(actual=90, target=None, direction="higher")
    assert untargeted.gap_text == "no target" and untargeted.state == "no_data"


def test_a_caller_status_stands_at_risk(en):
    f = figure(actual=92, target=95, direction="higher", unit="percent", state=AT_RISK)
    assert f.state == AT_RISK and f.state_label == "At risk" and f.symbol == "!"


def test_goal_figure_uses_the_target_to_date_of_a_summed_goal(en):
    from datetime import date

    class Kpi:
        direction, unit, unit_label, band_low, band_high = "higher", "count", "orders", None, None

    class Goal:
        kpi, target, baseline = Kpi(), 1200, None

    start = date(2026, 1, 1)
    p = progress(direction="higher", summed=True, target=1200, baseline=None, band=None, period_start=start,
                 period_end=date(2026, 12, 31), values={month_start(date(2026, m, 1)): 100 for m in range(1, 7)},
                 today=date(2026, 7, 15))
    f = goal_figure(Goal(), p)
    assert f.actual_text == "600" and f.target_text == "600" and f.state == ON_TRACK and f.gap_text == "on target"


def test_chart_line_breaks_at_missing_months():
    c = charts.line_chart([1.0, 2.0, None, 4.0, 5.0, None, 7.0], [str(i) for i in range(7)])
    assert [[p.slot for p in run] for run in c.segments] == [[0, 1], [3, 4], [6]]
    assert c.path.count("M") == 3 and c.path.count("L") == 2
    whole = charts.line_chart([1.0, 2.0, 3.0], ["a", "b", "c"])
    assert whole.path.count("M") == 1 and whole.path.count("L") == 2


def test_chart_month_labels_are_short_but_name_the_year_where_it_turns(zh):
    """Four labels fit a phone's chart: 2026年3月, 6月, 9月, 12月; a window across a year's turn
    names the year at January too."""
    from datetime import date

    from app.months import last_months

    year = last_months(date(2026, 12, 5), 12)
    labels = charts.month_labels(year)
    shown = [label for i, label in enumerate(labels) if (11 - i) % 3 == 0]
    assert shown == ["2026年3月", "6月", "9月", "12月"]
    across = charts.month_labels(last_months(date(2026, 8, 5), 12), 1)
    assert across[:2] == ["2025年9月", "10月"] and "2026年1月" in across and across[-1] == "8月"


def test_chart_shows_latest_value_and_direction(login, make_user, store):
    from app.auth.models import MANAGER
    from app.extensions import db
    from app.kpis.models import KpiValue
    from app.kpis.services import kpi_by_code
    from app.months import last_months
    from app.timeutils import local_today

    manager = make_user(MANAGER, store)
    kpi = kpi_by_code("COMPLAINT_RATE")
    months = last_months(local_today(), 4)
    for month, value in ((months[0], 2.0), (months[1], 1.5), (months[3], 1.2)):  # months[2] missing
        db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=None, subject_key=0, month=month,
                                value=value, source="demo"))
    db.session.commit()
    html = login(manager).get("/dashboard/").get_data(as_text=True)
    chart = html[html.index('<figure class="chart">'):]
    chart = chart[:chart.index("</figure>")]
    assert "Complaint rate" in chart and "Latest: 1.2% in" in chart and "Lower is better" in chart
    d = chart[chart.index('class="chart-line" d="') + 22:]
    assert d[:d.index('"')].count("M") == 2  # a gap for the missing month


def test_a_wild_value_is_no_data(en):
    for wild in (float("inf"), float("nan")):
        f = figure(actual=wild, target=95, direction="higher", unit="percent")
        assert f.state == "no_data" and f.percent is None and f.bar == 0 and f.actual_text == "—"


def test_fattainment_filter(en):
    from app.goals.figures import fattainment

    assert fattainment(0.99996) == "99.9%" and fattainment(1.0) == "100%" and fattainment(0.4) == "40%"
    assert fattainment(-0.2) == "below the baseline" and fattainment(None) == "—"
