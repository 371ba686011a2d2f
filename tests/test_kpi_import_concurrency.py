"""Imports of the same values at the same moment: never a 500, never a duplicate.

Two imports that both find a value missing both insert it; the later insert breaks the unique
key. The import then tries once more (now finding the other's rows), and if that collides again
answers 409 with a message. Run on PostgreSQL too (TEST_DATABASE_URL): that is where requests
really overlap.
"""
import io
import threading
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from app.extensions import db
from app.kpis.models import KpiValue
from app.kpis.services import kpi_by_code

from .test_kpi_import import EN, count_values, upload

CONTENT = b"kpi,subject,month,value\nPAID_RO,store,2026-01,10\nPAID_RO,store,2026-02,20\nCSI,sa1,2026-01,90\n"


def test_identical_imports_at_once_all_succeed(app, login, make_user, manager, staff, store):
    clients = [login(manager) for _ in range(8)]
    tokens = [c.token() for c in clients]
    start = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def post(index):
        start.wait()
        with app.app_context():
            response = clients[index].client.post(
                "/kpis/import", data={"file": (io.BytesIO(CONTENT), "values.csv"), "csrf_token": tokens[index]},
                content_type="multipart/form-data", headers=EN)
            results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = [status for status, _page in results]
    assert statuses == [200] * len(clients), [page[-2000:] for status, page in results if status != 200]
    assert sum("3 new, 0 changed, 0 unchanged" in page for _status, page in results) == 1
    db.session.expire_all()
    assert count_values() == 3


@contextmanager
def race(store, *months):
    """Before each INSERT into kpi_value the import sends, another connection commits the same
    store value for the next of `months`: the collision, made to happen on cue."""
    pending, others = list(months), []
    paid = kpi_by_code("PAID_RO")

    def before(conn, cursor, statement, parameters, context, executemany):
        if pending and statement.lstrip().upper().startswith("INSERT INTO KPI_VALUE") and conn not in others:
            month = pending.pop(0)
            with db.engine.connect() as other:
                others.append(other)  # its own INSERT passes through here too
                other.execute(KpiValue.__table__.insert().values(
                    kpi_id=paid.id, store_id=store.id, person_id=None, subject_key=0, month=month,
                    value=month.month * 10, source="api"))  # the values CONTENT has
                other.commit()

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_a_collision_is_retried_once(login, manager, staff, store):
    c = login(manager)
    with race(store, date(2026, 1, 1)):
        response = upload(c, CONTENT)
    assert response.status_code == 200, response.get_data(as_text=True)
    # The second try found the other import's row and left it as it was.
    assert "2 new, 0 changed, 1 unchanged" in response.get_data(as_text=True)
    assert count_values() == 3


def test_a_second_collision_answers_409_and_saves_nothing(login, manager, staff, store):
    c = login(manager)
    with race(store, date(2026, 1, 1), date(2026, 2, 1)):
        response = upload(c, CONTENT)
    assert response.status_code == 409
    assert "at the same moment, so nothing was saved from your file" in response.get_data(as_text=True)
    assert {v.source for v in db.session.scalars(db.select(KpiValue))} == {"api"}  # only the others' rows
    assert count_values() == 2
