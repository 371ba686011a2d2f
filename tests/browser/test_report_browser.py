"""The service manager drafts October's monthly review in a real browser: writes the summary (saved
as typed), publishes it after the confirmation, and downloads its PDF; screenshots at laptop and
phone width, in English and Chinese (test-artifacts/)."""
import io
import re

import pytest
from playwright.sync_api import expect

from .. import report_world
from .steps import PHONE, ZH_LOGIN, log_in

pytestmark = pytest.mark.browser


def test_manager_drafts_publishes_and_downloads_the_monthly_review(new_context, make_user, make_store, artifacts):
    store = make_store("S1", "First store")
    world = report_world.build(make_user, store)
    page = new_context("en-US", viewport={"width": 1366, "height": 900}, accept_downloads=True).new_page()
    log_in(page, world["manager"].username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monthly and year-end summaries")
    page.get_by_label("Review", exact=True).select_option("month")
    page.get_by_label("Month").fill("2025-10")
    page.get_by_role("button", name="Open the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly summary: First store · Oct 2025")
    expect(page.locator("#fig-weekly")).to_have_text("3 of 4")
    expect(page.locator("#fig-opened")).to_have_text("5")

    page.get_by_label("Overall summary").fill("October: satisfaction up to 90, callbacks on time.")
    page.get_by_label("Next period's priorities and plan").fill("Close the three overdue items.")
    expect(page.locator("#report-save-status")).to_contain_text("Saved", timeout=10000)
    page.screenshot(path=artifacts / "60-report-draft-1366.png", full_page=True)

    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the review")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator("#report-state")).to_contain_text("Published")
    expect(page.locator("#text-summary")).to_have_text("October: satisfaction up to 90, callbacks on time.")
    page.screenshot(path=artifacts / "61-report-published-1366.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = artifacts / "62-report-en.pdf"
    download.value.save_as(path)
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Monthly summary" in text and "satisfaction up to 90" in text

    # The same review in Chinese, on a phone, and its PDF.
    phone = new_context("zh-CN", **PHONE, accept_downloads=True).new_page()
    log_in(phone, world["manager"].username, ZH_LOGIN)
    phone.goto(re.sub(r"^https?://[^/]+", "", page.url))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("月度小结")
    phone.screenshot(path=artifacts / "63-report-published-390-zh.png", full_page=True)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载 PDF").click()
    download.value.save_as(artifacts / "64-report-zh.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO((artifacts / "64-report-zh.pdf").read_bytes())).pages)
    assert "月度小结" in text and "总体小结" in text
