"""The typical-case archive: proposing, publishing, the Chinese search, filters and relevance,
meetings in one step from either side, improvements, a case from a closed problem, exports."""
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.actions.models import ActionItem
from app.auth.models import MANAGER, STAFF
from app.cases import services
from app.cases.models import PUBLISHED, CaseMeeting, TypicalCase
from app.extensions import db
from app.problems import services as problems
from app.timeutils import local_today, utcnow

PAGE_LANGUAGE = "en"


@pytest.fixture
def tech(make_user, store):
    return make_user(STAFF, store, username="tech1", name="Tech Chen", position="technician")


def case_data(**over):
    data = dict(title="Brake noise solved at first visit", case_date=local_today().isoformat(), example="good",
                category="technical", customer_problem="Squeal when braking", plate="沪A12345",
                vin="LSVAB12345678901X", vehicle_model="Passat", mileage="42000", repair_order="RO-100",
                advisor_id="0", technician_id="0", what_happened="Pads glazed", handling="Replaced pads",
                satisfaction="satisfied", lessons="Test drive with the customer", tags="刹车, 异响", training="y")
    data.update(over)
    return data


def make_case(store, author, title="Case", published=True, case_date=None, **fields):
    values = dict(title=title, case_date=case_date or local_today(), example="good", category="technical",
                  satisfaction="satisfied", customer_problem="", tags="")
    values.update(fields)
    c = services.propose(store_id=store.id, created_by_id=author.id, **values)
    if published:
        services.publish(c, author.id, None)
    db.session.commit()
    return c


def test_staff_propose_and_only_the_manager_publishes(login, staff, manager):
    c = login(staff)
    assert c.get("/cases/new").status_code == 200
    assert c.post("/cases/new", data=case_data()).status_code == 302
    case = db.session.scalar(select(TypicalCase))
    assert case.status == "proposed" and case.tags == ",刹车,异响," and case.mileage == 42000 and case.training
    # Not in the archive yet; in the author's proposals and the manager's queue.
    assert "Brake noise" not in c.get("/cases/").get_data(as_text=True)
    assert "Brake noise" in c.get("/cases/?status=mine").get_data(as_text=True)
    assert "Brake noise" in login(manager).get("/cases/?status=proposed").get_data(as_text=True)
    assert c.post(f"/cases/{case.id}/publish", data={"version": case.version}).status_code == 403
    assert login(manager).post(f"/cases/{case.id}/publish", data={"version": case.version}).status_code == 302
    assert db.session.get(TypicalCase, case.id).status == PUBLISHED
    assert "Brake noise" in c.get("/cases/").get_data(as_text=True)
    # Published: the author no longer edits it; the manager does.
    assert c.get(f"/cases/{case.id}/edit").status_code == 403
    assert login(manager).get(f"/cases/{case.id}/edit").status_code == 200


@pytest.mark.parametrize("field,value,message", [
    ("vin", "LSVAB1234567890IO", "without I, O or Q"),
    ("vin", "SHORT", "without I, O or Q"),
    ("mileage", "-5", "whole number"),
    ("mileage", "99999999", "Enter a mileage"),
    ("title", "a\x00b", "control characters"),
    ("title", "x" * 201, ""),
    ("satisfaction", "ecstatic", ""),
    ("case_date", "9999-12-31", "Enter a date"),
    ("lessons", "x" * 5000, ""),
])
def test_case_validation(login, staff, field, value, message):
    response = login(staff).post("/cases/new", data=case_data(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(TypicalCase)) is None


def test_inactive_people_are_not_offered(login, staff, make_user, store):
    gone = make_user(STAFF, store, username="gone", name="Gone Person")
    gone.active = False
    db.session.commit()
    page = login(staff).get("/cases/new").get_data(as_text=True)
    assert "Gone Person" not in page
    assert login(staff).post("/cases/new", data=case_data(technician_id=gone.id)).status_code == 422


def test_chinese_search_finds_two_character_words(login, staff, manager, store):
    make_case(store, manager, "客户投诉底盘异响", what_happened="过减速带时异响")
    make_case(store, manager, "发动机漏油返修", handling="更换油封后漏油消失")
    make_case(store, manager, "Friendly handover")
    c = login(staff)
    search = lambda q, **kw: c.get("/cases/", query_string={"q": q, **kw}).get_data(as_text=True)  # noqa: E731
    page = search("异响")
    assert "客户投诉底盘异响" in page and "漏油" not in page and "Friendly" not in page
    page = search("漏油")
    assert "发动机漏油返修" in page and "底盘异响" not in page
    assert "Friendly handover" in search("FRIENDLY")  # case folded
    assert "Friendly handover" in search("ｆｒｉｅｎｄｌｙ")  # full width, NFKC
    assert "No cases match" in search("%")  # LIKE wildcards match only themselves
    assert "No cases match" in search("_")


def test_relevance_puts_title_hits_first(store, manager):
    older_title_hit = make_case(store, manager, "空调异响", case_date=local_today() - timedelta(days=30))
    newer_body_hit = make_case(store, manager, "空调不制冷", lessons="其实是异响", case_date=local_today())
    newest = services.Filters(q="异响")
    relevance = services.Filters(q="异响", sort="relevance")
    ids = lambda f: [c.id for c in db.session.scalars(services.archive_stmt(store.id, f))]  # noqa: E731
    assert ids(newest) == [newer_body_hit.id, older_title_hit.id]
    assert ids(relevance) == [older_title_hit.id, newer_body_hit.id]


def test_archive_filters(login, staff, tech, manager, store):
    make_case(store, manager, "Good tech", technician_id=tech.id, tags="刹车", plate="沪A11111",
              case_date=date(2026, 3, 1))
    make_case(store, manager, "Bad complaint", example="bad", satisfaction="complaint", category="communication",
              training=True, vehicle_model="Lavida", case_date=date(2026, 6, 1))
    c = login(staff)
    only = lambda **q: c.get("/cases/", query_string=q).get_data(as_text=True)  # noqa: E731
    assert "Good tech" in only(tag="刹车") and "Bad complaint" not in only(tag="刹车")
    assert "Bad complaint" in only(category="communication") and "Good tech" not in only(category="communication")
    assert "Good tech" in only(person=tech.id) and "Bad complaint" not in only(person=tech.id)
    assert "Good tech" in only(vehicle="沪a11111") and "Bad complaint" not in only(vehicle="沪A11111")
    assert "Bad complaint" in only(vehicle="lavida")
    assert "Bad complaint" in only(satisfaction="complaint") and "Good tech" not in only(satisfaction="complaint")
    assert "Bad complaint" in only(example="bad") and "Good tech" not in only(example="bad")
    assert "Bad complaint" in only(training="1") and "Good tech" not in only(training="1")
    assert "Good tech" in only(to="2026-04-01") and "Bad complaint" not in only(to="2026-04-01")
    assert "Bad complaint" in only(**{"from": "2026-04-01"})
    for q in ({"from": "9999-99-99"}, {"person": "x"}, {"sort": "\u202e"}, {"q": "中文" * 500}, {"page": "0"}):
        assert c.get("/cases/", query_string=q).status_code == 200


def test_archive_is_paged(app, login, staff, manager, store):
    n = app.config["PER_PAGE"] + 2
    for i in range(n):
        make_case(store, manager, f"Case number {i:02d}")
    c = login(staff)
    first = c.get("/cases/").get_data(as_text=True)
    assert "Page 1 of 2" in first and f"Case number {n - 1:02d}" in first and "Case number 00" not in first
    assert "Case number 00" in c.get("/cases/?page=2").get_data(as_text=True)


def test_export_applies_the_filters(login, staff, manager, store):
    make_case(store, manager, "=HYPERLINK(\"x\")", tags="漏油")
    make_case(store, manager, "Other")
    response = login(staff).get("/cases/export.xlsx?tag=漏油")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ['=HYPERLINK("x")']


def test_other_stores_cases_stay_hidden(login, manager, store, make_store, make_user):
    case = make_case(store, manager, "Secret case")
    other = make_store("S2")
    outsider = make_user(STAFF, other, username="out")
    other_manager = make_user(MANAGER, other, username="out2")
    assert login(outsider).get(f"/cases/{case.id}").status_code == 403
    assert "Secret case" not in login(outsider).get("/cases/").get_data(as_text=True)
    assert login(other_manager).post(f"/cases/{case.id}/unpublish", data={"version": case.version}).status_code == 403


def test_proposals_are_hidden_from_other_staff(login, staff, tech, store):
    case = make_case(store, staff, "My draft", published=False)
    assert login(tech).get(f"/cases/{case.id}").status_code == 403
    assert login(staff).get(f"/cases/{case.id}").status_code == 200


def test_case_onto_a_meeting_from_either_side(login, staff, manager, store, make_meeting):
    meeting = make_meeting(days_ahead=3, theme="Weekly 12")
    case = make_case(store, manager, "异响一次修好")
    other = make_case(store, manager, "Quick handover")
    c = login(manager)
    page = c.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Weekly 12" in page
    assert c.post(f"/cases/{case.id}/agenda", data={"meeting_id": meeting.id, "where": "sharing"}).status_code == 302
    link = db.session.scalar(select(CaseMeeting))
    assert link.agenda_item.kind == "sharing"
    assert "Weekly 12" in c.get(f"/cases/{case.id}").get_data(as_text=True)
    again = c.post(f"/cases/{case.id}/agenda", data={"meeting_id": meeting.id, "where": "theme"})
    assert again.status_code == 422
    # From the meeting page.
    meeting_page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "异响一次修好" in meeting_page and 'name="case_id"' in meeting_page
    assert c.post(f"/cases/meeting/{meeting.id}", data={"case_id": other.id, "where": "theme"}).status_code == 302
    kinds = {link.case_id: link.agenda_item.kind for link in db.session.scalars(select(CaseMeeting))}
    assert kinds == {case.id: "sharing", other.id: "theme"}
    minutes = c.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "Typical cases discussed" in minutes and "异响一次修好" in minutes
    # Staff do not put cases on the agenda.
    assert login(staff).post(f"/cases/{case.id}/agenda", data={"meeting_id": meeting.id}).status_code == 403


def test_improvements_become_action_items(login, staff, manager, store, make_meeting):
    meeting = make_meeting(days_ahead=3)
    case = make_case(store, manager, "Bad handover")
    services.take_onto_agenda(case, meeting, manager.id)
    db.session.commit()
    c = login(manager)
    data = dict(title="Checklist at handover", owner_id=staff.id,
                deadline=(local_today() + timedelta(days=7)).isoformat(), meeting_id=meeting.id)
    assert c.post(f"/cases/{case.id}/improvements", data=data).status_code == 302
    item = db.session.scalar(select(ActionItem))
    assert item.owner_id == staff.id and item.meeting_id == meeting.id
    assert "Checklist at handover" in c.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Checklist at handover" in c.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert login(staff).post(f"/cases/{case.id}/improvements", data=data).status_code == 403


def test_a_case_from_a_closed_problem_carries_its_facts(login, staff, tech, manager):
    p = problems.raise_problem(store_id=staff.store_id, raised_by_id=tech.id, kind="comeback",
                               title="Brake squeal came back", original_ro="RO-1", return_ro="RO-2", plate="沪B1",
                               technician_id=tech.id, type="technical")
    problems.triage(p, manager.id, None, owner_id=tech.id, deadline=local_today(), urgency="urgent", type="technical",
                    cause="method", cause_origin="plan", cause_analysis="No test drive in the standard", check_days=1)
    db.session.commit()
    c = login(staff)
    assert c.get(f"/cases/new?problem={p.id}").status_code == 302  # not closed yet
    problems.add_measure(p, manager.id, kind="recurrence", title="Test drive in the standard", owner_id=tech.id,
                         deadline=local_today())
    db.session.flush()
    p.measures[0].action_item.status = "done"
    p.measures[0].action_item.done_at = utcnow() - timedelta(days=2)
    problems.close(p, manager.id, None, local_today())
    db.session.commit()
    assert "Make a typical case from this problem" in c.get(f"/problems/{p.id}").get_data(as_text=True)
    form = c.get(f"/cases/new?problem={p.id}").get_data(as_text=True)
    assert "Brake squeal came back" in form and "RO-2" in form and "No test drive in the standard" in form
    assert c.post(f"/cases/new?problem={p.id}", data=case_data(title="Brake squeal came back")).status_code == 302
    case = db.session.scalar(select(TypicalCase))
    assert case.problem_id == p.id
    assert "Brake squeal came back" in c.get(f"/problems/{p.id}").get_data(as_text=True)


def test_a_stale_edit_is_409(login, manager, store):
    case = make_case(store, manager, "Original")
    c, version = login(manager), case.version
    ok = c.post(f"/cases/{case.id}/edit", data=case_data(title="First edit", version=version))
    assert ok.status_code == 302
    stale = c.post(f"/cases/{case.id}/edit", data=case_data(title="Second edit", version=version))
    assert stale.status_code == 409
    assert db.session.get(TypicalCase, case.id).title == "First edit"
