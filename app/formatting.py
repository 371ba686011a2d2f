"""Template filters and globals: dates, months, periods and numbers in the user's locale, and the
page chrome. The one place numbers and period labels are formatted, for pages and Python alike."""
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache, partial

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, get_day_names
from babel.lists import format_list
from babel.numbers import format_compact_decimal
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import format_percent as babel_format_percent
from flask import g, request
from flask_babel import (
    format_date,
    format_decimal,
    format_scientific,
    format_time,
    get_locale,
    to_user_timezone,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.local import LocalProxy

from .extensions import db
from .timeutils import local_today
from .units import DECIMALS, DEFAULT_DECIMALS

NO_VALUE = "—"


def fdate(value: date | None, style: str = "medium") -> str:
    if not value:
        return ""
    if type(value) is date:  # a day reads the same in every time zone: remembered per locale
        return _date_text(value, style, get_locale())
    return format_date(value, style)


@lru_cache(maxsize=16384)
def _date_text(value: date, style: str, locale) -> str:
    return format_date(value, style)


def fdatetime(value: datetime | None) -> str:
    """A stored UTC timestamp in the department's time zone, as running text writes it: the full date
    and the time without seconds (2026年12月2日 10:00; Dec 2, 2026, 10:00 AM). In tables: fdaytime."""
    if not value:
        return ""
    local = to_user_timezone(value)
    return get_locale().datetime_formats["medium"].format(format_time(local, "short", rebase=False),
                                                          format_date(local.date(), "medium"))


# Tables name a day of the current year by month and day (12月7日, Dec 7), other days in full
# (2025年12月7日, Dec 7, 2025): ../shared/DOMAIN.md, "Words users say". Running text uses fdate.
TABLE_DAY_SKELETON = "MMMd"


def fday(value: date | datetime | None) -> str:
    """A day in a table cell: a date, or a stored UTC timestamp's local day."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return _table_day_text(value, local_today().year, get_locale())


def fdaytime(value: datetime | None) -> str:
    """A stored UTC timestamp in a table cell: its local day as fday writes it, then the time."""
    if not value:
        return ""
    local = to_user_timezone(value)
    return f"{_table_day_text(local.date(), local_today().year, get_locale())} {format_time(local, 'short', rebase=False)}"


@lru_cache(maxsize=16384)
def _table_day_text(value: date, this_year: int, locale) -> str:
    if value.year == this_year:
        return format_skeleton(TABLE_DAY_SKELETON, value, locale=locale)
    return format_date(value, "medium")


# Figures beyond this are shown in scientific notation, as they are: no stored value, however wild
# (one written before values were bounded, or by hand), may break a page for everyone.
PLAIN_LIMIT = Decimal("1e15")


def _shown(value, decimals: int, pattern: str, format_plain) -> str:
    number = Decimal(str(value))
    if not number.is_finite():
        return NO_VALUE
    if abs(number) >= PLAIN_LIMIT:
        return format_scientific(number, "0.###E0")
    return format_plain(number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), pattern)


def _rounded(value, decimals: int) -> Decimal:
    # Half up, as people round (Babel would round 1234.5 to the even 1,234); via str so that a
    # float such as 2.675 rounds as it reads.
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# A page such as the comparison of stores formats hundreds of figures; Babel takes ~50 µs each. The same
# figure in the same locale always reads the same, so the texts are remembered (per process, bounded).
FORMATTED = 65536


def _locale_id() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else ""


@lru_cache(maxsize=FORMATTED)
def _number_text(value, decimals: int, locale: str) -> str:
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return _shown(value, decimals, pattern, partial(babel_format_decimal, locale=locale or None))


@lru_cache(maxsize=FORMATTED)
def _percent_text(ratio, locale: str) -> str:
    return _shown(ratio, 2, None, partial(babel_format_percent, locale=locale or None))


def fnumber(value, unit: str | None = None) -> str:
    """A figure in the user's locale, with the decimals of its KPI unit (DECIMALS)."""
    if value is None:
        return NO_VALUE
    return _number_text(value, DECIMALS.get(unit, DEFAULT_DECIMALS), _locale_id())


def finput(value, unit: str | None = None) -> str:
    """A figure as it sits in an input. Without a unit: no grouping, up to six decimals. With its KPI
    unit: grouped and with the unit's decimals, as fnumber shows it (1,249 台次, never 1248.94); the
    KPI value reader takes a comma between groups of three digits back (kpis.services.parse_number)."""
    if value is None:
        return ""
    if unit is None:
        return _shown(value, 6, "0.######", format_decimal)
    return fnumber(value, unit)


def fpercent(ratio) -> str:
    """A ratio (1.0 = 100 %), such as an attainment or a share, in the locale's own percent style."""
    return NO_VALUE if ratio is None else _percent_text(ratio, _locale_id())


def fcompact(value) -> str:
    """A chart axis figure, short in the locale's way: 1.2M in English, 120万 in Chinese."""
    value = Decimal(str(value))
    if not value.is_finite() or abs(value) >= PLAIN_LIMIT:
        return _shown(value, 0, None, format_decimal)
    value = _rounded(value, 6)
    return format_compact_decimal(value if value else Decimal(0), format_type="short", fraction_digits=2,
                                  locale=get_locale())


def fmonth(month: date | None) -> str:
    """A month as people name it: Jul 2026, 2026年7月."""
    return fperiod("month", month) if month else ""


# Babel date skeletons by goal period kind (goals.models YEAR, QUARTER, MONTH); each locale orders
# and spells the parts its own way.
PERIOD_SKELETONS = {"year": "y", "quarter": "yQQQ", "month": "yMMM"}


def fperiod(kind: str, start: date) -> str:
    """A goal period by its first day: 2026, Q4 2026, Jul 2026; 2026年, 2026年第四季度, 2026年7月."""
    return _period_text(kind, start, get_locale())


@lru_cache(maxsize=4096)
def _period_text(kind: str, start: date, locale) -> str:
    if kind == "quarter" and locale is not None and locale.language == "zh":
        # CLDR's zh skeleton writes 第4季度; people write the quarter's wide name, 第四季度.
        return babel_format_date(start, "y年QQQQ", locale=locale)
    return format_skeleton(PERIOD_SKELETONS[kind], start, locale=locale)


def fwhen(meeting) -> str:
    """A meeting's date and start time, in the same date style as deadlines."""
    return f"{fdate(meeting.meeting_date)} {ftime(meeting.start_time)}"


def ftime(value: time | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, time):
        value = datetime.combine(date(2000, 1, 1), value)
    return format_time(value, "short", rebase=False)


def weekday_names() -> dict[int, str]:
    """Monday 0 … Sunday 6 (as date.weekday()), in the user's language."""
    return dict(sorted(get_day_names("wide", locale=get_locale()).items()))


def _chinese() -> bool:
    return get_locale().language == "zh"


def flist(items) -> str:
    """A list in a sentence, as the language writes it (Babel): "CSI, Response time, and Rework",
    "客户满意度、客户响应时间和返修率"."""
    return format_list([str(i) for i in items], locale=get_locale())


def colon() -> str:
    """Between a label and what follows it: "Minutes: …", "会议纪要：…"."""
    return "：" if _chinese() else ": "


def parens(text) -> Markup:
    """An aside after a word: " (store goal)" in English, "（门店目标）" in Chinese (no space before)."""
    return Markup("（{}）" if _chinese() else " ({})").format(text)


def init_app(app):
    app.jinja_env.filters.update(fdate=fdate, fdatetime=fdatetime, fday=fday, fdaytime=fdaytime, ftime=ftime, fwhen=fwhen,
                               fnumber=fnumber, fpercent=fpercent, fmonth=fmonth, parens=parens, flist=flist)
    app.jinja_env.globals.update(colon=colon)

    @app.context_processor
    def chrome():
        """The header's own parts; the feature packages add theirs (the store, counters) through
        `header_values` in their blueprints' `app_context_processor`, so this module imports no feature."""
        from .forms import EmptyForm

        # Babel spells zh_CN as zh_Hans_CN; templates only need to know which of our two it is.
        return {"locale": "zh_CN" if _chinese() else "en", "chrome_form": EmptyForm(formdata=None),
                "current_path": request.full_path.rstrip("?")}


def header_values(**producers) -> dict:
    """Figures for the page header of a logged-in user, each read when a template first uses it and
    at most once per request: a full page (htmx asking or not, as when htmx restores one from its
    history) always has its header, and a fragment, which shows none, costs no query."""
    if not current_user.is_authenticated:
        return {}
    return {name: LocalProxy(partial(_read_once, name, produce)) for name, produce in producers.items()}


def _read_once(name: str, produce):
    cache = g.setdefault("header_values", {})
    if name not in cache:
        cache[name] = produce()
    return cache[name]


def header_counts(**statements) -> dict:
    """Counts for the page header, each given as a function that returns a SELECT of one number (or
    None when the reader has no such count). Like `header_values`, read only when a template uses
    one; then every count the features registered is read at once, in one statement (on PostgreSQL
    each statement costs a round trip, and every full page shows all of them)."""
    if not current_user.is_authenticated:
        return {}
    g.setdefault("header_count_statements", {}).update(statements)
    return {name: LocalProxy(partial(_count_once, name)) for name in statements}


def _count_once(name: str):
    cache = g.setdefault("header_counts", {})
    if name not in cache:
        pending = {n: make() for n, make in g.header_count_statements.items() if n not in cache}
        queries = [stmt.scalar_subquery().label(n) for n, stmt in pending.items() if stmt is not None]
        counts = db.session.execute(select(*queries)).one()._asdict() if queries else {}
        cache.update({n: counts.get(n) for n in pending})
    return cache[name]
