"""What the problem register tells people (notifications): the result reported back to whoever
raised a problem. Registered here at import (services imports this module), so notifications never
imports problems."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..notifications import services as notify
from ..notifications.registry import register_kind

RESULT = "problems.result"

register_kind(RESULT, label=_l("The result of a problem I raised"), group="problems",
              subject=lambda p: _("Solved: %(title)s", title=p["title"]),
              text_template="problems/email/result.txt", html_template="problems/email/result.html")


def result(problem) -> None:
    """Whoever raised the problem is told it is solved and checked, in the app and by e-mail."""
    notify.publish(RESULT, [problem.raised_by_id], store_id=problem.store_id,
                   link=notify.path_for("problems.detail", problem_id=problem.id),
                   params={"problem_id": problem.id, "title": problem.title, "note": problem.check_note or ""},
                   dedup_key=f"problem-result:{problem.id}:{problem.reported_at.isoformat()}")
