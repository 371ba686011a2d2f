"""Reading KPI values from an uploaded spreadsheet and writing the same layout back out.

A file becomes data rows ({kpi, subject, month, value}) with the row numbers the user sees, for
`services.validate_rows`; nothing here touches the database. The export writes the layout the
import reads, so an exported file re-imports unchanged.

What a file may be, and how it is read safely: app/uploads.py (README, "Importing KPI values").
"""
from datetime import date

from flask_babel import gettext as _

from ..formatting import fmonth
from ..spreadsheets import new_workbook, workbook_bytes, write_table
from ..uploads import ImportFileError, Layout, Upload, read_table

__all__ = ["LAYOUT", "ImportFileError", "export_workbook", "read_upload", "subject_key"]

COLUMNS = ("kpi", "subject", "month", "value")
HEADER_NAMES = {
    "kpi": "kpi", "指标": "kpi", "指标代码": "kpi",
    "subject": "subject", "对象": "subject",
    "month": "month", "月份": "month",
    "value": "value", "数值": "value", "值": "value",
}
LAYOUT = Layout(
    columns=COLUMNS,
    header_names=HEADER_NAMES,
    too_wide=lambda n: _("The first row has more than %(n)d columns. Keep only the columns kpi, "
                         "subject, month and value.", n=n),
    missing=lambda columns: _("The first row must name the columns kpi, subject, month and value "
                              "(or 指标, 对象, 月份, 数值). Missing: %(columns)s.", columns=columns),
)


def read_upload(filename: str, stream) -> Upload:
    """The data rows of an uploaded CSV, text or XLSX file of KPI values. Raises ImportFileError."""
    return read_table(filename, stream, LAYOUT)


# --- export -------------------------------------------------------------------------------

def subject_key(person) -> str:
    return person.username if person is not None else "store"


def export_workbook(year: int, rows, months: list[date]) -> bytes:
    """Sheet 1: the import layout (kpi, subject, month, value). Sheet 2: KPI × month, for reading."""
    book = new_workbook()
    write_table(book, _("Values"), COLUMNS,
                ([kpi.code, subject_key(person), f"{month:%Y-%m}", value] for kpi, person, month, value in rows))
    lines: dict[tuple, dict] = {}
    for kpi, person, month, value in rows:
        line = lines.setdefault((subject_key(person), kpi.code), {"kpi": kpi, "person": person, "months": {}})
        line["months"][month] = value
    write_table(book, _("Grid %(year)d", year=year),
                [_("KPI"), _("Name"), _("Subject")] + [fmonth(m) for m in months],
                ([line["kpi"].code, line["kpi"].name,
                  line["person"].display_name if line["person"] else _("Store")]
                 + [line["months"].get(m) for m in months] for line in lines.values()),
                freeze="D2")
    return workbook_bytes(book)
