"""Who may do what with problems: the one place these rules live."""
from ..auth.models import MANAGER, STAFF
from ..auth.permissions import can_manage_store, can_oversee_store, can_view_store, template_rule
from ..extensions import db
from .models import CLOSED, ProblemSettings


@template_rule
def can_raise_problem(user, store_id: int) -> bool:
    """Anyone who works in the store (staff and its manager) raises problems there."""
    return user.store_id == store_id and user.role in (STAFF, MANAGER)


def can_view_problem(user, problem) -> bool:
    """Everyone who sees the store; staff of another store never."""
    return can_view_store(user, problem.store_id)


def _delegate_id(store_id: int) -> int | None:
    settings = db.session.get(ProblemSettings, store_id)
    return settings.delegate_id if settings else None


@template_rule
def can_triage(user, store_id: int) -> bool:
    """The store's service manager, or the person they delegated triage to."""
    return can_manage_store(user, store_id) or (
        user.store_id == store_id and user.active and user.id == _delegate_id(store_id))


@template_rule
def can_view_register(user, store_id: int) -> bool:
    return can_oversee_store(user, store_id) or can_triage(user, store_id)


@template_rule
def can_set_delegate(user, store_id: int) -> bool:
    return can_manage_store(user, store_id)


def can_correct_report(user, problem) -> bool:
    """What was reported: whoever raised it, until it is triaged (then the owner works from it);
    whoever triages, until it is closed."""
    if problem.status == CLOSED:
        return False
    return (problem.raised_by_id == user.id and problem.triaged_at is None) or can_triage(user, problem.store_id)


def can_add_measure(user, problem) -> bool:
    """The owner records the measures; whoever triages may too."""
    return problem.owner_id == user.id or can_triage(user, problem.store_id)


def can_check(user, problem) -> bool:
    """The effectiveness check: whoever triages, not the owner alone (no one marks their own work)."""
    return can_triage(user, problem.store_id)


def can_reopen(user, problem) -> bool:
    return problem.raised_by_id == user.id


def can_schedule(user, problem) -> bool:
    """Putting a problem on a meeting's agenda: whoever runs the store's meetings or triages."""
    return can_triage(user, problem.store_id)


def can_attach_to_problem(user, problem) -> bool:
    """Photos and files: whoever raised it, its owner, and whoever triages."""
    return can_view_problem(user, problem) and (
        problem.raised_by_id == user.id or problem.owner_id == user.id or can_triage(user, problem.store_id))
