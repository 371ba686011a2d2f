"""Names people read for the trail's actions and object types (the types are table names)."""
from flask_babel import lazy_gettext as _l

ACTIONS = {
    "create": _l("Added"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "lockout": _l("Login locked out"),
    "logout": _l("Logged out"),
}

OBJECT_TYPES = {
    "meeting": _l("Meeting"),
    "meeting_series": _l("Meeting series"),
    "agenda_item": _l("Agenda item"),
    "attendance": _l("Attendance"),
    "minutes_amendment": _l("Minutes amendment"),
    "decision": _l("Decision"),
    "review_entry": _l("Review of an action item"),
    "agenda_proposal": _l("Proposed agenda topic"),
    "action_item": _l("Action item"),
    "action_item_update": _l("Action item progress"),
    "goal": _l("Goal"),
    "plan_step": _l("Plan step"),
    "check_record": _l("Check"),
    "act_record": _l("Act"),
    "goal_update": _l("Goal progress"),
    "kpi": _l("KPI"),
    "kpi_value": _l("KPI value"),
    "coaching_session": _l("Coaching talk"),
    "coaching_measure": _l("Coaching measure"),
    "manager_review": _l("Manager assessment"),
    "manager_review_duty": _l("Assessed duty"),
    "user": _l("Person"),
    "store": _l("Store"),
    "api_token": _l("API token"),
    "attachment": _l("Photo or file"),
}
