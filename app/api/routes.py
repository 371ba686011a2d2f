"""Administration of API tokens (/admin/api-tokens); the JSON API itself is in v1.py (/api/v1)."""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..auth.models import Store
from ..common import get_or_404, paginate
from ..extensions import db
from ..forms import EmptyForm
from . import services
from .forms import ApiTokenForm
from .models import ApiToken
from .permissions import can_manage_tokens
from .v1 import v1

bp = Blueprint("api", __name__, template_folder="templates")
bp.register_blueprint(v1)  # endpoints api.v1.*, with their own JSON error handlers


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_manage_tokens(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _token_form() -> ApiTokenForm:
    form = ApiTokenForm()
    form.set_stores(db.session.scalars(select(Store).order_by(Store.code)).all())
    return form


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@admin_required
def tokens():
    """The list of tokens, and the form that creates one (its plaintext is shown once)."""
    form = _token_form()
    if form.validate_on_submit():
        store = get_or_404(Store, form.store_id.data)
        token, plaintext = services.create_token(store, form.name.data, current_user.id)
        db.session.commit()
        response = render_template("api/created.html", token=token, plaintext=plaintext)
        # The only copy of the secret: never cached, never kept in the history.
        return response, 200, {"Cache-Control": "no-store"}
    page = paginate(services.tokens_stmt().options(contains_eager(ApiToken.store)))
    return render_template("api/tokens.html", page=page, form=form,
                           empty_form=EmptyForm()), 422 if form.errors else 200


@bp.post("/admin/api-tokens/<int:token_id>/revoke")
@admin_required
def revoke_token(token_id):
    token = get_or_404(ApiToken, token_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.revoke_token(token):
        db.session.commit()
        flash(_("Token “%(name)s” revoked: requests with it are refused from now on.", name=token.name),
              "success")
    else:
        flash(_("This token was already revoked."), "info")
    return redirect(url_for(".tokens"))
