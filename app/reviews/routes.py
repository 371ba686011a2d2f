"""Assessing service managers: the overview, a new assessment, one assessment, a manager's history."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.models import MANAGER, User
from ..common import get_or_404, id_arg, require_login
from ..extensions import db
from ..timeutils import local_today
from . import services
from .forms import ReviewForm
from .models import DUTIES, NOT_YET, VERDICTS, ManagerReview
from .permissions import (
    can_assess,
    can_list_reviews,
    can_view_manager_reviews,
    can_view_own_reviews,
    can_view_review,
)
from .services import THRESHOLDS

bp = Blueprint("reviews", __name__, template_folder="templates")

require_login(bp)


@bp.context_processor
def review_helpers():
    return {"duties": DUTIES, "verdicts": VERDICTS, "thresholds": THRESHOLDS, "duty_total": len(DUTIES),
            "minimum_for": {key: minimum for minimum, key in THRESHOLDS}}


def _load_manager(manager_id: int) -> User:
    manager = get_or_404(User, manager_id)
    if manager.role != MANAGER:
        abort(404)
    return manager


@bp.get("/")
def index():
    if not can_list_reviews(current_user):
        if can_view_own_reviews(current_user):
            return redirect(url_for("reviews.history", manager_id=current_user.id))
        abort(403)
    rows = services.managers_overview(current_user.visible_store_ids)
    return render_template("reviews/index.html", rows=rows,
                           can_assess=lambda m: can_assess(current_user, m))


@bp.route("/new", methods=["GET", "POST"])
def new():
    manager_id = id_arg("manager")
    if manager_id is None:
        abort(404)
    manager = _load_manager(manager_id)
    if not can_assess(current_user, manager):
        abort(403)
    form = ReviewForm()
    if request.method == "GET":
        form.reviewed_on.data = local_today()
    if form.validate_on_submit():
        review = services.create_review(manager=manager, reviewer_id=current_user.id,
                                        reviewed_on=form.reviewed_on.data, met=form.met, remarks=form.remarks)
        db.session.commit()
        flash(_("Assessment saved: %(count)d of %(total)d duties met — %(verdict)s.",
                count=review.met_count, total=len(DUTIES), verdict=review.verdict_label), "success")
        return redirect(url_for("reviews.detail", review_id=review.id))
    # The verdict for each count, for the running tally beside the form (the server decides on save).
    levels = [[minimum, str(VERDICTS[key])] for minimum, key in THRESHOLDS] + [[0, str(VERDICTS[NOT_YET])]]
    return render_template("reviews/form.html", form=form, manager=manager,
                           tally_levels=levels), 422 if form.errors else 200


@bp.get("/<int:review_id>")
def detail(review_id: int):
    review = get_or_404(ManagerReview, review_id)
    if not can_view_review(current_user, review):
        abort(403)
    return render_template("reviews/detail.html", review=review,
                           can_assess=can_assess(current_user, review.manager))


@bp.get("/manager/<int:manager_id>")
def history(manager_id: int):
    manager = _load_manager(manager_id)
    if not can_view_manager_reviews(current_user, manager):
        abort(403)
    own = current_user.id == manager.id
    rows = services.with_trend(services.history(manager.id, None if own else current_user.visible_store_ids))
    return render_template("reviews/history.html", manager=manager, rows=rows,
                           can_assess=can_assess(current_user, manager))
