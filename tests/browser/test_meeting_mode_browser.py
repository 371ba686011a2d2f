"""Meeting mode in a real browser: the weekly meeting of a real store, clicked through in Chinese
with its clicks counted, and screenshots of the page and the review on a laptop and a phone."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.auth.models import MANAGER, STAFF, User

from ..weekly_meeting import build_weekly_meeting
from .steps import PHONE, ZH_LOGIN, log_in

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
STAFF_ZH = ["张伟", "王芳", "李强", "赵敏", "陈杰", "刘洋"]
STAFF_EN = ["Advisor Zhang", "Advisor Wang", "Technician Li", "Technician Zhao", "Dispatcher Chen", "Parts Liu"]


def weekly_store(make_store, make_user, zh):
    store = make_store("S1", "一号店" if zh else "First store")
    boss = make_user(MANAGER, store, username="mgr", name="李经理" if zh else "Manager Li")
    staff = [make_user(STAFF, store, username=f"staff{n}", name=name)
             for n, name in enumerate(STAFF_ZH if zh else STAFF_EN, start=1)]
    return build_weekly_meeting(boss, staff, zh=zh)


def long_goal_title(store_id):
    from app.extensions import db
    from app.goals import services as goals
    from app.kpis.services import kpi_by_code
    from app.timeutils import local_today

    boss = db.session.scalar(db.select(User).where(User.username == "mgr"))
    goals.create_goal(store_id=store_id, kpi=kpi_by_code("ON_TIME_DELIVERY"), person_id=None, period_kind="year",
                      period_day=local_today(), target=96, baseline=90, owner_id=boss.id, created_by_id=boss.id,
                      title="全年按时交车率提升到 96% 并保持在全国经销商服务质量排名前十名以内的改进目标")
    db.session.commit()


@pytest.mark.parametrize("language", ["zh-CN", "en-US"])
def test_meeting_page_screenshots(language, new_context, make_store, make_user, artifacts):
    zh = language == "zh-CN"
    world = weekly_store(make_store, make_user, zh)
    long_goal_title(world.second.store_id)  # the goal picker's widest option must not widen the page
    url = f"/meetings/{world.second.id}"
    tag = "zh" if zh else "en"
    for name, device in (("laptop", LAPTOP), ("phone", PHONE)):
        page = new_context(language, **device).new_page()
        log_in(page, "mgr", labels=ZH_LOGIN if zh else ("Username", "Password", "Log in"))
        page.goto(url)
        bar = page.locator(".meeting-bar")
        expect(bar).to_be_visible()
        # Nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= device["viewport"]["width"]
        page.screenshot(path=artifacts / f"30-meeting-mode-{tag}-{name}.png")
        page.screenshot(path=artifacts / f"31-meeting-mode-{tag}-{name}-full.png", full_page=True)
        review = page.locator("#review")
        review.scroll_into_view_if_needed()
        review.screenshot(path=artifacts / f"32-review-{tag}-{name}.png")
        if name == "laptop":  # the first screen: the agenda, the current item, "+ action item"
            first_screen = page.viewport_size["height"]
            page.evaluate("window.scrollTo(0, 0)")
            toc = page.locator(".agenda-toc").bounding_box()
            current = page.locator("section.agenda-item.is-current").bounding_box()
            add = bar.get_by_role("link", name="+ 行动项" if zh else "+ Action item").bounding_box()
            assert toc["y"] + toc["height"] <= first_screen and current["y"] < first_screen - 100
            assert add["y"] + add["height"] <= first_screen
        else:  # the review of 10 rows in about two screens
            height = review.bounding_box()["height"]
            assert height <= 2.2 * page.viewport_size["height"], height


class Counted:
    """The manager's hands: every click, select and typed field goes through here and is counted."""

    def __init__(self, page):
        self.page, self.clicks, self.typed = page, 0, 0

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def select(self, locator, **kw):
        self.clicks += 1
        locator.select_option(**kw)

    def type(self, locator, text):
        self.typed += 1
        locator.fill(text)


def test_a_weekly_meeting_in_twelve_clicks(new_context, make_store, make_user, artifacts):
    """Meeting 2 of a series, 10 review rows (6 not yet due, 2 done, 2 overdue: one extended, one
    escalated), attendance with one absence: from the meeting list to closed."""
    world = weekly_store(make_store, make_user, zh=True)
    items = world.items
    page = new_context("zh-CN", **LAPTOP).new_page()
    log_in(page, "mgr", labels=ZH_LOGIN)
    page.goto("/meetings/")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    hand = Counted(page)

    hand.click(page.get_by_role("link", name="每周例会").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("每周例会")
    bar = page.locator(".meeting-bar")
    expect(bar.locator(".left-count")).to_have_text("还有 10 条待处理")

    record_attendance(page, hand)

    review = page.locator("#review")
    hand.click(review.get_by_role("button", name="6 条未到期事项全部按计划推进"))
    expect(review.locator(".review-row.is-settled")).to_have_count(6)
    expect(bar.locator(".left-count")).to_have_text("还有 4 条待处理")  # the live count follows

    for name in ("series_done", "goal_done"):
        row = page.locator(f"#review-{items[name].id}")
        hand.click(row.get_by_role("button", name="确认完成"))
        expect(row.locator(".disposition")).to_have_text("确认完成")

    late = page.locator(f"#review-{items['series_late'].id}")
    hand.click(late.get_by_role("button", name="延期…"))
    hand.type(late.get_by_label("新截止日期"), (world.second.meeting_date + timedelta(days=7)).isoformat())
    hand.type(late.get_by_label("原因"), "等待配件到货")
    hand.click(late.get_by_role("button", name="延期"))
    expect(late.locator(".disposition")).to_have_text("延期")

    stuck = page.locator(f"#review-{items['talk_late'].id}")
    hand.click(stuck.get_by_role("button", name="升级处理…"))
    hand.type(stuck.get_by_label("原因"), "需要总经理协调车间排班")
    hand.click(stuck.get_by_role("button", name="升级处理"))
    expect(stuck.locator(".disposition")).to_have_text("升级处理")
    expect(bar.locator(".close-bar")).to_contain_text("回顾已全部处理")
    page.screenshot(path=artifacts / "33-meeting-mode-zh-settled.png", full_page=True)

    hand.click(bar.get_by_role("button", name="结束会议"))
    hand.clicks += len(dialogs)  # each confirmation the browser asks for is one more click
    expect(page.locator(".badges .status-closed")).to_have_text("已结束")
    print(f"weekly meeting: {hand.clicks} clicks and selects, {hand.typed} typed fields")
    (artifacts / "meeting-mode-clicks.txt").write_text(f"{hand.clicks} clicks and selects, {hand.typed} typed fields\n")
    assert hand.clicks <= 12 and hand.typed <= 4, (hand.clicks, hand.typed)


def record_attendance(page, hand):
    """Everyone present in one tap, then the one absence."""
    section = page.locator("#attendance")
    hand.click(section.get_by_role("button", name="全员出席"))
    expect(section.get_by_role("button", name="全员出席")).to_be_disabled()  # the list came back
    absent = section.locator("tr").filter(has_text="刘洋")
    hand.click(absent.get_by_role("button", name="缺席"))
    expect(absent.get_by_role("button", name="缺席")).to_have_attribute("aria-pressed", "true")


def test_action_items_are_added_from_any_agenda_item(new_context, make_store, make_user):
    world = weekly_store(make_store, make_user, zh=False)
    page = new_context("en-US", **LAPTOP).new_page()
    log_in(page, "mgr")
    page.goto(f"/meetings/{world.second.id}")
    form = page.locator("#add-action")
    agenda_item = form.get_by_label("From agenda item")
    # From the bar: the current item (the opening, by the clock); the title field gets the cursor.
    page.locator(".meeting-bar").get_by_role("link", name="+ Action item").click()
    expect(form.get_by_label("Action", exact=True)).to_be_focused()
    expect(agenda_item).to_have_value(str(world.second.agenda_items[0].id))
    # From the theme discussion: that item, remembered for the next one.
    theme = world.second.agenda_item("theme")
    page.locator(f"#agenda-{theme.id}").get_by_role("link", name="+ Action item").click()
    expect(agenda_item).to_have_value(str(theme.id))
    form.get_by_label("Action", exact=True).fill("Post the waiting times at the desk")
    form.get_by_label("Owner (responsible person)").select_option(label="Advisor Wang · Service advisor")
    form.get_by_label("Deadline", exact=True).fill((world.second.meeting_date + timedelta(days=5)).isoformat())
    form.get_by_role("button", name="Add action item").click()
    expect(page.locator("#meeting-actions tbody")).to_contain_text("Post the waiting times at the desk")
    expect(page.locator("#add-action").get_by_label("From agenda item")).to_have_value(str(theme.id))
