"""Fixtures: an app on a real database whose schema comes from the migrations, factories, clients.

SQLite (a temporary file) by default; set TEST_DATABASE_URL to run the same suite on PostgreSQL.
"""
import os
import re
from datetime import time, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import make_url

from app import create_app
from app.auth.models import GM, MANAGER, STAFF, Store
from app.auth.services import create_user
from app.config import TestingConfig
from app.extensions import db
from app.meetings import services as meeting_services
from app.timeutils import local_today

PASSWORD = "secret-pass"


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own (test_gw0, test_gw1...),
    made on first use, since every worker empties the tables between tests."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


BROWSER_TESTS = "tests/browser/"


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` with the browser tests as one group (one worker, one browser, one live server),
    every other test balanced on its own. pytest 9 ignores the `@group` suffix pytest-xdist 3.8 writes
    into node ids for the xdist_group mark, so the group is chosen here, from the path."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser" if nodeid.startswith(BROWSER_TESTS) else super()._split_scope(nodeid)

    return BrowserGroupScheduling(config, log)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and url.startswith("postgresql"):
        url = _worker_database(url, worker)

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        STORAGE_DIR = str(tmp_path_factory.mktemp("files"))

    app = create_app(Config)
    with app.app_context():
        stale = MetaData()
        stale.reflect(db.engine)
        stale.drop_all(db.engine)  # a previous run's tables, including alembic_version
        upgrade()  # the schema exists only through the migrations
    return app


@pytest.fixture(autouse=True)
def _clean_tables(app):
    """Each test starts from empty tables (works alike on SQLite and PostgreSQL)."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.rollback()
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name == "kpi":  # the built-in catalogue comes from the migration: keep it
                conn.execute(table.delete().where(table.c.builtin.is_(False)))
            else:
                conn.execute(table.delete())
    ctx.pop()


# --- factories ---------------------------------------------------------------------------

@pytest.fixture
def make_store():
    def make(code="S1", name=None):
        store = Store(code=code, name=name or f"Store {code}")
        db.session.add(store)
        db.session.commit()
        return store
    return make


@pytest.fixture
def make_user(make_store):
    counter = iter(range(1, 10_000))

    def make(role=STAFF, store=None, username=None, position=None, name=None):
        store = store or db.session.scalar(db.select(Store).order_by(Store.id)) or make_store()
        n = next(counter)
        position = position or ("service_advisor" if role == STAFF else None)
        user = create_user(username=username or f"{role}{n}", password=PASSWORD,
                           display_name=name or f"{role.title()} {n}", role=role, store=store,
                           position=position)
        db.session.commit()
        return user
    return make


@pytest.fixture
def store(make_store):
    return make_store("S1", "First store")


@pytest.fixture
def manager(make_user, store):
    return make_user(MANAGER, store, username="boss", name="Manager Li")


@pytest.fixture
def staff(make_user, store):
    return make_user(STAFF, store, username="sa1", name="Advisor Zhang")


@pytest.fixture
def gm(make_user, store):
    return make_user(GM, store, username="gm1", name="GM Wang")


@pytest.fixture
def make_meeting(store, manager):
    def make(days_ahead=7, theme="Weekly meeting", attendees=(), series=False, store_id=None, chair=None):
        meeting = meeting_services.create_meeting(
            store_id=store_id or store.id, created_by_id=(chair or manager).id,
            attendee_ids=[u.id for u in attendees], weekly_series=series, kind="weekly", theme=theme,
            objective="", meeting_date=local_today() + timedelta(days=days_ahead),
            start_time=time(17, 30), place="Room 1", chair_id=(chair or manager).id, minute_taker_id=None)
        db.session.commit()
        return meeting
    return make


@pytest.fixture
def make_item(manager):
    from app.actions.services import create_action_item

    def make(owner, meeting=None, title="Call back customers", days=3, store_id=None):
        item = create_action_item(
            store_id=store_id or owner.store_id, title=title, owner_id=owner.id,
            deadline=local_today() + timedelta(days=days), created_by_id=manager.id,
            meeting_id=meeting.id if meeting else None)
        db.session.commit()
        return item
    return make


# --- clients -----------------------------------------------------------------------------

TOKEN_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')


class Browserish:
    """A test client that logs in through the form and sends the CSRF token like a browser."""

    def __init__(self, client):
        self.client = client

    def _send(self, method, *args, **kw):
        # Each request in an app context of its own (fresh `g` and session), as in production;
        # afterwards the test's own session forgets what it loaded, so it sees the request's writes.
        with self.client.application.app_context():
            response = getattr(self.client, method)(*args, **kw)
        db.session.expire_all()
        return response

    _token = None

    def token(self) -> str:
        # The login page, or for a logged-in user the page it redirects to: both carry the token,
        # which stays the same for the whole session.
        if self._token is None:
            page = self._send("get", "/login", follow_redirects=True).get_data(as_text=True)
            self._token = TOKEN_RE.search(page).group(1)
        return self._token

    def login(self, username, password=PASSWORD):
        return self.post("/login", data={"username": username, "password": password})

    def get(self, url, htmx=False, headers=None, **kw):
        headers = {**(headers or {}), **({"HX-Request": "true"} if htmx else {})}
        return self._send("get", url, headers=headers, **kw)

    def post(self, url, data=None, htmx=False, csrf=True, headers=None, **kw):
        data = dict(data or {})
        headers = dict(headers or {})
        if csrf:
            token = self.token()
            if htmx:
                headers["X-CSRFToken"] = token  # as base.html's hx-headers sends it
            else:
                data["csrf_token"] = token
        if htmx:
            headers["HX-Request"] = "true"
        return self._send("post", url, data=data, headers=headers, **kw)


@pytest.fixture
def client(app):
    return Browserish(app.test_client())


@pytest.fixture
def login(app, request):
    """A client logged in as `user`. A test module that sets PAGE_LANGUAGE ("en") reads its pages in
    that language; otherwise the browser's default applies (Chinese)."""
    language = getattr(request.module, "PAGE_LANGUAGE", None)

    def as_(user):
        c = Browserish(app.test_client())
        assert c.login(user.username).status_code == 302
        if language:
            c.client.set_cookie("lang", language)
        return c
    return as_


@pytest.fixture
def count_queries(app):
    """Count the SQL statements a block runs: `with count_queries() as n: ...; n()`."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
    return counting
