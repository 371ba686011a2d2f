"""axe-core (vendored, tests/browser/vendor) on the pages issue 14 touches, plus the dashboard, a
meeting and the action board, at a laptop's and a phone's width: no "serious" or "critical"
violation. axe is evaluated in the page, so the app's CSP stays as it is in production."""
import json
from pathlib import Path

import pytest

from app.auth.models import STAFF
from app.coaching import services as coaching
from app.extensions import db
from app.goals import services as goals
from app.kpis.services import ValueIn, kpi_by_code, upsert_values
from app.months import add_months, previous_month
from app.timeutils import local_today

from .steps import PHONE, ZH_LOGIN, log_in

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SERIOUS = ("serious", "critical")
# Violations in files another part of issue 14 owns (helper "group": templates/_chart.html). The
# chart's link carries an aria-label that differs from the SVG's visible tick labels; the fix is to
# drop that aria-label (the SVG's role="img" label then names the link). Remove this entry once it
# is merged: test_chart_links_are_named_by_their_visible_text below then passes.
# WCAG contrast ratio of an element's text colour against its own background colour.
CONTRAST = """selector => {
  const el = document.querySelector(selector), style = getComputedStyle(el);
  const lum = c => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const a = lum(style.color), b = lum(style.backgroundColor);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""
OWNED_ELSEWHERE: set = set()  # findings another part of the app answers for; none today


def violations(page, ignore=OWNED_ELSEWHERE) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    result = []
    for v in found:
        nodes = [n["target"] for n in v["nodes"] if (v["id"], " ".join(n["target"])) not in ignore]
        if v["impact"] in SERIOUS and nodes:
            result.append({"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": nodes[:5]})
    return result


@pytest.fixture
def world(store, manager, make_user, make_meeting, make_item):
    advisor = make_user(STAFF, store, username="adv", position="service_advisor", name="Advisor Wang")
    today = local_today()
    last = previous_month(today)
    csi, ro = kpi_by_code("CSI"), kpi_by_code("PAID_RO")
    upsert_values(store.id, [ValueIn(csi.id, advisor.id, add_months(last, -i), 84 + i) for i in range(4)]
                  + [ValueIn(ro.id, None, add_months(last, -i), 1200.5 + i) for i in range(4)], source="grid")
    goal = goals.create_goal(store_id=store.id, kpi=ro, person_id=None, period_kind="year", period_day=today,
                             target=15000, baseline=None, owner_id=manager.id, created_by_id=manager.id)
    talk = coaching.start_session(store_id=store.id, person=advisor, manager_id=manager.id, kpi_ids=[csi.id],
                                  held_on=today)
    coaching.save_purpose(talk, "CSI below 90")
    db.session.commit()
    meeting = make_meeting(attendees=[advisor])
    make_item(advisor, meeting=meeting)
    late = make_item(advisor, title="Late call-backs", days=-5)
    from app.problems.services import raise_problem

    problem = raise_problem(store_id=store.id, raised_by_id=advisor.id, title="Lift 3 leaks oil", kind="comeback",
                            original_ro="RO-1118-023")
    db.session.commit()
    return {"goal": goal, "talk": talk, "advisor": advisor, "meeting": meeting, "item": late, "problem": problem,
            "month": today.replace(day=1), "csi": csi}


def pages(w) -> dict[str, str]:
    return {
        "kpi grid": "/kpis/grid?subject=store",
        "kpi month": f"/kpis/grid?subject=store&month={w['month']:%Y-%m}",
        "new goal": "/goals/new?kpi=PAID_RO",
        "goal": f"/goals/{w['goal'].id}",
        "coaching": "/coaching/",
        "coaching person": f"/coaching/people/{w['advisor'].id}",
        "coaching talk (step 2)": f"/coaching/sessions/{w['talk'].id}",
        "dashboard": "/dashboard/",
        "meeting": f"/meetings/{w['meeting'].id}",
        "action board": "/actions/board",
        "raise a problem": "/problems/new",
        "problem": f"/problems/{w['problem'].id}",
        "correct a problem": f"/problems/{w['problem'].id}/edit",
    }


@pytest.mark.parametrize("width", ["laptop", "phone"])
def test_no_serious_accessibility_violation(new_context, world, artifacts, width):
    kw = PHONE if width == "phone" else {"viewport": {"width": 1366, "height": 900}}
    page = new_context("en-US", **kw).new_page()
    log_in(page, "boss")
    report = {}
    for name, url in pages(world).items():
        page.goto(url)
        found = violations(page)
        if found:
            report[name] = found
    (artifacts / f"axe-{width}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    assert report == {}, json.dumps(report, indent=1, ensure_ascii=False)


def test_the_managers_other_pages_have_no_serious_violation(new_context, world, artifacts):
    """The lists and settings a manager uses beside the pages above, at laptop width, in Chinese."""
    page = new_context("zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, "boss", labels=ZH_LOGIN)
    report = {}
    for url in ("/meetings/", "/meetings/new", "/meetings/decisions", "/goals/", "/actions/mine", "/problems/",
                "/cases/", "/reports/", "/notifications/", "/notifications/preferences", "/account/",
                "/meetings/calendar-feed", "/meetings/settings"):
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        if found := violations(page):
            report[url] = found
    assert report == {}, json.dumps(report, indent=1, ensure_ascii=False)


def test_staff_pages_and_the_count_badge(new_context, world, artifacts):
    """Staff see the header's count badge (their open items) and their own pages."""
    page = new_context("en-US", **PHONE).new_page()
    log_in(page, "adv")
    report = {}
    for url in ("/actions/mine", "/kpis/grid", f"/coaching/people/{world['advisor'].id}",
                f"/kpis/grid?month={world['month']:%Y-%m}"):
        page.goto(url)
        if found := violations(page):
            report[url] = found
    # axe leaves a one-digit badge "incomplete" (too short to judge): measure it here
    assert page.locator(".topbar .count").count() >= 1
    assert page.evaluate(CONTRAST, ".topbar .count") >= 4.5
    assert report == {}, json.dumps(report, indent=1, ensure_ascii=False)


def test_chart_links_are_named_by_their_visible_text(new_context, world):
    page = new_context("en-US", viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, "boss")
    page.goto(f"/goals/{world['goal'].id}")
    assert violations(page, ignore=set()) == []
