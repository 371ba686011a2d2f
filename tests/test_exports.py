"""XLSX exports of the action board, the decision register, goals and coaching talks: the page's
filters, typed cells, headers in the user's language, formula-safe text, row caps, permissions."""
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app import spreadsheets
from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.coaching import services as coaching
from app.extensions import db
from app.goals import services as goals
from app.kpis.models import Kpi, KpiValue
from app.meetings import services as meetings
from app.months import month_start
from app.timeutils import local_today

INJECTION = '=HYPERLINK("http://evil.example","click")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_of(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    return sheet


def rows_of(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def shop(make_store, make_user, make_meeting, make_item):
    store = make_store("BJ1", "北京一店")
    manager = make_user(MANAGER, store, username="li", name="李经理")
    zhang = make_user(STAFF, store, username="zhang", name="张顾问")
    wang = make_user(STAFF, store, username="wang", name=INJECTION)
    meeting = make_meeting(days_ahead=-1, theme="周例会", attendees=[zhang, wang], store_id=store.id, chair=manager)
    late = make_item(zhang, title=INJECTION, days=-3, store_id=store.id)
    soon = make_item(wang, title="+1 回访客户", days=5, store_id=store.id)
    meetings.add_decision(meeting, "-每天回访三位客户", None, manager.id)
    meetings.add_decision(meeting, "整理投诉原因", meeting.agenda_items[0].id, manager.id)
    db.session.commit()
    return dict(store=store, manager=manager, zhang=zhang, wang=wang, meeting=meeting, late=late, soon=soon)


# --- the action board --------------------------------------------------------------------

def test_board_export_typed_filtered_and_safe(shop, login):
    c = login(shop["manager"])
    sheet = sheet_of(c.get("/actions/board.xlsx"))
    rows = rows_of(sheet)
    assert rows[0][:6] == ["编号", "行动项", "描述", "责任人", "岗位", "截止日期"]
    assert len(rows) == 3
    late = next(r for r in rows[1:] if r[0] == shop["late"].id)
    cell = sheet.cell(rows.index(late) + 1, 2)
    assert cell.value == INJECTION and cell.data_type == "s" and cell.quotePrefix  # text, never a formula
    deadline = sheet.cell(rows.index(late) + 1, 6)
    assert isinstance(deadline.value, datetime) and deadline.value.date() == local_today() - timedelta(days=3)
    assert deadline.number_format == "yyyy-mm-dd"
    assert late[9] == 3 and isinstance(late[9], int)  # days overdue, a number
    assert late[7] == 0  # extensions

    overdue = rows_of(sheet_of(c.get("/actions/board.xlsx?overdue=1")))
    assert [r[0] for r in overdue[1:]] == [shop["late"].id]
    mine = rows_of(sheet_of(c.get(f"/actions/board.xlsx?owner={shop['wang'].id}")))
    assert [r[1] for r in mine[1:]] == ["+1 回访客户"]


def test_board_export_in_english_and_the_link_carries_the_filters(shop, login):
    c = login(shop["manager"])
    c.client.set_cookie("lang", "en")
    rows = rows_of(sheet_of(c.get("/actions/board.xlsx")))
    assert rows[0][:4] == ["No.", "Action", "Description", "Owner"]
    page = c.get(f"/actions/board?owner={shop['wang'].id}&overdue=1").get_data(as_text=True)
    assert f'href="/actions/board.xlsx?owner={shop["wang"].id}&amp;overdue=1"' in page


def test_board_export_row_cap(shop, login, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_EXPORT_ROWS", 1)
    c = login(shop["manager"])
    refused = c.get("/actions/board.xlsx?status=open")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/actions/board?status=open")
    assert "超过 1 行" in c.get("/actions/board?status=open").get_data(as_text=True)
    assert c.get("/actions/board.xlsx?overdue=1").status_code == 200  # one row: within the cap


def test_board_export_permissions(shop, login, make_user, make_store):
    assert login(shop["zhang"]).get("/actions/board.xlsx").status_code == 403
    other = login(make_user(MANAGER, make_store("SH1", "上海一店")))
    rows = rows_of(sheet_of(other.get("/actions/board.xlsx")))
    assert len(rows) == 1  # their own store's board: empty


# --- the decision register ---------------------------------------------------------------

def test_decisions_export(shop, login):
    c = login(shop["manager"])
    sheet = sheet_of(c.get("/meetings/decisions.xlsx"))
    rows = rows_of(sheet)
    assert rows[0] == ["编号", "决议", "会议日期", "会议", "议程项", "记录时间"]
    assert [r[0] for r in rows[1:]] == [2, 1]
    first = rows[2]
    assert first[1] == "-每天回访三位客户" and sheet.cell(3, 2).data_type == "s" and sheet.cell(3, 2).quotePrefix
    assert isinstance(first[2], datetime) and first[2].date() == shop["meeting"].meeting_date
    assert isinstance(first[5], datetime)
    assert rows[1][4] == "开场白：会议目的与主题"
    searched = rows_of(sheet_of(c.get("/meetings/decisions.xlsx?q=投诉")))
    assert [r[1] for r in searched[1:]] == ["整理投诉原因"]
    assert 'href="/meetings/decisions.xlsx?q=%E6%8A%95%E8%AF%89"' in c.get("/meetings/decisions?q=投诉").get_data(as_text=True)


@pytest.mark.parametrize("role", [STAFF, GM, ADMIN])
def test_decisions_export_per_role_and_store(shop, login, make_user, make_store, role):
    same = rows_of(sheet_of(login(make_user(role, shop["store"])).get("/meetings/decisions.xlsx")))
    assert len(same) == 3
    other = rows_of(sheet_of(login(make_user(role, make_store(f"X{role[:2]}", "别的店"))).get("/meetings/decisions.xlsx")))
    assert len(other) == 1


# --- goals with attainment ---------------------------------------------------------------

def test_goals_export_with_attainment(shop, login):
    csi = db.session.scalar(db.select(Kpi).where(Kpi.code == "CSI"))
    today = local_today()
    goals.create_goal(store_id=shop["store"].id, kpi=csi, person_id=None, period_kind="month", period_day=today,
                      target=90, baseline=None, owner_id=shop["manager"].id, created_by_id=shop["manager"].id,
                      title=INJECTION)
    db.session.add(KpiValue(kpi_id=csi.id, store_id=shop["store"].id, person_id=None, subject_key=0,
                            month=month_start(today), value=85.5))
    db.session.commit()
    c = login(shop["manager"])
    sheet = sheet_of(c.get("/goals/export.xlsx"))
    rows = rows_of(sheet)
    assert rows[0][:3] == ["目标", "KPI", "归属"] and "达成率" in rows[0]
    goal = rows[1]
    assert goal[0] == INJECTION and sheet.cell(2, 1).quotePrefix
    assert goal[8] == 90 and goal[10] == 85.5
    assert goal[11] == pytest.approx(0.95) and sheet.cell(2, 12).number_format == "0.0%"
    assert isinstance(goal[4], datetime) and goal[4].date() == month_start(today)
    assert len(rows_of(sheet_of(c.get("/goals/export.xlsx?period=past")))) == 1  # the period filter
    assert 'href="/goals/export.xlsx?period=past"' in c.get("/goals/?period=past").get_data(as_text=True)


# --- coaching talks ----------------------------------------------------------------------

def test_coaching_export_filters_and_permissions(shop, login, make_user, make_store):
    today = local_today()
    for person in (shop["zhang"], shop["wang"]):
        kpi_ids = [k.id for k in coaching.person_kpis(person)][:1]
        coaching.start_session(store_id=shop["store"].id, person=person, manager_id=shop["manager"].id,
                               kpi_ids=kpi_ids, held_on=today)
    db.session.commit()
    c = login(shop["manager"])
    sheet = sheet_of(c.get("/coaching/talks.xlsx"))
    rows = rows_of(sheet)
    assert rows[0][:3] == ["日期", "人员", "岗位"] and len(rows) == 3
    assert isinstance(rows[1][0], datetime) and rows[1][5] == 0
    wang_row = next(i for i, r in enumerate(rows) if r[1] == INJECTION) + 1
    assert sheet.cell(wang_row, 2).data_type == "s" and sheet.cell(wang_row, 2).quotePrefix
    only = rows_of(sheet_of(c.get(f"/coaching/talks.xlsx?person={shop['zhang'].id}&month={today:%Y-%m}")))
    assert [r[1] for r in only[1:]] == ["张顾问"]
    assert len(rows_of(sheet_of(c.get("/coaching/talks.xlsx?month=2001-01")))) == 1
    assert login(shop["zhang"]).get("/coaching/talks.xlsx").status_code == 403
    assert len(rows_of(sheet_of(login(make_user(MANAGER, make_store("SH1", "上海一店"))).get("/coaching/talks.xlsx")))) == 1
    page = c.get(f"/coaching/?person={shop['zhang'].id}").get_data(as_text=True)
    assert f'href="/coaching/talks.xlsx?person={shop["zhang"].id}"' in page


def test_spreadsheet_formats_and_local_time(app):
    book = spreadsheets.new_workbook()
    sheet = spreadsheets.write_table(book, "t", ["a", "b"], [[0.5, "x"], [None, 0.25]], formats={1: "0.0%"})
    assert sheet.cell(2, 1).number_format == "0.0%" and sheet.cell(3, 1).value is None
    assert sheet.cell(3, 2).number_format == "General"  # only the column given
    assert spreadsheets.local_time(datetime(2026, 1, 1, 16, 30)) == datetime(2026, 1, 2, 0, 30)  # Asia/Shanghai
    assert spreadsheets.local_time(None) is None
    assert date  # noqa (imported for readers)
