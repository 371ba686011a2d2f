"""The bell in a real browser: a staff member sees the count rise without reloading (htmx every
minute, here sped up by triggering the bell's refresh), opens the notification and lands on the item,
and the count falls. Works on a phone too. Screenshots go to test-artifacts/."""
import re

import pytest
from playwright.sync_api import expect

from app.actions.services import create_action_item
from app.auth.models import MANAGER, STAFF
from app.extensions import db
from app.timeutils import local_today

from .steps import NO_RELOAD, PHONE, ZH_LOGIN, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_bell_counts_opens_and_marks_read(lang, new_context, make_store, make_user, artifacts):
    zh = lang == "zh"
    store = make_store("BELL")
    boss = make_user(MANAGER, store, username="bellboss", name="李经理" if zh else "Manager Li")
    staff = make_user(STAFF, store, username="bellstaff", name="张伟" if zh else "Zhang Wei")
    context = new_context("zh-CN" if zh else "en-US", **PHONE)
    page = context.new_page()
    log_in(page, "bellstaff", **({"labels": ZH_LOGIN} if zh else {}))
    page.goto("/actions/mine")
    bell = page.locator("#bell")
    expect(bell.locator(".count")).to_have_count(0)
    page.evaluate(NO_RELOAD)

    title = "回访本周所有投诉客户" if zh else "Call back every complaining customer"
    item = create_action_item(store_id=store.id, title=title, owner_id=staff.id, created_by_id=boss.id,
                              deadline=local_today())
    db.session.commit()
    # The bell asks every 60 s; a test does not wait a minute: it sends the event the bell also listens to.
    page.evaluate("htmx.trigger(document.body, 'notificationsChanged')")
    expect(page.locator("#bell .count")).to_contain_text("1")
    assert page.evaluate("window.__noReload") is True  # counted without reloading the page
    page.screenshot(path=artifacts / f"notifications-bell-{lang}.png")

    page.locator("#bell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("通知" if zh else "Notifications")
    page.screenshot(path=artifacts / f"notifications-list-{lang}.png", full_page=True)
    page.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(page).to_have_url(re.compile(rf"/actions/{item.id}$"))
    expect(page.locator("#bell .count")).to_have_count(0)
