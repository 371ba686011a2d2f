"""The KPI grid on a phone and on a laptop (issue 14): a phone chooses the month first and enters one
value in a labelled list; a 1366 px laptop sees the current month without scrolling sideways."""
import pytest
from playwright.sync_api import expect

from app.auth.models import MANAGER
from app.extensions import db
from app.formatting import fmonth
from app.kpis.models import KpiValue
from app.kpis.services import kpi_by_code
from app.timeutils import local_today

from .steps import PHONE, log_in

pytestmark = pytest.mark.browser


def test_a_phone_chooses_the_month_and_enters_one_value(new_context, make_store, make_user, artifacts, app):
    store = make_store("S1", "First store")
    make_user(MANAGER, store, username="mgr", name="Manager Li")
    month = local_today().replace(day=1)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        month_name = fmonth(month)
    page = new_context("en-US", **PHONE).new_page()
    log_in(page, "mgr")
    page.goto("/kpis/grid?subject=store")
    expect(page.locator(".kpi-grid")).to_be_hidden()  # no twelve unlabelled boxes
    chooser = page.get_by_role("navigation", name="Enter one month")
    expect(chooser).to_be_visible()
    page.screenshot(path=artifacts / "60-kpi-grid-phone-months.png", full_page=True)
    chooser.get_by_role("link", name=f"{month_name} · this month").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(month_name)

    box = page.get_by_label(f"Paid repair orders, {month_name}")
    box.fill("1234")
    box.press("Enter")
    kpi = kpi_by_code("PAID_RO")
    cell = page.locator(f"#cell-{kpi.id}-{month.month}")
    expect(cell).to_contain_text("Saved")
    expect(page.get_by_label(f"Paid repair orders, {month_name}")).to_have_value("1,234")
    page.screenshot(path=artifacts / "61-kpi-grid-phone-month.png", full_page=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(KpiValue.value).where(KpiValue.kpi_id == kpi.id)) == 1234


def test_a_laptop_sees_the_current_month_without_scrolling(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "First store")
    make_user(MANAGER, store, username="mgr", name="Manager Li")
    page = new_context("en-US", viewport={"width": 1366, "height": 800}).new_page()
    log_in(page, "mgr")
    page.goto("/kpis/grid?subject=store")
    current = page.locator(".kpi-grid th[data-current]")
    expect(current).to_be_visible()
    box = current.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1366
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # the page itself never scrolls sideways
    page.screenshot(path=artifacts / "62-kpi-grid-laptop.png")
