"""Attachment pages: an owner's panel (upload), a file and its thumbnail (only for those who may see the
owner: there are no public addresses), deleting with a confirmation."""
from datetime import timedelta

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..common import get_or_404, require_login, safe_next
from ..errors import render_error
from ..extensions import htmx
from ..storage import StorageError, current_storage
from ..transactions import commit_or_refuse
from . import services
from .models import Attachment
from .permissions import can_attach, can_delete_attachment, can_view_attachments
from .processing import ACCEPT, human_size
from .registry import owner_type as get_owner_type
from .uploads import accepts_files, upload_limit

bp = Blueprint("attachments", __name__, template_folder="templates")

require_login(bp)


@bp.record_once
def _connect(state) -> None:
    services.connect()


def load_owner(type_name: str, owner_id: int):
    kind = get_owner_type(type_name)
    owner = kind.load(owner_id) if kind else None
    if owner is None:
        abort(404)
    if not can_view_attachments(current_user, kind, owner):
        abort(403)
    return kind, owner


def load_attachment(attachment_id: int):
    attachment = get_or_404(Attachment, attachment_id)
    kind = get_owner_type(attachment.owner_type)
    owner = kind.load(attachment.owner_id) if kind else None
    if owner is None:
        abort(404)
    if not can_view_attachments(current_user, kind, owner):
        abort(403)
    return attachment, kind, owner


def panel_context(kind, owner, attachments=None, error=None, saved=None) -> dict:
    if attachments is None:
        attachments = services.attachments_of(kind.name, owner.id)
    return dict(
        owner_type=kind.name, owner=owner, attachments=attachments, error=error, saved=saved,
        can_attach=can_attach(current_user, kind, owner),
        can_delete=lambda a: can_delete_attachment(current_user, kind, owner, a),
        panel_id=f"attachments-{kind.name}-{owner.id}", accept=ACCEPT,
        back_url=kind.url_of(owner) if kind.url_of else None,
        title=kind.title_of(owner) if kind.title_of else None)


@bp.app_template_global()
def attachment_panel(owner_type: str, owner, attachments=None) -> Markup:
    """The panel for a page: `{{ attachment_panel("action_item", item) }}`. Pass `attachments`
    (from services.attachments_of for many owners) to save the query; nothing shows for a user who
    may not see the owner."""
    kind = get_owner_type(owner_type)
    if kind is None or not can_view_attachments(current_user, kind, owner):
        return Markup("")
    return Markup(render_template("attachments/_panel.html", **panel_context(kind, owner, attachments)))


@bp.app_template_global()
def attachment_thumbs(attachments, limit: int = 3) -> Markup:
    """Small thumbnails for a row of a list: `{{ attachment_thumbs(files[case.id]) }}`, with `files`
    from services.attachments_of(type, ids) (one query for the page). The caller has already checked
    that the user may see the owners it lists."""
    if not attachments:
        return Markup("")
    return Markup(render_template("attachments/_thumbs.html", attachments=attachments, limit=limit))


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    return human_size(size)


def _panel_response(kind, owner, status=200, error=None, saved=None):
    context = panel_context(kind, owner, error=error, saved=saved)
    template = "attachments/_panel.html" if htmx else "attachments/panel.html"
    headers = {"HX-Trigger": "attachmentsChanged"} if saved else {}
    return render_template(template, **context), status, headers


@bp.get("/<owner_type>/<int:owner_id>")
def panel(owner_type, owner_id):
    kind, owner = load_owner(owner_type, owner_id)
    return _panel_response(kind, owner)


@bp.post("/<owner_type>/<int:owner_id>")
@accepts_files
def upload(owner_type, owner_id):
    kind, owner = load_owner(owner_type, owner_id)
    if not can_attach(current_user, kind, owner):
        abort(403)
    files = request.files.getlist("file")
    with commit_or_refuse() as refusal:
        added = services.attach_all(kind.name, owner, files, current_user)
    if refusal:
        return _panel_response(kind, owner, refusal.status, error=refusal.message)
    saved = _("Photo added.") if len(added) == 1 and added[0].is_image else (
        _("File added.") if len(added) == 1 else _("%(n)d files added.", n=len(added)))
    if htmx:
        return _panel_response(kind, owner, saved=saved)
    flash(saved, "success")
    default = kind.url_of(owner) if kind.url_of else url_for(".panel", owner_type=kind.name, owner_id=owner.id)
    return redirect(safe_next(default))


@bp.errorhandler(413)
def too_large(error):
    if request.endpoint != "attachments.upload":
        return render_error(413)
    kind, owner = load_owner(request.view_args["owner_type"], request.view_args["owner_id"])
    message = _("The files are larger than %(size)s together. Send fewer at a time.", size=human_size(upload_limit()))
    # htmx swaps no 413 (base.html): the panel with the message comes as a refusal it shows.
    return _panel_response(kind, owner, 422 if htmx else 413, error=message)


def _send(key: str, content_type: str, size: int | None, download_name: str, as_attachment: bool):
    try:
        stream = current_storage().open(key)
    except StorageError:
        abort(404)
    response = send_file(stream, mimetype=content_type, as_attachment=as_attachment, download_name=download_name,
                         conditional=False, etag=False, max_age=None)
    if size is not None:
        response.content_length = size
    return response


@bp.get("/<int:attachment_id>")
def file(attachment_id):
    attachment, _kind, _owner = load_attachment(attachment_id)
    return _send(attachment.storage_key, attachment.content_type, attachment.size, attachment.file_name,
                 as_attachment=not attachment.is_image)


@bp.get("/<int:attachment_id>/thumbnail")
def thumbnail(attachment_id):
    attachment, _kind, _owner = load_attachment(attachment_id)
    if not attachment.thumbnail_key:
        abort(404)
    name = attachment.file_name.rsplit(".", 1)[0] + "-thumbnail.jpg"
    return _send(attachment.thumbnail_key, "image/jpeg", None, name, as_attachment=False)


@bp.route("/<int:attachment_id>/delete", methods=["GET", "POST"])
def delete(attachment_id):
    attachment, kind, owner = load_attachment(attachment_id)
    if not can_delete_attachment(current_user, kind, owner, attachment):
        abort(403)
    if request.method == "GET":
        back = kind.url_of(owner) if kind.url_of else url_for(".panel", owner_type=kind.name, owner_id=owner.id)
        return render_template("attachments/delete.html", attachment=attachment, back_url=back,
                               title=kind.title_of(owner) if kind.title_of else None)
    name = attachment.file_name
    with commit_or_refuse() as refusal:
        services.delete(attachment)
    if refusal:
        error = refusal.message
        return _panel_response(kind, owner, refusal.status, error=error)
    saved = _("“%(name)s” deleted.", name=name)
    if htmx:
        return _panel_response(kind, owner, saved=saved)
    flash(saved, "success")
    default = kind.url_of(owner) if kind.url_of else url_for(".panel", owner_type=kind.name, owner_id=owner.id)
    return redirect(safe_next(default))


@bp.cli.command("orphans")
@click.option("--delete", is_flag=True, help="Delete the blobs no row names (rows without a blob are only listed).")
@click.option("--hours", default=1, show_default=True, help="Leave blobs younger than this (uploads in progress).")
def orphans_command(delete: bool, hours: int) -> None:
    """Blobs in the store that no attachment names, and attachments whose blob is missing."""
    unnamed, missing = services.orphans(timedelta(hours=hours))
    for key in unnamed:
        click.echo(f"blob without a row: {key}")
    for row in missing:
        click.echo(f"row without its blob: attachment {row.id} ({row.owner_type} {row.owner_id}, {row.file_name})")
    if delete and unnamed:
        store = current_storage()
        for key in unnamed:
            store.delete(key)
        click.echo(f"deleted {len(unnamed)} blobs")
    click.echo(f"{len(unnamed)} blobs without a row, {len(missing)} rows without a blob ({current_storage()!r})")
