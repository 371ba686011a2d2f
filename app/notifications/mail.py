"""E-mail over SMTP with the standard library: plain text and HTML, attachments. Without MAIL_SERVER
the message is written to the log instead (development)."""
import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from .registry import Content

log = logging.getLogger("pitwall.mail")


def message_id(message, sender: str) -> str:
    """The same Message-ID each time one outbox message is sent: if a run dies between the server's
    acceptance and marking it sent, the copy a later run sends is recognised by mail systems as the
    same message (at-least-once delivery, seen once)."""
    return f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@{_domain(sender) or 'pitwall.local'}>"


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip(">")


def build_email(to: str, content: Content, sender: str, msgid: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = content.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Message-ID"] = msgid or make_msgid(domain=_domain(sender) or None)
    msg.set_content(content.text)
    msg.add_alternative(content.html, subtype="html")
    for att in content.attachments:
        maintype, _, rest = att.content_type.partition("/")
        subtype, *extra = [p.strip() for p in rest.split(";")]
        params = dict(p.split("=", 1) for p in extra if "=" in p)
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=att.filename, params=params)
    return msg


def send_email(message, content: Content) -> None:
    """The "email" channel: raises on any refusal, so the outbox retries."""
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    msg = build_email(message.recipient, content, sender, message_id(message, sender))
    if not config.get("MAIL_SERVER"):
        log.info("E-mail not sent (no MAIL_SERVER set), written here instead:\n%s", msg.as_string())
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)
