"""Notification pages: the bell and my list, opening one, marking read; my e-mail choices; the
store's reminder and escalation settings; the administrator's failed deliveries."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..common import check_version, current_store_id, get_or_404, paginate, require_login
from ..extensions import db, htmx
from ..formatting import header_counts
from ..forms import EmptyForm
from ..transactions import commit_or_refuse
from . import services
from .forms import StoreSettingsForm, preferences_form
from .models import Notification, OutboxMessage
from .permissions import can_edit_notification_settings, can_read_notification, can_view_delivery_failures
from .registry import KINDS

bp = Blueprint("notifications", __name__, template_folder="templates")

require_login(bp)


@bp.app_context_processor
def unread_in_header():
    return header_counts(unread_notifications=lambda: services.unread_count_stmt(current_user.id))


@bp.app_template_filter("fisodate")
def fisodate(iso: str | None) -> str:
    """A date kept as ISO text in a notification's params, in the reader's language."""
    from datetime import date

    from ..formatting import fdate

    try:
        return fdate(date.fromisoformat(iso)) if iso else ""
    except (TypeError, ValueError):
        return str(iso)


def local_link(link: str) -> str:
    """A stored link when it is a path on this site, else the list (never send a person elsewhere)."""
    if (link.startswith("/") and not link.startswith("//") and "\\" not in link
            and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in link)):
        return link
    return url_for("notifications.index")


def summary(notification: Notification) -> str:
    kind = KINDS.get(notification.kind)
    if kind is None:
        return notification.kind
    try:
        return kind.subject(notification.params or {})
    except (KeyError, TypeError, ValueError):
        return str(kind.label or notification.kind)


def bell():
    return render_template("notifications/_bell.html", unread_notifications=services.unread_count(current_user.id))


@bp.get("/")
def index():
    page = paginate(services.notifications_stmt(current_user.id))
    return render_template("notifications/index.html", page=page, summary=summary, form=EmptyForm())


@bp.get("/bell")
def bell_count():
    """The header's bell, refreshed by htmx every minute and after marking read."""
    return bell()


@bp.get("/<int:notification_id>")
def open_(notification_id):
    notification = get_or_404(Notification, notification_id)
    if not can_read_notification(current_user, notification):
        abort(403)
    services.mark_read(notification)
    db.session.commit()
    return redirect(local_link(notification.link))


@bp.post("/<int:notification_id>/read")
def mark_read(notification_id):
    notification = get_or_404(Notification, notification_id)
    if not can_read_notification(current_user, notification):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.mark_read(notification)
    db.session.commit()
    return _after_marking()


@bp.post("/read-all")
def mark_all_read():
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(current_user.id)
    db.session.commit()
    if not htmx:
        flash(_("%(count)d notifications marked as read.", count=count), "success")
    return _after_marking()


def _after_marking():
    if htmx:
        page = paginate(services.notifications_stmt(current_user.id))
        response = render_template("notifications/_list.html", page=page, summary=summary, form=EmptyForm())
        return response, 200, {"HX-Trigger": "notificationsChanged"}
    return redirect(url_for("notifications.index", page=request.args.get("page", type=int) or None))


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
    form, names = preferences_form(KINDS, services.email_choices(current_user.id), current_user.role)
    if form.validate_on_submit():
        services.set_email_choices(current_user.id, {kind: form[field].data for field, kind in names.items()})
        db.session.commit()
        flash(_("Your e-mail choices are saved."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, names=names,
                           has_address=bool(current_user.email)), 422 if form.errors else 200


@bp.route("/store-settings", methods=["GET", "POST"])
def store_settings():
    store_id = current_store_id()
    if not can_edit_notification_settings(current_user, store_id):
        abort(403)
    settings = services.store_settings(store_id)
    form = StoreSettingsForm(obj=settings)
    if request.method == "GET":
        form.version.data = settings.version
    if form.validate_on_submit():
        with commit_or_refuse(conflict=_("Someone changed these settings meanwhile. Here they are as saved now."),
                              taken=_("Someone changed these settings meanwhile. Here they are as saved now.")
                              ) as refusal:
            check_version(services.store_settings(store_id), int(form.version.data))
            services.save_store_settings(store_id, reminder_days=form.reminder_days.data,
                                         escalation_days=form.escalation_days.data)
        if not refusal:
            flash(_("The notification settings are saved."), "success")
            return redirect(url_for("notifications.store_settings"))
        form = StoreSettingsForm(formdata=None, obj=services.store_settings(store_id))
        form.version.data = services.store_settings(store_id).version
        flash(refusal.message, "danger")
        return render_template("notifications/store_settings.html", form=form), refusal.status
    return render_template("notifications/store_settings.html", form=form), 422 if form.errors else 200


@bp.get("/failures")
def failures():
    if not can_view_delivery_failures(current_user):
        abort(403)
    page = paginate(services.failures_stmt())
    return render_template("notifications/failures.html", page=page, form=EmptyForm(), summary=summary)


@bp.post("/test-email")
def test_email():
    """The administrator checks the mail settings: a test e-mail to their own address."""
    if not can_view_delivery_failures(current_user):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not current_user.email:
        flash(_("Your account has no e-mail address, so no e-mail can reach you. Add one on your account page."),
              "warning")
    else:
        services.enqueue("email", current_user.email, "notifications.test", user_id=current_user.id,
                         link=url_for("notifications.failures"))
        db.session.commit()
        flash(_("A test e-mail to %(address)s waits for the next delivery run (flask notify).",
                address=current_user.email), "success")
    return redirect(url_for("notifications.failures"))


@bp.post("/failures/<int:message_id>/retry")
def retry(message_id):
    if not can_view_delivery_failures(current_user):
        abort(403)
    message = get_or_404(OutboxMessage, message_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.retry(message)
    db.session.commit()
    flash(_("The message will be sent again at the next delivery run."), "success")
    return redirect(url_for("notifications.failures"))
