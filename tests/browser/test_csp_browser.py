"""The Content-Security-Policy in a real browser: the main pages, and their htmx widgets, work with no
inline script or style, and the browser reports no violation and no console error on the way.

The demo store gives every page something to show: the GM's and manager's dashboard, a meeting with
its review, the KPI grid (one cell edited in place), goals, coaching talks, the staff's own pages.
"""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.coaching.models import CoachingSession
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.goals.models import Goal
from app.meetings.models import PLANNED, Meeting

from .steps import log_in

pytestmark = pytest.mark.browser

# Every violation reaches Python at once, whatever page the browser is on by then.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.reportViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber].join(" "));
});
"""


@pytest.fixture
def demo():
    load_demo()
    db.session.commit()
    first = lambda stmt: db.session.scalars(stmt.limit(1)).one()  # noqa: E731
    return {
        "meeting": first(select(Meeting.id).where(Meeting.status == PLANNED).order_by(Meeting.meeting_date)),
        "talk": first(select(CoachingSession.id).order_by(CoachingSession.id)),
        "goal": first(select(Goal.id).order_by(Goal.id)),
        "staff1": first(select(User.id).where(User.username == "staff1")),
    }


@pytest.fixture
def watched(new_context):
    """A page whose CSP violations, console errors, script errors and failed loads are collected."""
    problems = []

    def open_page(**kw):
        page = new_context("en-US", viewport={"width": 1280, "height": 900}, **kw).new_page()
        page.expose_function("reportViolation", lambda text: problems.append(f"CSP {page.url}: {text}"))
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
                and problems.append(f"console {page.url}: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"script {page.url}: {e}"))
        # Failed loads by address instead of the console's bare "Failed to load resource" (no favicon).
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                and problems.append(f"HTTP {r.status} {r.url}"))
        return page

    return open_page, problems


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # htmx is running (its config read from the meta tag) and injected no <style> of its own.
    page.wait_for_function("window.htmx && htmx.config.allowEval === false")
    assert page.evaluate("document.querySelectorAll('style, [style]').length") == 0, path


def test_main_pages_run_under_the_csp(watched, demo, artifacts):
    open_page, problems = watched

    gm = open_page()
    log_in(gm, "gm", password=DEMO_PASSWORD)
    visit(gm, "/dashboard/")
    bars = gm.locator(".rhythm-bar svg")
    expect(bars.first).to_be_visible()
    assert max(bars.nth(i).bounding_box()["width"] for i in range(bars.count())) > 100  # sized by CSS
    gm.screenshot(path=artifacts / "40-csp-gm-dashboard.png", full_page=True)

    boss = open_page()
    log_in(boss, "manager", password=DEMO_PASSWORD)
    visit(boss, "/dashboard/")
    visit(boss, f"/meetings/{demo['meeting']}")
    row = boss.locator("#review li[data-unsettled]").first
    row_id = row.get_attribute("id")
    row.get_by_role("button", name="Escalate…").click()  # htmx asks for the reason in place
    boss.locator(f"#{row_id}").get_by_label("Reason", exact=True).fill("Needs the parts supplier")
    boss.locator(f"#{row_id}").get_by_role("button", name="Escalated").click()
    expect(boss.locator(f"#{row_id} .disposition-escalated")).to_be_visible()  # swapped in by htmx
    boss.screenshot(path=artifacts / "41-csp-meeting-review.png", full_page=True)
    visit(boss, f"/meetings/{demo['meeting']}/minutes")
    expect(boss.locator("button[data-print]")).to_be_visible()

    visit(boss, "/kpis/grid")
    cell = boss.locator("td.kpi-cell input[name=value]").first
    cell.fill("42")
    cell.blur()
    expect(boss.locator("td.kpi-cell").first.get_by_role("status")).to_have_text("Saved")
    visit(boss, "/goals/")
    visit(boss, f"/goals/{demo['goal']}")
    expect(boss.locator(".goal-status").first).not_to_have_css("background-color", "rgb(232, 236, 241)")
    visit(boss, "/coaching/")
    visit(boss, f"/coaching/sessions/{demo['talk']}")

    staff = open_page()
    log_in(staff, "staff1", password=DEMO_PASSWORD)
    for path in ("/actions/mine", f"/coaching/people/{demo['staff1']}", "/goals/", "/kpis/grid",
                 f"/meetings/{demo['meeting']}"):
        visit(staff, path)
    staff.screenshot(path=artifacts / "42-csp-staff-coaching.png", full_page=True)

    assert problems == []
