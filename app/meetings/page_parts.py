"""The meeting page's agenda (meetings/_meeting_mode.html), rendered once and kept until the store's data
changes. It holds long lists, each row with its forms: the review (a row per open action item of the
store, ~75 at a real store), the topics proposed from the data, the attendance; rendering them, and the
queries behind them, were most of the page's time.

Kept per app process under the store's stamp (app/freshness.py: every audited write in the store renews
it, so a disposition, a progress note, saved minutes or a renamed owner show in the next request), per
meeting, agenda item in focus, reader (locale and user: what they may do shapes the HTML) and day. What
the agenda shows must therefore be data of the meeting's store written through the audit trail (the
loaders in app/meetings/extras.py too). The kept HTML holds a mark where each form's CSRF token goes: a
token belongs to a session and is put in per request, never kept. A page that shows a form's answer
(errors, a row's question for a browser without JS) is rendered afresh.
"""
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .. import freshness
from ..timeutils import local_today
from . import review as review_rules
from .models import Meeting

CSRF_MARK = "csrf-mark-" + secrets.token_hex(16)  # random per process: no text a user typed holds it


@dataclass(frozen=True)
class PageParts:
    agenda: str  # meetings/_meeting_mode.html
    review_count: review_rules.ReviewCount  # for the close bar, outside the agenda


def page_parts(meeting: Meeting, context: Callable[[], dict], key: tuple, keep: bool = True) -> PageParts:
    """The agenda as this request shows it. `context()` gives the template's variables (with
    `review_rows`); `key` is what besides the meeting, reader and day shapes them (the item in focus,
    what the reader may do); `keep=False` when they show a form's answer."""
    def render() -> PageParts:
        ctx = context()
        return PageParts(render_template("meetings/_meeting_mode.html", csrf_token=lambda: CSRF_MARK, **ctx),
                         review_rules.count(ctx["review_rows"]))

    # The reader's own store too: what they may see (a GM's stores) is written there.
    kept = freshness.cached("meetings.agenda", [meeting.store_id, current_user.store_id], local_today(), render,
                            meeting.id, key, str(get_locale()), current_user.id) if keep else render()
    return PageParts(Markup(kept.agenda.replace(CSRF_MARK, generate_csrf())), kept.review_count)
