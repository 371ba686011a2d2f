"""The start page, health check, and the language and store switches."""
from flask import Blueprint, abort, make_response, redirect, request, session, url_for
from flask_login import current_user, login_required

from ..auth.permissions import can_oversee_store
from ..auth.services import visible_stores
from ..common import LANGUAGES, current_store_id, remember_language, safe_next
from ..dashboard.permissions import group_is_start_page
from ..extensions import db
from ..forms import EmptyForm
from ..notifications.services import remember_message_language
from .health import checks as health_checks

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index():
    if not can_oversee_store(current_user, current_store_id()):
        return redirect(url_for("actions.mine"))
    if group_is_start_page(current_user, len(visible_stores())):
        return redirect(url_for("dashboard.group_overview"))
    return redirect(url_for("dashboard.index"))


@bp.get("/health")
def health():
    """For the load balancer and monitoring: 503 when the database or Redis does not answer."""
    results = health_checks()
    healthy = all(results.values())
    body = {"status": "ok" if healthy else "down",
            "checks": {name: "ok" if up else "down" for name, up in results.items()}}
    return body, 200 if healthy else 503


@bp.post("/language")
def language():
    """The header switch: remembered for a year in a cookie, over the browser's choice."""
    lang = request.form.get("lang")
    if not EmptyForm().validate_on_submit() or lang not in LANGUAGES:
        abort(400)
    if current_user.is_authenticated:  # their e-mails follow (notifications)
        remember_message_language(current_user.id, lang)
        db.session.commit()
    return remember_language(make_response(redirect(safe_next(url_for("main.index")))), lang)


@bp.post("/store")
@login_required
def switch_store():
    store_id = request.form.get("store_id", type=int)
    if not EmptyForm().validate_on_submit() or store_id not in current_user.visible_store_ids:
        abort(400)
    session["store_id"] = store_id
    return redirect(safe_next(url_for("main.index")))
