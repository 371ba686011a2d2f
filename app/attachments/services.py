"""Attaching, listing and deleting files, in the caller's transaction.

    with commit_or_refuse() as refusal:
        attach("action_item", item, request.files["file"], current_user)
    # refused (RuleViolation, 422): no row, and the blobs already written are deleted

Blobs are written to the store before the row is committed; each one is remembered on the session
and deleted again if the transaction ends without a commit. A deleted row's blobs are removed only
once the deletion is committed (a rolled-back delete keeps its files). A blob whose removal fails
(the store is down) is logged and left behind: never a row without its file.
"""
import logging
from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, func, select
from werkzeug.exceptions import Forbidden

from ..common import RuleViolation
from ..extensions import db
from ..storage import StorageError, current_storage, new_key
from . import processing
from .models import FILE, IMAGE, Attachment
from .registry import owner_type as get_owner_type

log = logging.getLogger(__name__)

NEW_KEYS = "attachments_new_keys"  # written in this transaction: deleted unless it commits
DOOMED_KEYS = "attachments_doomed_keys"  # of rows deleted in this transaction: deleted once it commits


def attach(owner_type: str, owner, file_storage, user) -> Attachment:
    """Check one uploaded file (werkzeug FileStorage) and keep it for `owner`. RuleViolation when
    refused, Forbidden when `user` may not attach to this owner."""
    return attach_all(owner_type, owner, [file_storage], user)[0]


def attach_all(owner_type: str, owner, files: Iterable, user) -> list[Attachment]:
    """Several files at once: all of them or (RuleViolation) none."""
    kind = _kind(owner_type)
    if not kind.can_attach(user, owner):
        raise Forbidden()
    files = [f for f in files if f is not None and (f.filename or f.content_length)]
    config = current_app.config
    if not files:
        raise RuleViolation(_("Choose a photo or a file first."))
    if len(files) > config["ATTACHMENT_MAX_FILES_PER_UPLOAD"]:
        raise RuleViolation(_("Send at most %(n)d files at a time.", n=config["ATTACHMENT_MAX_FILES_PER_UPLOAD"]))
    limit = config["ATTACHMENT_MAX_PER_OBJECT"]
    if count_of(owner_type, owner.id) + len(files) > limit:
        raise RuleViolation(_("At most %(n)d photos and files can be attached here. Delete some first.", n=limit))
    store_id = kind.store_of(owner)
    prepared = []
    for upload in files:
        data = upload.stream.read(config["ATTACHMENT_MAX_BYTES"] + 1)
        prepared.append(processing.prepare(
            upload.filename, upload.mimetype, data, max_bytes=config["ATTACHMENT_MAX_BYTES"],
            max_pixels=config["ATTACHMENT_MAX_PIXELS"], image_size=config["ATTACHMENT_IMAGE_SIZE"],
            thumbnail_size=config["ATTACHMENT_THUMBNAIL_SIZE"]))
    return [_keep(owner_type, owner.id, store_id, p, user) for p in prepared]


def _keep(owner_type: str, owner_id: int, store_id: int, prepared: processing.Prepared, user) -> Attachment:
    store = current_storage()
    key = new_key(str(store_id), prepared.suffix)
    thumbnail_key = new_key(str(store_id), ".jpg") if prepared.thumbnail else None
    try:
        _remember(NEW_KEYS, key)
        store.put(key, prepared.data, prepared.content_type.split(";")[0])
        if thumbnail_key:
            _remember(NEW_KEYS, thumbnail_key)
            store.put(thumbnail_key, prepared.thumbnail, "image/jpeg")
    except StorageError:
        log.exception("could not store an attachment")
        raise RuleViolation(_("The file could not be stored just now. Try again in a moment.")) from None
    attachment = Attachment(
        store_id=store_id, owner_type=owner_type, owner_id=owner_id,
        kind=IMAGE if prepared.kind == "image" else FILE, storage_key=key, thumbnail_key=thumbnail_key,
        file_name=prepared.file_name, content_type=prepared.content_type, size=len(prepared.data),
        width=prepared.width, height=prepared.height, uploaded_by_id=user.id)
    db.session.add(attachment)
    return attachment


def attachments_of(owner_type: str, owner_ids: int | Iterable[int]):
    """The attachments of one owner (a list, oldest first), or of several owners (a dict of lists by
    owner id, every asked id present): one query either way."""
    single = isinstance(owner_ids, int)
    ids = [owner_ids] if single else list(dict.fromkeys(owner_ids))
    found = {owner_id: [] for owner_id in ids}
    if ids:
        rows = db.session.scalars(select(Attachment).where(
            Attachment.owner_type == owner_type, Attachment.owner_id.in_(ids))
            .order_by(Attachment.created_at, Attachment.id))
        for row in rows:
            found[row.owner_id].append(row)
    return found[owner_ids] if single else found


def counts_of(owner_type: str, owner_ids: Iterable[int]) -> dict[int, int]:
    """How many attachments each owner has (0 for none), in one query."""
    ids = list(dict.fromkeys(owner_ids))
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(db.session.execute(
            select(Attachment.owner_id, func.count()).where(
                Attachment.owner_type == owner_type, Attachment.owner_id.in_(ids))
            .group_by(Attachment.owner_id)).all())
    return counts


def count_of(owner_type: str, owner_id: int) -> int:
    return counts_of(owner_type, [owner_id])[owner_id]


def delete(attachment: Attachment) -> None:
    """Delete the row now and its blobs once the transaction commits."""
    _remember(DOOMED_KEYS, attachment.storage_key)
    if attachment.thumbnail_key:
        _remember(DOOMED_KEYS, attachment.thumbnail_key)
    db.session.delete(attachment)


def delete_all_of(owner_type: str, owner_id: int) -> int:
    """For a feature deleting an owner: its attachments go with it (blobs after the commit)."""
    rows = attachments_of(owner_type, owner_id)
    for row in rows:
        delete(row)
    return len(rows)


def owner_of(attachment: Attachment):
    """The attachment's owner, or None when its type is no longer registered or the owner is gone."""
    kind = get_owner_type(attachment.owner_type)
    return kind.load(attachment.owner_id) if kind else None


def _kind(owner_type: str):
    kind = get_owner_type(owner_type)
    if kind is None:
        raise LookupError(f"no attachment owner type {owner_type!r} is registered")
    return kind


# --- blobs follow the transaction -----------------------------------------------------------------

def _remember(bucket: str, key: str) -> None:
    db.session.info.setdefault(bucket, []).append(key)


def _committed(session) -> None:
    session.info.pop(NEW_KEYS, None)
    _remove(session.info.pop(DOOMED_KEYS, []))


def _ended(session, transaction) -> None:
    if transaction.parent is not None:
        return
    # Still here after the outermost transaction: it did not commit.
    session.info.pop(DOOMED_KEYS, None)
    _remove(session.info.pop(NEW_KEYS, []))


def _remove(keys) -> None:
    if not keys:
        return
    store = current_storage()
    for key in keys:
        try:
            store.delete(key)
        except StorageError:
            log.exception("could not delete the blob %s; it is left behind", key)


def connect() -> None:
    """Tie the blobs to the session's transactions (once per process)."""
    if not event.contains(db.session, "after_commit", _committed):
        event.listen(db.session, "after_commit", _committed)
        event.listen(db.session, "after_transaction_end", _ended)
