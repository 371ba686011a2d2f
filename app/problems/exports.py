"""The register as an XLSX, with the filters the page shows applied (app/spreadsheets.py)."""
import io
from datetime import date

from flask_babel import gettext as _

from ..spreadsheets import new_workbook, workbook_bytes, write_table
from .services import local_day

MAX_ROWS = 10_000


def register_xlsx(problems, today: date) -> io.BytesIO:
    book = new_workbook()
    header = [_("No."), _("Kind"), _("Problem"), _("Where"), _("Urgency"), _("Type"), _("Status"),
              _("Raised by"), _("Raised on"), _("Owner"), _("Deadline"), _("Days overdue"), _("Cause category"),
              _("The cause lies"), _("Cause analysis"), _("Original repair order"), _("Returning repair order"),
              _("Plate number"), _("VIN"), _("Vehicle model"), _("Effectiveness check"), _("Closed on")]
    rows = ([p.id, p.kind_label, p.title, p.location, p.urgency_label, p.type_label, p.status_label,
             p.raised_by.display_name, local_day(p.raised_at), p.owner.display_name if p.owner else "",
             p.deadline, p.days_overdue(today) or None, p.cause_label, p.cause_origin_label, p.cause_analysis,
             p.original_ro, p.return_ro, p.plate, p.vin, p.vehicle_model, p.check_label,
             local_day(p.closed_at)] for p in problems)
    write_table(book, _("Problems"), header, rows, freeze="C2")
    return io.BytesIO(workbook_bytes(book))
