"""Staff on the phone: compact cards, one-tap status, the note on demand, the extension explained."""
import re
from datetime import timedelta

from app.actions.models import ActionItem
from app.extensions import db
from app.timeutils import local_today

PAGE_LANGUAGE = "en"


def test_a_card_has_status_chips_and_the_note_folded(login, staff, make_item):
    item = make_item(staff)
    page = login(staff).get("/actions/mine").text
    card = page[page.index(f'id="item-{item.id}"'):]
    card = card[:card.index("</article>")]
    assert card.count('<button type="submit" name="status"') == 3 and "<select" not in card
    assert re.search(r'value="open" class="chip is-on"\s+aria-pressed="true" disabled', card)
    assert '<details class="note-fold">' in card and "Saving a note moves the item to in progress." in card


def test_one_tap_moves_the_status(login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    card = c.post(f"/actions/{item.id}/progress", data={"status": "in_progress", "version": item.version}, htmx=True)
    assert card.status_code == 200 and card.headers["HX-Trigger"] == "actionItemsChanged"
    assert re.search(r'value="in_progress" class="chip is-on"', card.text)
    assert db.session.get(ActionItem, item.id).status == "in_progress"
    # Without JavaScript the same button is a plain form post.
    plain = c.post(f"/actions/{item.id}/progress", data={"status": "done", "version": 2})
    assert plain.status_code == 302 and db.session.get(ActionItem, item.id).status == "done"


def test_a_note_on_a_not_started_item_moves_it_to_in_progress(login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    card = c.post(f"/actions/{item.id}/progress", data={"status": "open", "note": "Half of the calls made",
                                                         "version": item.version}, htmx=True)
    assert card.status_code == 200 and "Note saved. The item is now in progress." in card.text
    item = db.session.get(ActionItem, item.id)
    assert item.status == "in_progress" and item.progress_note == "Half of the calls made"
    assert [(h.event, h.old_status, h.new_status) for h in item.history][0] == ("status", "open", "in_progress")
    # On an item already in progress, a note is only a note.
    c.post(f"/actions/{item.id}/progress", data={"status": "in_progress", "note": "All calls made",
                                                 "version": item.version})
    assert db.session.get(ActionItem, item.id).status == "in_progress"
    flashed = c.post(f"/actions/{make_item(staff).id}/progress", data={"status": "open", "note": "Started",
                                                                       "version": 1}, follow_redirects=True)
    assert "Note saved. The item is now in progress." in flashed.text


def test_the_card_says_who_extended_the_item_when_and_why(login, manager, staff, make_item, make_meeting):
    item = make_item(staff, days=-2)
    meeting = make_meeting(days_ahead=-1)
    new_deadline = local_today() + timedelta(days=10)
    assert login(manager).post(f"/meetings/{meeting.id}/review/{item.id}", data={
        "disposition": "extended", "new_deadline": new_deadline.isoformat(), "reason": "Parts arrive next week"},
        htmx=True).status_code == 200
    c = login(staff)
    for url in ("/actions/mine", f"/actions/{item.id}"):
        page = c.get(url).text
        assert re.search(r"Extended by Manager Li on [^,]+, \d{4}, from .+ to .+: Parts arrive next week", page), url
    card = c.post(f"/actions/{item.id}/progress", data={"status": "in_progress", "version": 2}, htmx=True).text
    assert "Parts arrive next week" in card
