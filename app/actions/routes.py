"""Action item pages: my items, the manager's board, an item with its history."""
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..attachments.registry import register_owner
from ..attachments.services import counts_of
from ..auth.services import current_store, store_people, store_team
from ..common import current_store_id, get_or_404, id_arg, paginate, require_login, safe_next
from ..extensions import db, htmx
from ..formatting import header_counts
from ..forms import error_text
from ..spreadsheets import export_rows, too_many_rows_message, xlsx_response
from ..timeutils import local_today
from ..transactions import commit_or_refuse
from . import exports, services
from .forms import EditActionItemForm, ProgressForm
from .models import IN_PROGRESS, OPEN, STATUSES, ActionItem
from .permissions import can_edit_item, can_report_progress, can_view_board, can_view_item

bp = Blueprint("actions", __name__, template_folder="templates")

require_login(bp)

# Photos and files on an action item (app/attachments): whoever sees the item sees them; its owner and
# the store's service manager add them.
register_owner("action_item", load=lambda item_id: db.session.get(ActionItem, item_id), can_view=can_view_item,
               can_attach=can_report_progress, store_of=lambda item: item.store_id,
               url_of=lambda item: url_for("actions.detail", item_id=item.id), title_of=lambda item: item.title)


def load_item(item_id: int) -> ActionItem:
    item = get_or_404(ActionItem, item_id)
    if not can_view_item(current_user, item):
        abort(403)
    return item


def progress_form(item: ActionItem) -> ProgressForm:
    form = ProgressForm(formdata=None, status=item.status if item.status in STATUSES else None)
    form.version.data = item.version
    return form


def card_forms():
    """progress_form for a page of cards, without a WTForms form per card: what actions/_item_card.html
    reads of one (the status choices, their labels translated once per page, the item's version, no note)."""
    choices = [SimpleNamespace(value=c.value, label=str(c.label)) for c in ProgressForm(formdata=None).status.choices]
    status, note = SimpleNamespace(choices=choices), SimpleNamespace(data=None)
    return lambda item: SimpleNamespace(status=status, note=note, version=SimpleNamespace(data=item.version))


@bp.get("/mine")
def mine():
    page = paginate(services.my_items_stmt(current_user.id))
    return render_template("actions/mine.html", page=page, today=local_today(), progress_form=card_forms(),
                           can_report=lambda item: can_report_progress(current_user, item),
                           extensions=services.latest_extensions(i.id for i in page.items),
                           attachment_counts=counts_of("action_item", [i.id for i in page.items]))


@bp.get("/mine/count")
def mine_count():
    """The badge in the navigation; refreshed when an item changes (HX-Trigger)."""
    return render_template("actions/_open_count.html", open_count=services.open_count(current_user.id))


@bp.app_context_processor
def open_count_in_header():
    return header_counts(open_count=lambda: services.open_count_stmt(current_user.id))


@bp.post("/<int:item_id>/progress")
def progress(item_id):
    item = load_item(item_id)
    if not can_report_progress(current_user, item):
        abort(403)
    form = ProgressForm()
    error, status, was = None, 200, item.status
    if not form.validate_on_submit() or not (form.version.data or "").isdigit():
        error, status = error_text(form) or _("Choose one of the offered statuses."), 422
    else:
        with commit_or_refuse(conflict=_("Someone else updated this item a moment ago. Here it is as it "
                                         "stands now; check it and send your change again.")) as refusal:
            services.report_progress(item, current_user.id, form.status.data, form.note.data,
                                     int(form.version.data))
        if refusal:
            error, status = refusal.message, refusal.status
    conflict = status == 409
    # A note on an open item moved it to in progress (services.report_progress): say so.
    started = not error and was == OPEN and form.status.data == OPEN and item.status == IN_PROGRESS
    if htmx:
        form_now = progress_form(item) if not error or conflict else form
        if error and not conflict:
            form_now.version.data = item.version
        response = render_template("actions/_item_card.html", item=item, today=local_today(),
                                   form=form_now, error=error, saved=not error, started=started,
                                   report_allowed=True, extensions=services.latest_extensions([item.id]),
                                   attachment_counts=counts_of("action_item", [item.id]))
        headers = {"HX-Trigger": "actionItemsChanged"} if not error else {}
        return response, status, headers
    if error:
        flash(error, "warning" if conflict else "danger")
    else:
        flash(_("Note saved. The item is now in progress.") if started else _("Progress saved."), "success")
    return redirect(safe_next(url_for(".mine", _anchor=f"item-{item.id}")))


@bp.get("/<int:item_id>")
def detail(item_id):
    item = load_item(item_id)
    return render_template("actions/detail.html", item=item, today=local_today(),
                           form=progress_form(item), extensions=services.latest_extensions([item.id]),
                           attachment_counts=counts_of("action_item", [item.id]),
                           can_report=can_report_progress(current_user, item),
                           can_edit=can_edit_item(current_user, item))


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
def edit(item_id):
    item = load_item(item_id)
    if not can_edit_item(current_user, item):
        abort(403)
    form = EditActionItemForm(obj=item)
    team = store_team(item.store_id)
    form.set_owners(team if item.owner in team else [item.owner] + team)
    if request.method == "GET":
        form.version.data = item.version
    status = 200
    if form.validate_on_submit():
        edited_meanwhile = _("Someone else changed this item while you were editing. Your changes are still "
                             "in the form; compare them with the item and save again.")
        with commit_or_refuse(conflict=edited_meanwhile) as refusal:
            services.edit_action_item(
                item, current_user.id, int(form.version.data or 0), title=form.title.data.strip(),
                description=(form.description.data or "").strip(), owner_id=form.owner_id.data,
                deadline=form.deadline.data, priority=form.priority.data)
        if not refusal:
            flash(_("Action item saved."), "success")
            return redirect(url_for(".detail", item_id=item.id))
        refusal.flash()
        form.version.data = item.version  # the stored one: saving again is a deliberate choice
        status = refusal.status
    return render_template("actions/edit.html", form=form, item=item), 422 if form.errors else status


def _board_filters() -> dict:
    return dict(
        owner_id=id_arg("owner"),
        status=request.args.get("status") if request.args.get("status") in STATUSES else None,
        overdue=request.args.get("overdue") == "1",
        meeting_id=id_arg("meeting"),
        extended=request.args.get("extended") == "1",
    )


def _filter_args(filters: dict) -> dict:
    """The filters as the board's query string (for the export link)."""
    return {k: v for k, v in dict(owner=filters["owner_id"], status=filters["status"],
                                  overdue="1" if filters["overdue"] else None,
                                  meeting=filters["meeting_id"],
                                  extended="1" if filters["extended"] else None).items() if v}


@bp.get("/board")
def board():
    store_id = current_store_id()
    if not can_view_board(current_user, store_id):
        abort(403)
    today = local_today()
    filters = _board_filters()
    page = paginate(services.board_ids_stmt(store_id, today, **filters))
    page.items = services.items_in_order(page.items)
    return render_template("actions/board.html", page=page, today=today, filters=filters,
                           filter_args=_filter_args(filters),
                           counts=services.board_counts(store_id, today), people=store_people(store_id),
                           meetings=services.board_meetings(store_id), statuses=STATUSES)


@bp.get("/board.xlsx")
def board_export():
    """The board as a spreadsheet, with the filters the page shows (the same query string)."""
    store_id = current_store_id()
    if not can_view_board(current_user, store_id):
        abort(403)
    today = local_today()
    filters = _board_filters()
    items = export_rows(services.board_stmt(store_id, today, **filters).options(selectinload(ActionItem.meeting)))
    if items is None:
        flash(too_many_rows_message(), "warning")
        return redirect(url_for(".board", **_filter_args(filters)))
    return xlsx_response(exports.board_workbook(items, today), f"action-board-{current_store().code}-{today}.xlsx")

