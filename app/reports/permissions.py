"""Who may draft, publish and read the monthly and year-end reviews: the one place these rules live.

- the service manager drafts and publishes their own store's reviews;
- the general manager reads every review of their stores (drafts too: they follow the month) and the
  group view; the administrator reads all of them;
- staff read the published reviews of their own store (a draft is the manager's work in progress).
"""
from ..auth.models import ADMIN, GM, STAFF
from ..auth.permissions import can_manage_store, can_view_store, template_rule


@template_rule
def can_write_report(user, store_id: int) -> bool:
    return can_manage_store(user, store_id)


@template_rule
def can_view_reports(user, store_id: int) -> bool:
    """The store's archive of reviews (staff: the published ones)."""
    return can_view_store(user, store_id)


def can_view_drafts(user, store_id: int) -> bool:
    return user.role != STAFF and can_view_store(user, store_id)


def can_view_report(user, report) -> bool:
    if not can_view_store(user, report.store_id):
        return False
    return report.is_published or can_view_drafts(user, report.store_id)


@template_rule
def can_view_group_reports(user) -> bool:
    """The group's figures side by side: the general manager (their stores) and the administrator."""
    return user.role in (GM, ADMIN)


@template_rule
def can_view_report_assessment(user, store_id: int) -> bool:
    """The GM's assessment of the manager is the manager's, the GM's and the administrator's to
    read (as app/reviews decides); staff reading a published review do not see it."""
    return user.role != STAFF and can_view_store(user, store_id)
