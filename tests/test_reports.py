"""The monthly and year-end reviews: figures against hand-computed values (tests/report_world.py),
publishing freezes them, autosave with concurrency, permissions per role and store, the PDF."""
import io
import re
from datetime import date, datetime

import pytest
from sqlalchemy import select, update

from app.auth.models import ADMIN, MANAGER, STAFF, store_access
from app.extensions import db
from app.kpis.models import KpiValue
from app.reports import services
from app.reports.models import Report
from app.timeutils import local_today

from . import report_world
from .report_world import OCTOBER

PAGE_LANGUAGE = "en"


@pytest.fixture
def world(make_user, store):
    return report_world.build(make_user, store)


def start(world, kind="month", start=OCTOBER):
    report = services.start_report(world["manager"].store_id, kind, start, world["manager"].id, local_today())
    db.session.commit()
    return report


# --- the figures --------------------------------------------------------------------------------

def test_october_figures_match_the_hand_computed_ones(world, store):
    f = services.figures(store.id, "month", OCTOBER, local_today())
    m, a, c = f["meetings"], f["actions"], f["coaching"]
    assert (m["weekly_held"], m["weekly_expected"], m["held"]) == (3, 4, 3)
    assert (m["present"], m["recorded"]) == (4, 6)
    assert m["attendance_rate"] == pytest.approx(4 / 6)
    assert m["decisions"] == 3
    assert (a["opened"], a["due"], a["on_time"], a["overdue"], a["still_open"], a["extended"]) == (5, 4, 1, 3, 1, 1)
    assert a["on_time_rate"] == pytest.approx(0.25)
    [kpi] = f["kpis"]
    assert kpi["value"] == 90.0 and kpi["attainment"] == pytest.approx(90 / 88)
    assert kpi["previous"]["from"] == 85.0 and kpi["previous"]["delta"] == pytest.approx(5)
    assert kpi["previous"]["ratio"] == pytest.approx(5 / 85) and kpi["previous"]["better"] is True
    assert kpi["last_year"]["from"] == 80.0 and kpi["last_year"]["delta"] == pytest.approx(10)
    assert kpi["last_year"]["ratio"] == pytest.approx(0.125)
    assert kpi["chart"]["months"][-1] == "2025-10-01" and kpi["chart"]["values"][-2:] == [85.0, 90.0]
    [goal] = f["goals"]
    assert goal["actual"] == pytest.approx(87.5) and goal["attainment"] == pytest.approx(87.5 / 95)
    assert goal["stage"] == "do" and goal["status"] == "at_risk"  # 92 % is at least 90 %
    assert (c["held"], c["coached"], c["staff"]) == (1, 1, 2) and c["coverage"] == pytest.approx(0.5)
    assert f["assessment"]["met"] == 9 and f["assessment"]["verdict"] == "capable"


def test_coverage_counts_the_staff_of_the_period_not_of_today(world, store, make_user):
    """Coaching coverage of October 2025: staff who left during October count, those who left before
    it and those who joined after it do not; today's deactivations change a past month's figure only
    when they fall into it."""
    from app.people.services import set_active

    during = make_user(STAFF, store, username="left_in_october")
    before = make_user(STAFF, store, username="left_in_september")
    joined = make_user(STAFF, store, username="joined_in_november")
    during.created_at = before.created_at = datetime(2024, 6, 1)
    joined.created_at = datetime(2025, 11, 10)
    set_active(during, False)
    set_active(before, False)
    during.deactivated_at, before.deactivated_at = datetime(2025, 10, 20, 3), datetime(2025, 9, 30, 3)
    db.session.commit()
    c = services.figures(store.id, "month", OCTOBER, local_today())["coaching"]
    assert (c["coached"], c["staff"]) == (1, 3) and c["coverage"] == pytest.approx(1 / 3)
    # Back again: active people count whatever their old date said, and the date is cleared.
    set_active(before, True)
    db.session.commit()
    assert before.deactivated_at is None
    assert services.figures(store.id, "month", OCTOBER, local_today())["coaching"]["staff"] == 4


def test_year_figures_compare_with_the_same_months_a_year_before(world, store):
    f = services.figures(store.id, "year", date(2025, 1, 1), local_today())
    [kpi] = f["kpis"]
    # 2025: September 85 and October 90 (mean 87.5); 2024 over the same months: October 80 only.
    assert kpi["value"] == pytest.approx(87.5)
    assert kpi["previous"]["from"] == 80.0 and kpi["last_year"] is None
    assert f["meetings"]["held"] == 4 and f["meetings"]["decisions"] == 4


def test_the_figures_take_a_fixed_number_of_queries(world, store, count_queries):
    with count_queries() as few:
        services.figures(store.id, "month", OCTOBER, local_today())
    for day in (7, 8, 9):
        m = report_world.meeting(store, world["manager"], date(2025, 10, day))
        report_world.item(store, world["staff"], world["manager"], report_world.datetime(2025, 10, day, 3),
                          date(2025, 10, day + 1))
        db.session.add(report_world.Attendance(meeting_id=m.id, user_id=world["staff"].id, status="present"))
    k2 = report_world.kpi("TCSI2")
    report_world.value(store, k2, OCTOBER, 50.0)
    db.session.commit()
    with count_queries() as more:
        services.figures(store.id, "month", OCTOBER, local_today())
    assert more() == few()


def test_the_report_page_shows_the_figures(world, login):
    report = start(world)
    page = login(world["manager"]).get(f"/reports/{report.id}").get_data(as_text=True)
    assert re.search(r'id="fig-weekly">3 of 4<', page)
    assert "67%" in page and 'id="fig-opened">5<' in page and 'id="fig-overdue">3<' in page
    assert "+5<small> (+6%)</small>" in page and "+10<small> (+13%)</small>" in page and "92.1%" in page
    assert "<svg" in page and "Capable" in page
    assert "Draft: the figures are computed" in page


# --- the report's life ------------------------------------------------------------------------

def test_starting_links_the_monthly_review_meeting_and_the_meeting_links_back(world, login):
    client = login(world["manager"])
    response = client.post("/reports/new", data={"kind": "month", "month": "2025-10"})
    assert response.status_code == 302
    report = db.session.scalar(select(Report))
    assert report.meeting_id == world["review_meeting"].id
    # Opening it again finds the same draft.
    assert client.post("/reports/new", data={"kind": "month", "month": "2025-10"}).headers["Location"] \
        == response.headers["Location"]
    meeting_page = client.get(f"/meetings/{world['review_meeting'].id}").get_data(as_text=True)
    assert f'/reports/{report.id}"' in meeting_page and "Monthly summary: Oct 2025" in meeting_page


def test_a_future_period_is_refused(world, login):
    today = local_today()
    future = f"{today.year + 1}-01"
    response = login(world["manager"]).post("/reports/new", data={"kind": "month", "month": future},
                                            follow_redirects=True)
    assert "has not begun yet" in response.get_data(as_text=True)
    assert db.session.scalar(select(Report)) is None


def test_autosave_and_two_editors(world, login):
    report = start(world)
    tab1, tab2 = login(world["manager"]), login(world["manager"])
    texts = {"summary": "October went well.", "went_well": "", "problems": "", "next_plan": ""}
    saved = tab1.post(f"/reports/{report.id}/narrative", data={**texts, "version": "1"}, htmx=True)
    assert saved.status_code == 200 and 'id="report-version" value="2"' in saved.get_data(as_text=True)
    # The second tab still has version 1: refused, with the other text, and nothing of it saved.
    other = {**texts, "summary": "My own summary."}
    refused = tab2.post(f"/reports/{report.id}/narrative", data={**other, "version": "1"}, htmx=True)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved this review" in body and "October went well." in body
    assert "Keep my text and replace theirs" in body
    db.session.refresh(report)
    assert report.summary == "October went well." and report.version == 2
    # Keeping one's own text: the save based on the version now shown wins.
    kept = tab2.post(f"/reports/{report.id}/narrative", data={**other, "version": "2"}, htmx=True)
    assert kept.status_code == 200
    db.session.refresh(report)
    assert report.summary == "My own summary." and report.version == 3
    # Without htmx the conflict page keeps the typed text in the form.
    page = tab1.post(f"/reports/{report.id}/narrative", data={**texts, "summary": "Typed", "version": "2"})
    assert page.status_code == 409 and ">Typed</textarea>" in page.get_data(as_text=True)


def test_publishing_asks_first_then_freezes_the_figures(world, login, store):
    report = start(world)
    client = login(world["manager"])
    client.post(f"/reports/{report.id}/narrative", data={"summary": "Frozen text", "went_well": "",
                                                         "problems": "", "next_plan": "", "version": "1"})
    confirm = client.get(f"/reports/{report.id}/publish")
    assert confirm.status_code == 200 and "Publish now" in confirm.get_data(as_text=True)
    db.session.refresh(report)
    assert not report.is_published
    # The page was opened before the text was saved (version 1): refused, nothing published.
    assert client.post(f"/reports/{report.id}/publish", data={"version": "1"}).status_code == 303
    db.session.refresh(report)
    assert not report.is_published
    response = client.post(f"/reports/{report.id}/publish", data={"version": str(report.version)})
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.is_published and report.published_by_id == world["manager"].id and report.published_at
    november = start(world, start=date(2025, 11, 1))
    # A KPI value is corrected afterwards: October 90 -> 70.
    db.session.execute(update(KpiValue).where(KpiValue.kpi_id == world["kpi"].id, KpiValue.month == OCTOBER)
                       .values(value=70.0))
    db.session.commit()
    frozen = services.report_figures(report, local_today())
    assert frozen["kpis"][0]["value"] == 90.0 and frozen["kpis"][0]["chart"]["values"][-1] == 90.0
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'class="num kpi-value">90' in page and "Published" in page and "Frozen text" in page
    # The draft of November reads the corrected value.
    live = services.report_figures(november, local_today())
    assert live["kpis"][0]["chart"]["values"][-2:] == [70.0, None]
    # A published review's text is frozen too.
    refused = client.post(f"/reports/{report.id}/narrative", data={"summary": "x", "went_well": "", "problems": "",
                                                                   "next_plan": "", "version": str(report.version)},
                          htmx=True)
    assert refused.status_code == 422 and "published" in refused.get_data(as_text=True)


def test_a_stale_publish_is_refused(world, login):
    report = start(world)
    client = login(world["manager"])
    client.post(f"/reports/{report.id}/narrative", data={"summary": "New", "went_well": "", "problems": "",
                                                         "next_plan": "", "version": "1"})
    response = client.post(f"/reports/{report.id}/publish", data={"version": "1"}, follow_redirects=True)
    assert "Someone saved this review after you opened it" in response.get_data(as_text=True)
    db.session.refresh(report)
    assert not report.is_published


# --- permissions ------------------------------------------------------------------------------

@pytest.fixture
def other_store(make_store, make_user):
    other = make_store("S2", "Second store")
    return {"store": other, "manager": make_user(MANAGER, other, username="boss2"),
            "staff": make_user(STAFF, other, username="sb1")}


def _publish(report, user_id):
    services.publish(report, report.version, user_id, local_today())
    db.session.commit()


def test_who_reads_and_writes_what(world, login, other_store, make_user, store):
    draft = start(world)
    year = start(world, "year", date(2025, 1, 1))
    _publish(year, world["manager"].id)
    admin = make_user(ADMIN, store, username="admin")
    narrative = {"summary": "x", "went_well": "", "problems": "", "next_plan": "", "version": "1"}
    manager, staff, gm = login(world["manager"]), login(world["staff"]), login(world["gm"])
    stranger, other_staff = login(other_store["manager"]), login(other_store["staff"])
    # The store's manager drafts and publishes; nobody else writes.
    assert manager.get(f"/reports/{draft.id}").status_code == 200
    for client in (staff, gm, stranger, login(admin)):
        assert client.post(f"/reports/{draft.id}/narrative", data=narrative).status_code == 403
        assert client.get(f"/reports/{draft.id}/publish").status_code == 403
    for client in (staff, gm, login(admin)):
        assert client.post("/reports/new", data={"kind": "month", "month": "2025-10"}).status_code == 403
    # Staff: the published reviews of their store only, never a draft nor the GM's assessment.
    assert staff.get(f"/reports/{draft.id}").status_code == 403
    page = staff.get(f"/reports/{year.id}")
    assert page.status_code == 200 and 'id="fig-verdict"' not in page.get_data(as_text=True)
    archive = staff.get("/reports/").get_data(as_text=True)
    assert f"/reports/{year.id}\"" in archive and f"/reports/{draft.id}\"" not in archive
    # The GM reads drafts and published reviews of their stores, with the assessment; the group view.
    assert 'id="fig-verdict"' in gm.get(f"/reports/{draft.id}").get_data(as_text=True)
    assert gm.get("/reports/group?kind=year&year=2025").status_code == 200
    # Another store's people see nothing of this one.
    for client in (stranger, other_staff):
        assert client.get(f"/reports/{draft.id}").status_code == 403
        assert client.get(f"/reports/{year.id}").status_code == 403
        assert client.get(f"/reports/{year.id}/report.pdf").status_code == 403
    # Staff and managers have no group view; the administrator reads everything.
    assert staff.get("/reports/group").status_code == 403 and manager.get("/reports/group").status_code == 403
    assert login(admin).get(f"/reports/{draft.id}").status_code == 200
    assert login(admin).get("/reports/group").status_code == 200


def test_the_group_view_puts_the_stores_side_by_side(world, login, other_store, store):
    db.session.execute(store_access.insert().values(user_id=world["gm"].id, store_id=other_store["store"].id))
    db.session.commit()
    mine = start(world)
    _publish(mine, world["manager"].id)
    theirs = services.start_report(other_store["store"].id, "month", OCTOBER, other_store["manager"].id,
                                   local_today())
    db.session.commit()
    page = login(world["gm"]).get("/reports/group?kind=month&month=2025-10").get_data(as_text=True)
    assert "First store" in page and "Second store" in page
    assert "3 of 4" in page and "67%" in page  # the published store's figures
    assert theirs.status == "draft" and "Draft" in page  # not published: its state, no figures


def test_the_archive_is_paged(world, login):
    for month in range(1, 9):
        start(world, start=date(2025, month, 1))
    page = login(world["manager"]).get("/reports/").get_data(as_text=True)
    assert "Page 1 of 2" in page


# --- print and PDF ----------------------------------------------------------------------------

def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_pdf_has_the_headings_and_the_narrative(world, login, language):
    report = start(world)
    client = login(world["manager"])
    client.client.set_cookie("lang", language)
    client.post(f"/reports/{report.id}/narrative", data={"summary": "十月客户满意度回升。", "went_well": "",
                                                         "problems": "", "next_plan": "Weekly callbacks",
                                                         "version": "1"})
    db.session.refresh(report)
    _publish(report, world["manager"].id)
    response = client.get(f"/reports/{report.id}/report.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = _pdf_text(response.data)
    assert "十月客户满意度回升" in text and "Weekly callbacks" in text
    if language == "zh_CN":
        for heading in ("月度小结", "总体小结", "会议、决议与行动项", "目标", "辅导"):
            assert heading in text, heading
    else:
        assert "Monthly summary" in text and "Meetings, decisions and action items" in text
    # The archived copy is stable: the same bytes on a second request.
    assert client.get(f"/reports/{report.id}/report.pdf").data == response.data


def test_the_printable_page(world, login):
    report = start(world)
    page = login(world["manager"]).get(f"/reports/{report.id}/print").get_data(as_text=True)
    assert "report-doc" in page and "data-print" in page and "<svg" in page


def test_the_manager_links_another_review_meeting_or_none(world, login, store):
    report = start(world)
    other = report_world.meeting(store, world["manager"], date(2025, 11, 12), status="planned", kind="monthly",
                                 theme="October review, second part")
    weekly = report_world.meeting(store, world["manager"], date(2025, 11, 10), status="planned")
    db.session.commit()
    client = login(world["manager"])
    assert client.post(f"/reports/{report.id}/meeting", data={"meeting_id": str(other.id), "version": "1"}) \
        .status_code == 302
    db.session.refresh(report)
    assert report.meeting_id == other.id
    # A weekly meeting is not a review meeting: refused, nothing changed.
    client.post(f"/reports/{report.id}/meeting", data={"meeting_id": str(weekly.id), "version": str(report.version)})
    db.session.refresh(report)
    assert report.meeting_id == other.id
    client.post(f"/reports/{report.id}/meeting", data={"meeting_id": "0", "version": str(report.version)})
    db.session.refresh(report)
    assert report.meeting_id is None


def test_a_registered_section_is_computed_and_frozen_with_the_rest(world, store):
    from app import report_sections

    calls = []

    def compute(store_id, first, last, as_of):
        calls.append((first, last))
        return {"cases": len(calls)}

    report_sections.register("test_cases", "Typical cases", compute, "unused.html")
    try:
        report = start(world)
        assert services.figures(store.id, "month", OCTOBER, local_today())["extra"]["test_cases"] == {"cases": 1}
        _publish(report, world["manager"].id)
        assert calls[-1] == (OCTOBER, date(2025, 10, 31))
        assert services.report_figures(report, local_today())["extra"]["test_cases"] == {"cases": 2}
        assert len(calls) == 2  # the published review reads its snapshot, not the section again
    finally:
        report_sections._sections.pop("test_cases")


def test_the_year_end_review_page(world, login):
    client = login(world["manager"])
    response = client.post("/reports/new", data={"kind": "year", "year": "2025"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Year-end summary: First store · 2025" in page
    assert "vs same month last year" not in page and 'class="num kpi-value">87.5' in page


def test_the_demo_has_a_published_review_and_a_draft(client):
    from app.demo import DEMO_PASSWORD, load_demo

    assert load_demo()
    db.session.commit()
    reports = db.session.scalars(select(Report).order_by(Report.period_start)).all()
    assert [r.status for r in reports] == ["published", "draft"]
    assert client.login("manager", DEMO_PASSWORD).status_code == 302
    page = client.get(f"/reports/{reports[0].id}")
    assert page.status_code == 200 and "备件到货慢" in page.get_data(as_text=True)


def test_the_gm_archive_lists_every_store_they_oversee(world, login, other_store):
    db.session.execute(store_access.insert().values(user_id=world["gm"].id, store_id=other_store["store"].id))
    db.session.commit()
    mine = start(world)
    theirs = services.start_report(other_store["store"].id, "month", OCTOBER, other_store["manager"].id,
                                   local_today())
    db.session.commit()
    page = login(world["gm"]).get("/reports/").get_data(as_text=True)
    assert f'id="report-{mine.id}"' in page and f'id="report-{theirs.id}"' in page and "Second store" in page
    # The store's own manager sees only their store's.
    page = login(world["manager"]).get("/reports/").get_data(as_text=True)
    assert f'id="report-{mine.id}"' in page and f'id="report-{theirs.id}"' not in page
