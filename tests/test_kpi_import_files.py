"""What an uploaded file may be: caps that keep one upload from taking the app down, encodings,
full-width text, and a clear message (never a 500) for every file that cannot be read."""
import io
import time
import zipfile
from datetime import date

import openpyxl
import pytest

from app.extensions import db
from app.kpis.models import KpiValue

from .test_kpi_import import EN, count_values, upload, xlsx

HEADER = "kpi,subject,month,value\n"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/{kind}" Target="{target}"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')


def handmade_xlsx(sheet_data: str, dimension: str = "A1:D2") -> bytes:
    """An .xlsx written part by part, so a sheet can claim any size and still be a tiny file."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS.format(kind="officeDocument", target="xl/workbook.xml"),
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": RELS.format(kind="worksheet", target="worksheets/sheet1.xml"),
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                                    f'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/>'
                                    f"<sheetData>{sheet_data}</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def sheet_row(number: int, *values) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


HEAD_ROWS = sheet_row(1, "kpi", "subject", "month", "value") + sheet_row(2, "PAID_RO", "store", "2026-01", "5")


@pytest.fixture
def manager_client(login, manager, staff):
    return login(manager)


def timed_upload(client, content, filename):
    started = time.perf_counter()
    response = upload(client, content, filename)
    return response, time.perf_counter() - started


# --- caps: one upload must not take the app down ------------------------------------------

def test_sheet_claiming_a_million_rows_imports_its_real_rows_at_once(manager_client, store):
    content = handmade_xlsx(HEAD_ROWS, dimension="A1:Z1048576")
    assert len(content) < 2000  # the 1.6 KB file that once ran 86 s and took 1.1 GB
    response, seconds = timed_upload(manager_client, content, "million.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "1 new, 0 changed, 0 unchanged" in response.get_data(as_text=True)
    assert seconds < 1


def test_sheet_with_data_a_million_rows_down_is_refused_at_once(manager_client, store):
    content = handmade_xlsx(HEAD_ROWS + sheet_row(1048576, "PAID_RO", "store", "2026-02", "6"),
                            dimension="A1:Z1048576")
    response, seconds = timed_upload(manager_client, content, "far.xlsx")
    assert response.status_code == 422
    assert "more than 10000 rows below the header (blank rows count too)" in response.get_data(as_text=True)
    assert seconds < 1 and count_values() == 0


def test_megabytes_of_blank_csv_lines_are_refused_at_once(manager_client, store):
    content = (HEADER + "PAID_RO,store,2026-01,5\n").encode() + b"\r\n" * 900_000
    assert len(content) > 1_500_000
    response, seconds = timed_upload(manager_client, content, "blank.csv")
    assert response.status_code == 422
    assert "more than 10000 rows below the header" in response.get_data(as_text=True)
    assert seconds < 1 and count_values() == 0


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(manager_client, store):
    content = (HEADER + "PAID_RO,store,2026-01,5\n\n,,,\n  ,  ,,\nPAID_RO,store,2026-02,many\n").encode()
    response = upload(manager_client, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "1 problem found: nothing was saved." in page and "<tr><td>6</td>" in page


def test_caps_come_from_config(app, manager_client, store):
    app.config.update(IMPORT_MAX_ROWS=3, IMPORT_MAX_COLUMNS=5, IMPORT_MAX_CELLS=20)
    try:
        rows = "".join(f"PAID_RO,store,2026-0{m},{m}\n" for m in range(1, 5))
        assert "more than 3 rows below the header" in upload(manager_client, (HEADER + rows).encode()) \
            .get_data(as_text=True)
        wide = "kpi,subject,month,value,a,b\nPAID_RO,store,2026-01,1,,\n"
        assert "The first row has more than 5 columns." in upload(manager_client, wide.encode()) \
            .get_data(as_text=True)
        cells = xlsx([["kpi", "subject", "month", "value"]] + [["PAID_RO", "store", f"2026-0{m}", m]
                                                               for m in range(1, 6)])
        assert "more than 20 cells, empty ones included" in upload(manager_client, cells, "v.xlsx") \
            .get_data(as_text=True)
    finally:
        app.config.update(IMPORT_MAX_ROWS=10_000, IMPORT_MAX_COLUMNS=50, IMPORT_MAX_CELLS=100_000)
    assert count_values() == 0


def test_xlsx_of_a_million_empty_cells_is_refused_before_parsing(manager_client, store):
    content = handmade_xlsx(HEAD_ROWS + '<row r="3">' + "<c/>" * 1_000_000 + "</row>")
    response, seconds = timed_upload(manager_client, content, "cells.xlsx")
    assert response.status_code == 422
    assert "more than 100000 cells" in response.get_data(as_text=True)
    assert seconds < 1


# --- encodings, separators, full-width text ------------------------------------------------

@pytest.mark.parametrize("encoded", [
    ("指标,对象,月份,数值\nPAID_RO,store,2026-03,12\n").encode("gb18030"),
    ("\ufeff指标,对象,月份,数值\nPAID_RO,store,2026-03,12\n").encode("utf-8"),
    ("指标,对象,月份,数值\nPAID_RO,store,2026-03,12\n").encode("utf-8"),
    # Excel's "Unicode text": UTF-16 little-endian with a BOM, tab-separated, CRLF
    ("指标\t对象\t月份\t数值\r\nPAID_RO\tstore\t2026-03\t12\r\n").encode("utf-16"),
    ("kpi\tsubject\tmonth\tvalue\nPAID_RO\tstore\t2026-03\t12\n").encode("utf-16-le"),  # no BOM
    ("kpi;subject;month;value\nPAID_RO;store;2026-03;12\n").encode("utf-16-be"),
], ids=["gb18030", "utf-8-bom", "utf-8", "utf-16-excel", "utf-16le-no-bom", "utf-16be-semicolon"])
def test_accepted_encodings_and_separators(manager_client, store, encoded):
    response = upload(manager_client, encoded, "values.txt")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "1 new" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(KpiValue.value)) == 12


def test_full_width_text_and_thousands_separators(manager_client, store, staff):
    content = ("指标,对象,月份,数值\n"
               "ＰＡＩＤ＿ＲＯ,ｓｔｏｒｅ,２０２６－０１,\"1，234\"\n"
               "CSI,ＳＡ１,2026-01,９１．５\n"
               "PAID_RO,store,2026-02,\"1,234,567.5\"\n"
               "PAID_RO,store,2026-03,８０％\n").encode("gb18030")
    response = upload(manager_client, content)
    assert response.status_code == 200, response.get_data(as_text=True)
    values = {(v.month, v.person_id): v.value for v in db.session.scalars(db.select(KpiValue))}
    assert values == {(date(2026, 1, 1), None): 1234, (date(2026, 1, 1), staff.id): 91.5,
                      (date(2026, 2, 1), None): 1234567.5, (date(2026, 3, 1), None): 80}


@pytest.mark.parametrize("text", ["1,5", "12,34", "1,2345", ",123", "1,,234"])
def test_a_comma_that_may_be_a_decimal_comma_is_refused(manager_client, store, text):
    response = upload(manager_client, (HEADER + f'PAID_RO,store,2026-01,"{text}"\n').encode())
    assert response.status_code == 422
    assert "The value must be a number." in response.get_data(as_text=True)
    assert count_values() == 0


# --- files that cannot be read ---------------------------------------------------------------

def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_xml_entity_bomb_is_refused(manager_client, store):
    bomb = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    content = handmade_xlsx(HEAD_ROWS)  # a valid file, then the bomb put into its sheet
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"?><worksheet", f"?>{bomb}<worksheet".encode()).replace(
                    b"<t>PAID_RO</t>", b"<t>&c;</t>")
            target.writestr(part, data)
    response = upload(manager_client, out.getvalue(), "bomb.xlsx")
    assert response.status_code == 422
    assert "The Excel file could not be read." in response.get_data(as_text=True)


def test_unzipped_size_is_capped(manager_client, store):
    huge = handmade_xlsx(HEAD_ROWS + "<!--" + "x" * (21 * 1024 * 1024) + "-->")
    assert len(huge) < 100_000
    response, seconds = timed_upload(manager_client, huge, "big.xlsx")
    assert response.status_code == 422
    assert "more than 20 MB once unpacked" in response.get_data(as_text=True)
    assert seconds < 1


@pytest.mark.parametrize("content, filename, message", [
    (b"not a zip at all", "values.xlsx", "The Excel file could not be read."),
    (handmade_xlsx(HEAD_ROWS)[:-40], "cut.xlsx", "The Excel file could not be read."),
    (b"PK\x05\x06" + b"\x00" * 18, "empty-zip.xlsx", "The Excel file could not be read."),
    (b"PK\x03\x04" + b"\x00" * 40, "values.csv", "The Excel file could not be read."),
    (b"kpi,subject,month,value\nPAID_RO,store,2026-01,1\n", "values.xls", "Only CSV (.csv), text (.txt)"),
    (b"   \n\n", "values.csv", "The file is empty."),
    (b'kpi,subject,month,value\n"PAID_RO,store\n', "values.csv", "Unknown KPI code"),  # quote left open
])
def test_unreadable_files_get_a_clear_message(manager_client, store, content, filename, message):
    response = upload(manager_client, content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_values() == 0


def test_workbook_saved_under_a_text_name_is_read_as_a_workbook(manager_client, store):
    content = xlsx([["kpi", "subject", "month", "value"], ["PAID_RO", "store", "2026-01", 1]])
    response = upload(manager_client, content, "values.csv")
    assert response.status_code == 200 and "1 new" in response.get_data(as_text=True)


def test_corrupt_sheet_inside_a_good_zip(manager_client, store):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(handmade_xlsx(HEAD_ROWS))) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            data = source.read(part)
            target.writestr(part, data[:-30] if part.filename.endswith("sheet1.xml") else data)
    response = upload(manager_client, out.getvalue(), "corrupt.xlsx")
    assert response.status_code == 422
    assert "The Excel file could not be read." in response.get_data(as_text=True)


def test_file_over_max_content_length_gets_the_import_page(app, manager_client, store):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = upload(manager_client, b"x" * (limit + 1), "huge.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is larger than 8 MB. Split it into smaller files." in page and 'type="file"' in page
    assert count_values() == 0
    assert manager_client.post("/kpis/value", data={"value": "x" * (limit + 1)}, headers=EN).status_code == 413
