"""What the KPI data says about a coaching talk: the gap (step 2), the effect at the follow-up, the
coverage of staff below target, and the effect over many talks for the dashboard.

The gap is measured in the KPI's own unit, direction-aware: how far the person's level falls short of
the reference (higher-is-better: reference minus level; lower-is-better: level minus reference; a band:
the distance outside the band). The reference is the person's target: their own goal for the KPI where
one covers the period, else the KPI's default target; a KPI without either is compared with the average
of the store's people over the same months. A gap is *closed* when it is zero after the talk, *narrowed*
when it is smaller than before, and *not narrowed* otherwise; a KPI on target before the talk had no
gap and does not count either way. A summed KPI's goal target is spread evenly over its months.

"Before" is the period the manager chose in step 2 (complete months before the talk's month). "After"
runs from the month after the talk's to the last month complete on the follow-up date, which is why
the follow-up comes no earlier than the second month after the talk; the effect read at the
follow-up therefore stays the same later. Coverage reads the latest complete month with data.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from ..auth.models import User
from ..auth.services import store_staff
from ..extensions import db
from ..goals.models import Goal
from ..goals.rules import attainment
from ..kpis.models import BAND, LOWER, PERSON_SCOPE, Kpi, KpiValue, band_of
from ..kpis.services import active_kpis
from ..months import add_months, months_between, previous_month
from .models import MOTIVATE, PLAN, CoachingSession

CLOSED, NARROWED, NOT_NARROWED, NO_GAP = "closed", "narrowed", "not_narrowed", "no_gap"
DEFAULT_COVERAGE_WEEKS = 8
EFFECT_WINDOW_DAYS = 365  # the dashboard counts talks whose follow-up fell in the last year


# --- months ---------------------------------------------------------------------------------

def after_window(session: CoachingSession, today: date) -> tuple[date, date]:
    """The months after the talk that count for its effect: from the month after the talk to the last
    month complete on the follow-up date, so the effect the manager concludes on does not change
    later (and, before the follow-up, as far as months are complete today). Empty when first > last."""
    last = previous_month(session.follow_up_on or today)
    return add_months(session.held_on, 1), min(last, previous_month(today))


def earliest_follow_up(held_on: date) -> date:
    """The first day on which a whole month after the talk's month is complete."""
    return add_months(held_on, 2)


# --- the figures ---------------------------------------------------------------------------

def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def better(kpi: Kpi, a: float, b: float) -> bool:
    """Whether level a is better than level b for this KPI."""
    if kpi.direction == BAND:
        return shortfall(kpi, a, None) < shortfall(kpi, b, None)
    return a < b if kpi.direction == LOWER else a > b


def shortfall(kpi: Kpi, level: float | None, reference: float | None) -> float | None:
    """How far the level falls short of the reference (or the band), in the KPI's unit; 0 when met."""
    if level is None:
        return None
    if kpi.direction == BAND:
        band = band_of(kpi)
        return None if band is None else max(band[0] - level, 0.0, level - band[1])
    if reference is None:
        return None
    return max(level - reference, 0.0) if kpi.direction == LOWER else max(reference - level, 0.0)


def verdict(before: float | None, after: float | None) -> str | None:
    """Closed, narrowed or not narrowed, from the shortfall before and after; None when unknown.
    A KPI already on target before the talk had no gap to close (NO_GAP): it says nothing of the
    talk's effect."""
    if before is None or after is None:
        return None
    if before == 0:
        return NO_GAP
    if after == 0:
        return CLOSED
    return NARROWED if after < before else NOT_NARROWED


class ValueBook:
    """The people's monthly values of some KPIs in some stores over a span of months: one query,
    then any person's level, the store's average and best over any months inside the span."""

    def __init__(self, store_ids, kpi_ids, first: date, last: date):
        self.values: dict[tuple[int, int], dict[int, dict[date, float]]] = {}
        self._cache: dict[tuple, dict[int, float]] = {}
        store_ids, kpi_ids = list(store_ids), list(kpi_ids)
        if not store_ids or not kpi_ids or first > last:
            return
        rows = db.session.execute(select(KpiValue.store_id, KpiValue.kpi_id, KpiValue.subject_key, KpiValue.month,
                                         KpiValue.value).where(
            KpiValue.store_id.in_(store_ids), KpiValue.kpi_id.in_(kpi_ids), KpiValue.subject_key != 0,
            KpiValue.month >= first, KpiValue.month <= last))
        for store_id, kpi_id, person_id, month, value in rows:
            self.values.setdefault((store_id, kpi_id), {}).setdefault(person_id, {})[month] = value

    def _levels(self, store_id: int, kpi_id: int, first: date, last: date) -> dict[int, float]:
        key = (store_id, kpi_id, first, last)
        if key not in self._cache:  # many talks share a store, a KPI and a period
            people = self.values.get((store_id, kpi_id), {})
            levels = {p: _mean(v for m, v in months.items() if first <= m <= last) for p, months in people.items()}
            self._cache[key] = {p: level for p, level in levels.items() if level is not None}
        return self._cache[key]

    def level(self, store_id, kpi_id, person_id, first, last) -> float | None:
        months = self.values.get((store_id, kpi_id), {}).get(person_id, {})  # one person: no need for all
        return _mean(v for m, v in months.items() if first <= m <= last)

    def store_average(self, store_id, kpi_id, first, last) -> float | None:
        return _mean(self._levels(store_id, kpi_id, first, last).values())

    def store_best(self, store_id, kpi: Kpi, first, last) -> float | None:
        best = None
        for value in self._levels(store_id, kpi.id, first, last).values():
            if best is None or better(kpi, value, best):
                best = value
        return best


def person_targets(person_ids, kpis: list[Kpi], month: date) -> dict[tuple[int, int], float]:
    """(person_id, kpi_id) -> target: the person's own goal covering the month where there is one,
    else the KPI's default target. One query."""
    return targets_by_month(person_ids, kpis, [month])[month]


def targets_by_month(person_ids, kpis: list[Kpi], months) -> dict[date, dict[tuple[int, int], float]]:
    """person_targets for several months at once, still in one query. Levels are monthly means, so
    the target of a goal on a summed KPI is taken per month."""
    months = sorted(set(months))
    defaults = {(p, k.id): k.default_target for p in person_ids for k in kpis if k.default_target is not None}
    result = {m: dict(defaults) for m in months}
    if not (person_ids and kpis and months):
        return result
    goals = db.session.execute(select(Goal.person_id, Goal.kpi_id, Goal.target, Goal.period_start, Goal.period_end)
                               .where(Goal.person_id.in_(list(person_ids)), Goal.kpi_id.in_([k.id for k in kpis]),
                                      Goal.period_start <= months[-1], Goal.period_end >= months[0])
                               .order_by(Goal.period_start, Goal.id)).all()
    summed = {k.id for k in kpis if k.is_summed}
    for person_id, kpi_id, target, start, end in goals:  # the latest-starting goal wins
        if kpi_id in summed:  # levels are monthly: a summed goal's target is for its whole period
            target = target / len(months_between(start, end))
        for m in months:
            if start <= m <= end:
                result[m][(person_id, kpi_id)] = target
    return result


def _attain(kpi: Kpi, target: float | None, level: float | None) -> float | None:
    return attainment(kpi.direction, target, level, band=band_of(kpi))


# --- the gap (step 2) -----------------------------------------------------------------------

@dataclass(frozen=True)
class GapRow:
    kpi: Kpi
    level: float | None
    target: float | None
    attainment: float | None
    store_average: float | None
    store_best: float | None
    gap: float | None  # short of the target (or, without one, of the store average)


def gap_rows(session: CoachingSession, span: tuple[date, date] | None = None) -> list[GapRow]:
    """Each chosen KPI over the gap period: the person's level against their target and against the
    store's people (their average, and the best of them). `span` (first, last month) previews the
    gap over a period before step 2 is saved; by default the period step 2 fixed."""
    gap_from, gap_to = span or (session.gap_from, session.gap_to)
    if gap_from is None:
        return []
    book = ValueBook([session.store_id], [k.id for k in session.kpis], gap_from, gap_to)
    targets = person_targets([session.person_id], session.kpis, gap_to)
    rows = []
    for kpi in session.kpis:
        span = (gap_from, gap_to)
        level = book.level(session.store_id, kpi.id, session.person_id, *span)
        target = targets.get((session.person_id, kpi.id))
        average = book.store_average(session.store_id, kpi.id, *span)
        rows.append(GapRow(kpi, level, target, _attain(kpi, target, level), average,
                           book.store_best(session.store_id, kpi, *span),
                           shortfall(kpi, level, target if target is not None else average)))
    return rows


# --- the effect at the follow-up --------------------------------------------------------

@dataclass(frozen=True)
class EffectRow:
    kpi: Kpi
    before: float | None
    after: float | None
    reference: float | None  # the target, or the store average where the KPI has none
    reference_is_target: bool
    gap_before: float | None
    gap_after: float | None

    @property
    def verdict(self) -> str | None:
        return verdict(self.gap_before, self.gap_after)


def _effect(session: CoachingSession, book: ValueBook, targets: dict, today: date) -> list[EffectRow]:
    first, last = after_window(session, today)
    rows = []
    for kpi in session.kpis:
        target = targets.get((session.person_id, kpi.id))
        store, person = session.store_id, session.person_id
        before = book.level(store, kpi.id, person, session.gap_from, session.gap_to)
        after = book.level(store, kpi.id, person, first, last) if first <= last else None
        if target is None:
            ref_before = book.store_average(store, kpi.id, session.gap_from, session.gap_to)
            ref_after = book.store_average(store, kpi.id, first, last) if first <= last else None
        else:
            ref_before = ref_after = target
        rows.append(EffectRow(kpi, before, after, ref_after if ref_after is not None else ref_before,
                              target is not None, shortfall(kpi, before, ref_before), shortfall(kpi, after, ref_after)))
    return rows


def effects(sessions: list[CoachingSession], today: date) -> dict[int, list[EffectRow]]:
    """The effect of each talk (session id -> rows), whatever their number, in two queries."""
    sessions = [s for s in sessions if s.gap_from is not None]
    if not sessions:
        return {}
    kpis = {k.id: k for s in sessions for k in s.kpis}
    first = min(s.gap_from for s in sessions)
    last = max(after_window(s, today)[1] for s in sessions)
    book = ValueBook({s.store_id for s in sessions}, kpis, first, max(last, max(s.gap_to for s in sessions)))
    # Targets as of each talk's gap period (its last month).
    by_month = targets_by_month({s.person_id for s in sessions}, list(kpis.values()), [s.gap_to for s in sessions])
    return {s.id: _effect(s, book, by_month[s.gap_to], today) for s in sessions}


def session_verdict(rows: list[EffectRow]) -> str | None:
    """A talk narrowed the gap when every KPI whose effect can be said closed or narrowed its gap.
    NO_GAP when every KPI was on target before the talk; None while the data is missing."""
    verdicts = [r.verdict for r in rows if r.verdict not in (None, NO_GAP)]
    if not verdicts:
        return NO_GAP if rows and all(r.verdict == NO_GAP for r in rows) else None
    if all(v == CLOSED for v in verdicts):
        return CLOSED
    return NOT_NARROWED if NOT_NARROWED in verdicts else NARROWED


@dataclass(frozen=True)
class EffectSummary:
    narrowed: int  # closed or narrowed
    total: int  # talks whose effect can be said
    pending: int  # followed up, but no data after the talk yet

    @property
    def share(self) -> float | None:
        return self.narrowed / self.total if self.total else None

    @classmethod
    def sum_of(cls, summaries) -> "EffectSummary":
        summaries = list(summaries)
        return cls(*(sum(getattr(x, f) for x in summaries) for f in ("narrowed", "total", "pending")))


def coaching_effect_by_store(store_ids, today: date) -> dict[int, EffectSummary]:
    """Per store, of the finished talks whose follow-up date fell in the last year: how many narrowed
    the gap. One pass for all the stores (the dashboard shows a store and its group)."""
    store_ids = list(store_ids)
    # Only ids and dates are read here: the person and coach (joined by default) are left unloaded.
    sessions = db.session.scalars(select(CoachingSession).options(
        lazyload(CoachingSession.person), lazyload(CoachingSession.manager)).where(
        CoachingSession.store_id.in_(store_ids), CoachingSession.steps_done >= MOTIVATE,
        CoachingSession.follow_up_on <= today,
        CoachingSession.follow_up_on > today - timedelta(days=EFFECT_WINDOW_DAYS))).all()
    store_of = {s.id: s.store_id for s in sessions}
    counts = {store_id: [0, 0, 0] for store_id in store_ids}  # narrowed, total, pending
    for session_id, rows in effects(sessions, today).items():
        result, tally = session_verdict(rows), counts[store_of[session_id]]
        if result == NO_GAP:  # nothing to narrow: says nothing of coaching's effect
            continue
        if result is None:
            tally[2] += 1
            continue
        tally[1] += 1
        tally[0] += result in (CLOSED, NARROWED)
    return {store_id: EffectSummary(*tally) for store_id, tally in counts.items()}


# --- coverage ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverageGap:
    person: User
    kpi: Kpi
    value: float
    target: float | None
    last_coached: date | None


COVERAGE_LOOKBACK_MONTHS = 3  # older figures no longer say who needs a talk now


def coverage_month(store_id: int, today: date) -> date | None:
    """The month coverage is read from: the latest complete month with people's KPI values in the
    store (early in a month, last month's figures are often not entered yet); None when the last
    few months have none."""
    last = previous_month(today)
    return db.session.scalar(select(func.max(KpiValue.month)).where(
        KpiValue.store_id == store_id, KpiValue.subject_key != 0, KpiValue.month <= last,
        KpiValue.month > add_months(last, -COVERAGE_LOOKBACK_MONTHS)))


def coverage_gaps(store_id: int, today: date, weeks: int = DEFAULT_COVERAGE_WEEKS,
                  month: date | None = None) -> list[CoverageGap]:
    """Staff with a person KPI below target in `month` (by default coverage_month) and no coaching
    talk in the last `weeks` weeks. A fixed number of queries, whatever the number of staff."""
    month = month or coverage_month(store_id, today)
    if month is None:
        return []
    since = today - timedelta(weeks=weeks)
    staff = store_staff(store_id)
    # A talk counts once its plan is agreed: one started and left at step 1 coached nobody.
    last_talk = dict(db.session.execute(select(CoachingSession.person_id, func.max(CoachingSession.held_on))
                                        .where(CoachingSession.store_id == store_id,
                                               CoachingSession.steps_done >= PLAN)
                                        .group_by(CoachingSession.person_id)).all())
    kpis = active_kpis(PERSON_SCOPE)
    book = ValueBook([store_id], [k.id for k in kpis], month, month)
    targets = person_targets([p.id for p in staff], kpis, month)
    gaps = []
    for person in staff:
        if person.id in last_talk and last_talk[person.id] >= since:
            continue
        for kpi in (k for k in kpis if k.applies_to(person)):
            value = book.level(store_id, kpi.id, person.id, month, month)
            target = targets.get((person.id, kpi.id))
            if shortfall(kpi, value, target):  # None (unknown) and 0 (met) are both not a gap
                gaps.append(CoverageGap(person, kpi, value, target, last_talk.get(person.id)))
    return gaps


def coverage_gap_rows(store_id: int, today: date, weeks: int = DEFAULT_COVERAGE_WEEKS,
                      month: date | None = None) -> list[tuple[int, int, float, float | None, date | None]]:
    """coverage_gaps as plain data, (person id, KPI id, value, target, last coached), in the same order:
    what the store's coaching page keeps between requests (app/freshness.py)."""
    return [(g.person.id, g.kpi.id, g.value, g.target, g.last_coached)
            for g in coverage_gaps(store_id, today, weeks, month)]
