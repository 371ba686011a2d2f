"""Login and logout."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..common import safe_next
from ..extensions import db, limiter
from ..formatting import header_values
from ..forms import EmptyForm
from .forms import LoginForm
from .permissions import can
from .services import current_store, find_user, visible_stores

bp = Blueprint("auth", __name__, template_folder="templates")
bp.add_app_template_global(can, "can")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = find_user(form.username.data)
        if user is None or not user.active or not user.check_password(form.password.data):
            form.password.errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 422
        login_user(user, remember=form.remember.data)
        db.session.commit()
        return redirect(safe_next(url_for("main.index")))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.app_context_processor
def store_header():
    """The store the header shows, and the others the user may switch to."""
    def switchable():
        stores = visible_stores()
        return stores if len(stores) > 1 else []

    return header_values(current_store=current_store, switchable_stores=switchable)
