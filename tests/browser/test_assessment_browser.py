"""The general manager assesses the service manager against the 14 duties in a real browser: the
running tally shows the verdict as boxes are ticked, and the saved assessment states it."""
import re

import pytest
from playwright.sync_api import expect

from app.auth.models import GM, MANAGER

from .steps import log_in

pytestmark = pytest.mark.browser


def test_gm_assesses_the_service_manager(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "First store")
    manager = make_user(MANAGER, store, username="mgr", name="Manager Li")
    make_user(GM, store, username="boss", name="GM Wang")
    page = new_context("en-US", viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, "boss")
    page.get_by_role("navigation", name="Main").get_by_text("More").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Manager assessments").click()
    row = page.locator(f"#manager-{manager.id}")
    expect(row).to_contain_text("Not assessed yet")
    row.get_by_role("link", name="New assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New assessment")

    tally = page.locator("#duty-tally")
    expect(tally).to_have_text("0 of 14 duties met: Not yet capable")
    duties = page.locator("input[type=checkbox][name^=met_]")
    expect(duties).to_have_count(14)
    for i in range(5):
        duties.nth(i).check()
    expect(tally).to_have_text("5 of 14 duties met: Basically capable")
    for i in range(5, 8):
        duties.nth(i).check()
    expect(tally).to_have_text("8 of 14 duties met: Capable")
    page.get_by_label("Remark on “Set revenue and satisfaction targets and activity plans”").fill(
        "Targets and the spring campaign planned on time")
    page.screenshot(path=artifacts / "30-assessment-form.png", full_page=True)
    page.get_by_role("button", name="Save assessment").click()

    expect(page).to_have_url(re.compile(r"/reviews/\d+$"))
    expect(page.get_by_text("Assessment saved: 8 of 14 duties met — Capable.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("8 / 14")
    expect(page.locator(".facts .verdict-capable")).to_have_text("Capable")
    expect(page.locator("tbody")).to_contain_text("Targets and the spring campaign planned on time")
    page.get_by_role("link", name="History").click()
    expect(page.locator("tbody tr")).to_have_count(1)
