"""Notifications: in-app notifications (the bell), e-mail, and an outbox that `flask notify` delivers.

It sits right above auth and audit (README, "Layout"), so every feature can publish into it; it
imports no feature. Features tell it what they need through registries filled at import time.

The API for features (`from ..notifications import services, registry`):

    registry.register_kind(name, *, label, subject, text_template, html_template=None,
                           email_default=True, group="", roles=())
        A kind of message. `label`: lazy text for the preferences page. `subject(params) -> str`:
        one line in the current locale (e-mail subject and the bell list's entry). The templates
        (plain text; HTML, e.g. extending "notifications/email/_layout.html") are rendered when the
        message is delivered, in the recipient's language, with `params`, `link` (absolute URL),
        `subject`, `kind` and `recipient` (User or None). `roles`: who is offered the e-mail
        choice on the preferences page (e.g. ("manager",); empty: everyone; label None: nobody).

    services.publish(kind, recipients, *, store_id, link="", params=None, email=True,
                     attachments=(), dedup_key=None) -> list[User]
        In the caller's transaction (no commit): an in-app notification for each recipient (Users
        or ids; inactive people and repeats skipped) and an e-mail through the outbox unless the
        person turned the kind off or has no address. `link`: a local path to the object (the bell
        list links there). `params`: JSON-safe values only (dates as ISO text). `attachments`:
        [{"builder": name, "args": {...}}]. `dedup_key`: the same key for the same person again
        does nothing (key + ":" + user id is stored).

    services.enqueue(channel, recipient, kind, *, user_id=None, store_id=None, link="",
                     params=None, language=None, attachments=(), dedup_key=None) -> bool
        One outbox message on any registered channel (e.g. "chat" to a robot id), in the caller's
        transaction; False when dedup_key was used before. Also for an e-mail that must go out
        whatever the person's choices (enqueue("email", user.email, kind, user_id=user.id, ...)).

    registry.register_channel(name, send)      send(message: OutboxMessage, content: Content);
        raise to fail (retried after 1 min, 5 min, 30 min, 2 h, 6 h, then "failed").
        "email" is built in (mail.send_email).
    registry.register_attachment(name, build)  build(message, **args) -> Attachment | None,
        Attachment(filename, content_type, data); called at delivery in the recipient's language.
    registry.register_daily_job(name, run)     run(store, today): publishes what is due today;
        once per store and local day (schedule.py), in one transaction with its DailyRun row.
    delivery.render(message, language) -> Content(subject, text, html, link, attachments)

    services.path_for(endpoint, **values): url_for's path, with or without a request being served.
    services.store_managers(store_id), services.store_general_managers(store_id): recipients.
    services.store_settings(store_id): .reminder_days (default 1), .escalation_days (default 7).

`flask notify` (cli.py) delivers what is due (delivery.py) and then runs the daily jobs (schedule.py).
"""
from . import housekeeping  # noqa: F401  (its kind and daily job)
from .mail import send_email
from .registry import register_channel

register_channel("email", send_email)

from flask_babel import gettext as _  # noqa: E402

from .registry import register_kind  # noqa: E402

# A message to check that e-mail reaches people (the failures page sends one); not on the preferences page.
register_kind("notifications.test", label=None, subject=lambda params: _("Pitwall test message"),
              text_template="notifications/email/test.txt", html_template="notifications/email/test.html")
