"""Commit or refuse: how every route ends a change.

    with commit_or_refuse(conflict=_("Someone else changed this goal ...")) as refusal:
        services.move_to_stage(goal, stage, current_user.id, version)   # only the service calls
    if refusal:
        refusal.flash()
        return render_template(..., ), refusal.status

The block runs the service calls and commits. When a rule refuses the change (RuleViolation) or
someone else saved first (VersionConflict, StaleDataError when the race is lost between the
check and the write, or IntegrityError when the same new row was inserted at the same moment),
everything is rolled back and `refusal` says so: status 422 with the rule's
reason, or 409 with the conflict message; the session then reads the objects as they are stored now,
so whatever the route renders shows the current state. The route says what to render (a fragment
for htmx, a page or a redirect otherwise), with `refusal.status`. Keep returns and flashes after the
block: a return inside it would skip the refusal.
"""
from contextlib import contextmanager

from flask import flash
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .common import RuleViolation, VersionConflict
from .extensions import db


class Refusal:
    """Why the change was not saved; false while nothing was refused."""

    status: int | None = None  # 409 someone else saved first, 422 a rule refused
    message: str = ""

    def __bool__(self) -> bool:
        return self.status is not None

    @property
    def conflict(self) -> bool:
        return self.status == 409

    def flash(self) -> None:
        flash(self.message, "warning" if self.conflict else "danger")


@contextmanager
def commit_or_refuse(conflict: str | None = None, taken: str | None = None):
    """Commit what the block changed, or roll it back and fill in the yielded Refusal.
    `conflict`: the message for a 409 (it names the thing that changed); `taken`: the message for a
    409 when a unique row the block inserts was inserted by someone else at the same moment."""
    refusal = Refusal()
    try:
        yield refusal
        db.session.commit()
    except (VersionConflict, StaleDataError):
        db.session.rollback()
        refusal.status = 409
        refusal.message = conflict or _("Someone else changed this at the same time. Here it is as it "
                                        "stands now; check it and make your change again.")
    except IntegrityError:
        db.session.rollback()
        refusal.status = 409
        refusal.message = taken or conflict or _("Someone saved the same thing at the same moment, so "
                                                 "nothing of yours was saved. Check it and try again.")
    except RuleViolation as error:
        db.session.rollback()
        refusal.status, refusal.message = 422, str(error)
