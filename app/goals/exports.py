"""Goals with their attainment as an XLSX file, for the period the goals page shows."""
from datetime import date

from flask_babel import gettext as _

from ..spreadsheets import PERCENT_FORMAT, new_workbook, workbook_bytes, write_table
from . import services
from .models import Goal
from .progress import progress_for


def goals_workbook(goals: list[Goal], today: date) -> bytes:
    progresses = progress_for(goals, today)
    book = new_workbook()
    header = [_("Goal"), _("KPI"), _("Whose"), _("Period"), _("Period start"), _("Period end"), _("Unit"),
              _("Baseline"), _("Target"), _("Target to date"), _("Actual to date"), _("Attainment"),
              _("Status"), _("Stage"), _("Owner")]
    rows = []
    for g in goals:
        p = progresses[g.id]
        rows.append([g.display_title, g.kpi.name, g.person.display_name if g.person else _("Store"), g.period_label,
                     g.period_start, g.period_end, g.kpi.unit_label, g.baseline, g.target, p.target_to_date,
                     p.actual, p.attainment, str(services.STATUS_LABELS[services.status_key(p)]), g.stage_label,
                     g.owner.display_name])
    write_table(book, _("Goals"), header, rows, formats={12: PERCENT_FORMAT})
    return workbook_bytes(book)
