"""Reading an uploaded table (CSV, text or XLSX) safely: streamed, capped, decoded, normalised.

A file becomes data rows (a dict per row, keyed by the layout's column names) with the row numbers
the user sees; nothing here touches the database. Each import (KPI values, people) names its columns
and the header names that may stand for them, in a `Layout`.

What a file may be (the caps are IMPORT_* in app/config.py):
- CSV or tab-separated text (.csv, .txt, .tsv) in UTF-8 (with or without BOM), GB18030 (which
  includes GBK, as Excel in China saves CSV) or UTF-16 (Excel's "Unicode text"). The separator is
  whichever of comma, tab and semicolon the header row uses most (a tie goes to the comma).
- Or an Excel workbook (.xlsx, or a text name on a file that is a zip): its first sheet.
- Rows are read one at a time, as the file has them; the size a sheet declares for itself is
  ignored. Blank rows are skipped (never checked, and later rows keep their numbers) but count
  towards the row cap, since each must be read all the same.
- Refused whole, with a message that says why: a file over IMPORT_MAX_BYTES; an .xlsx over
  IMPORT_MAX_UNZIPPED_BYTES unpacked or with more than IMPORT_MAX_CELLS cells (counted before
  parsing, which costs time and memory per cell); a header over IMPORT_MAX_COLUMNS columns; more
  than IMPORT_MAX_ROWS rows below the header.
- Text is normalised with NFKC, so full-width letters, digits and punctuation (ＣＳＩ, ９１．５,
  ２０２６－０３) read as their ASCII forms.
"""
import codecs
import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from .formatting import flist

FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers it
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SIGNATURE = b"PK\x03\x04"  # a zip: a workbook saved under a text file's name is read as one
DELIMITERS = (",", "\t", ";")  # in order of preference when the header uses as many of each
MB = 1024 * 1024
CELL_TAG = re.compile(rb"<(?:\w{1,10}:)?c[\s/>]")  # <c r="A1" ...>, <c/>, <x:c ...>


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass(frozen=True)
class Layout:
    """The columns an import reads, the header names (lower case) that stand for each, and the
    messages for a header that is too wide (given the cap) or lacks columns (given their names)."""

    columns: tuple[str, ...]
    header_names: dict[str, str]
    too_wide: Callable[[int], str]
    missing: Callable[[str], str]


@dataclass(frozen=True)
class Upload:
    """The rows with data, in file order, and the row number of each as the spreadsheet shows it."""

    rows: list[dict]
    row_numbers: list[int]


def read_table(filename: str, stream, layout: Layout) -> Upload:
    """The data rows of an uploaded CSV, text or XLSX file. Raises ImportFileError."""
    config = current_app.config
    max_bytes = config["IMPORT_MAX_BYTES"]
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportFileError(_("The file is larger than %(mb)d MB. Split it into smaller files.",
                                mb=max_bytes // MB))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or (name.endswith(TEXT_SUFFIXES) and data.startswith(XLSX_SIGNATURE)):
        table = _xlsx_rows(data, config["IMPORT_MAX_COLUMNS"], config["IMPORT_MAX_UNZIPPED_BYTES"],
                           config["IMPORT_MAX_CELLS"])
    elif name.endswith(TEXT_SUFFIXES):
        table = _text_rows(data)
    else:
        raise ImportFileError(_("Only CSV (.csv), text (.txt) and Excel (.xlsx) files can be imported."))
    return _data_rows(table, layout, config["IMPORT_MAX_ROWS"], config["IMPORT_MAX_COLUMNS"])


def is_blank(row: dict) -> bool:
    return all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v in row.values())


def _text_rows(data: bytes):
    text = _decode(data)
    header_line = io.StringIO(text).readline()
    delimiter = max(DELIMITERS, key=header_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise ImportFileError(_("The CSV file could not be read. Save it again as “CSV UTF-8”.")) from None


def _decode(data: bytes) -> str:
    """UTF-8 (a BOM or none), UTF-16 (a BOM, else the zero bytes of plain ASCII), else GB18030."""
    head = data[:64]
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif len(head) >= 4 and set(head[1::2]) == {0}:
        encodings = ("utf-16-le",)
    elif len(head) >= 4 and set(head[0::2]) == {0}:
        encodings = ("utf-16-be",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is not UTF-8, GB18030 or UTF-16 text. Save it again as “CSV UTF-8”."))


def _xlsx_rows(data: bytes, max_columns: int, max_unzipped: int, max_cells: int):
    from openpyxl import load_workbook

    unreadable = _("The Excel file could not be read. Save it again as .xlsx.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(part.file_size for part in archive.infolist()) > max_unzipped:
                raise ImportFileError(_("The Excel file holds more than %(mb)d MB once unpacked. Copy only "
                                        "the values into a new workbook and import that.", mb=max_unzipped // MB))
            if _count_cells(archive, max_cells) > max_cells:
                raise ImportFileError(_("The Excel file has more than %(n)d cells, empty ones included. "
                                        "Copy only the values into a new workbook and import that.", n=max_cells))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, zlib.error):
        raise ImportFileError(unreadable) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]  # the values; an export's second sheet is only for reading
            sheet.reset_dimensions()  # the size a sheet declares is a claim: read the rows it has
            # One column past the cap, so that a header running over it can be told apart.
            yield from sheet.iter_rows(max_col=max_columns + 1, values_only=True)
        finally:
            book.close()
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001 -- a damaged or foreign file: openpyxl raises many kinds
        raise ImportFileError(unreadable) from None


def _count_cells(archive: zipfile.ZipFile, enough: int) -> int:
    """The cell elements in the workbook's XML, counted on the raw bytes: parsing costs time and
    memory per cell, so a sheet of millions of (even empty) cells is refused before it is parsed.
    Stops counting once past `enough`."""
    count = 0
    for part in archive.infolist():
        if not part.filename.endswith(".xml"):
            continue
        with archive.open(part) as source:
            rest = b""
            while count <= enough and (chunk := source.read(MB)):
                text = rest + chunk
                cut = max(text.rfind(b"<"), 0)  # a tag holds one "<": none straddles the last one
                count += len(CELL_TAG.findall(text, 0, cut))
                rest = text[cut:]
            count += len(CELL_TAG.findall(rest))
        if count > enough:
            break
    return count


def _data_rows(table: Iterable, layout: Layout, max_rows: int, max_columns: int) -> Upload:
    table = iter(table)
    first = next(table, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    header = [_cell_text(h).lower() for h in first]
    while header and not header[-1]:
        header.pop()
    if len(header) > max_columns:
        raise ImportFileError(layout.too_wide(max_columns))
    positions = {}
    for index, name in enumerate(header):
        column = layout.header_names.get(name)
        if column and column not in positions:
            positions[column] = index
    missing = [c for c in layout.columns if c not in positions]
    if missing:
        raise ImportFileError(layout.missing(flist(missing)))
    rows, numbers = [], []
    for number, cells in enumerate(table, start=FIRST_DATA_ROW):
        if number - FIRST_DATA_ROW == max_rows:  # blank rows count: each costs reading all the same
            raise ImportFileError(_("The file has more than %(n)d rows below the header (blank rows count "
                                    "too). Delete the empty rows below your data, or split the file.",
                                    n=max_rows))
        if not cells:
            continue  # an empty line
        row = {column: _cell(cells, index) for column, index in positions.items()}
        if is_blank(row):
            continue
        rows.append(row)
        numbers.append(number)
    if not rows:
        raise ImportFileError(_("The file has a header but no data rows."))
    return Upload(rows, numbers)


def _cell_text(value) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip().lstrip("\ufeff")


def _cell(cells, index):
    value = cells[index] if index < len(cells) else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip()
    return value
