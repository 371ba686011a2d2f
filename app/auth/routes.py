"""Login and logout."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from ..common import safe_next
from ..extensions import db
from ..formatting import header_values
from ..forms import EmptyForm
from . import lockout
from .forms import LoginForm
from .permissions import can
from .services import (
    authenticate,
    current_store,
    end_current_session,
    login_failed,
    login_locked_out,
    start_session,
    visible_stores,
)

bp = Blueprint("auth", __name__, template_folder="templates")
bp.add_app_template_global(can, "can")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        username = form.username.data
        if minutes := lockout.minutes_locked(username):
            login_locked_out.send(current_app._get_current_object(), username=username)
            db.session.commit()
            form.password.errors.append(ngettext(
                "Too many failed logins. Try again in %(num)d minute.",
                "Too many failed logins. Try again in %(num)d minutes.", minutes))
            return render_template("auth/login.html", form=form), 429
        user = authenticate(username, form.password.data)
        if user is None:
            lockout.count_failure(username)
            login_failed.send(current_app._get_current_object(), username=username)
            db.session.commit()
            form.password.errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 422
        if user.temporary_password_expired:
            login_failed.send(current_app._get_current_object(), username=username)
            db.session.commit()
            form.password.errors.append(_("This temporary password has expired. Ask your service manager or "
                                          "the administrator for a new one."))
            return render_template("auth/login.html", form=form), 422
        start_session(user, remember=form.remember.data)
        login_user(user, remember=form.remember.data)
        db.session.commit()
        return redirect(safe_next(url_for("main.index")))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        end_current_session()
        logout_user()
        db.session.commit()
        flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.app_context_processor
def store_header():
    """The store the header shows, and the others the user may switch to."""
    def switchable():
        stores = visible_stores()
        return stores if len(stores) > 1 else []

    return header_values(current_store=current_store, switchable_stores=switchable)
