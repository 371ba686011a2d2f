"""Reading KPI values from an uploaded spreadsheet and writing the same layout back out.

A file becomes plain row dicts ({kpi, subject, month, value}) for `services.validate_rows`;
nothing here touches the database. The export writes the layout the import reads, so an
exported file re-imports unchanged.
"""
import csv
import io
from datetime import date, datetime

from flask_babel import gettext as _

from ..formatting import fmonth

MAX_BYTES = 2 * 1024 * 1024
COLUMNS = ("kpi", "subject", "month", "value")
HEADER_NAMES = {
    "kpi": "kpi", "指标": "kpi", "指标代码": "kpi",
    "subject": "subject", "对象": "subject",
    "month": "month", "月份": "month",
    "value": "value", "数值": "value", "值": "value",
}
FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers it


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


def read_upload(filename: str, stream) -> list[dict]:
    """The data rows of an uploaded CSV or XLSX file, in file order (blank rows kept as blank
    dicts, so row numbers match what the user sees). Raises ImportFileError."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB. Split it into smaller files."))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        table = _csv_rows(data)
    else:
        raise ImportFileError(_("Only CSV (.csv) and Excel (.xlsx) files can be imported."))
    rows = _rows_from_table(table)
    if not any(not is_blank(r) for r in rows):
        raise ImportFileError(_("The file has a header but no data rows."))
    return rows


def is_blank(row: dict) -> bool:
    return all(row.get(c) in (None, "") or (isinstance(row.get(c), str) and not row[c].strip())
               for c in COLUMNS)


def _csv_rows(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gbk"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK text. Save it again as “CSV UTF-8”."))
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        raise ImportFileError(_("The CSV file could not be read. Save it again as “CSV UTF-8”."))


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 -- a damaged or foreign file: openpyxl raises many kinds
        raise ImportFileError(_("The Excel file could not be read. Save it again as .xlsx."))
    try:
        sheet = book.worksheets[0]  # the values; an export's second sheet is only for reading
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _rows_from_table(table: list[list]) -> list[dict]:
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [str(h or "").strip().lstrip("\ufeff").lower() for h in table[0]]
    positions = {}
    for index, name in enumerate(header):
        column = HEADER_NAMES.get(name)
        if column and column not in positions:
            positions[column] = index
    missing = [c for c in COLUMNS if c not in positions]
    if missing:
        raise ImportFileError(_("The first row must name the columns kpi, subject, month and value "
                                "(or 指标, 对象, 月份, 数值). Missing: %(columns)s.", columns=", ".join(missing)))
    rows = []
    for cells in table[1:]:
        rows.append({column: _cell(cells, index) for column, index in positions.items()})
    while rows and is_blank(rows[-1]):
        rows.pop()
    return rows


def _cell(cells, index):
    value = cells[index] if index < len(cells) else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip()
    return value


# --- export -------------------------------------------------------------------------------

def subject_key(person) -> str:
    return person.username if person is not None else "store"


def export_workbook(year: int, rows, months: list[date]) -> bytes:
    """Sheet 1: the import layout (kpi, subject, month, value). Sheet 2: KPI × month, for reading."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    values = book.active
    values.title = _("Values")
    values.append(list(COLUMNS))
    for kpi, person, month, value in rows:
        values.append([kpi.code, subject_key(person), f"{month:%Y-%m}", value])
    values.freeze_panes = "A2"

    grid = book.create_sheet(_("Grid %(year)d", year=year))
    grid.append([_("KPI"), _("Name"), _("Subject")] + [fmonth(m) for m in months])
    lines: dict[tuple, dict] = {}
    for kpi, person, month, value in rows:
        line = lines.setdefault((subject_key(person), kpi.code), {"kpi": kpi, "person": person, "months": {}})
        line["months"][month] = value
    for line in lines.values():
        person = line["person"]
        grid.append([line["kpi"].code, line["kpi"].name, person.display_name if person else _("Store")]
                    + [line["months"].get(m) for m in months])
    grid.freeze_panes = "D2"
    for sheet in (values, grid):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
