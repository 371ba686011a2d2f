"""The manager's group-chat robots (/chat-robots): add, edit, remove, and send a test message that
shows the platform's answer. Secrets are never shown back: a blank secret field keeps the one stored."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..auth.permissions import can_manage_store, template_rule
from ..common import check_version, current_store_id, get_or_404, require_login
from ..extensions import db
from ..formatting import flist
from ..forms import EmptyForm, FlaskForm, MultiCheckboxField, VersionField, not_blank, options
from ..transactions import commit_or_refuse
from . import chat, robots
from .robots import PLATFORM_LABELS, ROBOT_EVENTS, ChatRobot

bp = Blueprint("robots", __name__, template_folder="templates")
require_login(bp)


@template_rule
def can_configure_robots(user, store_id: int) -> bool:
    """Only the store's own service manager chooses what goes to its group chats."""
    return can_manage_store(user, store_id)


WEBHOOK_PROBLEMS = {
    "unreadable": _l("Paste the robot's whole webhook address, starting with https://."),
    "host": _l("This is not an address of the chosen platform's robots."),
    "https": _l("The webhook must start with https://."),
    "key": _l("The WeCom webhook lacks its key=… part."),
    "access_token": _l("The DingTalk webhook lacks its access_token=… part."),
}


class RobotForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), not_blank, Length(max=80)],
                       description=_l("e.g. the service department's group"))
    platform = SelectField(_l("Platform"), choices=options(PLATFORM_LABELS))
    webhook_url = StringField(_l("Webhook address"), validators=[Length(max=500)],
                              description=_l("From the group's robot settings. Leave empty to keep the stored one."))
    webhook_secret = StringField(_l("Signing secret"), validators=[Length(max=200)],
                                 description=_l("DingTalk and Feishu: the secret shown when signing (加签) is "
                                                "turned on. Leave empty to keep the stored one."))
    events = MultiCheckboxField(_l("Posts"))
    active = BooleanField(_l("Active"), default=True)
    version = VersionField()

    def __init__(self, *args, robot: ChatRobot | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.robot = robot
        self.events.choices = options(ROBOT_EVENTS)
        if robot is None:
            del self.version

    def validate_webhook_url(self, field):
        url = (field.data or "").strip()
        if not url:
            if self.robot is None:
                raise ValidationError(_l("Paste the robot's webhook address."))
            if self.platform.data != self.robot.platform:
                raise ValidationError(_l("A robot of another platform needs its own webhook address."))
            url = self.robot.webhook_url
        problem = chat.webhook_problem(self.platform.data, url, robots.allowed_hosts())
        if problem:
            raise ValidationError(WEBHOOK_PROBLEMS[problem])

    def validate_webhook_secret(self, field):
        kept = self.robot.webhook_secret if self.robot and self.robot.platform == self.platform.data else ""
        if self.platform.data in chat.SIGNED and not ((field.data or "").strip() or kept):
            raise ValidationError(_l("Turn on signing (加签) in the robot's security settings and paste its secret."))


def _robot(robot_id: int) -> ChatRobot:
    robot = get_or_404(ChatRobot, robot_id)
    if not can_configure_robots(current_user, robot.store_id):
        abort(403)
    return robot


def _fill(robot: ChatRobot, form: RobotForm) -> None:
    robot.name = form.name.data.strip()
    if form.platform.data != robot.platform:
        robot.webhook_secret = ""
    robot.platform = form.platform.data
    if (form.webhook_url.data or "").strip():
        robot.webhook_url = form.webhook_url.data.strip()
    if (form.webhook_secret.data or "").strip():
        robot.webhook_secret = form.webhook_secret.data.strip()
    if robot.platform == chat.WECOM:
        robot.webhook_secret = ""
    robot.events = ",".join(e for e in ROBOT_EVENTS if e in (form.events.data or []))
    robot.active = bool(form.active.data)


@bp.route("/", methods=["GET", "POST"])
def index():
    store_id = current_store_id()
    if not can_configure_robots(current_user, store_id):
        abort(403)
    form = RobotForm()
    if form.validate_on_submit():
        robot = ChatRobot(store_id=store_id, created_by_id=current_user.id, events="", platform=form.platform.data)
        _fill(robot, form)
        db.session.add(robot)
        db.session.commit()
        flash(_("Robot “%(name)s” added. Send a test message to check it.", name=robot.name), "success")
        return redirect(url_for(".index", _anchor=f"robot-{robot.id}"))
    if not form.is_submitted():
        form.events.data = list(ROBOT_EVENTS)
    return render_template("robots/index.html", form=form, robots=robots.store_robots(store_id),
                           event_labels=ROBOT_EVENTS, empty_form=EmptyForm()), 422 if form.errors else 200


@bp.route("/<int:robot_id>/edit", methods=["GET", "POST"])
def edit(robot_id):
    robot = _robot(robot_id)
    form = RobotForm(obj=robot, robot=robot)
    if not form.is_submitted():
        form.webhook_url.data = form.webhook_secret.data = ""
        form.events.data = robot.event_list
    status = 200
    if form.validate_on_submit():
        with commit_or_refuse(conflict=_("Someone changed this robot meanwhile; check it and save again.")) as refusal:
            check_version(robot, int(form.version.data))  # someone saved since this form was read: 409
            _fill(robot, form)
            db.session.flush()
        if not refusal:
            flash(_("Robot “%(name)s” saved.", name=robot.name), "success")
            return redirect(url_for(".index", _anchor=f"robot-{robot.id}"))
        flash(refusal.message, "warning")
        status = refusal.status
    return render_template("robots/edit.html", form=form, robot=robot), 422 if form.errors else status


@bp.post("/<int:robot_id>/test")
def test(robot_id):
    robot = _robot(robot_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    answer = robots.send(robot, chat.Message(
        _("Pitwall test message"),
        _("This group will receive from Pitwall: %(events)s.",
          events=flist(ROBOT_EVENTS[e] for e in robot.event_list if e in ROBOT_EVENTS) or _("nothing yet"))))
    db.session.commit()
    if answer.ok:
        flash(_("%(platform)s answered: %(answer)s. The test message was delivered.",
                platform=robot.platform_label, answer=str(answer)), "success")
    else:
        flash(_("The message was not delivered. %(platform)s answered: %(answer)s",
                platform=robot.platform_label, answer=str(answer)), "warning")
    return redirect(url_for(".index", _anchor=f"robot-{robot.id}"))


@bp.post("/<int:robot_id>/delete")
def delete(robot_id):
    robot = _robot(robot_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(robot)
    db.session.commit()
    flash(_("Robot “%(name)s” removed.", name=robot.name), "success")
    return redirect(url_for(".index"))
