"""The general manager over three stores: the group overview is the start page, the worst store
comes first, its goals cell opens the store's goals and the goal that is off track. On a laptop
(1366 px) it is a table; on a phone (390 px) a ranked list of cards."""
import re

import pytest
from playwright.sync_api import expect

from ..world import build_group
from .steps import PHONE, ZH_LOGIN, log_in

pytestmark = pytest.mark.browser


def test_gm_finds_the_worst_store_and_its_goal_off_track(new_context, make_store, make_user, artifacts):
    group = build_group(make_user, make_store)
    east = group["stores"]["E1"]
    page = new_context("en-US", viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, group["gm"].username)
    expect(page).to_have_url(re.compile(r"/dashboard/group$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Group overview")
    rows = page.locator("tr.group-row")
    expect(rows).to_have_count(3)
    first = rows.first
    expect(first.locator("th")).to_contain_text("East store")
    expect(first.locator("th")).to_contain_text("Off track")
    expect(rows.nth(2).locator("th")).to_contain_text("North store")
    expect(first.locator("td[data-label='Goals off track']")).to_contain_text("1 off track")
    expect(first.locator("td[data-label='Action items']")).to_contain_text("7 overdue")
    expect(first.locator("td[data-label='Weekly meetings']")).to_contain_text("0 of 4 on time")
    # Fits a laptop: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=artifacts / "40-group-overview-1366.png", full_page=True)

    first.locator("td[data-label='Goals off track']").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/goals/$"))
    expect(page.locator("#store-switch")).to_have_value(str(east.id))  # the store was switched
    goal_row = page.locator(f"#goal-{group['goals']['E1'].id}")
    expect(goal_row).to_contain_text("Off track")
    expect(goal_row).to_contain_text("short")
    goal_row.get_by_role("link", name="Resolution E1").click()
    expect(page).to_have_url(re.compile(rf"/goals/{group['goals']['E1'].id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Resolution E1")
    page.screenshot(path=artifacts / "41-group-goal-off-track-1366.png", full_page=True)


def test_group_overview_on_a_phone_is_a_ranked_list(new_context, make_store, make_user, artifacts):
    group = build_group(make_user, make_store)
    page = new_context("zh-CN", **PHONE).new_page()
    log_in(page, group["gm"].username, labels=ZH_LOGIN)
    expect(page.get_by_role("heading", level=1)).to_have_text("集团概览")
    cards = page.locator("tr.group-row")
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("East store")
    # Cards, not a wide table: nothing wider than the phone, each card a block below the one before.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first["width"] <= 390 and second["y"] >= first["y"] + first["height"]
    expect(cards.first.locator("td[data-label='落后的目标']")).to_be_visible()
    page.screenshot(path=artifacts / "42-group-overview-390.png", full_page=True)


def test_store_dashboard_shows_figures_against_target(new_context, make_store, make_user, artifacts):
    group = build_group(make_user, make_store)
    for name, options in (("1366", {"viewport": {"width": 1366, "height": 900}}), ("390", PHONE)):
        page = new_context("zh-CN", **options).new_page()
        log_in(page, group["gm"].username, labels=ZH_LOGIN)
        page.locator("tr.group-row").first.locator("th").get_by_role("link", name="East store").click()
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        goals = page.locator("section[aria-labelledby=h-goals]")
        expect(goals).to_contain_text("差 2.3 个百分点")  # 89.7 against 92: the gap, not "49%"
        expect(goals).not_to_contain_text("49%")
        expect(goals.locator(".badge.state-off_track").first).to_contain_text("落后")
        expect(page.get_by_role("link", name="新建 PDCA 目标")).to_have_count(0)  # the GM may not open goals
        page.screenshot(path=artifacts / f"43-store-dashboard-{name}.png", full_page=True)
