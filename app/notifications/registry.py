"""What the feature packages tell notifications: the kinds of message, the channels, the attachment
builders (see the package docstring). Filled at import time; notifications imports no feature."""
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    name: str
    label: object  # lazy text: the name people read on the preferences page (None: not listed)
    subject: Callable[[dict], str]  # params -> one line, in the current locale (subject, list entry)
    text_template: str  # the plain-text body: rendered with params, link (absolute), recipient
    html_template: str | None = None  # the HTML body (None: the text in <pre>)
    email_default: bool = True  # e-mailed unless the person turns it off
    group: str = ""  # preferences page grouping (free text key)
    roles: tuple = ()  # the roles offered this choice on the preferences page (empty: everyone)


@dataclass
class Content:
    """A message as one recipient reads it: built at delivery, in the recipient's language."""
    subject: str
    text: str
    html: str
    link: str  # absolute
    attachments: list = field(default_factory=list)  # [Attachment]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=REQUEST", "application/pdf", ...
    data: bytes


KINDS: dict[str, Kind] = {}
CHANNELS: dict[str, Callable] = {}
ATTACHMENTS: dict[str, Callable] = {}
DAILY_JOBS: dict[str, Callable] = {}


def register_kind(name: str, *, label, subject: Callable[[dict], str], text_template: str,
                  html_template: str | None = None, email_default: bool = True, group: str = "",
                  roles: tuple = ()) -> Kind:
    kind = Kind(name, label, subject, text_template, html_template, email_default, group, tuple(roles))
    KINDS[name] = kind
    return kind


def register_channel(name: str, send: Callable) -> None:
    """`send(message: OutboxMessage, content: Content) -> None`; raise to fail (the text is kept as
    the error and the message retried)."""
    CHANNELS[name] = send


def register_attachment(name: str, build: Callable) -> None:
    """`build(message: OutboxMessage, **args) -> Attachment | None`, called when sending, in the
    recipient's language (None: nothing to attach, e.g. the object is gone)."""
    ATTACHMENTS[name] = build


def register_daily_job(name: str, run: Callable) -> None:
    """`run(store: Store, today: date) -> None`: publishes what the store needs today. Runs once per
    store and local day, in one transaction with its DailyRun row (schedule.run_daily_jobs)."""
    DAILY_JOBS[name] = run
