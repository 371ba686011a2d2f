"""Coaching talks as an XLSX file, with the filters of the store's coaching page (person, month)."""
from flask_babel import gettext as _

from ..formatting import flist
from ..spreadsheets import local_time, new_workbook, workbook_bytes, write_table
from .models import STEPS, CoachingSession


def talks_workbook(talks: list[CoachingSession]) -> bytes:
    book = new_workbook()
    header = [_("Date"), _("Person"), _("Position"), _("Manager"), _("KPIs"), _("Steps done"), _("State"),
              _("Acknowledged"), _("Follow-up"), _("Follow-up concluded"), _("Conclusion")]
    write_table(book, _("Coaching talks"), header, ([
        t.held_on, t.person.display_name, t.person.position_label or t.person.role_label, t.manager.display_name,
        flist(k.name for k in t.kpis), t.steps_done,
        _("Finished") if t.finished else _("Unfinished: step %(num)d of %(total)d next", num=t.next_step,
                                                                                       total=len(STEPS)),
        _("Yes") if t.confirmed else _("No"), t.follow_up_on, local_time(t.followed_up_at),
        t.follow_up_conclusion or None,
    ] for t in talks))
    return workbook_bytes(book)
