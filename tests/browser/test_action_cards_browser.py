"""A staff member's action items on a phone (390×844): one tap for the status, the note on
demand, and why a deadline moved. Screenshots in both languages go to test-artifacts/."""
import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from app.actions.services import create_action_item
from app.auth.models import MANAGER, STAFF
from app.extensions import db
from app.meetings import services as meetings
from app.timeutils import local_today

from .steps import NO_RELOAD, PHONE, ZH_LOGIN, log_in

pytestmark = pytest.mark.browser


def four_items(store, boss, staff, names):
    """Four open items of one staff member; the first was extended in last week's review."""
    today = local_today()
    meeting = meetings.create_meeting(
        store_id=store.id, created_by_id=boss.id, attendee_ids=[staff.id], kind="weekly", theme=names["theme"],
        meeting_date=today - timedelta(days=1), start_time=time(8, 30), chair_id=boss.id, minute_taker_id=None)
    items = [create_action_item(store_id=store.id, title=title, owner_id=staff.id, created_by_id=boss.id,
                                deadline=today + timedelta(days=days))
             for title, days in zip(names["titles"], (-3, 2, 5, 9))]
    meetings.record_disposition(meeting, items[0], boss.id, "extended", names["reason"], today + timedelta(days=7))
    db.session.commit()
    return items


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_staff_items_on_the_phone(lang, new_context, make_store, make_user, artifacts):
    zh = lang == "zh"
    names = {
        "theme": "售后周例会" if zh else "Weekly meeting",
        "titles": (["回访本周所有投诉客户", "整理返修车型清单", "更新工位利用率周报", "预约客户提前备件"] if zh else
                   ["Call back every complaining customer", "List the comeback models",
                    "Update the bay utilisation report", "Parts ready the day before"]),
        "reason": "等厂家技术通报" if zh else "Waiting for the maker's bulletin",
    }
    store = make_store("S1", "一号店" if zh else "First store")
    boss = make_user(MANAGER, store, username="mgr", name="李经理" if zh else "Manager Li")
    staff = make_user(STAFF, store, username="zhang", name="张伟" if zh else "Advisor Zhang")
    items = four_items(store, boss, staff, names)
    words = ({"mine": "我的行动项", "note": "填写进展", "label": "进展说明", "save": "保存进展", "done": "已完成",
              "started": "进展已保存，状态已改为“进行中”。", "extended": "李经理于"} if zh else
             {"mine": "My action items", "note": "Write a progress note", "label": "Progress note", "save": "Save note",
              "done": "Done", "started": "Note saved. The item is now in progress.", "extended": "Extended by Manager Li"})

    page = new_context("zh-CN" if zh else "en-US", **PHONE).new_page()
    log_in(page, "zhang", **({"labels": ZH_LOGIN} if zh else {}))
    page.get_by_role("link", name=re.compile("^" + words["mine"])).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["mine"])
    cards = page.locator("article.item-card")
    expect(cards).to_have_count(4)
    # Compact: four cards fit in about one and a half screens, no select or textarea in sight.
    assert page.evaluate("document.documentElement.scrollHeight") < 844 * 1.8
    expect(page.locator("article.item-card textarea").first).to_be_hidden()
    page.screenshot(path=artifacts / f"10-staff-items-phone-{lang}.png", full_page=True)

    extended = cards.filter(has_text=items[0].title)
    expect(extended.locator(".extension")).to_contain_text(words["extended"])
    expect(extended.locator(".extension")).to_contain_text(names["reason"])

    # The note on demand: open, write, save; the open item moves to in progress and says so.
    page.evaluate(NO_RELOAD)
    card = cards.filter(has_text=items[1].title)
    card.get_by_text(words["note"]).click()
    card.get_by_label(words["label"]).fill("已打 5 个电话" if zh else "Called 5 of 9")
    page.screenshot(path=artifacts / f"11-staff-note-open-phone-{lang}.png")
    card.get_by_role("button", name=words["save"]).click()
    expect(card.get_by_role("status")).to_have_text(words["started"])
    expect(card.locator(".badge.status-in_progress")).to_be_visible()

    # One tap: done.
    card.get_by_role("button", name=words["done"], exact=True).click()
    expect(card.locator(".badge.status-done")).to_have_text(words["done"])
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=artifacts / f"12-staff-items-after-phone-{lang}.png", full_page=True)
