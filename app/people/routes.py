"""People: the list, adding, editing, deactivating, password resets and the spreadsheet import."""
import io

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.models import GM, POSITIONS, ROLES, Store, User
from ..auth.permissions import can_administer
from ..common import get_or_404, id_arg, paginate, require_login
from ..extensions import db
from ..forms import EmptyForm
from ..spreadsheets import new_workbook, workbook_bytes, write_table
from ..transactions import commit_or_refuse
from ..uploads import ImportFileError
from . import imports, services
from .forms import (
    ImportForm,
    NewPersonForm,
    PersonForm,
    position_choices,
    role_choices,
    store_choices,
)
from .permissions import (
    can_change_role,
    can_choose_stores,
    can_deactivate_person,
    can_edit_person,
    can_list_people,
    can_manage_people,
    can_reset_password,
    grantable_roles,
)

bp = Blueprint("people", __name__, template_folder="templates")
require_login(bp)
ACTIVE_FILTERS = {"1": True, "0": False, "all": None}


def load_person(person_id: int, rule=can_edit_person) -> User:
    person = get_or_404(User, person_id)
    if not rule(current_user, person):
        abort(403)
    return person


def managed_stores():
    """The stores whose people the user may add: every open one for the administrator, else their own."""
    if can_administer(current_user):
        return services.all_stores(active_only=True)
    if can_manage_people(current_user, current_user.store_id):
        return [current_user.store]
    abort(403)


def fill_choices(form, person: User | None = None) -> None:
    form.role.choices = role_choices(grantable_roles(current_user))
    form.position.choices = position_choices()
    stores = managed_stores()
    if person is not None and person.store not in stores:
        stores = [person.store, *stores]  # a closed store stays shown for the people still in it
    form.store_id.choices = store_choices(stores)
    if can_choose_stores(current_user):
        form.extra_store_ids.choices = store_choices(services.all_stores(active_only=True))
    else:
        del form.extra_store_ids


@bp.get("/")
def index():
    if not can_list_people(current_user):
        abort(403)
    admin = can_administer(current_user)
    filters = {
        "q": request.args.get("q", "").strip()[:80],
        "store_id": id_arg("store") if admin else None,
        "role": request.args.get("role") if request.args.get("role") in ROLES else None,
        "position": request.args.get("position") if request.args.get("position") in POSITIONS else None,
        "active": ACTIVE_FILTERS.get(request.args.get("active", "1"), True),
    }
    page = paginate(services.people_query(None if admin else {current_user.store_id}, **filters))
    return render_template("people/list.html", page=page, filters=filters, roles=ROLES, positions=POSITIONS,
                           stores=services.all_stores() if admin else [], active_arg=request.args.get("active", "1"),
                           store_arg=filters["store_id"], empty_form=EmptyForm())


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewPersonForm()
    fill_choices(form)
    if form.validate_on_submit():
        store = get_or_404(Store, form.store_id.data)
        if not can_manage_people(current_user, store.id):
            abort(403)
        taken = _("Someone added this username at the same moment. Choose another.")
        with commit_or_refuse(taken=taken) as refusal:
            person, password = services.add_person(
                store=store, username=form.username.data, display_name=form.display_name.data,
                role=form.role.data, position=form.position.data, phone=form.phone.data, email=form.email.data)
        if not refusal:
            return render_template("people/password.html", people=[(person, password)], new=True,
                                   empty_form=EmptyForm()), 201
        form.username.errors.append(refusal.message)
    return render_template("people/form.html", form=form, person=None), 422 if form.errors else 200


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
def edit(person_id):
    person = load_person(person_id)
    form = PersonForm(obj=person)
    fill_choices(form, person)
    if request.method == "GET":
        form.store_id.data = person.store_id
        if "extra_store_ids" in form:
            form.extra_store_ids.data = [s.id for s in person.extra_stores]
    if form.validate_on_submit():
        store = get_or_404(Store, form.store_id.data)
        if store.id != person.store_id and not can_manage_people(current_user, store.id):
            abort(403)
        if form.role.data != person.role and not can_change_role(current_user, person):
            form.role.errors.append(_("You cannot change your own role. Ask another administrator."))
        else:
            with commit_or_refuse() as refusal:
                services.update_person(
                    person, display_name=form.display_name.data, role=form.role.data, position=form.position.data,
                    store=store, phone=form.phone.data, email=form.email.data,
                    extra_store_ids=form.extra_store_ids.data if "extra_store_ids" in form else None)
            if not refusal:
                flash(_("%(name)s is saved.", name=person.display_name), "success")
                return redirect(url_for("people.index"))
            refusal.flash()
    # A general manager may oversee other stores besides their own.
    oversees_stores = "extra_store_ids" in form and person.role == GM
    return render_template("people/form.html", form=form, person=person,
                           oversees_stores=oversees_stores), 422 if form.errors else 200


@bp.route("/<int:person_id>/deactivate", methods=["GET", "POST"])
def deactivate(person_id):
    """GET asks for confirmation; POST deactivates."""
    person = load_person(person_id, can_deactivate_person)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        services.set_active(person, False)
        db.session.commit()
        flash(_("%(name)s is deactivated and can no longer log in.", name=person.display_name), "success")
        return redirect(url_for("people.index"))
    return render_template("people/confirm.html", person=person, form=EmptyForm(),
                           action=url_for("people.deactivate", person_id=person.id))


@bp.post("/<int:person_id>/reactivate")
def reactivate(person_id):
    person = load_person(person_id, can_deactivate_person)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.set_active(person, True)
    db.session.commit()
    flash(_("%(name)s is active again and can log in.", name=person.display_name), "success")
    return redirect(url_for("people.index", active="0"))


@bp.route("/<int:person_id>/reset-password", methods=["GET", "POST"])
def reset_password(person_id):
    """GET asks for confirmation; POST sets a temporary password and shows it once."""
    person = load_person(person_id, can_reset_password)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        password = services.reset_password(person)
        db.session.commit()
        return render_template("people/password.html", people=[(person, password)], new=False,
                               empty_form=EmptyForm())
    return render_template("people/confirm.html", person=person, form=EmptyForm(), reset=True,
                           action=url_for("people.reset_password", person_id=person.id))


@bp.route("/import", methods=["GET", "POST"])
def import_people():
    form = ImportForm()
    form.store_id.choices = store_choices(managed_stores())
    if not form.validate_on_submit():
        return render_template("people/import.html", form=form), 422 if form.errors else 200
    store = get_or_404(Store, form.store_id.data)
    if not can_manage_people(current_user, store.id):
        abort(403)
    upload = form.file.data
    try:
        found = imports.read_people(upload.filename, upload.stream)
    except ImportFileError as e:
        form.file.errors.append(str(e))
        return render_template("people/import.html", form=form), 422
    checked = imports.check_rows(found, grantable_roles(current_user))
    if not checked.ok:
        return render_template("people/import.html", form=form, checked=checked), 422
    taken = _("Someone added people with some of the same usernames at the same moment, so nobody from "
              "your file was added. Import it again: the report will name the usernames now taken.")
    with commit_or_refuse(taken=taken) as refusal:
        added = imports.add_people(checked, store)
    if refusal:
        form.file.errors.append(refusal.message)
        return render_template("people/import.html", form=form), refusal.status
    return render_template("people/password.html", people=added, new=True, store=store,
                           empty_form=EmptyForm()), 201


@bp.post("/temporary-passwords.xlsx")
def password_sheet():
    """The result page's rows as a sheet to print or hand out. The page sends back what it shows:
    nothing is kept on the server, so the passwords exist only in that page and this download."""
    if not can_list_people(current_user) or not EmptyForm().validate_on_submit():
        abort(403)
    names, usernames, passwords = (request.form.getlist(key)[:1000] for key in ("name", "username", "password"))
    book = new_workbook()
    write_table(book, _("Temporary passwords"), [_("Full name"), _("Username"), _("Temporary password")],
                zip(names, usernames, passwords, strict=False))  # as posted; a short list ends the sheet
    return send_file(io.BytesIO(workbook_bytes(book)), as_attachment=True,
                     download_name="temporary-passwords.xlsx")
