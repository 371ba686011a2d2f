"""What action items tell people (notifications): assigned, changed, extended, reminders before the
deadline, daily overdue digests, escalations. The kinds and daily jobs are registered here, at import
(services imports this module), so notifications never imports actions."""
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import GM, MANAGER, User
from ..extensions import db
from ..formatting import fdate
from ..notifications import services as notify
from ..notifications.registry import register_daily_job, register_kind
from .models import ACTIVE_STATUSES, ActionItem

DIGEST_CAP = 30  # items listed in one digest; the rest are counted


def _day(text: str | None) -> str:
    return fdate(date.fromisoformat(text)) if text else ""


def _kind(name, label, subject, template="item", roles=()):
    register_kind(f"actions.{name}", label=label, subject=subject, group="actions", roles=roles,
                  text_template=f"actions/email/{template}.txt", html_template=f"actions/email/{template}.html")


_kind("assigned", _l("An action item is assigned to me"),
      lambda p: _("New action item for you: %(title)s (due %(deadline)s)", title=p["title"], deadline=_day(p["deadline"])))
_kind("changed", _l("My action item is changed"),
      lambda p: _("Your action item was changed: %(title)s", title=p["title"]))
_kind("extended", _l("The deadline of my action item is extended"),
      lambda p: _("Deadline extended to %(deadline)s: %(title)s", title=p["title"], deadline=_day(p["deadline"])))
_kind("reminder", _l("Reminder before the deadline of my action item"),
      lambda p: _("Due today: %(title)s", title=p["title"]) if p.get("days") == 0 else
      _("Due on %(deadline)s: %(title)s", title=p["title"], deadline=_day(p["deadline"])))
_kind("overdue_digest", _l("Daily list of my overdue action items"),
      lambda p: _("You have %(count)d overdue action items", count=p["count"]), template="digest")
_kind("store_overdue_digest", _l("Daily list of the store's overdue action items (service manager)"),
      lambda p: _("%(store)s: %(count)d overdue action items", store=p["store"], count=p["count"]), template="digest",
      roles=(MANAGER,))
_kind("escalated_overdue", _l("An action item is overdue too long (service manager)"),
      lambda p: _("Overdue by %(days)d days: %(title)s (%(owner)s)", days=p["days"], title=p["title"], owner=p["owner"]),
      roles=(MANAGER,))
_kind("escalated_extended", _l("An action item is extended twice (service manager)"),
      lambda p: _("Extended %(count)d times: %(title)s (%(owner)s)", count=p["count"], title=p["title"],
                  owner=p["owner"]), roles=(MANAGER,))
_kind("escalated_to_gm", _l("An action item is escalated to me in a meeting review (general manager)"),
      lambda p: _("Escalated to you: %(title)s (%(owner)s)", title=p["title"], owner=p["owner"]), roles=(GM,))


def _params(item: ActionItem, **extra) -> dict:
    owner = db.session.get(User, item.owner_id)  # item.owner may still be the previous one
    return {"item_id": item.id, "title": item.title, "deadline": item.deadline.isoformat(),
            "owner": owner.display_name, **extra}


def _link(item: ActionItem) -> str:
    return notify.path_for("actions.detail", item_id=item.id)


def _author(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.display_name if user else ""


def _tell_owner(kind: str, item: ActionItem, actor_id: int, **extra) -> None:
    if item.owner_id != actor_id:
        notify.publish(kind, [item.owner_id], store_id=item.store_id, link=_link(item),
                       params=_params(item, by=_author(actor_id), **extra))


def assigned(item: ActionItem, actor_id: int) -> None:
    _tell_owner("actions.assigned", item, actor_id, description=item.description)


def changed(item: ActionItem, actor_id: int, fields: list[str], old_owner_id: int) -> None:
    if "owner_id" in fields:
        assigned(item, actor_id)
        fields = [f for f in fields if f != "owner_id"]
        if old_owner_id != actor_id:
            notify.publish("actions.changed", [old_owner_id], store_id=item.store_id, link=_link(item),
                           params=_params(item, by=_author(actor_id), fields=["owner_id"]))
        return
    if fields:
        _tell_owner("actions.changed", item, actor_id, fields=fields)


def extended(item: ActionItem, actor_id: int, old_deadline: date, reason: str) -> None:
    _tell_owner("actions.extended", item, actor_id, old_deadline=old_deadline.isoformat(), reason=reason)
    if item.extension_count >= 2:
        notify.publish("actions.escalated_extended", notify.store_managers(item.store_id), store_id=item.store_id,
                       link=_link(item), params=_params(item, count=item.extension_count, reason=reason),
                       dedup_key=f"actions-extended:{item.id}:{item.extension_count}")


def escalated(item: ActionItem, actor_id: int, reason: str) -> None:
    """A meeting review escalated the item: the store's general manager is told."""
    notify.publish("actions.escalated_to_gm", notify.store_general_managers(item.store_id), store_id=item.store_id,
                   link=_link(item), params=_params(item, by=_author(actor_id), reason=reason))


# --- daily jobs (flask notify, once per store and local day) --------------------------------

def _active(store_id: int):
    return select(ActionItem).where(ActionItem.store_id == store_id, ActionItem.status.in_(ACTIVE_STATUSES),
                                    ActionItem.closed_at.is_(None))


def send_reminders(store, today: date) -> None:
    """Owners of items due within the store's reminder days; once per item and deadline (a run missed
    yesterday still reminds today)."""
    days = notify.store_settings(store.id).reminder_days
    for item in db.session.scalars(_active(store.id).where(ActionItem.deadline >= today,
                                                           ActionItem.deadline <= today + timedelta(days=days))):
        notify.publish("actions.reminder", [item.owner_id], store_id=store.id, link=_link(item),
                       params=_params(item, days=(item.deadline - today).days),
                       dedup_key=f"actions-reminder:{item.id}:{item.deadline.isoformat()}")


def _overdue(store_id: int, today: date) -> list[ActionItem]:
    return db.session.scalars(_active(store_id).where(ActionItem.deadline < today)
                              .order_by(ActionItem.deadline, ActionItem.id)).all()


def _digest_lines(items, today) -> list[dict]:
    return [_params(i, days=(today - i.deadline).days) for i in items[:DIGEST_CAP]]


def send_overdue_digests(store, today: date) -> None:
    """Each owner: their overdue items; the service managers: all of the store's."""
    items = _overdue(store.id, today)
    if not items:
        return
    by_owner: dict[int, list] = {}
    for item in items:
        by_owner.setdefault(item.owner_id, []).append(item)
    for owner_id, own in by_owner.items():
        notify.publish("actions.overdue_digest", [owner_id], store_id=store.id,
                       link=notify.path_for("actions.mine"),
                       params={"count": len(own), "items": _digest_lines(own, today), "store": store.name},
                       dedup_key=f"actions-digest:{store.id}:{today.isoformat()}")
    notify.publish("actions.store_overdue_digest", notify.store_managers(store.id), store_id=store.id,
                   link=notify.path_for("actions.board", overdue=1),
                   params={"count": len(items), "items": _digest_lines(items, today), "store": store.name},
                   dedup_key=f"actions-store-digest:{store.id}:{today.isoformat()}")


def escalate_overdue(store, today: date) -> None:
    """Items overdue by more than the store's escalation days go to its service managers, once per
    item and deadline."""
    days = notify.store_settings(store.id).escalation_days
    managers = notify.store_managers(store.id)
    for item in _overdue(store.id, today):
        late = (today - item.deadline).days
        if late > days:
            notify.publish("actions.escalated_overdue", managers, store_id=store.id, link=_link(item),
                           params=_params(item, days=late),
                           dedup_key=f"actions-overdue:{item.id}:{item.deadline.isoformat()}")


register_daily_job("actions.reminders", send_reminders)
register_daily_job("actions.overdue_digests", send_overdue_digests)
register_daily_job("actions.escalate_overdue", escalate_overdue)
