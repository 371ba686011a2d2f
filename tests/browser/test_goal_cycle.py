"""A store goal's PDCA cycle in a real browser, clicked through as a manager and a general manager would.

The manager creates a store goal on the complaint rate with a plan step that becomes an action item,
enters two months of actuals in the KPI grid (each cell saves in place), moves the goal to Check and
records a check; the general manager's dashboard shows the attainment and the trend chart.
Screenshots go to test-artifacts/.
"""
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_skeleton
from playwright.sync_api import Locator, expect

from app.auth.models import GM, MANAGER, STAFF
from app.timeutils import local_today

from .steps import NO_RELOAD, log_in

pytestmark = pytest.mark.browser


def choose(select: Locator, text: str) -> None:
    """Pick the option whose text starts with `text` (labels carry units and positions)."""
    option = select.locator("option").filter(has_text=re.compile("^" + re.escape(text)))
    expect(option).to_have_count(1)
    select.select_option(value=option.get_attribute("value"))


def fact(scope: Locator, term: str) -> Locator:
    """The <dd> of a <dt>term</dt> in a facts list."""
    return scope.locator("dl.facts > div").filter(
        has=scope.page.locator("dt", has_text=re.compile(f"^{re.escape(term)}$"))).locator("dd")


def goal_months(today: date) -> tuple[str, list[date]]:
    """A period containing today and the months (not in the future) whose actuals are entered.

    Two months of the current quarter when it has them, otherwise the year; in January only one
    month of any period containing today has begun, so only January is entered."""
    this_month = today.replace(day=1)
    if today.month == 1:
        return "Year", [this_month]
    previous = (this_month - timedelta(days=1)).replace(day=1)
    same_quarter = (previous.month - 1) // 3 == (this_month.month - 1) // 3
    return ("Quarter" if same_quarter else "Year"), [previous, this_month]


def test_goal_cycle_to_gm_dashboard(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "First store")
    make_user(MANAGER, store, username="mgr", name="Manager Li")
    make_user(STAFF, store, username="zhang", name="Advisor Zhang")
    make_user(GM, store, username="gm", name="General Manager Wang")
    today = local_today()
    period, months = goal_months(today)
    # Baseline 1.5 %, target 1.0 %, lower is better: a mean actual of 1.3 % is 40 % of the way there.
    values = [1.4, 1.2] if len(months) == 2 else [1.3]
    step_what = "Call back every complaining customer within 24 h"

    # --- the manager creates the store goal ------------------------------------------------
    boss = new_context("en-US").new_page()
    log_in(boss, "mgr")
    boss.get_by_role("navigation", name="Main").get_by_role("link", name="Goals", exact=True).click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Goals")
    boss.get_by_role("link", name="New goal", exact=True).click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("New goal")
    expect(boss.get_by_label("The store", exact=True)).to_be_checked()
    choose(boss.get_by_label("Period", exact=True), period)
    boss.get_by_label("Period start", exact=True).fill(today.isoformat())
    # Choosing the KPI refills the baseline from last year (htmx): none here, so it says so.
    with boss.expect_response(re.compile(r"/goals/new/baseline\?")):
        choose(boss.get_by_label("KPI", exact=True), "Complaint rate")
    expect(boss.locator("#baseline-field").get_by_role("status")).to_contain_text("No values from last year")
    boss.wait_for_load_state("networkidle")  # no baseline refill still on its way to overwrite ours
    boss.get_by_label("Target", exact=True).fill("1.0")
    boss.get_by_label("Baseline", exact=True).fill("1.5")
    expect(boss.get_by_label("Baseline", exact=True)).to_have_value("1.5")
    boss.get_by_role("button", name="Create goal").click()

    expect(boss.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Complaint rate · "))
    expect(boss.locator("#flashes")).to_contain_text("Goal created.")
    goal_url = boss.url
    assert re.search(r"/goals/\d+$", goal_url), goal_url
    figures = boss.locator("section[aria-labelledby=figures-h]")
    expect(fact(figures, "Target")).to_have_text(re.compile(r"^1 %"))
    expect(fact(figures, "Baseline")).to_have_text("1.5")
    expect(fact(figures, "Attainment")).to_have_text("—")
    expect(boss.get_by_role("navigation", name="PDCA stage").locator("[aria-current=step]")).to_contain_text("Plan")

    # --- a plan step that becomes an action item, without reloading ------------------------
    boss.evaluate(NO_RELOAD)
    plan = boss.locator("#plan")
    plan.get_by_label("What", exact=True).fill(step_what)
    choose(plan.get_by_label("Who", exact=True), "Advisor Zhang")
    plan.get_by_label("By when", exact=True).fill((today + timedelta(days=7)).isoformat())
    plan.get_by_role("button", name="Add plan step").click()
    step_row = plan.locator("tbody tr").filter(has_text=step_what)
    expect(step_row).to_contain_text("Advisor Zhang")
    step_row.get_by_role("button", name="Make it an action item").click()
    expect(step_row.get_by_role("link", name="Action item")).to_be_visible()
    expect(step_row.locator(".badge.status-open")).to_have_text("Open")
    assert boss.evaluate("window.__noReload") is True and boss.url == goal_url

    boss.get_by_role("button", name="Move on to Do").click()
    expect(boss.locator("#flashes")).to_contain_text("The goal is now in the Do stage.")
    expect(boss.get_by_role("navigation", name="PDCA stage").locator("[aria-current=step]")).to_contain_text("Do")

    # --- actuals typed into the KPI grid, each cell saved in place ---------------------------
    boss.get_by_role("navigation", name="Main").get_by_role("link", name="KPI values", exact=True).click()
    expect(boss.get_by_role("heading", level=1)).to_have_text(f"KPI values {today.year} · First store")
    expect(boss.get_by_label("Whose figures")).to_have_value("store")
    boss.evaluate(NO_RELOAD)
    grid_url = boss.url
    for month, value in zip(months, values, strict=True):
        label = f"Complaint rate, {format_skeleton('yMMM', month, locale='en')}"
        boss.get_by_label(label, exact=True).fill(f"{value:g}")
        boss.get_by_label(label, exact=True).blur()  # leaving the cell sends it
        cell = boss.locator("td.kpi-cell").filter(has=boss.get_by_label(label, exact=True))
        expect(cell.get_by_role("status")).to_have_text("Saved")
        expect(boss.get_by_label(label, exact=True)).to_have_value(f"{value:g}")
    assert boss.evaluate("window.__noReload") is True and boss.url == grid_url
    boss.screenshot(path=artifacts / "10-kpi-grid.png", full_page=True)

    # --- back on the goal: the figures, then Check ------------------------------------------
    boss.goto(goal_url)
    figures = boss.locator("section[aria-labelledby=figures-h]")
    expect(fact(figures, "Actual to date")).to_have_text("1.3")
    expect(fact(figures, "Attainment")).to_have_text("40%")
    expect(fact(figures, "Months with data")).to_contain_text(f"{len(months)} of ")
    boss.get_by_role("button", name="Move on to Check").click()
    expect(boss.locator("#flashes")).to_contain_text("The goal is now in the Check stage.")
    expect(boss.get_by_role("navigation", name="PDCA stage").locator("[aria-current=step]")).to_contain_text("Check")

    check = boss.locator("#check")
    expect(check.get_by_label("Checked on", exact=True)).to_have_value(today.isoformat())
    check.get_by_label("Deviation from the standard", exact=True).fill(
        "Two of nine complaining customers were called back after 24 h.")
    check.get_by_label("Where the deviation comes from", exact=True).select_option(label="Its execution")
    check.get_by_label("Cause", exact=True).select_option(label="People (人)")
    check.get_by_label("Analysis", exact=True).fill("The Saturday shift has no one assigned to call-backs.")
    check.get_by_role("button", name="Record the check").click()
    check_row = boss.locator("#check tbody tr").filter(has_text="Saturday shift")
    expect(check_row).to_have_count(1)
    expect(check_row.locator("td[data-label=Actual]")).to_have_text("1.3")
    expect(check_row.locator("td[data-label=Attainment]")).to_have_text("40%")
    expect(check_row.locator("td[data-label=From]")).to_have_text("Its execution")
    expect(check_row.locator("td[data-label=By]")).to_have_text("Manager Li")
    boss.screenshot(path=artifacts / "11-goal-page-checked.png", full_page=True)

    # --- the general manager's dashboard -----------------------------------------------------
    gm = new_context("en-US").new_page()
    log_in(gm, "gm")
    gm.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard", exact=True).click()
    expect(gm).to_have_url(re.compile(r"/dashboard/$"))
    expect(gm.get_by_role("heading", level=1)).to_have_text("Dashboard · First store")
    goals = gm.locator("section[aria-labelledby=h-goals]")
    goal_row = goals.locator("tbody tr").filter(has=gm.get_by_role("link", name="Complaint rate", exact=True))
    expect(goal_row).to_have_count(1)
    # Actual against target with the gap in the KPI's unit (goals.figures), not a bare percentage.
    expect(goal_row.locator("td[data-label=Actual] .figure-values")).to_have_text(re.compile(r"^\s*1\.3 / 1%\s*$"))
    expect(goal_row.locator("td[data-label=Actual] .figure-gap")).to_have_text("0.3 pts too high")
    chart = gm.locator("figure.chart").filter(has_text="Complaint rate")
    expect(chart).to_have_count(1)
    expect(chart.locator("svg")).to_be_visible()
    expect(chart.locator("svg path.chart-line")).to_have_count(1)
    assert chart.locator("svg path.chart-line").get_attribute("d").count("L") >= len(months) - 1
    expect(chart.locator("svg circle.chart-point")).to_have_count(len(months))
    gm.screenshot(path=artifacts / "12-gm-dashboard.png", full_page=True)

    # The figure opens the goal, which the general manager can read.
    goal_row.locator("td[data-label=Actual]").get_by_role("link").click()
    expect(gm).to_have_url(goal_url)
    expect(fact(gm.locator("section[aria-labelledby=figures-h]"), "Attainment")).to_have_text("40%")
    gm.screenshot(path=artifacts / "13-goal-page-gm.png", full_page=True)
