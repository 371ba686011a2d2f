"""The problem register: raising (from a phone, comebacks too), triage, measures, the close rule,
the report back, the reopen window, meetings, the register's filters and export, across stores."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.actions.models import ActionItem
from app.auth.models import MANAGER, STAFF
from app.extensions import db
from app.problems import services
from app.problems.models import CLOSED, NEW, OPEN, Problem, ProblemMeeting
from app.timeutils import local_today, utcnow

PAGE_LANGUAGE = "en"


@pytest.fixture
def tech(make_user, store):
    return make_user(STAFF, store, username="tech1", name="Tech Chen", position="technician")


def raise_one(client, **data):
    fields = dict(kind="problem", title="Lift 3 leaks oil", location="Bay 3", urgency="urgent", type="equipment")
    fields.update(data)
    return client.post("/problems/new", data=fields)


def only_problem() -> Problem:
    return db.session.scalar(select(Problem))


def triage_data(problem, owner, **over):
    data = dict(owner_id=owner.id, deadline=(local_today() + timedelta(days=7)).isoformat(), urgency="urgent",
                type="equipment", cause="machine", cause_origin="execution",
                cause_analysis="Seal worn; no maintenance plan", check_days="30", version=problem.version)
    data.update(over)
    return data


def triaged(manager, owner, raised_by, check_days=30):
    p = services.raise_problem(store_id=raised_by.store_id, raised_by_id=raised_by.id, title="Lift 3 leaks oil",
                               urgency="urgent", type="equipment")
    services.triage(p, manager.id, None, owner_id=owner.id, deadline=local_today() + timedelta(days=7),
                    urgency="urgent", type="equipment", cause="machine", cause_origin="execution",
                    cause_analysis="Seal worn", check_days=check_days)
    db.session.commit()
    return p


def with_measures_done(p, manager, owner, days_ago=40):
    for kind in ("corrective", "recurrence"):
        services.add_measure(p, manager.id, kind=kind, title=f"{kind} measure", owner_id=owner.id,
                             deadline=local_today() + timedelta(days=3))
    db.session.flush()
    for m in p.measures:
        m.action_item.status = "done"
        m.action_item.done_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return p


# --- raising ------------------------------------------------------------------------------

def test_staff_raise_a_problem_and_see_it_in_my_problems(login, staff, manager):
    c = login(staff)
    assert c.get("/problems/new").status_code == 200
    response = raise_one(c)
    assert response.status_code == 302
    p = only_problem()
    assert (p.status, p.urgency, p.type, p.raised_by_id, p.location) == (NEW, "urgent", "equipment", staff.id, "Bay 3")
    page = c.get("/problems/mine").get_data(as_text=True)
    assert "Lift 3 leaks oil" in page and "Waiting for triage" in page
    assert "raised the problem" in c.get(f"/problems/{p.id}").get_data(as_text=True)


def test_a_comeback_needs_its_original_repair_order_and_a_valid_vin(login, tech, manager):
    c = login(tech)
    assert "comeback" in c.get("/problems/new?kind=comeback").get_data(as_text=True)
    refused = raise_one(c, kind="comeback", title="Noise again after brake job", original_ro="")
    assert refused.status_code == 422 and "original repair order" in refused.get_data(as_text=True)
    refused = raise_one(c, kind="comeback", title="Noise again", original_ro="RO-1", vin="LSVAB1234567890IO")
    assert refused.status_code == 422 and "without I, O or Q" in refused.get_data(as_text=True)
    assert only_problem() is None
    ok = raise_one(c, kind="comeback", title="Noise again", original_ro="RO-1", return_ro="RO-2",
                   vin="lsvab12345678901x"[:17], plate="沪A12345", technician_id=tech.id)
    assert ok.status_code == 302
    p = only_problem()
    assert p.is_comeback and p.vin == "LSVAB12345678901X" and p.technician_id == tech.id


@pytest.mark.parametrize("title", ["", "   ", "a\x00b", "x" * 201])
def test_hostile_titles_are_refused(login, staff, title):
    response = raise_one(login(staff), title=title)
    assert response.status_code == 422
    assert only_problem() is None


def test_hostile_text_is_shown_as_text(login, staff, manager):
    raise_one(login(staff), title="<script>alert(1)</script>", description="中文" * 1000)
    p = only_problem()
    page = login(manager).get(f"/problems/{p.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_gm_and_admin_do_not_raise(login, gm):
    assert login(gm).get("/problems/new").status_code == 403


# --- who sees what ------------------------------------------------------------------------

def test_staff_of_another_store_cannot_see_a_problem(login, staff, manager, make_store, make_user):
    p = triaged(manager, staff, staff)
    other_store = make_store("S2")
    outsider = make_user(STAFF, other_store, username="out1")
    other_manager = make_user(MANAGER, other_store, username="out2")
    assert login(outsider).get(f"/problems/{p.id}").status_code == 403
    c = login(other_manager)
    assert c.get(f"/problems/{p.id}").status_code == 403
    assert c.post(f"/problems/{p.id}/triage", data=triage_data(p, staff)).status_code == 403
    assert "Lift 3" not in c.get("/problems/").get_data(as_text=True)


def test_only_the_manager_or_the_delegate_triages(login, staff, tech, manager):
    raise_one(login(staff))
    p = only_problem()
    assert login(tech).post(f"/problems/{p.id}/triage", data=triage_data(p, tech)).status_code == 403
    assert login(staff).get("/problems/").status_code == 302  # staff: the register leads to my problems
    # The manager names a delegate, who may then triage.
    assert login(manager).post("/problems/settings", data={"delegate_id": tech.id}).status_code == 302
    response = login(tech).post(f"/problems/{p.id}/triage", data=triage_data(p, tech))
    assert response.status_code == 302
    p = only_problem()
    assert (p.status, p.owner_id, p.cause, p.cause_origin) == (OPEN, tech.id, "machine", "execution")
    assert login(tech).get("/problems/").status_code == 200


def test_triage_validation_and_a_stale_version_is_409(login, staff, manager):
    raise_one(login(staff))
    p = only_problem()
    c = login(manager)
    bad = c.post(f"/problems/{p.id}/triage", data=triage_data(p, staff, check_days="0", cause="weather"))
    assert bad.status_code == 422
    assert c.post(f"/problems/{p.id}/triage", data=triage_data(p, staff)).status_code == 302
    stale = c.post(f"/problems/{p.id}/triage", data=triage_data(p, staff, version=1))
    assert stale.status_code == 409


# --- measures, the close rule, report back, reopen --------------------------------------------

def test_owner_records_measures_as_action_items(login, staff, tech, manager):
    p = triaged(manager, tech, staff)
    c = login(tech)
    data = dict(kind="recurrence", title="Monthly seal inspection", owner_id=tech.id,
                deadline=(local_today() + timedelta(days=5)).isoformat())
    assert c.post(f"/problems/{p.id}/measures", data=data).status_code == 302
    item = db.session.scalar(select(ActionItem))
    assert item.title == "Monthly seal inspection" and item.owner_id == tech.id and item.store_id == p.store_id
    assert "Monthly seal inspection" in c.get("/actions/mine").get_data(as_text=True)
    # Whoever raised it (not owner, not manager) adds no measures.
    assert login(staff).post(f"/problems/{p.id}/measures", data=data).status_code == 403


def test_no_close_without_the_effectiveness_check(login, staff, tech, manager):
    p = triaged(manager, tech, staff, check_days=30)
    c = login(manager)
    check = lambda: c.post(f"/problems/{p.id}/check", data=dict(result="not_recurred", note="No leak",  # noqa: E731
                                                               version=only_problem().version))
    # No measures yet.
    response = check()
    assert response.status_code == 422 and "measure" in response.get_data(as_text=True)
    services.add_measure(p, manager.id, kind="corrective", title="Replace seal", owner_id=tech.id,
                         deadline=local_today())
    db.session.commit()
    # A measure still open.
    assert check().status_code == 422
    item = db.session.scalar(select(ActionItem))
    item.status, item.done_at = "done", utcnow() - timedelta(days=3)
    db.session.commit()
    # Done three days ago: the 30-day window has not passed.
    response = check()
    assert response.status_code == 422 and "check window runs until" in response.get_data(as_text=True)
    assert only_problem().status == OPEN
    # The owner (not a triager) cannot record the check.
    assert login(tech).post(f"/problems/{p.id}/check", data=dict(result="not_recurred", note="x",
                                                                  version=only_problem().version)).status_code == 403
    item.done_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert check().status_code == 302
    p = only_problem()
    assert p.status == CLOSED and p.reported_at is not None and p.result_unseen


def test_a_recurrence_keeps_it_open(login, staff, tech, manager):
    p = with_measures_done(triaged(manager, tech, staff), manager, tech)
    response = login(manager).post(f"/problems/{p.id}/check", data=dict(result="recurred", note="Leaks again",
                                                                         version=p.version))
    assert response.status_code == 302
    p = only_problem()
    assert p.status == OPEN and p.check_result == "recurred" and p.reported_at is None


def test_the_result_is_reported_back_with_a_marker_until_read(login, staff, tech, manager):
    p = with_measures_done(triaged(manager, tech, staff), manager, tech)
    login(manager).post(f"/problems/{p.id}/check", data=dict(result="not_recurred", note="No leak in 30 days",
                                                             version=p.version))
    c = login(staff)
    mine = c.get("/problems/mine").get_data(as_text=True)
    assert "New result" in mine and "No leak in 30 days" in mine
    assert 'title="Results reported back that you have not read">1<' in mine
    # The manager's visit does not count as read.
    login(manager).get(f"/problems/{p.id}")
    assert only_problem().result_unseen
    page = c.get(f"/problems/{p.id}").get_data(as_text=True)
    assert "Did not recur" in page
    assert not only_problem().result_unseen
    assert "New result" not in c.get("/problems/mine").get_data(as_text=True)
    # The bell (and the outbox's e-mail) told them too, linking to the problem.
    from app.notifications.models import Notification, OutboxMessage
    from app.problems.notices import RESULT
    [told] = db.session.scalars(select(Notification).where(Notification.user_id == staff.id,
                                                           Notification.kind == RESULT)).all()
    assert told.link == f"/problems/{p.id}"
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == RESULT)) is not None or not staff.email


def test_whoever_raised_it_reopens_within_the_window(app, login, staff, tech, manager):
    p = with_measures_done(triaged(manager, tech, staff), manager, tech)
    services.close(p, manager.id, None, local_today())
    db.session.commit()
    data = lambda: dict(reason="Still leaking", version=only_problem().version)  # noqa: E731
    assert login(tech).post(f"/problems/{p.id}/reopen", data=data()).status_code == 403
    assert login(staff).post(f"/problems/{p.id}/reopen", data=dict(reason="", version=p.version)).status_code == 422
    p = only_problem()
    p.closed_at = utcnow() - timedelta(days=app.config["PROBLEM_REOPEN_DAYS"] + 1)
    db.session.commit()
    late = login(staff).post(f"/problems/{p.id}/reopen", data=data())
    assert late.status_code == 422 and "within 7 days" in late.get_data(as_text=True)
    p = only_problem()
    p.closed_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert login(staff).post(f"/problems/{p.id}/reopen", data=data()).status_code == 302
    p = only_problem()
    assert (p.status, p.reopen_count, p.check_result) == (OPEN, 1, None)


def test_the_reopen_window_is_configurable(app, staff, tech, manager):
    p = with_measures_done(triaged(manager, tech, staff), manager, tech)
    services.close(p, manager.id, None, local_today())
    p.closed_at = utcnow() - timedelta(days=10)
    db.session.commit()
    assert not services.can_still_reopen(p, local_today())
    app.config["PROBLEM_REOPEN_DAYS"] = 14
    try:
        assert services.can_still_reopen(p, local_today())
    finally:
        app.config["PROBLEM_REOPEN_DAYS"] = 7


# --- meetings -----------------------------------------------------------------------------

def test_put_on_the_next_meeting_in_one_step_and_the_minutes_link_back(login, staff, manager, make_meeting):
    later = make_meeting(days_ahead=14, theme="Later meeting")
    sooner = make_meeting(days_ahead=3, theme="Sooner meeting")
    raise_one(login(staff))
    p = only_problem()
    c = login(manager)
    page = c.get(f"/problems/{p.id}").get_data(as_text=True)
    assert "Put on the next meeting" in page and "Sooner meeting" in page
    assert c.post(f"/problems/{p.id}/agenda", data={}).status_code == 302
    link = db.session.scalar(select(ProblemMeeting))
    assert link.meeting_id == sooner.id and link.agenda_item.kind == "qa"
    assert c.post(f"/problems/{p.id}/agenda", data={"meeting_id": sooner.id}).status_code == 422
    meeting_page = c.get(f"/meetings/{sooner.id}").get_data(as_text=True)
    assert "Lift 3 leaks oil" in meeting_page
    minutes = c.get(f"/meetings/{sooner.id}/minutes").get_data(as_text=True)
    assert "Problems discussed" in minutes and f"/problems/{p.id}" in minutes
    # From the meeting page: the later meeting takes it in one step.
    assert 'name="problem_id"' in c.get(f"/meetings/{later.id}").get_data(as_text=True)
    assert c.post(f"/problems/meeting/{later.id}", data={"problem_id": p.id}).status_code == 302
    assert "agenda" in c.get(f"/problems/{p.id}").get_data(as_text=True)
    # Staff cannot put problems on the agenda.
    assert login(staff).post(f"/problems/{p.id}/agenda", data={}).status_code == 403


def test_no_meeting_ahead_says_so(login, staff, manager):
    raise_one(login(staff))
    p = only_problem()
    response = login(manager).post(f"/problems/{p.id}/agenda", data={})
    assert response.status_code == 422 and "no meeting ahead" in response.get_data(as_text=True)


# --- the register -------------------------------------------------------------------------

def test_register_filters_counts_overdue_and_search(login, staff, tech, manager):
    a = triaged(manager, tech, staff)
    a.deadline = local_today() - timedelta(days=2)
    b = services.raise_problem(store_id=staff.store_id, raised_by_id=tech.id, kind="comeback", title="空调异响返修",
                               original_ro="RO-9", urgency="can_wait", type="technical")
    db.session.commit()
    c = login(manager)
    page = c.get("/problems/").get_data(as_text=True)
    assert "Lift 3 leaks oil" in page and "空调异响返修" in page and "2 days overdue" in page
    assert "Problems per month" in page
    only = lambda **q: c.get("/problems/", query_string=q).get_data(as_text=True)  # noqa: E731
    assert "空调异响" in only(kind="comeback") and "Lift 3" not in only(kind="comeback")
    assert "Lift 3" in only(overdue="1") and "空调异响" not in only(overdue="1")
    assert "Lift 3" in only(cause="machine") and "空调异响" not in only(cause="machine")
    assert "空调异响" in only(q="异响") and "Lift 3" not in only(q="异响")
    assert "Lift 3" in only(owner=tech.id) and "空调" not in only(owner=tech.id)
    assert "Lift 3" in only(urgency="urgent") and "空调" not in only(urgency="urgent")
    assert "空调" in only(status="new") and "Lift 3" not in only(status="new")
    assert "Lift 3" not in only(age="week")
    for q in ({"status": "x\u202e"}, {"q": "%_%"}, {"owner": "99999999999"}, {"age": "zzz"}, {"page": "9999"}):
        assert c.get("/problems/", query_string=q).status_code == 200
    counts = services.month_counts(staff.store_id, local_today())
    assert counts[-1][1:] == (2, 1)
    assert b.id


def test_register_export_applies_the_filters(login, staff, tech, manager):
    triaged(manager, tech, staff)
    services.raise_problem(store_id=staff.store_id, raised_by_id=tech.id, kind="comeback", title="=cmd|' /C calc'!A0",
                           original_ro="RO-9")
    db.session.commit()
    response = login(manager).get("/problems/export.xlsx?kind=comeback")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["=cmd|' /C calc'!A0"]
    assert sheet.cell(2, 3).data_type == "s"
    assert login(staff).get("/problems/export.xlsx").status_code == 403


# --- photos -------------------------------------------------------------------------------

def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_a_photo_comes_with_the_problem_and_a_fake_one_is_refused(login, staff, manager):
    from app.attachments.models import Attachment

    c = login(staff)
    fake = raise_one(c, photo=(io.BytesIO(b"not an image at all"), "leak.jpg"))
    assert fake.status_code == 422
    assert only_problem() is None and db.session.scalar(select(Attachment)) is None
    ok = raise_one(c, photo=(io.BytesIO(_png()), "leak.png"))
    assert ok.status_code == 302
    p = only_problem()
    photo = db.session.scalar(select(Attachment))
    assert photo.owner_type == "problem" and photo.owner_id == p.id
    page = c.get(f"/problems/{p.id}").get_data(as_text=True)
    assert f"/files/{photo.id}" in page
    assert login(manager).get(f"/files/{photo.id}").status_code == 200


def test_a_problems_photo_stays_in_its_store(login, staff, manager, make_store, make_user):
    from app.attachments.models import Attachment

    raise_one(login(staff), photo=(io.BytesIO(_png()), "leak.png"))
    photo = db.session.scalar(select(Attachment))
    outsider = make_user(STAFF, make_store("S2"), username="out1")
    assert login(outsider).get(f"/files/{photo.id}").status_code in (403, 404)


# --- the dashboard and the demo -----------------------------------------------------------

def test_dashboard_shows_open_urgent_problems_and_comebacks_against_the_kpi(login, staff, tech, manager):
    from app.kpis.models import KpiValue
    from app.kpis.services import kpi_by_code
    from app.months import month_start

    triaged(manager, tech, staff)  # urgent, open
    services.raise_problem(store_id=staff.store_id, raised_by_id=tech.id, kind="comeback", title="Came back",
                           original_ro="RO-1", urgency="can_wait")
    kpi = kpi_by_code("COMEBACK_RATE")
    month = month_start(local_today())
    db.session.add(KpiValue(kpi_id=kpi.id, store_id=staff.store_id, person_id=tech.id, subject_key=tech.id,
                            month=month, value=3.5))
    db.session.commit()
    page = login(manager).get("/dashboard/").get_data(as_text=True)
    assert "Open urgent problems" in page and "Lift 3 leaks oil" in page and "Came back" not in page
    assert "Comebacks per month" in page and "3.5%" in page and "Target: at most 2%" in page


def test_demo_has_problems_in_every_state_and_cases(app):
    from app.cases.models import TypicalCase
    from app.demo import load_demo

    assert load_demo()
    db.session.commit()
    problems_ = db.session.scalars(select(Problem)).all()
    assert {p.status for p in problems_} == {NEW, OPEN, CLOSED}
    assert any(p.is_comeback for p in problems_) and any(p.result_unseen for p in problems_)
    assert any(p.reopen_count for p in problems_)
    assert any(services.check_state(p, local_today()).ready for p in problems_)
    assert db.session.scalar(select(ProblemMeeting.id)) is not None
    statuses = {c.status for c in db.session.scalars(select(TypicalCase))}
    assert statuses == {"proposed", "published"}


@pytest.mark.parametrize("htmx", [False, True])
def test_every_page_answers_per_role_full_or_htmx(login, staff, manager, gm, make_user, store, htmx):
    from app.auth.models import ADMIN
    from app.cases import services as cases

    admin = make_user(ADMIN, store, username="adm")
    p = triaged(manager, staff, staff)
    c = cases.propose(store_id=store.id, created_by_id=staff.id, title="Case", case_date=local_today(),
                      example="good", category="technical", satisfaction="satisfied")
    cases.publish(c, manager.id, None)
    db.session.commit()
    expected = {
        staff: {"/problems/": 302, "/problems/mine": 200, "/problems/new": 200, f"/problems/{p.id}": 200,
                "/problems/export.xlsx": 403, "/cases/": 200, "/cases/new": 200, f"/cases/{c.id}": 200,
                f"/cases/{c.id}/edit": 403, "/cases/export.xlsx": 200},
        manager: {"/problems/": 200, "/problems/mine": 200, "/problems/new": 200, f"/problems/{p.id}": 200,
                  "/problems/export.xlsx": 200, "/cases/?status=proposed": 200, f"/cases/{c.id}/edit": 200},
        gm: {"/problems/": 200, "/problems/new": 403, f"/problems/{p.id}": 200, "/cases/": 200, "/cases/new": 403,
             f"/cases/{c.id}/edit": 403, "/dashboard/": 200},
        admin: {"/problems/": 200, f"/problems/{p.id}": 200, "/cases/": 200, "/cases/new": 403},
    }
    for user, pages in expected.items():
        client = login(user)
        for url, status in pages.items():
            assert client.get(url, htmx=htmx).status_code == status, (user.username, url)


def test_several_photos_come_with_the_problem_and_too_many_change_nothing(app, login, staff):
    from app.attachments.models import Attachment

    c = login(staff)
    cap = app.config["ATTACHMENT_MAX_FILES_PER_UPLOAD"]
    too_many = raise_one(c, photo=[(io.BytesIO(_png()), f"p{i}.png") for i in range(cap + 1)])
    assert too_many.status_code == 422 and f"at most {cap} files" in too_many.text
    assert only_problem() is None and db.session.scalar(select(Attachment)) is None
    assert raise_one(c, photo=[(io.BytesIO(_png()), "camera.png"), (io.BytesIO(_png()), "gallery.png")]).status_code == 302
    assert len(db.session.scalars(select(Attachment).where(Attachment.owner_id == only_problem().id)).all()) == 2
    form = c.get("/problems/new").text
    assert 'for="photo">Take a photo<' in form and 'for="photos">Or choose photos<' in form and "multiple" in form


# --- correcting what was reported --------------------------------------------------------------

def correction(problem, **over):
    data = dict(kind="comeback", title="Lift 3 leaks hydraulic oil", location="Bay 3", description="Since Monday",
                original_ro="RO-1001", return_ro="RO-1042", plate="京a12345", vin="", vehicle_model="",
                technician_id="0", version=str(problem.version))
    data.update(over)
    return data


def test_the_raiser_corrects_the_report_until_triage_then_the_triager_until_closed(login, staff, manager, tech):
    c = login(staff)
    raise_one(c)
    p = only_problem()
    page = c.get(f"/problems/{p.id}").text
    assert "Correct what was reported" in page
    assert c.get(f"/problems/{p.id}/edit").status_code == 200
    saved = c.post(f"/problems/{p.id}/edit", data=correction(p))
    assert saved.status_code == 302
    p = only_problem()
    assert (p.kind, p.title, p.description, p.original_ro, p.plate) == (
        "comeback", "Lift 3 leaks hydraulic oil", "Since Monday", "RO-1001", "京A12345")
    assert p.urgency == "urgent" and p.type == "equipment"  # the triage's, untouched
    assert "corrected what was reported" in c.get(f"/problems/{p.id}").text
    assert "hydraulic" in p.search_text  # the register's search finds the corrected words
    # Triaged: the raiser no longer may; the manager may, until it is closed.
    m = login(manager)
    assert m.post(f"/problems/{p.id}/triage", data=triage_data(p, tech)).status_code == 302
    assert "Correct what was reported" not in c.get(f"/problems/{p.id}").text
    assert c.get(f"/problems/{p.id}/edit").status_code == 403
    assert c.post(f"/problems/{p.id}/edit", data=correction(only_problem(), title="Mine")).status_code == 403
    assert m.post(f"/problems/{p.id}/edit", data=correction(only_problem(), title="Lift 3 seal")).status_code == 302
    assert only_problem().title == "Lift 3 seal"


def test_a_correction_is_validated_and_a_colleague_may_not_correct(login, staff, make_user, store):
    c = login(staff)
    raise_one(c)
    p = only_problem()
    blank = c.post(f"/problems/{p.id}/edit", data=correction(p, title="  "))
    assert blank.status_code == 422 and only_problem().title == "Lift 3 leaks oil"
    no_ro = c.post(f"/problems/{p.id}/edit", data=correction(p, original_ro=""))
    assert no_ro.status_code == 422 and "names the original repair order" in no_ro.text
    nul = c.post(f"/problems/{p.id}/edit", data=correction(p, title="Lift\x00"))
    assert nul.status_code in (400, 422) and only_problem().title == "Lift 3 leaks oil"
    colleague = login(make_user(STAFF, store, username="sa2"))
    assert colleague.get(f"/problems/{p.id}/edit").status_code == 403
    assert "Correct what was reported" not in colleague.get(f"/problems/{p.id}").text


def test_a_correction_on_a_stale_version_keeps_both_texts(login, staff, manager):
    c = login(staff)
    raise_one(c)
    p = only_problem()
    stale = correction(p, title="My wording")
    assert login(manager).post(f"/problems/{p.id}/edit", data=correction(p, kind="problem", original_ro="",
                                                                         title="Their wording")).status_code == 302
    clash = c.post(f"/problems/{p.id}/edit", data=stale)
    assert clash.status_code == 409
    assert "Saved meanwhile" in clash.text and "Their wording" in clash.text and 'value="My wording"' in clash.text
    assert only_problem().title == "Their wording"
    # Saving again, having seen theirs, is a choice the form now allows.
    version = int(__import__("re").search(r'name="version"[^>]*value="(\d+)"', clash.text).group(1))
    assert c.post(f"/problems/{p.id}/edit", data={**stale, "version": str(version)}).status_code == 302
    assert only_problem().title == "My wording"
