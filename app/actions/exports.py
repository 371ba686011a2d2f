"""The action board as an XLSX file, with the board's filters (app/spreadsheets.py writes it)."""
from datetime import date

from flask_babel import gettext as _

from ..spreadsheets import local_time, new_workbook, workbook_bytes, write_table
from .models import ActionItem


def board_workbook(items: list[ActionItem], today: date) -> bytes:
    book = new_workbook()
    header = [_("No."), _("Action"), _("Description"), _("Owner"), _("Position"), _("Deadline"),
              _("Original deadline"), _("Extensions"), _("Status"), _("Days overdue"), _("Priority"),
              _("Escalated"), _("Meeting date"), _("Meeting"), _("Latest progress"), _("Created")]
    write_table(book, _("Action board"), header, ([
        item.id, item.title, item.description or None, item.owner.display_name,
        item.owner.position_label or item.owner.role_label, item.deadline, item.original_deadline,
        item.extension_count, item.status_label, item.days_overdue(today), item.priority_label,
        _("Yes") if item.escalated else _("No"),
        item.meeting.meeting_date if item.meeting else None, item.meeting.theme if item.meeting else None,
        item.progress_note or None, local_time(item.created_at),
    ] for item in items))
    return workbook_bytes(book)
