"""What may be stored and read: the one table of number ranges, the date window, the characters
text may hold, the largest id and version. Forms (app/forms.py), query parameters (app/common.py)
and the JSON API (app/api/v1.py) all check against these, so a value means the same whichever way
it arrives, and no stored value can break a page for everyone.
"""
import math
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Keys are `integer` columns on PostgreSQL (32 bits); SQLite is held to the same, so both answer 404 alike.
MAX_ID = 2**31 - 1
MAX_VERSION = 2**31 - 1  # optimistic-lock counters are `integer` columns too

# Every date a person types or a file brings: wide enough for any real plan, narrow enough that
# "the end of the period" or "a year later" is still a date.
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Range:
    low: float
    high: float

    def holds(self, number) -> bool:
        # An int has no infinity, and math.isfinite cannot convert one beyond the float range (10**400).
        finite = isinstance(number, int) or (isinstance(number, float) and math.isfinite(number))
        return finite and self.low <= number <= self.high


# A KPI figure is a count, a percentage or money in yuan: a trillion is beyond any store, and far
# enough from the float limits that sums, ratios and percentages of it stay finite.
FIGURE = Range(-1e12, 1e12)

RANGES = {
    "kpi_value": FIGURE,         # a month's value (grid, import, API)
    "target": FIGURE,            # goal targets, a KPI's default target, a position goal's targets
    "baseline": FIGURE,          # last year's actual a goal compares against
    "band": FIGURE,              # a KPI's lowest and highest good value
    "duration_minutes": Range(1, 240),  # an agenda item's time box
    "coverage_weeks": Range(1, 104),    # coaching coverage: weeks without a talk
    "year": Range(DATE_MIN.year, DATE_MAX.year),
    "id": Range(1, MAX_ID),
    "version": Range(0, MAX_VERSION),
}

# JSON bodies: the API's deepest real body is {"values": [{...}]}.
MAX_JSON_DEPTH = 8

# NUL and the other C0 controls (and DEL) are never text; tab, newline and carriage return are, in
# multi-line fields. Lone surrogates cannot be encoded for the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")

TEXT_MESSAGE = _l("Remove the control characters (such as NUL) from this text.")


def is_clean_text(text: str, multiline: bool = True) -> bool:
    """True when `text` holds no character a person cannot type (see _CONTROL)."""
    return not (_CONTROL if multiline else _CONTROL_SINGLE_LINE).search(text)


def in_range(number, name: str) -> bool:
    return RANGES[name].holds(number)


def range_message(name: str) -> str:
    bounds = RANGES[name]
    return _("Enter a number from %(low)s to %(high)s.", low=format_decimal(bounds.low),
              high=format_decimal(bounds.high))


def in_date_window(day: date) -> bool:
    return DATE_MIN <= day <= DATE_MAX


def date_message() -> str:
    return _("Enter a date from %(first)s to %(last)s.", first=DATE_MIN.isoformat(), last=DATE_MAX.isoformat())


def whole_number(text, name: str) -> int | None:
    """`text` as an int within RANGES[name] (ASCII digits only), else None."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        return None
    number = int(text)
    return number if in_range(number, name) else None


def json_problem(value, limit: int = MAX_JSON_DEPTH) -> str | None:
    """What is wrong with a parsed JSON body: "depth" when lists and objects nest deeper than
    `limit`, "text" when a key or string holds a control character, else None (walked without
    recursion, so no body can exhaust the stack)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str) and not is_clean_text(item):
            return "text"
        if isinstance(item, (list, dict)):
            if depth > limit:
                return "depth"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None
