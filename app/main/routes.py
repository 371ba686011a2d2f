"""The start page, health check, and the language and store switches."""
from flask import Blueprint, abort, make_response, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from ..common import safe_next
from ..auth.permissions import can_oversee_store
from ..common import current_store_id
from ..extensions import db
from ..forms import EmptyForm

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index():
    if not can_oversee_store(current_user, current_store_id()):
        return redirect(url_for("actions.mine"))
    return redirect(url_for("dashboard.index"))


@bp.get("/health")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.post("/language")
def language():
    """The header switch: remembered for a year in a cookie, over the browser's choice."""
    lang = request.form.get("lang")
    if not EmptyForm().validate_on_submit() or lang not in ("zh_CN", "en"):
        abort(400)
    response = make_response(redirect(safe_next(url_for("main.index"))))
    response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.post("/store")
@login_required
def switch_store():
    store_id = request.form.get("store_id", type=int)
    if not EmptyForm().validate_on_submit() or store_id not in current_user.visible_store_ids:
        abort(400)
    session["store_id"] = store_id
    return redirect(safe_next(url_for("main.index")))
