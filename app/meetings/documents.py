"""The minutes as documents: the printable page's context, the PDF of one meeting, and a series'
minutes compiled into one PDF for a date range.

The archived copy. A closed meeting's PDF is rendered once per language, on its first download
(or when `minutes_pdf` is first called for it, e.g. to attach it to the minutes e-mail), and the
bytes are stored (`MinutesArchive`). Later downloads return those bytes, so the archive does not
change when people are renamed or action items move on after the meeting. When an amendment is
recorded after the copy was made, the next download renders it again (now listing the
amendment) and stores that copy instead. An open meeting's PDF is a draft: rendered every time,
marked as such, never stored. Rendering is deterministic (app/pdf.py: the PDF's creation date is
the meeting's closing time, its modification date the latest amendment's time), so two copies
made of the same data are the same bytes.
"""
import hashlib
from contextlib import nullcontext
from datetime import date

from flask import current_app, has_request_context, render_template
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..actions.models import ActionItem
from ..extensions import db
from ..formatting import fdate
from ..pdf import render_pdf
from ..spreadsheets import local_time, new_workbook, workbook_bytes, write_table
from . import extras, services
from .models import CLOSED, AgendaItem, Decision, Meeting, MinutesAmendment, MinutesArchive

MAX_COMPILED = 26  # meetings in one compiled PDF: half a year of weekly meetings
MAX_COMPILED_DAYS = 366  # the longest date range one compiled PDF covers


def amendments_of(meeting: Meeting) -> list[MinutesAmendment]:
    return db.session.scalars(
        select(MinutesAmendment).join(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id).order_by(MinutesAmendment.at, MinutesAmendment.id)
    ).all()


def meeting_actions(meeting: Meeting) -> list[ActionItem]:
    return db.session.scalars(
        select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)
    ).all()


def minutes_context(meeting: Meeting) -> dict:
    """What templates/meetings/_minutes_doc.html shows of one meeting."""
    return dict(meeting=meeting, attendance=services.attendance_in_order(meeting),
                review_rows=services.review_items_for(meeting), meeting_actions=meeting_actions(meeting),
                amendments=amendments_of(meeting), schedule=services.agenda_schedule(meeting),
                extras=extras.for_meeting(meeting))


def _page_label() -> str:
    return _("Page {page} of {pages}")


def _request_for_templates():
    """The page templates read the request (the header's parts); outside one, e.g. a job sending the
    minutes e-mail, render in a request of our own. The language is then the default one, unless
    the caller chose another with flask_babel.force_locale."""
    return nullcontext() if has_request_context() else current_app.test_request_context("/")


def render_minutes(meeting: Meeting, amendments: list[MinutesAmendment] | None = None) -> bytes:
    """The PDF of one meeting's minutes, rendered now, in the current language."""
    ctx = minutes_context(meeting)
    if amendments is not None:
        ctx["amendments"] = amendments
    with _request_for_templates():
        html = render_template("meetings/minutes_pdf.html", **ctx)
    latest = ctx["amendments"][-1].at if ctx["amendments"] else None
    return render_pdf(html, header=meeting.store.name, title=_("Minutes: %(theme)s", theme=meeting.theme),
                      page_label=_page_label(), created=meeting.closed_at, modified=latest,
                      lang=str(get_locale()))


def minutes_pdf(meeting: Meeting) -> bytes:
    """The minutes of `meeting` as a PDF in the current language: for a closed meeting the archived
    copy (module docstring; a new copy is added to the session, for the caller's commit), else a draft."""
    if meeting.status != CLOSED:
        return render_minutes(meeting)
    locale = str(get_locale())
    amendments = amendments_of(meeting)
    latest_id = amendments[-1].id if amendments else None
    archive = db.session.scalar(select(MinutesArchive).where(
        MinutesArchive.meeting_id == meeting.id, MinutesArchive.locale == locale))
    if archive is not None and archive.amendment_id == latest_id:
        return archive.pdf
    data = render_minutes(meeting, amendments)
    if archive is None:
        archive = MinutesArchive(meeting_id=meeting.id, locale=locale)
        db.session.add(archive)
    archive.amendment_id, archive.pdf = latest_id, data
    archive.sha256 = hashlib.sha256(data).hexdigest()
    return data


def archived_minutes_pdf(meeting: Meeting) -> bytes:
    """`minutes_pdf`, committed: the route's version. Two first downloads at the same moment both
    render (the same bytes, as rendering is deterministic); the second one's insert is dropped."""
    data = minutes_pdf(meeting)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    return data


# --- a series' minutes for a date range ---------------------------------------------------

def compiled_meetings(store_id: int, series_id: int | None, start: date, end: date) -> list[Meeting]:
    """The closed meetings of the store (of one series, if given) held from `start` to `end`, oldest
    first; at most MAX_COMPILED + 1, so the caller can tell the range holds too many."""
    stmt = select(Meeting).where(Meeting.store_id == store_id, Meeting.status == CLOSED,
                                 Meeting.meeting_date >= start, Meeting.meeting_date <= end)
    if series_id is not None:
        stmt = stmt.where(Meeting.series_id == series_id)
    return db.session.scalars(stmt.order_by(Meeting.meeting_date, Meeting.start_time, Meeting.id)
                              .limit(MAX_COMPILED + 1)).all()


def compiled_pdf(store, meetings: list[Meeting], start: date, end: date) -> bytes:
    """One PDF with the minutes of each meeting, each starting on a new page, after a list of them."""
    title = _("Minutes %(start)s – %(end)s", start=fdate(start), end=fdate(end))
    with _request_for_templates():
        html = render_template("meetings/minutes_compiled_pdf.html", title=title, store=store, start=start, end=end,
                               meetings=meetings, documents=[minutes_context(m) for m in meetings])
    closed = [m.closed_at for m in meetings if m.closed_at]
    return render_pdf(html, header=store.name, title=title, page_label=_page_label(),
                      created=max(closed) if closed else None, lang=str(get_locale()),
                      stylesheets=(".compiled-part { break-before: page; page-break-before: always; }",))


def series_choices(store_id: int) -> list[tuple[int, str]]:
    """0 (every meeting of the store), then each series with a closed meeting, named by the dates of
    its first and latest closed meeting and their number (one grouped query)."""
    rows = db.session.execute(
        select(Meeting.series_id, func.min(Meeting.meeting_date), func.max(Meeting.meeting_date), func.count())
        .where(Meeting.store_id == store_id, Meeting.series_id.is_not(None), Meeting.status == CLOSED)
        .group_by(Meeting.series_id).order_by(func.max(Meeting.meeting_date).desc())
    ).all()
    return [(0, _("Every closed meeting of the store"))] + [
        (sid, ngettext("Series %(first)s – %(last)s (%(num)d meeting)", "Series %(first)s – %(last)s (%(num)d meetings)",
                       count, first=fdate(first), last=fdate(last)))
        for sid, first, last, count in rows]


# --- the decision register as a spreadsheet ------------------------------------------------

def decisions_workbook(decisions: list[Decision]) -> bytes:
    book = new_workbook()
    header = [_("No."), _("Decision"), _("Meeting date"), _("Meeting"), _("Agenda item"), _("Recorded")]
    write_table(book, _("Decision register"), header, ([
        d.number, d.text, d.meeting.meeting_date, d.meeting.theme,
        d.agenda_item.display_title if d.agenda_item else None, local_time(d.created_at),
    ] for d in decisions))
    return workbook_bytes(book)
