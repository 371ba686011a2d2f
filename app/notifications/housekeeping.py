"""What notifications do for themselves: tell the administrators when a message fails for good, and
forget old rows (a daily job per store)."""
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..auth.models import ADMIN, User
from ..extensions import db
from ..timeutils import utcnow
from . import services
from .models import SENT, Notification, OutboxMessage
from .registry import register_daily_job, register_kind

# Read notifications and delivered messages are kept this long, then deleted.
KEEP_READ = timedelta(days=180)
KEEP_SENT = timedelta(days=30)

register_kind("notifications.delivery_failed", label=None,
              subject=lambda p: _("A message to %(recipient)s could not be delivered", recipient=p["recipient"]),
              text_template="notifications/email/simple.txt", html_template="notifications/email/simple.html")


def tell_admins_of_failure(message: OutboxMessage) -> None:
    """In the app only: an e-mail about failing e-mail could fail the same way."""
    admins = db.session.scalars(select(User.id).where(User.role == ADMIN, User.active.is_(True))).all()
    services.publish("notifications.delivery_failed", admins, store_id=None, email=False,
                     link=services.path_for("notifications.failures"),
                     params={"recipient": message.recipient, "note": message.last_error},
                     dedup_key=f"delivery-failed:{message.id}:{message.attempts}")


def forget_old(store, today: date) -> None:
    now = utcnow()
    db.session.execute(delete(Notification).where(Notification.store_id == store.id,
                                                  Notification.read_at < now - KEEP_READ))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.store_id == store.id, OutboxMessage.status == SENT,
                                                   OutboxMessage.sent_at < now - KEEP_SENT))


register_daily_job("notifications.forget_old", forget_old)
