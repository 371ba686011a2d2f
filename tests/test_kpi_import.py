"""Spreadsheet import (CSV and XLSX, all or nothing, row report) and the Excel export."""
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from app.auth.models import GM
from app.extensions import db
from app.kpis.models import KpiValue
from app.kpis.services import ValueIn, kpi_by_code, upsert_values

EN = {"Accept-Language": "en"}
HEADER = "kpi,subject,month,value\n"


def count_values():
    return db.session.scalar(db.select(db.func.count()).select_from(KpiValue))


def upload(client, content: bytes, filename="values.csv"):
    return client.post("/kpis/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data", headers=EN)


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def manager_client(login, manager, staff):
    return login(manager)


def test_import_page_renders_for_manager(manager_client):
    page = manager_client.get("/kpis/import", headers=EN).get_data(as_text=True)
    assert page.count("<h1") == 1 and 'type="file"' in page and 'for="file"' in page


def test_valid_csv_imports_and_reimport_is_unchanged(manager_client, store, staff):
    content = (HEADER + "PAID_RO,store,2026-01,410\nPAID_RO,store,2026-02,1,250.5\n"
               "csi,SA1,2026-01,92\n").encode()
    # the quoted thousands separator must survive the CSV reader
    content = content.replace(b"1,250.5", b'"1,250.5"')
    response = upload(manager_client, content)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "3 new, 0 changed, 0 unchanged" in response.get_data(as_text=True)
    rows = db.session.scalars(db.select(KpiValue).order_by(KpiValue.id)).all()
    assert [(r.month, r.value, r.person_id, r.source) for r in rows] == [
        (date(2026, 1, 1), 410.0, None, "import"), (date(2026, 2, 1), 1250.5, None, "import"),
        (date(2026, 1, 1), 92.0, staff.id, "import")]
    again = upload(manager_client, content)
    assert "0 new, 0 changed, 3 unchanged" in again.get_data(as_text=True)


def test_csv_with_bom_and_chinese_headers_and_gbk(manager_client, store):
    utf8 = "\ufeff指标,对象,月份,数值\nPAID_RO,store,2026-03,12\n".encode("utf-8")
    assert "1 new" in upload(manager_client, utf8).get_data(as_text=True)
    gbk = "指标,对象,月份,数值\nPAID_RO,store,2026-04,13\n".encode("gbk")
    response = upload(manager_client, gbk)
    assert response.status_code == 200 and "1 new" in response.get_data(as_text=True)
    assert count_values() == 2


def test_valid_xlsx_imports(manager_client, store, staff):
    content = xlsx([["KPI", "Subject", "Month", "Value"],
                    ["PAID_RO", "store", "2026-05", 77],
                    ["CSI", "sa1", datetime(2026, 6, 1), 88.5],
                    [None, None, None, None]])
    response = upload(manager_client, content, "values.xlsx")
    assert response.status_code == 200 and "2 new" in response.get_data(as_text=True)
    assert {(v.month, v.value) for v in db.session.scalars(db.select(KpiValue))} == {
        (date(2026, 5, 1), 77.0), (date(2026, 6, 1), 88.5)}


def test_every_error_kind_is_reported_and_nothing_written(manager_client, store):
    content = (HEADER
               + "PAID_RO,store,2026-01,5\n"        # row 2: fine, yet not written
               + "NOPE,store,2026-01,5\n"           # row 3: unknown KPI
               + "CSI,ghost,2026-01,5\n"            # row 4: unknown person
               + "PAID_RO,store,2026-02,lots\n"     # row 5: not a number
               + "PAID_RO,store,2026-01,6\n"        # row 6: duplicate of row 2
               + "PAID_RO,store,2026-13,6\n").encode()  # row 7: bad month
    response = upload(manager_client, content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "5 problems found: nothing was saved." in page
    for row, text in [(3, "Unknown KPI code “NOPE”."), (4, "Unknown person “ghost”"),
                      (5, "The value must be a number."), (6, "already in row 2"),
                      (7, "The month must look like 2026-03.")]:
        assert f"<tr><td>{row}</td>" in page and text in page
    assert count_values() == 0


@pytest.mark.parametrize("content, filename, message", [
    (b"", "values.csv", "The file is empty."),
    (HEADER.encode(), "values.csv", "The file has a header but no data rows."),
    (b"a,b\n1,2\n", "values.csv", "The first row must name the columns"),
    (b"kpi,subject,month,value\n" + b"PAID_RO,store,2026-01,1\n" * 110_000, "big.csv", "larger than 2 MB"),
    (b"%PDF-1.4 not a sheet", "values.pdf", "Only CSV (.csv), text (.txt) and Excel (.xlsx)"),
    (b"PK\x03\x04 broken zip", "values.xlsx", "The Excel file could not be read."),
    (b"\xff\xfe\x00\x81\x00", "values.csv", "not UTF-8, GB18030 or UTF-16 text"),
    (b"kpi,subject\xff\xff,month,value\n", "values.csv", "not UTF-8, GB18030 or UTF-16 text"),
])
def test_bad_files_get_a_clear_message(manager_client, content, filename, message):
    response = upload(manager_client, content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_values() == 0


def test_no_file_chosen(manager_client):
    response = manager_client.post("/kpis/import", data={}, headers=EN)
    assert response.status_code == 422 and "Choose a file to import." in response.get_data(as_text=True)


def test_import_is_manager_only(login, gm, staff):
    for user in (gm, staff):
        c = login(user)
        assert c.get("/kpis/import").status_code == 403
        assert upload(c, (HEADER + "PAID_RO,store,2026-01,1\n").encode()).status_code == 403
    assert count_values() == 0


def test_export_reimports_unchanged(login, manager, staff, store, make_store, make_user):
    paid, csi = kpi_by_code("PAID_RO"), kpi_by_code("CSI")
    upsert_values(store.id, [ValueIn(paid.id, None, date(2026, m, 1), 100 + m + 0.25) for m in (1, 2, 3)]
                  + [ValueIn(csi.id, staff.id, date(2026, 1, 1), 91.5),
                     ValueIn(paid.id, None, date(2025, 12, 1), 1)], source="grid")
    other = make_store("S2")
    upsert_values(other.id, [ValueIn(paid.id, None, date(2026, 1, 1), 999)], source="grid")
    db.session.commit()
    c = login(manager)
    response = c.get("/kpis/export?year=2026", headers=EN)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "kpi-S1-2026.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    values = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert values[0] == ["kpi", "subject", "month", "value"]
    assert values[1:] == [["PAID_RO", "store", "2026-01", 101.25], ["PAID_RO", "store", "2026-02", 102.25],
                          ["PAID_RO", "store", "2026-03", 103.25], ["CSI", "sa1", "2026-01", 91.5]]
    grid = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert grid[0][:4] == ["KPI", "Name", "Subject", "Jan 2026"]
    assert grid[1] == ["PAID_RO", "Paid repair orders", "Store", 101.25, 102.25, 103.25] + [None] * 9
    assert grid[2][:4] == ["CSI", "Customer satisfaction index (CSI)", "Advisor Zhang", 91.5]
    again = upload(c, response.data, "export.xlsx")
    assert again.status_code == 200
    assert "0 new, 0 changed, 4 unchanged" in again.get_data(as_text=True)


def test_export_for_gm_not_staff(login, make_user, store, staff):
    gm = make_user(GM, store, username="gm9")
    assert login(gm).get("/kpis/export?year=2026").status_code == 200
    assert login(staff).get("/kpis/export?year=2026").status_code == 403
