"""Requests at the same moment: twelve threads, each with its own app context and logged-in client,
released together by a barrier. On SQLite (a file database) and PostgreSQL alike: no error page, no
lost or doubled write. (TESTING lets exceptions through, so a database error fails the test outright.)
"""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from app.actions.models import DONE, ActionItem, ActionItemUpdate
from app.extensions import db
from app.kpis.models import KpiValue
from app.kpis.services import ValueIn, kpi_by_code, upsert_values
from app.meetings.models import Decision, ReviewEntry

THREADS = 12
EN = {"Accept-Language": "en"}


def at_once(app, clients, send) -> list:
    """send(client, i) from one thread per client, all released together; what each returned."""
    barrier = threading.Barrier(len(clients))

    def run(i):
        with app.app_context():
            barrier.wait()
            return send(clients[i], i)

    with ThreadPoolExecutor(len(clients)) as pool:
        results = list(pool.map(run, range(len(clients))))
    db.session.expire_all()  # the test's own session reads what the threads wrote
    return results


@pytest.fixture
def managers(login, manager):
    clients = [login(manager) for _ in range(THREADS)]
    for c in clients:
        c.token()  # fetched before the race, as an open page has it
    return clients


def test_decisions_at_the_same_moment_get_consecutive_numbers(app, managers, make_meeting):
    meeting = make_meeting(days_ahead=0)
    url = f"/meetings/{meeting.id}/decisions"
    statuses = at_once(app, managers, lambda c, i: c.post(url, data={"decision-text": f"Decision {i}"},
                                                          htmx=True).status_code)
    assert statuses == [200] * THREADS
    rows = db.session.execute(db.select(Decision.number, Decision.text)
                              .where(Decision.store_id == meeting.store_id)).all()
    assert sorted(n for n, _ in rows) == list(range(1, THREADS + 1))
    assert {t for _, t in rows} == {f"Decision {i}" for i in range(THREADS)}


@pytest.mark.parametrize("disposition", ["on_schedule", "verified"])
def test_the_same_disposition_at_the_same_moment_is_recorded_once(app, managers, staff, make_meeting, make_item,
                                                                    disposition):
    item = make_item(staff, days=3)
    if disposition == "verified":
        item.status = DONE
        db.session.commit()
    meeting = make_meeting(days_ahead=0)
    url = f"/meetings/{meeting.id}/review/{item.id}"
    responses = at_once(app, managers, lambda c, i: c.post(url, data={"disposition": disposition}, htmx=True,
                                                           headers=EN))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (THREADS - 1)
    settled = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert "Already settled: Manager Li recorded" in settled and "<select" not in settled
    entries = db.session.scalars(db.select(ReviewEntry)).all()
    assert [(e.action_item_id, e.disposition) for e in entries] == [(item.id, disposition)]
    if disposition == "verified":
        assert db.session.get(ActionItem, item.id).closed_at is not None
        events = db.session.scalars(db.select(ActionItemUpdate.event)
                                    .where(ActionItemUpdate.action_item_id == item.id)).all()
        assert events.count("verified") == 1


@pytest.mark.parametrize("filled", [False, True], ids=["empty cell", "filled cell"])
def test_one_cell_saved_from_many_tabs_at_once_keeps_exactly_one(app, managers, store, filled):
    kpi = kpi_by_code("PAID_RO")
    if filled:
        upsert_values(store.id, [ValueIn(kpi.id, None, date(2026, 4, 1), 1)], source="grid")
        db.session.commit()
    kpi_id, version = kpi.id, "1" if filled else "0"  # plain values: threads must not touch this session
    responses = at_once(app, managers, lambda c, i: c.post("/kpis/value", data={
        "kpi_id": kpi_id, "subject": "store", "month": "2026-04", "value": str(100 + i), "version": version},
        htmx=True, headers=EN))
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
    winner = 100 + statuses.index(200)
    rows = db.session.scalars(db.select(KpiValue)).all()
    assert [(r.value, r.version) for r in rows] == [(winner, 2 if filled else 1)]
    assert all(f'value="{winner}"' in r.get_data(as_text=True) for r in responses)
