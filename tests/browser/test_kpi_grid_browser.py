"""Two people edit the same KPI cell in a real browser: the later save is refused in the cell, which
shows the other value, and "Keep mine" then saves over it on purpose."""
from datetime import date

import pytest
from playwright.sync_api import expect

from app.auth.models import MANAGER
from app.extensions import db
from app.kpis.models import KpiValue
from app.kpis.services import ValueIn, kpi_by_code, upsert_values

from .steps import log_in

pytestmark = pytest.mark.browser


def test_the_later_save_of_one_cell_is_refused_and_can_keep_mine(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "First store")
    make_user(MANAGER, store, username="mgr", name="Manager Li")
    make_user(MANAGER, store, username="deputy", name="Deputy Sun")
    kpi = kpi_by_code("PAID_RO")
    upsert_values(store.id, [ValueIn(kpi.id, None, date(2026, 4, 1), 300)], source="grid")
    db.session.commit()
    pages = []
    for username in ("mgr", "deputy"):
        page = new_context("en-US", viewport={"width": 1280, "height": 900}).new_page()
        log_in(page, username)
        page.goto("/kpis/grid?subject=store&year=2026")
        pages.append(page)
    first, second = pages

    first.get_by_label("Paid repair orders, Apr 2026").fill("321")
    first.get_by_label("Paid repair orders, Apr 2026").press("Enter")
    expect(first.locator(f"#cell-{kpi.id}-4")).to_contain_text("Saved")

    cell, box = second.locator(f"#cell-{kpi.id}-4"), second.get_by_label("Paid repair orders, Apr 2026")
    box.fill("999")
    box.press("Enter")
    expect(cell.get_by_role("alert")).to_contain_text("Not saved: Manager Li changed this value to 321")
    expect(box).to_have_value("321")
    second.screenshot(path=artifacts / "40-kpi-cell-conflict.png")
    db.session.expire_all()
    assert db.session.scalar(db.select(KpiValue.value)) == 321

    cell.get_by_role("button", name="Keep mine: 999").click()
    expect(cell).to_contain_text("Saved")
    expect(box).to_have_value("999")
    db.session.expire_all()
    assert db.session.scalar(db.select(KpiValue.value)) == 999
