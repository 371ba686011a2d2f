"""E-mail over SMTP with the standard library: plain text and HTML, attachments. Without MAIL_SERVER
the message is written to the log instead (development)."""
import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from .registry import Content

log = logging.getLogger("pitwall.mail")


def build_email(to: str, content: Content, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = content.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
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
    msg = build_email(message.recipient, content, config["MAIL_DEFAULT_SENDER"])
    if not config.get("MAIL_SERVER"):
        log.info("E-mail not sent (no MAIL_SERVER set), written here instead:\n%s", msg.as_string())
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)
