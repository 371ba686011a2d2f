"""Writing XLSX exports that are safe to open: every export builds its sheets here.

- Text is always a text cell. Text that begins with =, +, -, @, a tab or a carriage return would
  be taken for a formula by Excel, or by whatever reads the sheet after it is saved as CSV (OWASP,
  "CSV injection"): such text keeps its characters exactly, is stored as a string and carries
  Excel's quote prefix (what Excel does itself when one types '=...), so it shows, and re-imports,
  as written and never runs. Characters XML cannot hold are dropped; text is cut at Excel's limit.
- Numbers stay numbers; dates and datetimes are dates, in ISO format.
- The header row is bold and frozen; columns are as wide as their longest text (a Chinese
  character counts twice), within limits. A column may have a number format of its own (`formats`,
  e.g. "0.0%" for an attainment stored as the fraction it is).
- An export of a page's list carries the page's filters and at most MAX_EXPORT_ROWS rows
  (`export_rows`): beyond that it is refused with a message, never cut short silently.
"""
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app, send_file
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 32_767  # characters in one Excel cell
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
MAX_EXPORT_ROWS = 10_000  # rows in one export of a page's list
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def new_workbook() -> Workbook:
    book = Workbook()
    book.remove(book.active)  # sheets come from write_table, each with its own title
    return book


def write_table(book: Workbook, title: str, header: Sequence, rows: Iterable[Sequence], freeze: str = "A2",
                formats: dict[int, str] | None = None):
    """A sheet titled `title`: the header row (bold), then the rows; panes frozen at `freeze`
    (below the header by default; "D2" also keeps three columns in view); `formats`: a number
    format by column (1 is the first) for the numbers in it. Returns the sheet."""
    sheet = book.create_sheet(str(title)[:31])  # Excel's limit for a sheet name
    widths: dict[int, int] = {}
    bold = Font(bold=True)
    for row_number, values in enumerate([header, *rows], start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, column)
            put(cell, value)
            if formats and row_number > 1 and column in formats and isinstance(value, (int, float, Decimal)):
                cell.number_format = formats[column]
            if row_number == 1:
                cell.font = bold
            if value is not None:
                widths[column] = max(widths.get(column, 0), display_width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = freeze
    return sheet


def put(cell, value) -> None:
    """Write one value into a cell by its kind (module docstring)."""
    if value is None:
        return
    if isinstance(value, (bool, int, float, Decimal)):
        cell.value = value
    elif isinstance(value, datetime):
        cell.value, cell.number_format = value, DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value, cell.number_format = value, DATE_FORMAT
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_TEXT]  # str(): lazy translations too
        cell.value = text
        cell.data_type = "s"  # openpyxl makes text beginning with = a formula; this never is one
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def display_width(value) -> int:
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def local_time(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) timestamp as the department's wall-clock time, for a date-time cell."""
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None, microsecond=0)


def export_rows(stmt) -> list | None:
    """The rows of a list's SELECT (its filters applied) for an export, or None when more than
    MAX_EXPORT_ROWS match (see `too_many_rows_message`)."""
    from .extensions import db

    rows = db.session.scalars(stmt.limit(MAX_EXPORT_ROWS + 1)).all()
    return None if len(rows) > MAX_EXPORT_ROWS else rows


def too_many_rows_message() -> str:
    return _("More than %(num)s rows match: narrow the filters, then export again.", num=f"{MAX_EXPORT_ROWS:,}")


def xlsx_response(data: bytes, filename: str):
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename, mimetype=XLSX_MIMETYPE)
