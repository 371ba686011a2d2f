"""Property-based fuzzing: hostile values posted to every form and sent to the JSON API, as every
role, with htmx headers on and off. No answer is a server error, and a refused request (4xx)
changes nothing in the database.

Bounded in time: few examples per test, no deadline (one request may take a while on a loaded
machine). The world (tests/world.py) is built once per test; examples run against it in turn.
"""
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from app.actions.forms import EditActionItemForm, ProgressForm
from app.api.forms import ApiTokenForm
from app.auth.forms import LoginForm
from app.cases.forms import AgendaForm as CaseAgendaForm
from app.cases.forms import CaseForm, EditCaseForm, ImprovementForm, PublishForm
from app.coaching.forms import (
    ConfirmForm,
    FollowUpForm,
    GapForm,
    MeasureForm,
    MotivationForm,
    PlanForm,
    PurposeForm,
    StartForm,
)
from app.goals.forms import (
    ActForm,
    CheckForm,
    EditGoalForm,
    GoalForm,
    NoteForm,
    PlanStepForm,
    PositionGoalsForm,
    StageForm,
)
from app.kpis.forms import KpiForm, ValueForm
from app.meetings.forms import (
    AgendaItemForm,
    AttendanceForm,
    CancelMeetingForm,
    CloseForm,
    DecisionForm,
    DispositionForm,
    MeetingActionItemForm,
    MeetingForm,
    MeetingSettingsForm,
    MinutesForm,
    NewAgendaItemForm,
    NextMeetingForm,
)
from app.notifications.forms import StoreSettingsForm
from app.notifications.robot_routes import RobotForm
from app.people.forms import (
    AccountForm,
    NewPersonForm,
    PasswordForm,
    PersonForm,
    RenameStoreForm,
    StoreForm,
)
from app.problems.forms import CheckForm as ProblemCheckForm
from app.problems.forms import CorrectProblemForm, DelegateForm, ProblemForm, ReopenForm, TriageForm
from app.problems.forms import MeasureForm as ProblemMeasureForm
from app.reports.forms import MeetingLinkForm, NarrativeForm, NewReportForm
from app.reports.forms import PublishForm as ReportPublishForm
from app.reviews.forms import ReviewForm

from .world import ROLES, build_world, fingerprint, url_args

FUZZ = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text a browser can send (no lone surrogates: they cannot be encoded as UTF-8).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
NASTY_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\x01\x1b[31m", "\r\n\t", "%", "_", "\\", "%_%", "'; DROP TABLE user; --",
    "<script>alert(1)</script>", "😀" * 50, "x" * 5000, "中文" * 1000, "\u202e", "\ufeff",
])
NUMBER_TEXT = st.one_of(
    st.sampled_from(["1e308", "-1e308", "1e309", "nan", "NaN", "inf", "-inf", "1e13", "-0", "0", "1.5", "9" * 400,
                     "2147483648", "9223372036854775808", "-1", "٣", "²", "0x10", " 5 ", "1,000", "50%"]),
    st.integers().map(str),
    st.floats().map(repr),
)
DATE_TEXT = st.one_of(
    st.sampled_from(["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "2100-12-31", "2000-01-01",
                     "2026-02-30", "2026-13-01", "26-3-1", "2026-03", "today"]),
    st.dates().map(lambda d: d.isoformat()),
)
HOSTILE = st.one_of(TEXT, NASTY_TEXT, NUMBER_TEXT, DATE_TEXT)

# Every form's POST address ({name} from world.url_args), its form class (or its plain field names)
# and the prefix its route gives it.
FORM_POSTS = [
    ("/meetings/new", MeetingForm, ""),
    ("/meetings/{meeting_id}/edit", MeetingForm, ""),
    ("/meetings/{meeting_id}/agenda", NewAgendaItemForm, ""),
    ("/meetings/{meeting_id}/agenda/{agenda_item_id}/save", AgendaItemForm, ""),
    ("/meetings/{meeting_id}/attendance/{user_id}", AttendanceForm, ""),
    ("/meetings/settings", MeetingSettingsForm, ""),
    ("/meetings/{meeting_id}/next", NextMeetingForm, ""),
    ("/meetings/{meeting_id}/close", CloseForm, ""),
    ("/meetings/{meeting_id}/agenda/{agenda_item_id}/minutes", MinutesForm, ""),
    ("/meetings/{meeting_id}/decisions", DecisionForm, "decision"),
    ("/meetings/{meeting_id}/actions", MeetingActionItemForm, "action"),
    ("/meetings/{meeting_id}/review/{item_id}", DispositionForm, ""),
    ("/meetings/{meeting_id}/goals", ["goal_id", "unlink"], ""),
    ("/actions/{item_id}/edit", EditActionItemForm, ""),
    ("/actions/{item_id}/progress", ProgressForm, ""),
    ("/admin/api-tokens", ApiTokenForm, ""),
    ("/coaching/people/{user_id}/sessions", StartForm, ""),
    ("/coaching/sessions/{session_id}/steps/1", PurposeForm, ""),
    ("/coaching/sessions/{session_id}/steps/2", GapForm, ""),
    ("/coaching/sessions/{session_id}/steps/3", PlanForm, ""),
    ("/coaching/sessions/{session_id}/steps/4", ConfirmForm, ""),
    ("/coaching/sessions/{session_id}/steps/5", MotivationForm, ""),
    ("/coaching/sessions/{session_id}/measures", MeasureForm, ""),
    ("/coaching/sessions/{session_id}/follow-up", FollowUpForm, ""),
    ("/goals/new", GoalForm, ""),
    ("/goals/{goal_id}/edit", EditGoalForm, ""),
    ("/goals/for-position", PositionGoalsForm, ""),
    ("/goals/{goal_id}/notes", NoteForm, "note"),
    ("/goals/{goal_id}/steps", PlanStepForm, "step"),
    ("/goals/{goal_id}/stage", StageForm, ""),
    ("/goals/{goal_id}/checks", CheckForm, "check"),
    ("/goals/{goal_id}/acts", ActForm, "act"),
    ("/kpis/new", KpiForm, ""),
    ("/kpis/{kpi_id}/edit", KpiForm, ""),
    ("/kpis/value", ValueForm, ""),
    ("/reviews/new?manager={manager_id}", ReviewForm, ""),
    ("/reports/new", NewReportForm, ""),
    ("/reports/{report_id}/narrative", NarrativeForm, ""),
    ("/reports/{report_id}/meeting", MeetingLinkForm, ""),
    ("/reports/{report_id}/publish", ReportPublishForm, ""),
    ("/login", LoginForm, ""),
    ("/people/new", NewPersonForm, ""),
    ("/people/{person_id}/edit", PersonForm, ""),
    ("/people/temporary-passwords.xlsx", ["name", "username", "password"], ""),
    ("/stores/", StoreForm, ""),
    ("/stores/{store_id}/edit", RenameStoreForm, ""),
    ("/account/", AccountForm, ""),
    ("/account/password", PasswordForm, ""),
    ("/files/action_item/{item_id}", ["file", "next"], ""),  # real files: tests/test_attachments.py
    ("/files/{attachment_id}/delete", ["next"], ""),
    ("/language", ["lang", "next"], ""),
    ("/store", ["store_id", "next"], ""),
    ("/problems/new", ProblemForm, ""),
    ("/problems/settings", DelegateForm, ""),
    ("/problems/{problem_id}/edit", CorrectProblemForm, ""),
    ("/problems/{problem_id}/triage", TriageForm, ""),
    ("/problems/{problem_id}/measures", ProblemMeasureForm, ""),
    ("/problems/{problem_id}/check", ProblemCheckForm, ""),
    ("/problems/{problem_id}/reopen", ReopenForm, ""),
    ("/problems/{problem_id}/agenda", ["meeting_id", "back"], ""),
    ("/problems/meeting/{meeting_id}", ["problem_id"], ""),
    ("/cases/new", CaseForm, ""),
    ("/cases/{case_id}/edit", EditCaseForm, ""),
    ("/cases/{case_id}/publish", PublishForm, ""),
    ("/cases/{case_id}/unpublish", PublishForm, ""),
    ("/cases/{case_id}/agenda", CaseAgendaForm, ""),
    ("/cases/meeting/{meeting_id}", ["case_id", "where"], ""),
    ("/cases/{case_id}/improvements", ImprovementForm, ""),
    ("/meetings/{meeting_id}/cancel", CancelMeetingForm, ""),
    ("/chat-robots/", RobotForm, ""),
    ("/chat-robots/{robot_id}/edit", RobotForm, ""),
    ("/notifications/store-settings", StoreSettingsForm, ""),
    ("/notifications/preferences", ["kind_actions_assigned", "kind_actions_reminder", "kind_goals_check_due"], ""),
]

# Pages that read their query string, and the parameters they read.
QUERY_GETS = [
    ("/meetings/", ["q", "page"]), ("/meetings/decisions", ["q", "page"]), ("/goals/", ["period", "page"]),
    ("/goals/new", ["subject", "person", "period_kind", "kpi", "parent", "baseline", "target"]),
    ("/goals/new/baseline", ["kpi_id", "period_kind", "period_day", "subject", "person_id"]),
    ("/kpis/grid", ["subject", "year"]), ("/kpis/export", ["year"]), ("/coaching/", ["weeks", "month"]),
    ("/actions/board", ["status", "overdue", "page"]), ("/people/", ["q", "store", "role", "position", "active", "page"]), ("/reviews/new", ["manager"]), ("/login", ["next"]),
    ("/problems/", ["q", "status", "urgency", "type", "kind", "cause", "owner", "age", "overdue", "page"]),
    ("/problems/export.xlsx", ["q", "status", "owner", "age"]), ("/problems/new", ["kind"]),
    ("/cases/", ["q", "tag", "category", "person", "vehicle", "from", "to", "satisfaction", "example", "training",
                 "status", "sort", "page"]),
    ("/cases/export.xlsx", ["q", "tag", "from", "to"]), ("/cases/new", ["problem"]),
    ("/reports/", ["kind", "page"]), ("/reports/group", ["kind", "month", "year"]),
]


def field_names(form) -> list[str]:
    if isinstance(form, list):
        return form
    return sorted(name for name in dir(form) if isinstance(getattr(form, name), UnboundField))


@pytest.fixture
def world(make_user, make_store, store):
    return build_world(make_user, make_store, store)


@pytest.fixture
def clients(login, world):
    """A logged-in client per role (built once per test, reused by every example)."""
    return {role: login(world["users"][role]) for role in ROLES}


def refused_changes_nothing(response, before):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if 400 <= response.status_code < 500:
        assert fingerprint() == before


@st.composite
def hostile_form(draw, world):
    url, form, prefix = draw(st.sampled_from(FORM_POSTS))
    data = {}
    for name in field_names(form):
        if draw(st.integers(0, 9)) == 0:
            continue  # now and then a field is missing altogether
        data[f"{prefix}-{name}" if prefix else name] = draw(HOSTILE)
    return url.format(**url_args(world)), data


@pytest.mark.parametrize("role", ROLES)
@FUZZ
@given(data=st.data())
def test_hostile_form_posts_never_fail_and_refusals_change_nothing(role, world, clients, data):
    url, fields = data.draw(hostile_form(world))
    htmx = data.draw(st.booleans())
    before = fingerprint()
    refused_changes_nothing(clients[role].post(url, data=fields, htmx=htmx), before)


@FUZZ
@given(data=st.data())
def test_hostile_posts_without_a_login_never_fail(world, client, data):
    url, fields = data.draw(hostile_form(world))
    before = fingerprint()
    refused_changes_nothing(client.post(url, data=fields, htmx=data.draw(st.booleans())), before)


@pytest.mark.parametrize("role", ROLES)
@FUZZ
@given(data=st.data())
def test_hostile_query_strings_never_fail(role, world, clients, data):
    url, names = data.draw(st.sampled_from(QUERY_GETS))
    query = {name: data.draw(HOSTILE) for name in names if data.draw(st.booleans())}
    # A NUL in the query string is refused before any page runs; other text reaches the page.
    response = clients[role].get(url, query_string=query, htmx=data.draw(st.booleans()))
    assert response.status_code < 500


# --- the JSON API ------------------------------------------------------------------------

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, NASTY_TEXT, NUMBER_TEXT)
JSON_VALUES = st.recursive(
    JSON_SCALARS, lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12)


@st.composite
def api_bodies(draw, world):
    row = st.fixed_dictionaries({}, optional={
        "kpi": st.one_of(st.just(world["kpi"].code), st.just(world["person_kpi"].code), JSON_VALUES),
        "subject": st.one_of(st.just("store"), st.just("w_staff"), JSON_VALUES),
        "month": st.one_of(DATE_TEXT.map(lambda d: d[:7]), JSON_VALUES),
        "value": st.one_of(st.floats(), st.integers(), NUMBER_TEXT, JSON_VALUES),
    })
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:
        depth = draw(st.integers(5, 50_000))
        return b'{"values": ' + b"[" * depth + b"]" * depth + b"}"
    body = {"values": draw(st.lists(st.one_of(row, JSON_VALUES), max_size=5))} if kind > 2 else draw(JSON_VALUES)
    return json.dumps(body, allow_nan=True).encode()


@FUZZ
@given(data=st.data())
def test_hostile_api_requests_answer_json_and_refusals_change_nothing(world, client, data):
    headers = {"Authorization": f"Bearer {world['plaintext']}"}
    before = fingerprint()
    if data.draw(st.booleans()):
        response = client.client.post("/api/v1/kpi-values", data=data.draw(api_bodies(world)), headers=headers,
                                      content_type="application/json")
    else:
        names = ["kpi", "subject", "from", "to", "page"]
        query = {name: data.draw(HOSTILE) for name in names if data.draw(st.booleans())}
        response = client.client.get("/api/v1/kpi-values", query_string=query, headers=headers)
    refused_changes_nothing(response, before)
    assert response.is_json
    if response.status_code == 200 and "values" in response.json:
        assert all(math.isfinite(v["value"]) for v in response.json["values"])


def test_every_form_post_is_fuzzed(app):
    """A new form route must join FORM_POSTS: compare with the app's POST routes that take fields."""
    no_fields = {"meetings.everyone_present", "meetings.decide_proposal", "goals.step_to_action",
                 "meetings.review_not_yet_due", "meetings.reopen_review",
                 "coaching.acknowledge", "coaching.discard", "api.revoke_token", "auth.logout",
                 "api.v1.post_values", "api.v1.not_found",  # the API has a test of its own above
                 "people.deactivate", "people.reactivate", "people.reset_password", "stores.deactivate",
                 "stores.reactivate", "robots.test", "robots.delete", "meetings.send_notice",
                 "meetings.create_calendar_feed", "meetings.revoke_calendar_feed", "dashboard.open_store",
                 "notifications.mark_read", "notifications.mark_all_read",
                 "notifications.retry", "notifications.test_email",
                 "kpis.import_values", "people.import_people"}  # file uploads: tests/test_*import.py
    posted = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods} - no_fields
    with app.test_request_context():
        fuzzed = {app.url_map.bind("localhost").match(url.split("?")[0].format(**{k: 1 for k in (
            "meeting_id", "agenda_item_id", "user_id", "item_id", "session_id", "goal_id", "kpi_id", "manager_id", "person_id", "store_id",
            "attachment_id", "problem_id", "case_id", "robot_id", "report_id")}),
            method="POST")[0] for url, _form, _prefix in FORM_POSTS}
    assert posted - fuzzed == set()
