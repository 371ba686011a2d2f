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
    page.get_by_role("navigation", name="Main").get_by_text("More").click()
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

    # The printable page as the printer sees it: no navigation, no buttons, the charts.
    page.get_by_role("link", name="Printable version").click()
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".report-doc svg").first).to_be_visible()
    page.screenshot(path=artifacts / "61b-report-print.png", full_page=True)
    page.emulate_media(media="screen")
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


def test_gm_compares_the_stores_published_reviews(new_context, make_user, make_store, artifacts):
    from datetime import date

    from app.auth.models import MANAGER
    from app.extensions import db
    from app.reports import services
    from app.timeutils import local_today

    store = make_store("S1", "First store")
    world = report_world.build(make_user, store)
    second = make_store("S2", "Second store")
    other_manager = make_user(MANAGER, second, username="boss2")
    world["gm"].extra_stores.append(second)
    for manager in (world["manager"], other_manager):
        report = services.start_report(manager.store_id, "month", report_world.OCTOBER, manager.id, local_today())
        services.publish(report, report.version, manager.id, local_today())
    services.start_report(store.id, "month", date(2025, 11, 1), world["manager"].id, local_today())
    db.session.commit()
    page = new_context("zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, world["gm"].username, ZH_LOGIN)
    page.goto("/reports/group?kind=month&month=2025-10")
    expect(page.get_by_role("heading", level=1)).to_contain_text("集团数据对比")
    expect(page.locator(".group-table")).to_contain_text("Second store")
    page.screenshot(path=artifacts / "65-report-group-1366-zh.png", full_page=True)
    page.goto("/reports/")
    page.screenshot(path=artifacts / "66-report-archive-1366-zh.png", full_page=True)
    phone = new_context("en-US", **PHONE).new_page()
    log_in(phone, world["gm"].username)
    phone.goto("/reports/group?kind=month&month=2025-10")
    expect(phone.locator(".group-table")).to_contain_text("3 of 4")
    phone.screenshot(path=artifacts / "67-report-group-390.png", full_page=True)


def test_two_editors_of_one_review_lose_no_text(new_context, make_user, make_store, artifacts):
    from app.extensions import db
    from app.reports import services
    from app.timeutils import local_today

    store = make_store("S1", "First store")
    world = report_world.build(make_user, store)
    report = services.start_report(store.id, "month", report_world.OCTOBER, world["manager"].id, local_today())
    db.session.commit()
    first, second = (new_context("en-US", viewport={"width": 1366, "height": 900}).new_page() for _ in range(2))
    for page in (first, second):
        log_in(page, world["manager"].username)
        page.goto(f"/reports/{report.id}")
    first.get_by_label("Overall summary").fill("Written in the first tab.")
    expect(first.locator("#report-save-status")).to_contain_text("Saved", timeout=10000)
    second.get_by_label("Overall summary").fill("Written in the second tab.")
    status = second.locator("#report-save-status")
    expect(status).to_contain_text("Someone else saved this review", timeout=10000)
    expect(status).to_contain_text("Written in the first tab.")
    expect(second.get_by_label("Overall summary")).to_have_value("Written in the second tab.")
    second.screenshot(path=artifacts / "68-report-conflict-1366.png", full_page=True)
    status.get_by_role("button", name="Keep my text and replace theirs").click()
    expect(status).to_contain_text("Saved", timeout=10000)
    first.reload()
    expect(first.get_by_label("Overall summary")).to_have_value("Written in the second tab.")


def test_text_typed_while_offline_is_restored_and_saved(new_context, make_user, make_store):
    from app.extensions import db
    from app.reports import services
    from app.reports.models import Report
    from app.timeutils import local_today

    store = make_store("S1", "First store")
    world = report_world.build(make_user, store)
    report = services.start_report(store.id, "month", report_world.OCTOBER, world["manager"].id, local_today())
    db.session.commit()
    context = new_context("en-US", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, world["manager"].username)
    page.goto(f"/reports/{report.id}")
    context.set_offline(True)
    page.get_by_label("What went well").fill("Typed on a train without signal.")
    expect(page.locator("#flashes")).to_contain_text("Not saved", timeout=10000)
    context.set_offline(False)
    page.reload()
    expect(page.get_by_label("What went well")).to_have_value("Typed on a train without signal.")
    expect(page.locator("#flashes")).to_contain_text("restored")
    expect(page.locator("#report-save-status")).to_contain_text("Saved", timeout=10000)
    db.session.expire_all()
    assert db.session.get(Report, report.id).went_well == "Typed on a train without signal."
