"""KPI values: validating rows from any source, writing them all-or-nothing, reading series.

The spreadsheet import and the JSON API share `validate_rows` and `upsert_values`, so a value
means the same whichever way it arrives.
"""
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from ..audit import services as audit
from ..audit.models import CREATE, DELETE, UPDATE
from ..auth.models import User
from ..common import VersionConflict
from ..database import insert_unless_taken
from ..extensions import db
from ..timeutils import utcnow
from ..validation import DATE_MAX, DATE_MIN, in_range, range_message
from .models import PERSON_SCOPE, STORE_SCOPE, Kpi, KpiValue

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
THOUSANDS_RE = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$")
STORE_SUBJECT = "store"


@dataclass(frozen=True)
class ValueIn:
    """One validated value, ready to write."""

    kpi_id: int
    person_id: int | None
    month: date
    value: float


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based, as a person counts rows (a spreadsheet's header is row 1)
    field: str
    message: str


def parse_month(text) -> date | None:
    """'2026-03' (or a date / datetime, as spreadsheets give them) → date(2026, 3, 1)."""
    if isinstance(text, date):
        year, month = text.year, text.month
    else:
        match = MONTH_RE.match(str(text or "").strip())
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1 <= month <= 12 and DATE_MIN.year <= year <= DATE_MAX.year else None


def parse_number(raw) -> float | None:
    """A number, or text that reads as one: full-width forms count as their ASCII ones (NFKC:
    ９１．５ is 91.5), a trailing % is dropped, and a comma is only ever a thousands separator
    between groups of three digits (1,234 and 1，234.5 are fine; 1,5 and 12,34 are refused,
    since a comma there may be a decimal comma)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        try:
            number = float(raw)
        except OverflowError:  # an int too large for a float
            return None
    else:
        text = unicodedata.normalize("NFKC", str(raw or "")).strip().rstrip("%").strip()
        if "," in text:
            if not THOUSANDS_RE.match(text):
                return None
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def validate_rows(store_id: int, rows: list[dict], first_row: int = 1,
                  row_numbers: list[int] | None = None) -> tuple[list[ValueIn], list[RowError]]:
    """Check every row ({kpi, subject, month, value}); nothing is written here. Rows are numbered
    from `first_row` on, or by `row_numbers` (a file's rows once its blank rows are left out).

    Errors name the row and field: an unknown KPI code, an unknown person (subject is "store" or a
    username of this store), a KPI that is not measured per person, a month that is not YYYY-MM,
    a value that is not a number, and the same KPI, subject and month twice in one batch.
    """
    kpis = {k.code: k for k in db.session.scalars(select(Kpi).where(Kpi.active.is_(True)))}
    people = {u.username: u for u in db.session.scalars(select(User).where(User.store_id == store_id))}
    good, errors, seen = [], [], {}
    for offset, row in enumerate(rows):
        number = row_numbers[offset] if row_numbers else first_row + offset
        row_errors = []
        code = str(row.get("kpi") or "").strip().upper()
        kpi = kpis.get(code)
        if kpi is None:
            row_errors.append(RowError(number, "kpi", _("Unknown KPI code “%(code)s”.", code=code)))
        subject = str(row.get("subject") or "").strip().lower()
        person = None
        if subject != STORE_SUBJECT:
            person = people.get(subject)
            if person is None:
                row_errors.append(RowError(number, "subject", _(
                    "Unknown person “%(name)s”: use “store” or a username of this store.", name=subject)))
            elif kpi is not None and kpi.scope != PERSON_SCOPE:
                row_errors.append(RowError(number, "subject", _(
                    "%(code)s is measured for the store, not per person.", code=kpi.code)))
        month = parse_month(row.get("month"))
        if month is None:
            row_errors.append(RowError(number, "month", _("The month must look like 2026-03.")))
        value = parse_number(row.get("value"))
        if value is None:
            row_errors.append(RowError(number, "value", _("The value must be a number.")))
        elif not in_range(value, "kpi_value"):
            row_errors.append(RowError(number, "value", range_message("kpi_value")))
        if not row_errors:
            key = (kpi.id, person.id if person else None, month)
            if key in seen:
                row_errors.append(RowError(number, "month", _(
                    "The same KPI, subject and month is already in row %(row)d.", row=seen[key])))
            else:
                seen[key] = number
                good.append(ValueIn(kpi.id, person.id if person else None, month, value))
        errors.extend(row_errors)
    return good, errors


def upsert_values(store_id: int, values: list[ValueIn], source: str, user_id: int | None = None) -> dict:
    """Insert or update each value by (KPI, subject, month); report what changed.

    Runs inside the caller's transaction, so the caller commits all of it or none of it. The import
    and the API are authoritative bulk writes: they overwrite without a version check, and each
    change bumps the value's version, so a grid cell still showing the old value is refused.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if not values:
        return counts
    months = {v.month for v in values}
    existing = {
        (row.kpi_id, row.person_id, row.month): row
        for row in db.session.scalars(select(KpiValue).where(
            KpiValue.store_id == store_id, KpiValue.month.in_(months),
            KpiValue.kpi_id.in_({v.kpi_id for v in values})))
    }
    for v in values:
        row = existing.get((v.kpi_id, v.person_id, v.month))
        if row is None:
            db.session.add(KpiValue(kpi_id=v.kpi_id, store_id=store_id, person_id=v.person_id,
                                    subject_key=v.person_id or 0, month=v.month, value=v.value,
                                    source=source, updated_by_id=user_id))
            counts["created"] += 1
        elif row.value != v.value:
            row.value, row.source, row.updated_by_id, row.updated_at = v.value, source, user_id, utcnow()
            row.version = KpiValue.version + 1  # in SQL: a grid save meanwhile is not counted over
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    db.session.flush()
    return counts


def monthly_values(store_id: int, kpi_ids, person_id: int | None, first: date, last: date) -> dict:
    """{kpi_id: {month: value}} for one subject (the store when person_id is None), one query."""
    stmt = select(KpiValue.kpi_id, KpiValue.month, KpiValue.value).where(
        KpiValue.store_id == store_id, KpiValue.kpi_id.in_(list(kpi_ids)),
        KpiValue.subject_key == (person_id or 0), KpiValue.month >= first, KpiValue.month <= last)
    result: dict[int, dict[date, float]] = {}
    for kpi_id, month, value in db.session.execute(stmt):
        result.setdefault(kpi_id, {})[month] = value
    return result


def grid_values(store_id: int, kpi_ids, person_id: int | None, first: date, last: date) -> tuple[dict, dict]:
    """What a grid shows: {kpi_id: {month: value}} and each cell's version {(kpi_id, month): version}."""
    stmt = select(KpiValue.kpi_id, KpiValue.month, KpiValue.value, KpiValue.version).where(
        KpiValue.store_id == store_id, KpiValue.kpi_id.in_(list(kpi_ids)),
        KpiValue.subject_key == (person_id or 0), KpiValue.month >= first, KpiValue.month <= last)
    values: dict[int, dict[date, float]] = {}
    versions: dict[tuple[int, date], int] = {}
    for kpi_id, month, value, version in db.session.execute(stmt):
        values.setdefault(kpi_id, {})[month] = value
        versions[(kpi_id, month)] = version
    return values, versions


def active_kpis(scope: str | None = None) -> list[Kpi]:
    stmt = select(Kpi).where(Kpi.active.is_(True)).order_by(Kpi.builtin.desc(), Kpi.id)
    if scope:
        stmt = stmt.where(Kpi.scope == scope)
    return db.session.scalars(stmt).all()


def kpi_by_code(code: str) -> Kpi | None:
    return db.session.scalar(select(Kpi).where(Kpi.code == code.strip().upper()))


# --- the catalogue ------------------------------------------------------------------------

KPI_FIELDS = ("code", "name_zh", "name_en", "unit", "direction", "band_low", "band_high", "aggregation",
              "scope", "positions", "definition_zh", "definition_en", "default_target", "active")


def code_taken(code: str, exclude_id: int | None = None) -> bool:
    stmt = select(Kpi.id).where(Kpi.code == code)
    if exclude_id is not None:
        stmt = stmt.where(Kpi.id != exclude_id)
    return db.session.scalar(stmt) is not None


def _clean_kpi_fields(fields: dict) -> dict:
    fields = {k: v for k, v in fields.items() if k in KPI_FIELDS}
    if isinstance(fields.get("positions"), (list, tuple)):
        fields["positions"] = " ".join(fields["positions"])
    if fields.get("scope") and fields["scope"] != PERSON_SCOPE:
        fields["positions"] = ""  # a store figure belongs to no position
    if fields.get("direction") and fields["direction"] != "band":
        fields["band_low"] = fields["band_high"] = None
    return fields


def create_kpi(**fields) -> Kpi:
    kpi = Kpi(builtin=False, **_clean_kpi_fields(fields))
    db.session.add(kpi)
    db.session.flush()
    return kpi


def update_kpi(kpi: Kpi, **fields) -> Kpi:
    fields = _clean_kpi_fields(fields)
    if kpi.builtin:
        fields.pop("code", None)  # other releases and imports rely on the built-in codes
    for name, value in fields.items():
        setattr(kpi, name, value)
    db.session.flush()
    return kpi


def all_kpis() -> list[Kpi]:
    return db.session.scalars(select(Kpi).order_by(Kpi.active.desc(), Kpi.builtin.desc(), Kpi.code)).all()


# --- the grid -----------------------------------------------------------------------------

def grid_kpis(person: User | None) -> list[Kpi]:
    """The store's KPIs, or the person-scope KPIs that apply to this person's position."""
    if person is None:
        return active_kpis(STORE_SCOPE)
    return [k for k in active_kpis(PERSON_SCOPE) if k.applies_to(person)]


def _cell_key(store_id: int, kpi_id: int, person_id: int | None, month: date) -> tuple:
    return (KpiValue.store_id == store_id, KpiValue.kpi_id == kpi_id,
            KpiValue.subject_key == (person_id or 0), KpiValue.month == month)


def find_value(store_id: int, kpi_id: int, person_id: int | None, month: date) -> KpiValue | None:
    return db.session.scalar(select(KpiValue).where(*_cell_key(store_id, kpi_id, person_id, month)))


def save_cell(store_id: int, kpi_id: int, person_id: int | None, month: date, value: float | None,
              base_version: int, user_id: int) -> None:
    """The grid's edit of one cell: write `value` (None removes it) over the version the cell showed.

    `base_version` is 0 for a cell that showed no value. The check and the write are one statement
    (UPDATE/DELETE … WHERE version = base, or an INSERT that skips a taken key), so two tabs or two
    app processes cannot both win. Raises VersionConflict when someone else wrote in between, unless
    what is stored now is what this save wanted anyway.
    """
    key = _cell_key(store_id, kpi_id, person_id, month)
    before = find_value(store_id, kpi_id, person_id, month) if base_version else None  # for the audit trail
    if value is None:
        written = db.session.execute(delete(KpiValue).where(*key, KpiValue.version == base_version)
                                     .execution_options(synchronize_session=False)).rowcount
    elif base_version == 0:
        written = db.session.scalar(insert_unless_taken(KpiValue).values(
            kpi_id=kpi_id, store_id=store_id, person_id=person_id, subject_key=person_id or 0, month=month,
            value=value, source="grid", updated_by_id=user_id, updated_at=utcnow(), version=1,
        ).returning(KpiValue.id))
    else:
        written = db.session.execute(
            update(KpiValue).where(*key, KpiValue.version == base_version)
            .values(value=value, source="grid", updated_by_id=user_id, updated_at=utcnow(),
                    version=KpiValue.version + 1)
            .execution_options(synchronize_session=False)).rowcount
    if written:
        _record_cell(store_id, kpi_id, person_id, month, before, written if before is None else before.id, value)
        return
    current = find_value(store_id, kpi_id, person_id, month)
    if (current.value if current else None) != value:
        raise VersionConflict(current)


def _record_cell(store_id, kpi_id, person_id, month, before, value_id, value) -> None:
    """The grid writes cells by statement, not through the ORM: its audit entry is made here."""
    action = CREATE if before is None else DELETE if value is None else UPDATE
    key = {"kpi_id": kpi_id, "person_id": person_id, "month": month.isoformat()}
    audit.record(action, object_type="kpi_value", object_id=value_id, store_id=store_id,
                 old=None if before is None else {**key, "value": before.value},
                 new=None if value is None else {**key, "value": value})


def year_values(store_id: int, year: int) -> list[tuple[Kpi, User | None, date, float]]:
    """A store's values of one year, for the export: active KPIs, people still in this store,
    store rows first, then by person, KPI and month (so the export re-imports as it is)."""
    stmt = (
        select(KpiValue, User)
        .outerjoin(User, User.id == KpiValue.person_id)
        .join(Kpi, Kpi.id == KpiValue.kpi_id)
        .where(KpiValue.store_id == store_id, Kpi.active.is_(True),
               KpiValue.month >= date(year, 1, 1), KpiValue.month <= date(year, 12, 1),
               (KpiValue.person_id.is_(None)) | (User.store_id == store_id))
        .order_by(KpiValue.subject_key != 0, User.username, Kpi.code, KpiValue.month)
    )
    return [(v.kpi, person, v.month, v.value) for v, person in db.session.execute(stmt)]
