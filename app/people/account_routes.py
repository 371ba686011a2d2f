"""My account: name, phone, e-mail, language and password; and the forced password change after an
import or a reset (every page leads there until it is done)."""
from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.passwords import MIN_LENGTH
from ..common import remember_language
from ..extensions import db, htmx
from ..notifications.services import remember_message_language
from ..transactions import commit_or_refuse
from . import services
from .forms import AccountForm, PasswordForm

bp = Blueprint("account", __name__, template_folder="templates")
# What a person who must change their password may still reach.
OPEN_WHILE_CHANGING = {"account.password", "auth.logout", "auth.login", "main.language", "main.health", "static"}


@bp.before_app_request
def require_new_password():
    if request.endpoint in OPEN_WHILE_CHANGING or not current_user.is_authenticated:
        return None
    if not current_user.must_change_password:
        return None
    target = url_for("account.password")
    if htmx:
        return "", 204, {"HX-Redirect": target}  # htmx ignores a redirect's target: send the whole page
    return redirect(target)


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = AccountForm(obj=current_user)
    if request.method == "GET":
        form.language.data = str(get_locale())
    if form.validate_on_submit():
        services.update_account(current_user, display_name=form.display_name.data, phone=form.phone.data,
                                email=form.email.data)
        remember_message_language(current_user.id, form.language.data)  # e-mails in the same language
        db.session.commit()
        flash(_("Your account is saved."), "success")
        return remember_language(make_response(redirect(url_for("account.index"))), form.language.data)
    return render_template("people/account.html", form=form), 422 if form.errors else 200


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        with commit_or_refuse() as refusal:
            services.change_own_password(current_user, form.current.data, form.new.data)
        if not refusal:
            flash(_("Your password is changed."), "success")
            return redirect(url_for("main.index"))
        form.new.errors.append(refusal.message)
    return render_template("people/password_change.html", form=form, min_length=MIN_LENGTH), 422 if form.errors else 200
