"""The audit trail's page: newest first, filtered by person, record and dates, paged."""
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.models import User
from ..auth.permissions import can_administer
from ..common import current_store_id, paginate
from ..extensions import db
from ..forms import options
from .forms import TrailFilterForm
from .labels import ACTIONS
from .permissions import can_view_audit
from .readable import Reader
from .services import entries_query

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index():
    # The administrator reads the group's trail; the others that of the store they look at.
    store_id = None if can_administer(current_user) else current_store_id()
    if not can_view_audit(current_user, store_id):
        abort(403)
    form = TrailFilterForm(request.args)
    people = select(User).order_by(User.display_name)
    if store_id is not None:
        people = people.where(User.store_id == store_id)
    form.person.choices = options([(0, _("Everyone")), *((u.id, u.display_name) for u in db.session.scalars(people))])
    filters = {}
    if form.validate():
        filters = {"user_id": form.person.data or None, "object_type": form.object_type.data or None,
                   "object_id": form.object_id.data, "since": form.since.data, "until": form.until.data}
    page = paginate(entries_query(store_id=store_id, **filters))
    kept = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit/index.html", form=form, page=page, kept=kept, actions=ACTIONS,
                           read=Reader(page.items))
