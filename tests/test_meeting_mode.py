"""The meeting page in meeting mode and the review at a real store's size: rows grouped by origin,
one-tap dispositions that ask for a date or reason only when needed, "all not yet due: on schedule"
in one request, reopening until the meeting closes, the refusal to close beside the button."""
import html
import re
from datetime import timedelta

import pytest

from app.actions.models import ActionItem
from app.auth.models import STAFF
from app.extensions import db
from app.meetings.models import Meeting, ReviewEntry

from .weekly_meeting import build_weekly_meeting

PAGE_LANGUAGE = "en"


@pytest.fixture
def weekly(manager, make_user, store):
    staff = [make_user(STAFF, store, name=f"Advisor {n}") for n in range(1, 4)]
    return build_weekly_meeting(manager, staff)


def tap(c, meeting, item, disposition, **extra):
    return c.post(f"/meetings/{meeting.id}/review/{item.id}", data={"disposition": disposition, **extra}, htmx=True)


def entries(meeting):
    return {e.action_item_id: e for e in db.session.scalars(db.select(ReviewEntry).where(
        ReviewEntry.meeting_id == meeting.id))}


def group_of(page, title):
    """The heading of the review group a row's title is listed under."""
    at = page.index(f">{title}</a>")
    return html.unescape(re.findall(r'<h3 class="review-group">([^<]+)', page[:at])[-1].strip())


def test_rows_are_grouped_by_origin_with_their_links(login, manager, weekly):
    page = login(manager).get(f"/meetings/{weekly.second.id}").get_data(as_text=True)
    assert group_of(page, "Series a") == group_of(page, "Series late") == "From this series' meetings"
    assert group_of(page, "Goal a") == "From PDCA goals (plan steps)"
    assert group_of(page, "Talk late") == "From coaching talks (measures)"
    assert group_of(page, "Loose") == "Other action items"
    assert f'href="/meetings/{weekly.first.id}"' in page
    assert f'href="/goals/{weekly.goal_id}">PDCA goal: Raise CSI</a>' in page
    assert f'href="/coaching/sessions/{weekly.talk_id}">Coaching talk with Advisor 1</a>' in page
    assert "Advisor 1 · Service advisor" in page  # owner with position
    assert "2 days overdue" in page and "Done, photos uploaded" in page
    # Nothing is pre-selected: each row offers buttons; overdue rows have no "On schedule".
    row = page[page.index(f'id="review-{weekly.items["series_late"].id}"'):]
    row = row[:row.index("</li>")]
    assert 'value="on_schedule"' not in row and 'value="extended"' in row and "selected" not in row
    row = page[page.index(f'id="review-{weekly.items["series_a"].id}"'):]
    assert 'value="on_schedule"' in row[:row.index("</li>")]


def test_the_meeting_page_opens_on_the_agenda_with_the_bar(login, manager, weekly):
    page = login(manager).get(f"/meetings/{weekly.second.id}").get_data(as_text=True)
    assert page.index('class="agenda-toc"') < page.index('id="review"')
    opening = weekly.second.agenda_items[0]
    assert re.search(rf'<li class="is-current">\s*<a href="[^"]*item={opening.id}', page)  # by the clock
    bar = page[page.index('class="meeting-bar"'):]
    assert "+ Action item" in bar and "+ Decision" in bar and "10 rows still need a disposition" in bar
    assert re.search(r"<b data-elapsed=\"\d+\">\d+</b> of 75 min", bar)
    first_due = min(weekly.items.values(), key=lambda i: (i.deadline, i.id))
    assert f'#review-{first_due.id}"' in bar  # the count jumps to the first row left
    # An item chosen in the table of contents is the current one, and the forms remember it.
    theme = weekly.second.agenda_item("theme")
    page = login(manager).get(f"/meetings/{weekly.second.id}?item={theme.id}").get_data(as_text=True)
    assert re.search(f'<option selected value="{theme.id}">', page)


def test_a_tap_settles_or_asks_only_for_what_the_choice_needs(login, manager, weekly):
    c, m, items = login(manager), weekly.second, weekly.items
    done = tap(c, m, items["series_done"], "verified")
    assert done.status_code == 200 and done.headers["HX-Trigger"] == "reviewChanged"
    assert "Reopen" in done.get_data(as_text=True)
    assert tap(c, m, items["series_a"], "on_schedule").status_code == 200
    # Extend: the tap asks for the new deadline and the reason, and records nothing yet.
    asked = tap(c, m, items["series_late"], "extended").get_data(as_text=True)
    assert 'name="new_deadline"' in asked and 'name="reason"' in asked
    # Escalate and cancel ask only for the reason.
    asked = tap(c, m, items["talk_late"], "escalated").get_data(as_text=True)
    assert 'name="reason"' in asked and 'name="new_deadline"' not in asked
    assert set(entries(m)) == {items["series_done"].id, items["series_a"].id}
    # Sent without what it needs: a clear message per field, 422, nothing recorded.
    missing = tap(c, m, items["series_late"], "extended", new_deadline="", reason="")
    body = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "Give the new deadline." in body and "Give a reason" in body
    missing = tap(c, m, items["talk_late"], "cancelled", reason="  ")
    assert missing.status_code == 422 and "Give a reason for this disposition." in missing.get_data(as_text=True)
    new_deadline = (m.meeting_date + timedelta(days=7)).isoformat()
    assert tap(c, m, items["series_late"], "extended", new_deadline=new_deadline, reason="parts late").status_code == 200
    item = db.session.get(ActionItem, items["series_late"].id)
    assert item.deadline.isoformat() == new_deadline and item.extension_count == 1
    # Verified and on schedule never need a date or reason.
    assert tap(c, m, items["goal_done"], "verified", reason="").status_code == 200


def test_all_not_yet_due_on_schedule_in_one_request(login, manager, weekly, count_queries):
    c, m, items = login(manager), weekly.second, weekly.items
    tap(c, m, items["series_a"], "extended", new_deadline=(m.meeting_date + timedelta(days=9)).isoformat(),
        reason="bigger job")  # already settled: the bulk step leaves it as it is
    response = c.post(f"/meetings/{m.id}/review/not-yet-due", htmx=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "reviewChanged"
    assert "5 rows not yet due: on schedule." in response.get_data(as_text=True)
    settled = entries(m)
    not_yet_due = {"series_b", "goal_a", "goal_b", "talk_a", "loose"}
    assert {i for i, e in settled.items() if e.disposition == "on_schedule"} == {items[n].id for n in not_yet_due}
    assert settled[items["series_a"].id].disposition == "extended"
    for late in ("series_late", "talk_late", "series_done", "goal_done"):  # due or done: still to decide
        assert items[late].id not in settled
    # Without htmx: the page again, with a message.
    again = c.post(f"/meetings/{m.id}/review/not-yet-due")
    assert again.status_code == 302 and again.headers["Location"].endswith("#review")


def test_reopen_until_the_meeting_closes(login, manager, weekly):
    c, m, items = login(manager), weekly.second, weekly.items
    late = items["series_late"]
    new_deadline = m.meeting_date + timedelta(days=7)
    tap(c, m, late, "extended", new_deadline=new_deadline.isoformat(), reason="parts late")
    tap(c, m, items["talk_late"], "cancelled", reason="no longer needed")
    reopened = c.post(f"/meetings/{m.id}/review/{late.id}/reopen", htmx=True)
    assert reopened.status_code == 200 and 'value="extended"' in reopened.get_data(as_text=True)
    item = db.session.get(ActionItem, late.id)
    assert item.deadline == late.deadline and item.extension_count == 0 and late.id not in entries(m)
    assert item.history[0].event == "reopened"
    c.post(f"/meetings/{m.id}/review/{items['talk_late'].id}/reopen", htmx=True)
    item = db.session.get(ActionItem, items["talk_late"].id)
    assert item.status == "open" and item.closed_at is None
    # Settle everything and close: then nothing can be reopened.
    c.post(f"/meetings/{m.id}/review/not-yet-due", htmx=True)
    for name in ("series_done", "goal_done"):
        tap(c, m, items[name], "verified")
    for name in ("series_late", "talk_late"):
        tap(c, m, items[name], "escalated", reason="owner overloaded")
    assert c.post(f"/meetings/{m.id}/close").status_code == 302
    assert db.session.get(Meeting, m.id).is_closed
    refused = c.post(f"/meetings/{m.id}/review/{late.id}/reopen", htmx=True)
    assert refused.status_code == 422 and "closed" in refused.get_data(as_text=True)
    assert late.id in entries(m) and db.session.get(ActionItem, late.id).escalated


def test_the_refusal_to_close_names_what_is_left_beside_the_button(login, manager, weekly):
    c, m, items = login(manager), weekly.second, weekly.items
    c.post(f"/meetings/{m.id}/review/not-yet-due", htmx=True)
    refused = c.post(f"/meetings/{m.id}/close", htmx=True)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and body.lstrip().startswith("<div id=\"close-bar\"")
    assert "4 rows still need a disposition: Talk late、Goal done、Series late、Series done" in body
    assert 'hx-trigger="reviewChanged from:body"' in body and "refused=1" in body
    # The count and the message follow as rows are settled.
    tap(c, m, items["series_done"], "verified")
    bar = c.get(f"/meetings/{m.id}/close-bar?refused=1", htmx=True).get_data(as_text=True)
    assert "3 rows still need a disposition: Talk late、Goal done、Series late" in bar
    # Without JS: the page, with the refusal next to the close button.
    page = c.post(f"/meetings/{m.id}/close").get_data(as_text=True)
    bar = page[page.index('id="close-bar"'):]
    assert "Not closed yet." in bar[:bar.index("</div>")] and not db.session.get(Meeting, m.id).is_closed


def test_the_page_costs_the_same_statements_with_40_rows_as_with_4(login, manager, make_user, store,
                                                                    count_queries, make_store):
    staff = [make_user(STAFF, store, name=f"Advisor {n}") for n in range(1, 4)]
    small = build_weekly_meeting(manager, staff, only={"series_a", "goal_a", "talk_late", "loose"})
    other = make_store("S9")  # another store: the same meeting with 40 rows, of every origin
    boss = make_user("manager", other, username="boss9")
    big = build_weekly_meeting(boss, [make_user(STAFF, other) for _ in range(4)], extra_items=30)
    counts = []
    for user, world, rows in ((manager, small, 4), (boss, big, 40)):
        c = login(user)
        c.get(f"/meetings/{world.second.id}")
        with count_queries() as n:
            page = c.get(f"/meetings/{world.second.id}").get_data(as_text=True)
        assert page.count('class="review-row') == rows
        counts.append(n())
    assert counts[0] == counts[1]


def test_without_javascript_the_same_taps_work_as_plain_forms(login, manager, weekly):
    c, m, items = login(manager), weekly.second, weekly.items
    late = items["series_late"]
    asked = c.post(f"/meetings/{m.id}/review/{late.id}", data={"disposition": "extended"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<h1>" in page  # the whole page, with this row asking
    row = page[page.index(f'id="review-{late.id}"'):]
    assert 'name="new_deadline"' in row[:row.index("</li>")] and not entries(m)
    done = c.post(f"/meetings/{m.id}/review/{late.id}", data={
        "disposition": "extended", "new_deadline": (m.meeting_date + timedelta(days=3)).isoformat(), "reason": "parts"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"#review-{late.id}")
    reopened = c.post(f"/meetings/{m.id}/review/{late.id}/reopen")
    assert reopened.status_code == 302 and late.id not in entries(m)
