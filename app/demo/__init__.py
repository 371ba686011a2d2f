"""Demo data for `flask demo` (and the benchmark's KPI trends): one store, its people, three weeks of
meetings, 24 months of KPI values, goals in every PDCA stage, coaching talks and manager assessments,
problems in every state and typical cases.
Not part of the running application: it only calls the feature packages' services."""
from sqlalchemy import func, select

from ..auth.models import User
from ..extensions import db
from ..meetings.proposals import propose_topics
from ..timeutils import local_today
from .coaching import load_coaching_and_reviews
from .goals import load_kpis_and_goals
from .meetings import load_meetings
from .people import DEMO_PASSWORD, load_people
from .problems import load_problems_and_cases
from .reports import load_reports

__all__ = ["DEMO_PASSWORD", "load_demo"]


def load_demo() -> bool:
    """Create the demo data in an empty database; return False (and do nothing) otherwise."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return False
    store, manager, staff = load_people()
    upcoming = load_meetings(store, manager, staff)
    load_kpis_and_goals(store, manager, staff, local_today())
    load_coaching_and_reviews(store, manager, staff, local_today())  # shapes KPI values: before proposals
    propose_topics(upcoming, local_today())  # now that there are KPI values and goals to propose
    load_problems_and_cases(store, manager, staff, upcoming, local_today())
    load_reports(store, manager, local_today())  # last month's review published, this month's a draft
    return True
