"""KPI values: validating rows from any source, writing them all-or-nothing, reading series.

The spreadsheet import and the JSON API share `validate_rows` and `upsert_values`, so a value
means the same whichever way it arrives.
"""
import math
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..timeutils import utcnow
from .models import PERSON_SCOPE, Kpi, KpiValue

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
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
        return date(text.year, text.month, 1)
    match = MONTH_RE.match(str(text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1 <= month <= 12 and 1900 < year < 2200 else None


def parse_number(raw) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        text = str(raw or "").strip().replace(",", "").rstrip("%").strip()
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def validate_rows(store_id: int, rows: list[dict], first_row: int = 1) -> tuple[list[ValueIn], list[RowError]]:
    """Check every row ({kpi, subject, month, value}); nothing is written here.

    Errors name the row and field: an unknown KPI code, an unknown person (subject is "store" or a
    username of this store), a KPI that is not measured per person, a month that is not YYYY-MM,
    a value that is not a number, and the same KPI, subject and month twice in one batch.
    """
    kpis = {k.code: k for k in db.session.scalars(select(Kpi).where(Kpi.active.is_(True)))}
    people = {u.username: u for u in db.session.scalars(select(User).where(User.store_id == store_id))}
    good, errors, seen = [], [], {}
    for offset, row in enumerate(rows):
        number = first_row + offset
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

    Runs inside the caller's transaction, so the caller commits all of it or none of it.
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


def active_kpis(scope: str | None = None) -> list[Kpi]:
    stmt = select(Kpi).where(Kpi.active.is_(True)).order_by(Kpi.builtin.desc(), Kpi.id)
    if scope:
        stmt = stmt.where(Kpi.scope == scope)
    return db.session.scalars(stmt).all()


def kpi_by_code(code: str) -> Kpi | None:
    return db.session.scalar(select(Kpi).where(Kpi.code == code.strip().upper()))
