"""A five-step coaching talk in a real browser, clicked through as a manager and a staff member would.

The manager opens a service advisor's page, starts a talk on CSI and walks through the steps, each
saved in place (htmx swaps the steps block; the page is not reloaded): purpose, the gap read from the
KPI data, a plan with a measure that becomes an action item. The advisor acknowledges the plan on a
phone and finds the measure among their action items; the manager confirms and finishes the talk.
Screenshots go to test-artifacts/.
"""
import re
from datetime import timedelta

import pytest
from babel.dates import format_date, format_skeleton
from playwright.sync_api import expect

from app.auth.models import MANAGER, STAFF
from app.coaching import services
from app.extensions import db
from app.kpis.models import KpiValue
from app.kpis.services import kpi_by_code
from app.months import add_months, previous_month
from app.timeutils import local_today

from .steps import NO_RELOAD, PHONE, ZH_LOGIN, log_in

pytestmark = pytest.mark.browser

CSI = "Customer satisfaction index (CSI)"


def csi_values(store, person, values) -> None:
    """The person's CSI for the last len(values) complete months, oldest first."""
    kpi = kpi_by_code("CSI")
    last = previous_month(local_today())
    for i, value in enumerate(values):
        month = add_months(last, i - len(values) + 1)
        db.session.add(KpiValue(kpi_id=kpi.id, store_id=store.id, person_id=person.id, subject_key=person.id,
                                month=month, value=value))
    db.session.commit()


def en_date(day) -> str:
    return format_date(day, "medium", locale="en")


def month_name(month) -> str:
    return format_skeleton("yMMM", month, locale="en")


def test_five_step_coaching_talk(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "First store")
    make_user(MANAGER, store, username="mgr", name="Manager Li")
    advisor = make_user(STAFF, store, username="zhang", name="Advisor Zhang", position="service_advisor")
    peer = make_user(STAFF, store, username="wang", name="Advisor Wang", position="service_advisor")
    # Over the last three months: Zhang 84 on average, Wang 94; the store's people 89; the target is 90.
    csi_values(store, advisor, [82, 84, 86])
    csi_values(store, peer, [92, 94, 96])
    today = local_today()
    gap_to = previous_month(today)
    gap_from = add_months(gap_to, -2)
    deadline = today + timedelta(days=14)
    follow_up = add_months(today.replace(day=1), 2) + timedelta(days=14)  # the earliest month allowed
    measure = "Explain every invoice line to the customer at hand-over"

    # --- the manager finds the advisor and starts a talk -------------------------------------
    boss = new_context("en-US").new_page()
    log_in(boss, "mgr")
    boss.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching", exact=True).click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Coaching")
    # Zhang was below target last month and has never been coached: the coverage table says so.
    coverage = boss.locator("section[aria-labelledby=coverage-h] tbody tr")
    expect(coverage).to_have_count(1)
    expect(coverage).to_contain_text("Advisor Zhang")
    expect(coverage.locator("td[data-label='Last coached']")).to_have_text("never")
    boss.locator("section[aria-labelledby=grid-h]").get_by_role("link", name="Advisor Zhang", exact=True).click()
    expect(boss).to_have_url(re.compile(rf"/coaching/people/{advisor.id}$"))
    expect(boss.get_by_role("heading", level=1)).to_have_text("Advisor Zhang")
    start = boss.locator("section[aria-labelledby=start-h]")
    expect(start.get_by_role("heading", name="Start a coaching talk")).to_be_visible()
    expect(start.get_by_role("group", name="About which KPIs")).to_be_visible()
    start.get_by_label(CSI, exact=True).check()
    start_form = start.locator("form")
    # One KPI is enough: the browser must not demand every box.
    assert start_form.evaluate("f => f.checkValidity()")
    start.get_by_role("button", name="Start the talk").click()

    expect(boss).to_have_url(re.compile(r"/coaching/sessions/\d+$"))
    expect(boss.get_by_role("heading", level=1)).to_have_text("Coaching talk with Advisor Zhang")
    talk_url = boss.url
    steps = boss.locator("#steps")
    step_list = steps.get_by_role("list", name="Steps of the talk")
    expect(step_list.locator("li")).to_have_count(5)
    expect(step_list.locator("li[aria-current=step]")).to_have_text("1. Purpose and basis")
    expect(steps.locator("section.coach-step")).to_have_count(5)
    expect(steps.locator("section.coach-step form")).to_have_count(1)  # only the next step has a form
    for n in (2, 3, 4, 5):
        expect(steps.locator(f"#step-{n}")).to_contain_text("Not done yet.")
    expect(steps.get_by_text("Unfinished: step 1 of 5 comes next.")).to_be_visible()

    # --- step 1: purpose and basis, saved in place -------------------------------------------
    boss.evaluate(NO_RELOAD)
    purpose = "Your CSI has been below 90 for three months; let us look at why, together."
    steps.locator("#step-1").get_by_label("Purpose of the talk and its basis", exact=True).fill(purpose)
    steps.get_by_role("button", name="Save and continue").click()
    expect(steps.locator("#step-1 .prewrap")).to_have_text(purpose)
    expect(step_list.locator("li").nth(0)).to_have_class(re.compile(r"\bdone\b"))
    expect(step_list.locator("li[aria-current=step]")).to_have_text("2. The gap between performance levels")

    # --- step 2: the gap, read from the KPI data ---------------------------------------------
    step2 = steps.locator("#step-2")
    compare = step2.get_by_label("Compare over", exact=True)
    expect(compare).to_have_value("3")
    compare.select_option(label="the last 3 months")
    # the gap is shown before the manager is asked for remarks
    expect(step2.locator("#gap-preview td[data-label='Gap']")).to_have_text("6 short")
    boss.screenshot(path=artifacts / "19-coaching-gap-before-remarks.png", full_page=True)
    step2.get_by_label("Your remarks on the gap", exact=True).fill("Wang explains the invoice; Zhang rarely does.")
    step2.get_by_role("button", name="Save the gap and continue").click()
    gap_row = step2.locator("tbody tr")
    expect(gap_row).to_have_count(1)
    expect(step2.locator("p.meta")).to_have_text(f"Period: {month_name(gap_from)} – {month_name(gap_to)}")
    for label, text in (("KPI", re.compile(r"^Customer satisfaction index \(CSI\)")), ("Level", "84"),
                        ("Target", "90"), ("Attainment", re.compile(r"93\.3% \(At risk\)")), ("Store average", "89"), ("Store best", "94"),
                        ("Gap", "6 short")):
        expect(gap_row.locator(f"td[data-label='{label}']")).to_have_text(text)
    expect(step2.locator(".prewrap")).to_have_text("Wang explains the invoice; Zhang rarely does.")
    expect(step_list.locator("li[aria-current=step]")).to_have_text("3. Plan and methods")
    assert boss.evaluate("window.__noReload") is True and boss.url == talk_url
    boss.screenshot(path=artifacts / "20-coaching-after-gap.png", full_page=True)

    # --- step 3: a measure that becomes Zhang's action item, then the plan --------------------
    step3 = steps.locator("#step-3")
    expect(step3.get_by_text("Agree at least one concrete measure.", exact=False)).to_be_visible()
    step3.get_by_label("Measure", exact=True).fill(measure)
    step3.get_by_label("Deadline", exact=True).fill(deadline.isoformat())
    as_action = step3.get_by_label("Make it an action item for Advisor Zhang", exact=True)
    expect(as_action).to_be_checked()  # the default
    step3.get_by_role("button", name="Add measure").click()
    item = step3.locator("ul.measures li").filter(has_text=measure)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"by {en_date(deadline)}")
    expect(item.get_by_role("link", name="Action item")).to_be_visible()
    expect(item.locator(".badge.status-open")).to_have_text("Open")
    expect(step3.get_by_label("Measure", exact=True)).to_have_value("")  # a fresh form for the next one
    step3.get_by_label("Methods and notes on the plan", exact=True).fill("We look at two hand-overs a week.")
    step3.get_by_role("button", name="Save the plan and continue").click()
    expect(step3.locator(".prewrap")).to_have_text("We look at two hand-overs a week.")
    expect(step3.get_by_role("button", name="Add measure")).to_have_count(0)
    step4 = steps.locator("#step-4")
    expect(step4).to_contain_text("Waiting for Advisor Zhang to acknowledge the plan.")
    expect(step_list.locator("li[aria-current=step]")).to_have_text("4. Confirmation")
    # Confirming before Zhang acknowledges (and without a verbal confirmation) is refused in place.
    step4.get_by_role("button", name="Save the confirmation and continue").click()
    expect(steps.get_by_role("alert")).to_contain_text("The plan needs confirming")
    expect(step_list.locator("li[aria-current=step]")).to_have_text("4. Confirmation")
    assert boss.evaluate("window.__noReload") is True and boss.url == talk_url

    # --- Zhang acknowledges the plan on a phone ----------------------------------------------
    phone = new_context("en-US", **PHONE).new_page()
    log_in(phone, "zhang")
    my_coaching = phone.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^My coaching"))
    expect(my_coaching.get_by_title("Plans waiting for your acknowledgement")).to_have_text("1")  # on every page
    my_coaching.click()
    expect(phone).to_have_url(re.compile(rf"/coaching/people/{advisor.id}$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Advisor Zhang")
    expect(phone.locator("section[aria-labelledby=start-h]")).to_have_count(0)  # staff do not coach
    waiting = phone.get_by_role("status").filter(has_text="is waiting for your acknowledgement")
    expect(waiting).to_have_text(re.compile(
        rf"A coaching plan from {re.escape(en_date(today))} is waiting for your acknowledgement\."))
    phone.screenshot(path=artifacts / "21a-my-coaching-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    waiting.get_by_role("link", name="Read and acknowledge it").click()
    expect(phone).to_have_url(re.compile(r"/coaching/sessions/\d+#step-4$"))
    assert phone.url.split("#")[0] == talk_url
    phone_steps = phone.locator("#steps")
    expect(phone_steps.locator("ul.measures")).to_contain_text(measure)
    for manager_button in ("Save the confirmation and continue", "Finish the talk", "Add measure"):
        expect(phone_steps.get_by_role("button", name=manager_button)).to_have_count(0)
    phone.evaluate(NO_RELOAD)
    phone_step4 = phone_steps.locator("#step-4")
    phone_step4.get_by_role("button", name="I acknowledge the plan").click()
    expect(phone_step4.locator(".flash-success")).to_have_text(
        re.compile(r"^✓ Advisor Zhang acknowledged the plan on .+\.$"))
    expect(phone_step4.get_by_role("button", name="I acknowledge the plan")).to_have_count(0)
    assert phone.evaluate("window.__noReload") is True and phone.url.split("#")[0] == talk_url
    phone.screenshot(path=artifacts / "21-coaching-acknowledged-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]  # no sideways scroll

    # The measure is one of Zhang's action items, and the person page no longer asks.
    phone.get_by_role("link", name=re.compile(r"^My action items")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("My action items")
    card = phone.locator("article.item-card").filter(has_text=measure)
    expect(card).to_have_count(1)
    expect(card.locator(".badge.status-open")).to_have_text("Open")
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My coaching", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Advisor Zhang")
    expect(phone.get_by_text("is waiting for your acknowledgement")).to_have_count(0)

    # --- back as the manager: confirmation and motivation ------------------------------------
    boss.reload()
    steps = boss.locator("#steps")
    step_list = steps.get_by_role("list", name="Steps of the talk")
    step4 = steps.locator("#step-4")
    expect(step4.locator(".flash-success")).to_have_text(
        re.compile(r"^✓ Advisor Zhang acknowledged the plan on .+\.$"))
    expect(steps.get_by_role("alert")).to_have_count(0)
    expect(step4.get_by_label("Advisor Zhang confirmed the plan verbally")).to_have_count(0)  # acknowledged
    boss.evaluate(NO_RELOAD)
    step4.get_by_label("Questions raised and answers", exact=True).fill(
        "Q: What if the customer is in a hurry? A: Hand over a printed summary.")
    step4.get_by_role("button", name="Save the confirmation and continue").click()
    expect(step4.locator(".prewrap")).to_have_text(re.compile(r"^Q: What if the customer is in a hurry\?"))
    expect(step_list.locator("li[aria-current=step]")).to_have_text("5. Motivation")

    step5 = steps.locator("#step-5")
    step5.get_by_label("What was agreed", exact=True).fill("Zhang explains every invoice for a month.")
    step5.get_by_label("Recognition", exact=True).fill("Praised his quick write-ups at the meeting.")
    step5.get_by_label("Follow-up date", exact=True).fill(follow_up.isoformat())
    step5.get_by_role("button", name="Finish the talk").click()

    # --- the finished talk -------------------------------------------------------------------
    expect(step_list.locator("li.done")).to_have_count(5)
    expect(step_list.locator("li[aria-current=step]")).to_have_count(0)
    expect(steps.get_by_text(re.compile(r"^Unfinished: step"))).to_have_count(0)
    expect(steps.locator("section.coach-step form")).to_have_count(0)
    facts = step5.locator("dl.facts")
    expect(facts.locator("div").filter(has_text="Agreed").locator("dd")).to_have_text(
        "Zhang explains every invoice for a month.")
    expect(facts.locator("div").filter(has_text="Support promised").locator("dd")).to_have_text("—")
    expect(facts.locator("div").filter(has_text="Follow-up date").locator("dd")).to_have_text(en_date(follow_up))
    follow = steps.locator("#follow-up")
    expect(follow.get_by_role("heading", level=2)).to_have_text(f"Follow-up on {en_date(follow_up)}")
    expect(follow).to_contain_text("The effect on the KPIs is shown from the follow-up date on.")
    assert boss.evaluate("window.__noReload") is True and boss.url == talk_url
    boss.screenshot(path=artifacts / "22-coaching-finished.png", full_page=True)

    # The advisor's page lists the talk as finished, with its follow-up date.
    boss.goto(f"/coaching/people/{advisor.id}")
    history = boss.locator("section[aria-labelledby=history-h] tbody tr")
    expect(history).to_have_count(1)
    expect(history.locator("td[data-label=State]")).to_have_text("Finished")
    expect(history.locator("td[data-label=Follow-up]")).to_have_text(en_date(follow_up))


def test_coaching_steps_in_chinese(new_context, make_store, make_user, artifacts):
    store = make_store("S1", "一号店")
    boss = make_user(MANAGER, store, username="mgr", name="李经理")
    advisor = make_user(STAFF, store, username="zhang", name="张伟", position="service_advisor")
    talk = services.start_session(store_id=store.id, person=advisor, manager_id=boss.id,
                                  kpi_ids=[kpi_by_code("CSI").id], held_on=local_today())
    db.session.commit()

    page = new_context("zh-CN").new_page()
    log_in(page, "mgr", labels=ZH_LOGIN)
    page.goto(f"/coaching/sessions/{talk.id}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    step_list = page.locator("ol.coach-steps")
    expect(step_list.locator("li")).to_have_count(5)

    # The five steps in the words of the sources (DOMAIN.md section 3).
    for n, name in enumerate(["阐明谈话的目的和依据", "阐明业绩等级之间的差距", "制定方案和方法", "确认", "激励"]):
        expect(step_list.locator("li").nth(n)).to_contain_text(name)
    page.screenshot(path=artifacts / "23-coaching-talk-zh.png", full_page=True)

    # A talk started by mistake is discarded, after the manager confirms it.
    discard = page.get_by_role("button", name="作废这次谈话", exact=True)
    page.once("dialog", lambda dialog: dialog.dismiss())
    discard.click()
    expect(page).to_have_url(re.compile(rf"/coaching/sessions/{talk.id}$"))  # cancelled: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    discard.click()
    expect(page).to_have_url(re.compile(rf"/coaching/people/{advisor.id}$"))
    expect(page.get_by_text("谈话已作废。")).to_be_visible()
    expect(page.get_by_text("未完成")).to_have_count(0)
