"""The comeback loop on real browsers: a technician raises a comeback with a photo from a phone
(390 px); the manager triages it and puts it on the next meeting's agenda; after the measures are done
and the check window has passed the manager records the check; the technician sees the result.
Screenshots go to test-artifacts/."""
import io
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.actions.services import report_progress
from app.attachments.models import Attachment
from app.auth.models import STAFF
from app.extensions import db
from app.problems.models import Problem, ProblemMeeting
from app.timeutils import utcnow

from .steps import PHONE, log_in

pytestmark = pytest.mark.browser


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 90, 120)).save(out, "JPEG", quality=80)
    return out.getvalue()


def test_a_comeback_from_a_phone_to_its_result(new_context, store, manager, make_user, make_meeting, artifacts):
    tech = make_user(STAFF, store, username="wang", name="Technician Wang", position="technician")
    meeting = make_meeting(days_ahead=2, theme="Weekly meeting 49")

    # 1. The technician, on a phone, reports the comeback with a photo.
    phone = new_context("en-US", **PHONE).new_page()
    log_in(phone, "wang")
    phone.goto("/problems/mine")
    phone.get_by_role("link", name="Report a comeback").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Raise a problem")
    phone.get_by_label("What is the problem?").fill("Brake squeal back after pad change")
    phone.get_by_label("Where?").fill("Bay 3")
    phone.get_by_label("Urgent", exact=True).check()
    phone.get_by_label("Or choose photos").set_input_files([  # two from the gallery
        {"name": "IMG_1.JPG", "mimeType": "image/jpeg", "buffer": photo()},
        {"name": "IMG_2.JPG", "mimeType": "image/jpeg", "buffer": photo()}])
    phone.get_by_label("Original repair order").fill("RO-1118-023")
    phone.get_by_label("Returning repair order").fill("RO-1201-007")
    phone.get_by_label("VIN").fill("LSVAB4187EN123456")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "problems-raise-phone.png"), full_page=True)
    phone.get_by_role("button", name="Raise the problem").click()
    expect(phone.locator(".flash-success")).to_contain_text("The problem is raised")
    problem = db.session.scalar(select(Problem))
    assert problem.is_comeback and problem.urgency == "urgent" and problem.vin == "LSVAB4187EN123456"
    expect(phone.locator(".attachments img")).to_have_count(2)
    assert db.session.scalar(select(Attachment)).owner_id == problem.id

    # 2. The manager triages it and puts it on the next meeting's agenda.
    laptop = new_context("en-US", viewport={"width": 1366, "height": 900}).new_page()
    log_in(laptop, "boss")
    laptop.goto("/problems/")
    laptop.get_by_role("link", name="Brake squeal back after pad change").click()
    laptop.get_by_label("Owner", exact=True).select_option(label="Technician Wang · Technician")
    laptop.get_by_label("Cause category (人机料法环)").select_option("method")
    laptop.get_by_label("In the plan itself").check()
    laptop.get_by_label("Cause analysis").fill("No test drive with the customer in the brake standard")
    laptop.get_by_label("Effectiveness check window (days)").fill("14")
    laptop.get_by_role("button", name="Save the triage").click()
    expect(laptop.locator(".flash-success")).to_contain_text("Triaged")
    laptop.get_by_role("button", name="Put on the next meeting").click()
    expect(laptop.locator(".flash-success")).to_contain_text("Weekly meeting 49")
    assert db.session.scalar(select(ProblemMeeting)).meeting_id == meeting.id
    laptop.goto(f"/meetings/{meeting.id}")
    expect(laptop.locator("#agenda-problems")).to_contain_text("Brake squeal back after pad change")
    laptop.locator("#agenda-problems").scroll_into_view_if_needed()
    laptop.screenshot(path=str(artifacts / "problems-meeting-laptop.png"))

    # The measures: corrective and against recurrence, as action items of the technician.
    laptop.goto(f"/problems/{problem.id}")
    for kind, title in (("Corrective measure", "Replace pads again, test drive with the customer"),
                        ("Measure against recurrence", "Test drive in the brake job standard")):
        form = laptop.locator("#measures form")
        if not form.is_visible():
            laptop.locator("#measures summary").click()
        form.get_by_label(kind).check()
        form.get_by_label("Measure", exact=True).fill(title)
        form.get_by_role("button", name="Add the measure").click()
        expect(laptop.locator("#measures table")).to_contain_text(title)
    expect(laptop.locator("#check-reason")).to_contain_text("Every measure must be done")

    # Done (the technician reports it), and the 14-day window has passed since.
    db.session.expire_all()
    for m in db.session.get(Problem, problem.id).measures:
        report_progress(m.action_item, tech.id, "done", "Done", None)
        m.action_item.done_at = utcnow() - timedelta(days=15)
    db.session.commit()

    laptop.reload()
    laptop.get_by_label("Did not recur: solved").check()
    laptop.get_by_label("What was checked").fill("No brake noise comeback in 15 days")
    laptop.get_by_role("button", name="Record the check").click()
    expect(laptop.locator(".flash-success")).to_contain_text("Closed")
    laptop.screenshot(path=str(artifacts / "problems-closed-laptop.png"), full_page=True)

    # 3. The technician sees the result, marked until read.
    phone.goto("/problems/mine")
    expect(phone.locator(".mainnav .count")).to_contain_text("1")
    row = phone.locator(f"#problem-{problem.id}")
    expect(row).to_contain_text("New result")
    expect(row).to_contain_text("No brake noise comeback in 15 days")
    phone.screenshot(path=str(artifacts / "problems-mine-phone.png"), full_page=True)
    row.get_by_role("link", name="Brake squeal back after pad change").click()
    expect(phone.locator("#result")).to_contain_text("Did not recur: solved")
    expect(phone.get_by_role("button", name="Reopen the problem")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(artifacts / "problems-result-phone.png"), full_page=True)
    phone.goto("/problems/mine")
    expect(phone.locator(f"#problem-{problem.id}")).not_to_contain_text("New result")
