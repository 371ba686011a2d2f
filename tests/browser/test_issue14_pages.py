"""The goal and coaching pages of issue 14 in a real browser, at 1366 and 390 px (screenshots in
test-artifacts/): the goal page leads with its chart and shows why its stage button is disabled;
the coaching list starts a talk with the KPI ticked; step 2 shows the gap before the remarks."""
import pytest
from playwright.sync_api import expect

from .steps import PHONE, log_in
from .test_accessibility import world  # noqa: F401 (the same small store)

pytestmark = pytest.mark.browser

SIZES = {"laptop": {"viewport": {"width": 1366, "height": 900}}, "phone": PHONE}


@pytest.mark.parametrize("size", list(SIZES))
def test_goal_pages(new_context, world, artifacts, size):  # noqa: F811
    page = new_context("en-US", **SIZES[size]).new_page()
    log_in(page, "boss")
    page.goto(f"/goals/{world['goal'].id}")
    chart = page.locator(".goal-chart svg")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["y"] < page.locator("#plan").bounding_box()["y"]
    button = page.get_by_role("button", name="Move on to Do")
    expect(button).to_be_disabled()
    expect(page.locator("#stage-refusal")).to_have_text(
        "Write at least one plan step (who does what, by when) before moving to Do.")
    expect(page.locator("#check details.stage-fold")).not_to_have_attribute("open", "")
    page.screenshot(path=artifacts / f"70-goal-{size}.png", full_page=True)
    page.goto("/goals/new?kpi=PAID_RO")
    expect(page.locator(".basis-facts")).to_contain_text("Current level")
    page.screenshot(path=artifacts / f"71-goal-new-{size}.png", full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_coaching_pages(new_context, world, artifacts, size):  # noqa: F811
    page = new_context("en-US", **SIZES[size]).new_page()
    log_in(page, "boss")
    page.goto("/coaching/")
    page.screenshot(path=artifacts / f"72-coaching-{size}.png", full_page=True)
    page.get_by_role("link", name="Start a talk with Advisor Wang about Customer satisfaction index (CSI)").click()
    expect(page.get_by_role("checkbox", name="Customer satisfaction index (CSI)")).to_be_checked()
    page.goto(f"/coaching/sessions/{world['talk'].id}")
    expect(page.locator("#gap-preview")).to_contain_text("short")
    page.screenshot(path=artifacts / f"73-coaching-step2-{size}.png", full_page=True)
