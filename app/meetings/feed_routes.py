"""The personal calendar feed: /calendar/<token>.ics needs no login (calendar apps cannot log in);
the secret token in the URL is the only key, and a revoked or replaced token answers 404. The
person creates, replaces and revokes it on /meetings/calendar-feed (login required, meetings.routes)."""
from flask import Blueprint, Response, abort, url_for
from flask_babel import force_locale

from ..common import absolute_url
from ..extensions import db
from ..notifications import services as notify
from ..timeutils import utcnow
from . import calendar

bp = Blueprint("calendar_feed", __name__)


def _link(kind: str, ident: int) -> str:
    if kind == "meeting":
        return absolute_url(url_for("meetings.detail", meeting_id=ident))
    return absolute_url(url_for("actions.detail", item_id=ident))


@bp.get("/<string:token>.ics")
def feed(token):
    subscription = calendar.feed_by_token(token)
    if subscription is None:
        abort(404)
    # In the person's own language: a calendar app sends no language of its own.
    with force_locale(notify.message_language(subscription.user_id)):
        body = calendar.feed_ics(subscription.user, _link)
    subscription.last_used_at = utcnow()
    db.session.commit()
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="pitwall.ics"', "X-Robots-Tag": "noindex"})
