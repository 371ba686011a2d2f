"""A store's group-chat robots (WeCom, DingTalk, Feishu) and which events each one receives.

The manager of a store adds a robot with its webhook (and signing secret for DingTalk and Feishu)
and ticks the events it posts: the meeting notice, the minutes, the daily overdue digest … Other
packages name their events with `register_robot_event` and post with `post_to_store`; the webhook
URL and secret are secrets (the audit trail only says they changed, pages show their last characters).
"""
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutils import utcnow
from . import chat
from .registry import register_channel

PLATFORM_LABELS = {
    chat.WECOM: _l("WeCom group robot"),
    chat.DINGTALK: _l("DingTalk custom robot"),
    chat.FEISHU: _l("Feishu custom bot"),
}

MEETING_NOTICE, MINUTES, OVERDUE_DIGEST = "meeting_notice", "minutes", "overdue_digest"
# event name -> label; filled at import time by the packages that post (register_robot_event).
ROBOT_EVENTS: dict[str, object] = {
    MEETING_NOTICE: _l("Meeting notices, updates and cancellations"),
    MINUTES: _l("Minutes of closed meetings"),
    OVERDUE_DIGEST: _l("Daily digest of overdue action items"),
}


def register_robot_event(name: str, label) -> None:
    ROBOT_EVENTS.setdefault(name, label)


class ChatRobot(db.Model):
    __audited__ = True
    __tablename__ = "chat_robot"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    platform: Mapped[str] = mapped_column(String(20))
    webhook_url: Mapped[str] = mapped_column(String(500))
    webhook_secret: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[str] = mapped_column(String(300), default="")  # comma-separated ROBOT_EVENTS keys
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The platform's answer to the latest message (test or real), as it said it.
    last_sent_at: Mapped[datetime | None]
    last_ok: Mapped[bool | None]
    last_answer: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]

    @property
    def platform_label(self) -> str:
        return str(PLATFORM_LABELS.get(self.platform, self.platform))

    @property
    def masked_url(self) -> str:
        return mask_url(self.webhook_url)

    @property
    def masked_secret(self) -> str:
        return mask(self.webhook_secret)


def mask(secret: str, keep: int = 4) -> str:
    """The last few characters only: enough to tell two secrets apart, never enough to use one."""
    if not secret:
        return ""
    return "•" * 6 + secret[-keep:] if len(secret) > keep * 3 else "•" * 6


def mask_url(url: str) -> str:
    """The webhook without its key: the host and path start, then the last characters."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…{mask(url)}"


def allowed_hosts() -> tuple[str, ...]:
    """Hosts beside the platforms' own that a webhook may name (PITWALL_CHAT_WEBHOOK_HOSTS, a JSON
    list), e.g. an outgoing proxy; the tests' local server."""
    return tuple(current_app.config.get("CHAT_WEBHOOK_HOSTS") or ())


def store_robots(store_id: int, event: str | None = None) -> list[ChatRobot]:
    robots = db.session.scalars(select(ChatRobot).where(ChatRobot.store_id == store_id)
                                .order_by(ChatRobot.name, ChatRobot.id)).all()
    if event is None:
        return list(robots)
    return [r for r in robots if r.active and event in r.event_list]


def send(robot: ChatRobot, message: chat.Message) -> chat.Answer:
    """Post now and remember the platform's answer on the robot (the caller commits)."""
    if chat.webhook_problem(robot.platform, robot.webhook_url, allowed_hosts()):
        answer = chat.Answer(False, None, "", "webhook host not allowed")
    else:
        answer = chat.post(robot.platform, robot.webhook_url, robot.webhook_secret, message,
                           timeout=current_app.config.get("CHAT_TIMEOUT", chat.TIMEOUT))
    robot.last_sent_at, robot.last_ok, robot.last_answer = utcnow(), answer.ok, str(answer)[:300]
    return answer


def post_to_store(store_id: int, event: str, message: chat.Message) -> list[tuple[ChatRobot, chat.Answer]]:
    """Post to every active robot of the store that takes this event; one failing robot does not
    stop the others. Returns each robot with the platform's answer."""
    return [(robot, send(robot, message)) for robot in store_robots(store_id, event)]


def _deliver(message, content) -> None:
    """The "chat" outbox channel: `message.recipient` is a robot's id; the text is markdown. Raises
    with the platform's answer when it refuses, so the outbox tries again later."""
    robot = db.session.get(ChatRobot, int(message.recipient))
    if robot is None or not robot.active:
        return  # removed or paused since: nothing to send
    answer = send(robot, chat.Message(content.subject, content.text))
    if not answer.ok:
        raise RuntimeError(f"{robot.platform_label}: {answer}")


register_channel("chat", _deliver)
