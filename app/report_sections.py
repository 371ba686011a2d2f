"""Extra sections of the monthly and year-end reviews (app/reports), filled by any feature package.

A shared module, so a package at any layer (cases, problems, ...) can add its period figures to the
reviews without app/reports importing it, and without importing app/reports itself:

    from .. import report_sections
    report_sections.register("cases", _l("Typical cases"), compute_cases, "cases/_report_section.html")

`compute(store_id, first, last, as_of)` returns plain JSON-able data (numbers, strings, lists, dicts;
dates as ISO text) for the period first..last (dates), counted up to `as_of`; publishing a report
stores it in the report's snapshot, so it must not hold objects. The template is included in the
report with `data` (that JSON) and `section` (this Section) set. Register once, at import time of
the package's routes (blueprint time); a key registered twice replaces the earlier one.
"""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    title: object  # a lazy_gettext string, shown in the reader's language
    compute: Callable
    template: str
    order: int = 100


_sections: dict[str, Section] = {}


def register(key: str, title, compute: Callable, template: str, order: int = 100) -> None:
    _sections[key] = Section(key, title, compute, template, order)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def section(key: str) -> Section | None:
    return _sections.get(key)
