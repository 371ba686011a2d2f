"""Stores (the administrator): create, rename, close and reopen."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.models import Store
from ..common import get_or_404
from ..extensions import db
from ..forms import EmptyForm
from ..transactions import commit_or_refuse
from . import services
from .forms import RenameStoreForm, StoreForm
from .permissions import can_choose_stores

bp = Blueprint("stores", __name__, template_folder="templates")


@bp.before_request
@login_required
def administrators_only():
    if not can_choose_stores(current_user):
        abort(403)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = StoreForm()
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            store = services.create_store(form.code.data, form.name.data)
        if not refusal:
            flash(_("The store %(name)s is created.", name=store.name), "success")
            return redirect(url_for("stores.index"))
        form.code.errors.append(refusal.message)
    return render_template("people/stores.html", form=form, stores=services.all_stores(),
                           empty_form=EmptyForm()), 422 if form.errors else 200


@bp.route("/<int:store_id>/edit", methods=["GET", "POST"])
def edit(store_id):
    store = get_or_404(Store, store_id)
    form = RenameStoreForm(obj=store)
    if form.validate_on_submit():
        services.rename_store(store, form.name.data)
        db.session.commit()
        flash(_("The store is renamed %(name)s.", name=store.name), "success")
        return redirect(url_for("stores.index"))
    return render_template("people/store_form.html", form=form, store=store), 422 if form.errors else 200


@bp.route("/<int:store_id>/deactivate", methods=["GET", "POST"])
def deactivate(store_id):
    """GET asks for confirmation; POST closes the store (its history stays)."""
    store = get_or_404(Store, store_id)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        services.set_store_active(store, False)
        db.session.commit()
        flash(_("The store %(name)s is deactivated.", name=store.name), "success")
        return redirect(url_for("stores.index"))
    return render_template("people/store_confirm.html", store=store, form=EmptyForm())


@bp.post("/<int:store_id>/reactivate")
def reactivate(store_id):
    store = get_or_404(Store, store_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.set_store_active(store, True)
    db.session.commit()
    flash(_("The store %(name)s is active again.", name=store.name), "success")
    return redirect(url_for("stores.index"))
