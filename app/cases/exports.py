"""The archive as an XLSX, with the filters the page shows applied (app/spreadsheets.py)."""
import io

from flask_babel import gettext as _

from ..spreadsheets import new_workbook, workbook_bytes, write_table

MAX_ROWS = 10_000


def archive_xlsx(cases) -> io.BytesIO:
    book = new_workbook()
    header = [_("No."), _("Title"), _("Date of the case"), _("Status"), _("Good or bad example"), _("Category"),
              _("Was the customer satisfied?"), _("The customer's problem"), _("Plate number"), _("VIN"),
              _("Vehicle model"), _("Mileage (km)"), _("Repair order number"), _("Service advisor"), _("Technician"),
              _("What happened"), _("How it was handled"), _("Lessons learned"), _("Tags"),
              _("Use as training material")]
    rows = ([c.id, c.title, c.case_date, c.status_label, c.example_label, c.category_label, c.satisfaction_label,
             c.customer_problem, c.plate, c.vin, c.vehicle_model, c.mileage, c.repair_order,
             c.advisor.display_name if c.advisor else "", c.technician.display_name if c.technician else "",
             c.what_happened, c.handling, c.lessons, "、".join(c.tag_list), _("Yes") if c.training else _("No")]
            for c in cases)
    write_table(book, _("Typical cases"), header, rows, freeze="C2")
    return io.BytesIO(workbook_bytes(book))
