"""KPI pages: the catalogue, the month × KPI grid edited in place, spreadsheet import and export."""
import io
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError

from ..auth.models import POSITIONS, STAFF, User
from ..auth.services import current_store, store_people
from ..common import VersionConflict, current_store_id, get_or_404, require_login
from ..errors import render_error
from ..extensions import db, htmx
from ..formatting import finput, fmonth, fnumber
from ..months import add_months, months_between, year_bounds
from ..timeutils import local_today
from ..units import COUNT
from ..validation import in_range, whole_number
from . import imports, services
from .forms import ImportForm, KpiForm, ValueForm, cell_form
from .models import BAND, LOWER, SCOPES, STORE_SCOPE, Kpi, band_of
from .permissions import (
    can_edit_values,
    can_export_values,
    can_manage_catalogue,
    can_view_values,
)

bp = Blueprint("kpis", __name__, template_folder="templates")

require_login(bp)


def target_text(kpi: Kpi) -> str:
    if kpi.direction == BAND and kpi.band_low is not None and kpi.band_high is not None:
        return f"{fnumber(kpi.band_low, kpi.unit)}–{fnumber(kpi.band_high, kpi.unit)}"
    return "" if kpi.default_target is None else fnumber(kpi.default_target, kpi.unit)


def _cell_form(kpi, month, value=None, typed=None, error=None):
    label = _("%(kpi)s, %(month)s", kpi=kpi.name, month=fmonth(month))
    form = cell_form(f"cell-{kpi.id}-{month.month}-value", label,
                     finput(value, kpi.unit) if typed is None else typed, error)
    if kpi.unit == COUNT:
        form.value.render_kw = {**form.value.render_kw, "inputmode": "numeric"}
    return form


# The cells' inputs as the `field` macro draws _cell_form's (tests/test_kpi_grid_speed.py compares them): a
# year's grid has about a hundred cells, and a WTForms form drawn through the macro costs ~0.1 ms each.
def _cell_inputs(kpis, months, values, show_label=False) -> dict[tuple[int, date], Markup]:
    """{(kpi id, month): the input} of cells without an error (one with an error goes through
    _cell_form and the macro). Names, month labels and the label pattern are looked up once."""
    pattern = _("%(kpi)s, %(month)s")  # translated here, filled in below
    label_class = "" if show_label else "visually-hidden"
    month_names = {month: fmonth(month) for month in months}
    inputs = {}
    for kpi in kpis:
        name, row = kpi.name, values.get(kpi.id, {})
        mode = "numeric" if kpi.unit == COUNT else "decimal"
        for month in months:
            field_id = f"cell-{kpi.id}-{month.month}-value"
            label = escape(pattern % {"kpi": name, "month": month_names[month]})
            text = escape(finput(row.get(month), kpi.unit))
            inputs[(kpi.id, month)] = Markup(
                f'<div class="field   field-stringfield">\n<label class="{label_class}" for="{field_id}">{label}</label>\n'
                f'<input autocomplete="off" id="{field_id}" inputmode="{mode}" name="value" size="7" type="text" '
                f'value="{text}">\n</div>')
    return inputs


def _cell_input(kpi, month, value=None, show_label=False) -> Markup:
    """One cell's input (the cell an htmx save sends back)."""
    return _cell_inputs([kpi], [month], {kpi.id: {month: value}}, show_label)[(kpi.id, month)]


def below_target(kpi: Kpi, value) -> bool:
    """A month's value that misses the KPI's own target (its default target, or outside its band)."""
    if value is None:
        return False
    band = band_of(kpi)
    if band:
        return not band[0] <= value <= band[1]
    if kpi.default_target is None:
        return False
    return value > kpi.default_target if kpi.direction == LOWER else value < kpi.default_target


@bp.context_processor
def kpi_helpers():
    return {"target_text": target_text, "cell_form": _cell_form, "cell_input": _cell_input,
            "below_target": below_target}


# --- catalogue ----------------------------------------------------------------------------

@bp.get("/")
def catalogue():
    return render_template("kpis/catalogue.html", kpis=services.all_kpis(), scopes=SCOPES, positions=POSITIONS,
                           can_manage=can_manage_catalogue(current_user))


def _kpi_fields(form: KpiForm) -> dict:
    return {name: getattr(form, name).data for name in services.KPI_FIELDS
            if getattr(form, name, None) is not None}  # a built-in KPI's form has no code


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not can_manage_catalogue(current_user):
        abort(403)
    form = KpiForm()
    if form.validate_on_submit():
        if services.code_taken(form.code.data):
            form.code.errors.append(_("Another KPI already has this code."))
        else:
            kpi = services.create_kpi(**_kpi_fields(form))
            db.session.commit()
            flash(_("KPI %(code)s added to the catalogue.", code=kpi.code), "success")
            return redirect(url_for(".catalogue", _anchor=f"kpi-{kpi.id}"))
    return render_template("kpis/form.html", form=form, kpi=None), 422 if form.errors else 200


@bp.route("/<int:kpi_id>/edit", methods=["GET", "POST"])
def edit(kpi_id):
    kpi = get_or_404(Kpi, kpi_id)
    if not can_manage_catalogue(current_user):
        abort(403)
    form = KpiForm(obj=kpi)
    if request.method == "GET":
        form.positions.data = kpi.position_list
    if kpi.builtin:
        del form.code  # the built-in codes are what spreadsheets and the API refer to
    if form.validate_on_submit():
        if not kpi.builtin and services.code_taken(form.code.data, exclude_id=kpi.id):
            form.code.errors.append(_("Another KPI already has this code."))
        else:
            services.update_kpi(kpi, **_kpi_fields(form))
            db.session.commit()
            flash(_("KPI %(code)s saved.", code=kpi.code), "success")
            return redirect(url_for(".catalogue", _anchor=f"kpi-{kpi.id}"))
    return render_template("kpis/form.html", form=form, kpi=kpi), 422 if form.errors else 200


# --- the grid -----------------------------------------------------------------------------

def _year_arg() -> int:
    year = request.args.get("year", type=int) or local_today().year
    return year if in_range(year, "year") else local_today().year


def load_subject(store_id: int, subject: str | None) -> User | None:
    """"store" → None (the store itself); a user id → that person, who must work in this store."""
    if subject in (None, "", services.STORE_SUBJECT):
        return None
    person_id = whole_number(subject, "id")
    if person_id is None:
        abort(404)
    person = get_or_404(User, person_id)
    if person.store_id != store_id:
        abort(403)
    return person


def _months(year: int) -> list[date]:
    return months_between(*year_bounds(date(year, 1, 1)))


def _month_arg() -> date | None:
    """?month=2026-12: the one month a phone enters (the month view); None for the year's table."""
    return services.parse_month(request.args.get("month")) if request.args.get("month") else None


def _grid_context(store_id: int, person: User | None, year: int, errors=None, conflicts=None,
                  month: date | None = None) -> dict:
    months = [month] if month else _months(year)
    this_month = local_today().replace(day=1)
    kpis = services.grid_kpis(person)
    values, versions = services.grid_values(store_id, [k.id for k in kpis], person.id if person else None,
                                            months[0], months[-1])
    if not can_view_values(current_user, store_id):  # staff: only their own figures
        people = [current_user]
    else:
        people = [p for p in store_people(store_id) if p.role == STAFF or p.position]
    return {"kpis": kpis, "values": values, "versions": versions, "months": months, "year": year,
            "cell_inputs": _cell_inputs(kpis, months, values, show_label=bool(month)),
            "person": person, "people": people, "subject": str(person.id) if person else services.STORE_SUBJECT,
            "can_edit": can_edit_values(current_user, store_id), "store": current_store(),
            "errors": errors or {}, "conflicts": conflicts or {}, "month": month,
            "this_month": this_month, "by_month": bool(month),
            # newest first, months still ahead left out (there is nothing to enter for them yet)
            "chooser_months": [m for m in reversed(_months(year)) if m <= this_month] or _months(year),
            "prev_month": add_months(month, -1) if month else None,
            "next_month": add_months(month, 1) if month else None}


@bp.get("/grid")
def grid():
    store_id = current_store_id()
    subject = request.args.get("subject")
    if subject is None and not can_view_values(current_user, store_id):
        subject = str(current_user.id)  # staff have only their own figures to look at
    person = load_subject(store_id, subject)
    if not can_view_values(current_user, store_id, person):
        abort(403)
    month = _month_arg()
    if month:
        return render_template("kpis/month.html", **_grid_context(store_id, person, month.year, month=month))
    return render_template("kpis/grid.html", **_grid_context(store_id, person, _year_arg()))


@bp.post("/value")
def set_value():
    store_id = current_store_id()
    form = ValueForm()
    if not form.validate_on_submit() or whole_number(form.kpi_id.data, "id") is None:
        abort(400)
    kpi = get_or_404(Kpi, whole_number(form.kpi_id.data, "id"))
    person = load_subject(store_id, form.subject.data)
    month = services.parse_month(form.month.data)
    if not kpi.active or month is None:
        abort(404)
    if not can_edit_values(current_user, store_id) or not can_view_values(current_user, store_id, person):
        abort(403)
    if not (kpi.applies_to(person) if person else kpi.scope == STORE_SCOPE):
        abort(404)  # this KPI has no row in this subject's grid

    typed, person_id = form.value.data or "", person.id if person else None
    number, error, conflict = None, None, None
    if typed:
        row = {"kpi": kpi.code, "subject": person.username if person else services.STORE_SUBJECT,
               "month": f"{month:%Y-%m}", "value": typed}
        good, row_errors = services.validate_rows(store_id, [row])
        if row_errors:
            error = " ".join(e.message for e in row_errors)
        elif kpi.unit == COUNT and not float(good[0].value).is_integer():
            error = _("%(kpi)s is counted in whole numbers.", kpi=kpi.name)
        else:
            number = good[0].value
    if not error:
        try:
            services.save_cell(store_id, kpi.id, person_id, month, number, int(form.version.data), current_user.id)
            db.session.commit()
        except VersionConflict:
            db.session.rollback()
            # Someone else saved this cell since it was loaded: show what is stored now, and offer mine.
            conflict = {"mine": typed, "current": services.find_value(store_id, kpi.id, person_id, month)}
    return _cell_reply(store_id, kpi, person, month, typed, error, conflict, int(form.version.data),
                       by_month=request.form.get("view") == "month")


def _cell_reply(store_id, kpi, person, month, typed, error, conflict, base_version, by_month=False):
    """The saved cell (htmx) or the grid; the typed text with 422 on an error; 409 on a conflict."""
    person_id, cell = person.id if person else None, (kpi.id, month)
    errors = {cell: (typed, error)} if error else {}
    conflicts = {cell: conflict} if conflict else {}
    if htmx:
        value, version = None, base_version  # an invalid entry leaves the cell's version as it was
        if not error:
            values, versions = services.grid_values(store_id, [kpi.id], person_id, month, month)
            value, version = values.get(kpi.id, {}).get(month), versions.get(cell, 0)
        response = render_template("kpis/_cell.html", kpi=kpi, month=month, value=value, version=version,
                                   can_edit=True, subject=str(person_id) if person else services.STORE_SUBJECT,
                                   errors=errors, conflicts=conflicts, saved=not (error or conflict),
                                   by_month=by_month)
        if error or conflict:
            return response, 422 if error else 409
        return response, 200, {"HX-Trigger": "kpiValuesChanged"}
    if error or conflict:
        if conflict:
            flash(_("Not saved: someone else changed this value after you opened the page."), "warning")
        ctx = _grid_context(store_id, person, month.year, errors=errors, conflicts=conflicts,
                            month=month if by_month else None)
        return render_template("kpis/month.html" if by_month else "kpis/grid.html", **ctx), 422 if error else 409
    flash(_("Value saved.") if typed else _("Value removed."), "success")
    subject = str(person_id) if person else services.STORE_SUBJECT
    if by_month:
        return redirect(url_for(".grid", subject=subject, month=f"{month:%Y-%m}", _anchor=f"kpi-{kpi.id}"))
    return redirect(url_for(".grid", subject=subject, year=month.year, _anchor=f"kpi-{kpi.id}"))


# --- import and export --------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
def import_values():
    store_id = current_store_id()
    if not can_edit_values(current_user, store_id):
        abort(403)
    form = ImportForm()
    report, counts, status = None, None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            found = imports.read_upload(upload.filename, upload.stream)
        except imports.ImportFileError as e:
            form.file.errors.append(str(e))
        else:
            good, report = services.validate_rows(store_id, found.rows, row_numbers=found.row_numbers)
            if report:
                status = 422  # all or nothing: one bad row and nothing is written
            else:
                counts = _save_import(store_id, good)
                if counts is None:
                    form.file.errors.append(_("Someone imported values for the same KPIs and months at the "
                                              "same moment, so nothing was saved from your file. Import "
                                              "it again."))
                    status = 409
    if form.errors and status == 200:
        status = 422
    return render_template("kpis/import.html", form=form, report=report, counts=counts,
                           store=current_store()), status


def _save_import(store_id: int, values) -> dict | None:
    """Write and commit the values; None when a concurrent import kept inserting the same rows.

    Two imports of the same new values at once both find no row and both insert: the second
    insert breaks the unique key. Once the first has committed, a second try finds its rows and
    updates them (or leaves them unchanged).
    """
    for _attempt in range(2):
        try:
            counts = services.upsert_values(store_id, values, source="import", user_id=current_user.id)
            db.session.commit()
            return counts
        except IntegrityError:
            db.session.rollback()
    return None


@bp.errorhandler(413)
def upload_too_large(error):
    """A file over MAX_CONTENT_LENGTH is refused before any view runs: say so on the import page."""
    if request.endpoint != "kpis.import_values":
        return render_error(413)
    form = ImportForm(formdata=None)
    form.file.errors = [_("The file is larger than %(mb)d MB. Split it into smaller files.",
                          mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))]
    return render_template("kpis/import.html", form=form, report=None, counts=None,
                           store=current_store()), 413


@bp.get("/export")
def export():
    store_id = current_store_id()
    if not can_export_values(current_user, store_id):
        abort(403)
    year = _year_arg()
    store = current_store()
    data = imports.export_workbook(year, services.year_values(store_id, year), _months(year))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"kpi-{store.code}-{year}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
