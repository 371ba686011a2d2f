"""The meeting notice in a real browser: the manager sends it; the staff member's bell count rises,
the notification opens the meeting; after the meeting closes, the owner's bell shows their new item.
Screenshots (laptop and phone) go to test-artifacts/."""
import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from app.actions.services import create_action_item
from app.auth.models import MANAGER, STAFF
from app.extensions import db
from app.meetings import services as meetings
from app.timeutils import local_today

from .steps import PHONE, log_in

pytestmark = pytest.mark.browser


def test_notice_bell_and_new_items(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "First store")
    boss_user = make_user(MANAGER, store, username="mgr", name="Manager Li")
    zhang = make_user(STAFF, store, username="zhang", name="Advisor Zhang")
    theme = "Complaints are rising"
    meeting = meetings.create_meeting(
        store_id=store.id, created_by_id=boss_user.id, attendee_ids=[zhang.id], kind="weekly", theme=theme,
        objective="Halve complaints", meeting_date=local_today() + timedelta(days=7), start_time=time(8, 30),
        place="Room 2", chair_id=boss_user.id, minute_taker_id=None)
    db.session.commit()

    # The staff member, on a phone, before the notice: no unread count on the bell.
    staff = new_context("en-US", **PHONE).new_page()
    log_in(staff, "zhang")
    bell = staff.locator("#bell")
    expect(bell).to_be_visible()
    expect(bell.locator(".count")).to_have_count(0)

    # --- the manager sends the notice ----------------------------------------------------------
    boss = new_context("en-US", viewport={"width": 1366, "height": 900}).new_page()
    log_in(boss, "mgr")
    boss.goto(f"/meetings/{meeting.id}")
    notice = boss.locator("#notice")
    expect(notice).to_contain_text("No notice sent yet.")
    notice.get_by_role("button", name="Send notice").click()
    expect(boss.locator("#flashes")).to_contain_text("Notice sent to 2 attendees")
    # 7 days less the minutes since 08:30 today: 6 or 7 whole days, by the time of day the test runs.
    expect(boss.locator("#notice")).to_contain_text(re.compile(r"[67] days ahead: meets the three-day rule"))
    expect(boss.locator("#notice").get_by_role("button", name="Send update")).to_be_visible()
    boss.screenshot(path=str(artifacts / "notice-sent-laptop.png"), full_page=False)

    # --- the staff member's bell rises; the notification opens the meeting ----------------------
    staff.reload()
    expect(staff.locator("#bell .count")).to_contain_text("1")
    staff.screenshot(path=str(artifacts / "notice-bell-phone.png"))
    staff.locator("#bell").click()
    entry = staff.get_by_role("link", name=re.compile(rf"Meeting notice: {theme}"))
    expect(entry).to_be_visible()
    entry.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(theme)
    assert re.search(rf"/meetings/{meeting.id}$", staff.url)
    expect(staff.locator("#bell .count")).to_have_count(0)
    expect(staff.locator("#notice")).to_contain_text("Notice sent")
    expect(staff.get_by_role("button", name="Send notice")).to_have_count(0)

    # --- an action item for the staff member, then the manager closes the meeting -------------
    create_action_item(store_id=store.id, title="Call back every complaining customer", owner_id=zhang.id,
                       deadline=local_today() + timedelta(days=3), created_by_id=boss_user.id, meeting_id=meeting.id)
    db.session.commit()
    boss.goto(f"/meetings/{meeting.id}")
    boss.get_by_role("button", name="Close meeting").click()
    boss.get_by_label("Yes, close it before it has started").check()
    boss.get_by_role("button", name="Close meeting").click()
    expect(boss.locator("#flashes")).to_contain_text("Meeting closed.")

    # The owner's bell: their new item, and the minutes.
    staff.goto("/")
    expect(staff.locator("#bell .count")).to_be_visible()
    staff.locator("#bell").click()
    expect(staff.get_by_role("link", name=re.compile(rf"1 new action item for you from “{theme}”"))).to_be_visible()
    expect(staff.get_by_role("link", name=re.compile(rf"Minutes: {theme}"))).to_be_visible()
    staff.screenshot(path=str(artifacts / "notice-new-items-phone.png"), full_page=True)
    staff.get_by_role("link", name=re.compile(r"1 new action item for you")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("My action items")
    expect(staff.locator("main")).to_contain_text("Call back every complaining customer")
