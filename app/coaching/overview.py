"""The store's coaching page's figures (who is below target and not coached, the follow-ups due, the
unfinished talks, talks per person and month), kept between requests under the store's stamp
(app/freshness.py): they read the store's talks, KPI values, goals and staff, and every audited write to
those renews the stamp. Kept as ids and numbers; the talks, people and KPIs they name are read for each
request, in two queries."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import freshness
from ..auth.models import User
from ..extensions import db
from ..kpis.models import Kpi
from . import analysis, services
from .models import CoachingSession


@dataclass(frozen=True)
class StoreFigures:
    coverage_month: date | None  # analysis.coverage_month
    gaps: tuple  # analysis.coverage_gap_rows
    due: tuple[tuple[int, ...], int]  # services.follow_ups_due: the listed talks' ids, and how many there are
    unfinished: tuple[tuple[int, ...], int]  # services.unfinished_sessions, likewise
    counts: dict  # services.talks_by_person_and_month


def store_figures(store_id: int, today: date, weeks: int, months: list[date]) -> StoreFigures:
    def compute() -> StoreFigures:
        month = analysis.coverage_month(store_id, today)
        due, due_total = services.follow_ups_due(store_id, today)
        unfinished, unfinished_total = services.unfinished_sessions(store_id)
        return StoreFigures(
            month, tuple(analysis.coverage_gap_rows(store_id, today, weeks, month)) if month else (),
            (tuple(s.id for s in due), due_total), (tuple(s.id for s in unfinished), unfinished_total),
            services.talks_by_person_and_month(store_id, months))

    return freshness.cached("coaching.store_figures", [store_id], today, compute, weeks, tuple(months))


def talks(ids) -> dict[int, CoachingSession]:
    """The listed talks by id: one query (and one for their KPIs), as a list loads them."""
    found = db.session.scalars(services.listed(select(CoachingSession).where(CoachingSession.id.in_(list(ids)))))
    return {s.id: s for s in found}


def listed_talks(figure: tuple[tuple[int, ...], int], found: dict[int, CoachingSession]):
    """(talks, how many there are) as services.follow_ups_due and unfinished_sessions give them."""
    return [found[i] for i in figure[0] if i in found], figure[1]


def gaps(rows, staff: list[User]) -> list[analysis.CoverageGap]:
    """analysis.coverage_gaps from its plain rows: the people from `staff`, the KPIs in one query."""
    people = {p.id: p for p in staff}
    kpis = {k.id: k for k in db.session.scalars(select(Kpi).where(Kpi.id.in_({r[1] for r in rows})))}
    return [analysis.CoverageGap(people[p], kpis[k], value, target, last)
            for p, k, value, target, last in rows if p in people and k in kpis]
