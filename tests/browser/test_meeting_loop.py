"""The weekly-meeting loop in a real browser, clicked through as a manager and a staff member would.

Plan a meeting, add an action item, take minutes, close it; the owner reports the item done on a
phone; the next meeting of the series reviews it and verifies it. Screenshots go to test-artifacts/.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.actions.services import create_action_item
from app.auth.models import MANAGER, STAFF
from app.extensions import db
from app.timeutils import local_today

from .steps import NO_RELOAD, PHONE, ZH_LOGIN, log_in

pytestmark = pytest.mark.browser


def test_weekly_meeting_loop(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "First store")
    make_user(MANAGER, store, username="mgr", name="Manager Li")
    make_user(STAFF, store, username="zhang", name="Advisor Zhang")
    today = local_today()
    meeting_date = today + timedelta(days=7)
    deadline = today + timedelta(days=3)
    theme = "Complaints are rising"
    action = "Call back every complaining customer"

    # --- the manager plans the meeting -----------------------------------------------------
    boss = new_context("en-US").new_page()
    log_in(boss, "mgr")
    boss.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings", exact=True).click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Meetings")
    boss.get_by_role("link", name="New meeting").click()
    boss.get_by_label("Theme", exact=True).fill(theme)
    boss.get_by_label("Date", exact=True).fill(meeting_date.isoformat())
    boss.get_by_label("Start time", exact=True).fill("17:30")
    boss.get_by_label(re.compile(r"^Repeat every week")).check()
    boss.get_by_role("button", name="Create meeting").click()

    expect(boss.get_by_role("heading", level=1)).to_have_text(theme)
    meeting_url = boss.url
    agenda = boss.locator("#agenda")
    expect(agenda.get_by_role("heading", name=re.compile(r"Review of the last meeting's resolutions"))).to_be_visible()
    expect(agenda.get_by_role("heading", name=re.compile(r"^\d+\. Action plan"))).to_be_visible()

    # --- an action item, added without reloading the page ----------------------------------
    boss.evaluate(NO_RELOAD)
    actions = boss.locator("#meeting-actions")
    expect(actions.get_by_role("heading", name="Action items from this meeting")).to_be_visible()
    actions.get_by_label("Action", exact=True).fill(action)
    actions.get_by_label("Owner (responsible person)").select_option(label="Advisor Zhang · Service advisor")
    actions.get_by_label("Deadline", exact=True).fill(deadline.isoformat())
    actions.get_by_role("button", name="Add action item").click()
    row = actions.locator("tbody tr").filter(has_text=action)
    expect(row).to_contain_text("Advisor Zhang")
    expect(row).to_contain_text("Open")
    expect(actions.get_by_label("Action", exact=True)).to_have_value("")  # a fresh form for the next one
    assert boss.evaluate("window.__noReload") is True and boss.url == meeting_url

    # --- minutes, autosaved while typing -----------------------------------------------------
    theme_item = agenda.locator("section.agenda-item").filter(
        has=boss.get_by_role("heading", name=re.compile(r"Theme discussion")))
    theme_item.get_by_label("Minutes").fill("Most complaints are about waiting times at the service desk.")
    # No click on "Save minutes": the text is sent ~1.2 s after typing stops.
    expect(theme_item.locator(".minutes-status")).to_have_text(re.compile(r"^\s*Saved .+ by Manager Li\s*$"))
    assert boss.evaluate("window.__noReload") is True
    boss.screenshot(path=artifacts / "01-meeting-page.png", full_page=True)

    # --- close the meeting (a week early: the page asks, once) --------------------------------
    dialogs = []
    boss.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    boss.get_by_role("button", name="Close meeting").click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Close the meeting before it starts?")
    boss.get_by_label("Yes, close it before it has started").check()
    boss.get_by_role("button", name="Close meeting").click()
    expect(boss.locator(".badges .status-closed")).to_have_text("Closed")
    assert dialogs == []  # the browser's own question is for a meeting under way
    expect(boss.locator("#flashes")).to_contain_text("Meeting closed.")

    # --- the owner reports progress on a phone ----------------------------------------------
    phone = new_context("en-US", **PHONE).new_page()
    log_in(phone, "zhang")
    phone.get_by_role("link", name=re.compile(r"^My action items")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("My action items")
    card = phone.locator("article.item-card").filter(has_text=action)
    expect(card).to_have_count(1)
    expect(card.locator(".badge.status-open")).to_have_text("Open")
    phone.evaluate(NO_RELOAD)
    mine_url = phone.url
    card.get_by_text("Write a progress note").click()
    card.get_by_label("Progress note").fill("Called all 12 customers; 10 satisfied, 2 get a visit.")
    card.get_by_role("button", name="Save note").click()
    expect(card.get_by_role("status")).to_have_text("Note saved. The item is now in progress.")
    card.get_by_role("button", name="Done", exact=True).click()
    expect(card.get_by_role("status")).to_have_text("Saved.")
    expect(card.locator(".badge.status-done")).to_have_text("Done")
    expect(card).to_contain_text("Called all 12 customers")
    # The owner can go on reporting until the item is verified in a review.
    expect(card.get_by_text("Write a progress note")).to_be_visible()
    assert phone.url == mine_url and phone.evaluate("window.__noReload") is True
    phone.screenshot(path=artifacts / "02-my-action-items-phone.png", full_page=True)

    # --- the next meeting of the series reviews it ------------------------------------------
    boss.get_by_role("button", name="Create the next meeting of this series").click()
    boss.get_by_label("Theme", exact=True).fill("Waiting times at the desk")
    boss.get_by_role("button", name="Create the next meeting").click()
    expect(boss.locator("#flashes")).to_contain_text("The next meeting of the series was created.")
    expect(boss).not_to_have_url(meeting_url)
    expect(boss.get_by_role("heading", level=1)).to_have_text("Waiting times at the desk")
    expect(boss.locator(".badges .status-planned")).to_have_text("Upcoming")  # a week on: not held yet
    review_row = boss.locator("#review li.review-row").filter(has_text=action)
    expect(review_row).to_have_count(1)
    expect(review_row.locator(".badge.status-done")).to_have_text("Done")
    expect(review_row).to_contain_text("Called all 12 customers")
    boss.locator("#review").screenshot(path=artifacts / "03a-review-before-disposition.png")
    boss.evaluate(NO_RELOAD)
    review_row.get_by_role("button", name="Verified done").click()  # one tap, saved in place
    expect(review_row.locator(".disposition")).to_have_text("Verified done")
    expect(review_row.get_by_role("button", name="Verified done")).to_have_count(0)
    assert boss.evaluate("window.__noReload") is True
    boss.screenshot(path=artifacts / "03-next-meeting-review.png", full_page=True)


def test_my_action_items_in_chinese(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "一号店")
    boss = make_user(MANAGER, store, username="mgr", name="李经理")
    staff = make_user(STAFF, store, username="zhang", name="张伟")
    create_action_item(store_id=store.id, title="回访本周所有投诉客户", owner_id=staff.id,
                       deadline=local_today() + timedelta(days=3), created_by_id=boss.id, meeting_id=None)
    db.session.commit()

    page = new_context("zh-CN", **PHONE).new_page()
    log_in(page, "zhang", labels=ZH_LOGIN)
    page.get_by_role("link", name=re.compile(r"^我的行动项")).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("我的行动项")
    assert re.search(r"[\u4e00-\u9fff]", heading.inner_text())
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("article.item-card")).to_contain_text("回访本周所有投诉客户")
    page.screenshot(path=artifacts / "04-my-action-items-zh-phone.png", full_page=True)
