"""What packages above meetings add to a meeting's page and minutes, without meetings importing them.

A higher package registers, at import time, a loader and the templates that show what it loaded:

    extras.register("cases", load=cases_for_meeting, agenda="cases/_meeting_cases.html",
                    minutes="cases/_minutes_cases.html")

`load(meeting)` returns whatever the templates need (a list of rows, say); the meeting page includes
`agenda` inside each agenda item (with `item`, the agenda item, and `extra`, what `load` returned,
in the context: the template decides which items it shows in) and the printed minutes include
`minutes` once, after the agenda. Loaders run once per page, and the meeting page keeps what the agenda
templates rendered until the store's next audited write (app/meetings/page_parts.py): a loader reads only
data of the meeting's store that is written through the audit trail, and the templates show nothing that
depends on the clock but the day.
"""
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Extra:
    name: str
    load: Callable[[Any], Any]
    agenda: str | None = None
    minutes: str | None = None


_extras: dict[str, Extra] = {}


def register(name: str, load, agenda: str | None = None, minutes: str | None = None) -> None:
    _extras[name] = Extra(name, load, agenda, minutes)


def for_meeting(meeting) -> list[tuple[Extra, Any]]:
    """(extra, loaded) for each registered extra, in the order they were registered."""
    return [(extra, extra.load(meeting)) for extra in _extras.values()]
