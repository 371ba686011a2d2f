"""XLSX exports: text never becomes a formula, numbers and dates keep their kind, the header is frozen."""
import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.kpis.services import ValueIn, create_kpi, kpi_by_code, upsert_values
from app.spreadsheets import new_workbook, workbook_bytes, write_table

from .test_kpi_import import EN, upload

FORMULA = '=HYPERLINK("http://x","y")'
DANGEROUS = [FORMULA, "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "=1+1"]


def cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(content: bytes):
    assert not [c.coordinate for c in cells(content) if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_text_that_looks_like_a_formula_stays_text():
    book = new_workbook()
    write_table(book, "Names", ["name"], [[text] for text in DANGEROUS])
    content = workbook_bytes(book)
    assert_no_formula(content)
    sheet = load_workbook(io.BytesIO(content)).active
    # Kept as written, so it re-imports unchanged (XML reads a carriage return back as a line feed).
    assert [c.value for c in sheet["A"][1:]] == [text.replace("\r", "\n") for text in DANGEROUS]
    assert all(c.quotePrefix for c in sheet["A"][1:])  # Excel shows it as typed text and keeps it so


def test_kinds_widths_and_frozen_header():
    book = new_workbook()
    write_table(book, "Mixed", ["text", "int", "float", "date", "datetime", "empty"],
                [["客户满意度", 3, 91.5, date(2026, 3, 1), datetime(2026, 3, 1, 9, 30), None],
                 ["bell\x07", 10**6, -0.25, date(2026, 4, 1), datetime(2026, 4, 1), None]])
    sheet = load_workbook(io.BytesIO(workbook_bytes(book)))["Mixed"]
    assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    first, second = sheet[2], sheet[3]
    assert [c.data_type for c in first[:5]] == ["s", "n", "n", "d", "d"] and first[5].value is None
    assert first[3].value == datetime(2026, 3, 1) and first[3].number_format == "yyyy-mm-dd"
    assert second[0].value == "bell"  # characters XML cannot hold are dropped, not a 500
    assert sheet.column_dimensions["A"].width == 12  # five Chinese characters count double, plus 2
    assert sheet.column_dimensions["F"].width == 8  # the header only: the minimum width


@pytest.mark.parametrize("field", ["person", "kpi"])
def test_kpi_export_writes_names_as_text(login, manager, store, make_user, field):
    person = make_user(store=store, username="sa9", name=FORMULA if field == "person" else "Advisor Wu")
    kpi = kpi_by_code("CSI") if field == "person" else create_kpi(
        code="EVIL", name_zh=FORMULA, name_en=FORMULA, unit="count", direction="higher", scope="person")
    upsert_values(store.id, [ValueIn(kpi.id, person.id, date(2026, 1, 1), 91.5)], source="grid")
    db.session.commit()
    c = login(manager)
    response = c.get("/kpis/export?year=2026", headers=EN)
    assert response.status_code == 200
    assert_no_formula(response.data)
    grid = load_workbook(io.BytesIO(response.data)).worksheets[1]
    line = [cell.value for cell in grid[2]]
    assert FORMULA in line and line[3] == 91.5 and grid.freeze_panes == "D2"
    again = upload(c, response.data, "export.xlsx")  # still the import's layout
    assert "0 new, 0 changed, 1 unchanged" in again.get_data(as_text=True)
