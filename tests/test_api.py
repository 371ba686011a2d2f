"""The JSON API: bearer tokens, store scope, validation, all-or-nothing upserts, reading, JSON errors."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.api import services as api_services
from app.api.models import ApiToken
from app.auth.models import STAFF
from app.extensions import db
from app.kpis.models import PERSON_SCOPE, STORE_SCOPE, Kpi, KpiValue

URL = "/api/v1/kpi-values"


# --- fixtures ----------------------------------------------------------------------------

@pytest.fixture
def api(client):
    """Send a JSON request as an API client would: no session, no CSRF, a bearer token."""
    def call(method, url=URL, token=None, json=None, headers=None, **kw):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        with client.client.application.app_context():
            response = client.client.open(url, method=method, json=json, headers=headers, **kw)
        db.session.expire_all()
        return response
    return call


@pytest.fixture
def make_kpi():
    def make(code, scope=STORE_SCOPE, active=True):
        kpi = Kpi(code=code, name_zh=code, name_en=code, unit="score", direction="higher", scope=scope,
                  active=active)
        db.session.add(kpi)
        db.session.commit()
        return kpi
    return make


@pytest.fixture
def kpis(make_kpi):
    return {"store": make_kpi("TSTORE"), "person": make_kpi("TPERSON", scope=PERSON_SCOPE)}


@pytest.fixture
def make_token():
    def make(store, name="DMS export"):
        _token, plaintext = api_services.create_token(store, name, None)
        db.session.commit()
        return plaintext
    return make


@pytest.fixture
def token(store, make_token):
    return make_token(store)


@pytest.fixture
def other_store(make_store):
    return make_store("S2", "Second store")


def stored(store_id=None):
    stmt = select(KpiValue).order_by(KpiValue.month, KpiValue.id)
    if store_id is not None:
        stmt = stmt.where(KpiValue.store_id == store_id)
    return db.session.scalars(stmt).all()


def value(kpi="TSTORE", subject="store", month="2026-03", v=91.5):
    return {"kpi": kpi, "subject": subject, "month": month, "value": v}


# --- authentication ----------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("header", [None, "Bearer pw_not-a-real-token", "Basic dXNlcjpwdw==", "Bearer", "pw_x"])
def test_requests_without_a_valid_token_are_refused(api, kpis, token, method, header):
    headers = {"Authorization": header} if header else {}
    response = api(method, json={"values": [value()]}, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.is_json and response.json["errors"][0]["message"]
    assert stored() == []


def test_a_revoked_token_is_refused(api, kpis, token):
    assert api("GET", token=token).status_code == 200
    api_services.revoke_token(api_services.authenticate(f"Bearer {token}"))
    db.session.commit()
    response = api("POST", token=token, json={"values": [value()]})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored() == []


def test_use_is_recorded(api, store, token):
    assert api("GET", token=token).status_code == 200
    record = db.session.scalar(select(ApiToken))
    assert record.last_used_at is not None


def test_the_api_needs_no_csrf_token_and_no_session(api, kpis, token):
    # The app's CSRF protection is on (conftest's browser client sends the token); the API is exempt.
    response = api("POST", token=token, json={"values": [value()]})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


# --- writing -----------------------------------------------------------------------------

def test_post_creates_values_for_the_store_and_its_people(api, store, staff, kpis, token):
    response = api("POST", token=token, json={"values": [
        value(), value(kpi="tperson", subject="SA1", month="2026-3", v="88"),
    ]})
    assert response.status_code == 200
    assert response.json == {"created": 2, "updated": 0, "unchanged": 0}
    rows = stored(store.id)
    assert [(r.kpi.code, r.person_id, r.month, r.value, r.source) for r in rows] == [
        ("TSTORE", None, date(2026, 3, 1), 91.5, "api"),
        ("TPERSON", staff.id, date(2026, 3, 1), 88.0, "api"),
    ]


def test_post_again_updates_changed_values_and_leaves_the_rest(api, store, kpis, token):
    first = [value(month="2026-01", v=80), value(month="2026-02", v=81)]
    assert api("POST", token=token, json={"values": first}).json["created"] == 2
    again = api("POST", token=token, json={"values": [
        value(month="2026-01", v=80), value(month="2026-02", v=85), value(month="2026-03", v=86)]})
    assert again.status_code == 200
    assert again.json == {"created": 1, "updated": 1, "unchanged": 1}
    assert [r.value for r in stored(store.id)] == [80, 85, 86]


def test_an_empty_batch_writes_nothing(api, kpis, token):
    response = api("POST", token=token, json={"values": []})
    assert response.status_code == 200
    assert response.json == {"created": 0, "updated": 0, "unchanged": 0}


@pytest.mark.parametrize("bad, field", [
    (value(kpi="NOPE"), "kpi"),
    (value(kpi=""), "kpi"),
    (value(subject="nobody"), "subject"),
    (value(subject="sa1"), "subject"),  # a store-level KPI cannot be given per person
    (value(month="2026-13"), "month"),
    (value(month="March"), "month"),
    (value(month=None), "month"),
    (value(v="ninety"), "value"),
    (value(v=None), "value"),
    (value(v=True), "value"),
    (value(v=[1]), "value"),
    (value(v=10 ** 400), "value"),
    ({"kpi": {"a": 1}, "subject": ["x"], "month": 202603, "value": {}}, "kpi"),
])
def test_each_kind_of_invalid_value_is_refused_and_nothing_is_written(api, staff, kpis, token, bad, field):
    response = api("POST", token=token, json={"values": [value(month="2026-01"), bad]})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert {"index": 1, "field": field} == {k: errors[0][k] for k in ("index", "field")}
    assert all(e["index"] == 1 and e["message"] for e in errors)
    assert stored() == []


def test_the_same_value_twice_in_one_batch_is_refused(api, kpis, token):
    response = api("POST", token=token, json={"values": [value(), value(v=1), value(month="2026-04")]})
    assert response.status_code == 422
    assert [(e["index"], e["field"]) for e in response.json["errors"]] == [(1, "month")]
    assert stored() == []


def test_one_bad_value_among_good_ones_writes_nothing_and_changes_nothing(api, store, kpis, token):
    assert api("POST", token=token, json={"values": [value(month="2026-01", v=70)]}).status_code == 200
    batch = [value(month="2026-01", v=99), value(month="2026-02"), value(kpi="NOPE"), value(month="2026-03")]
    response = api("POST", token=token, json={"values": batch})
    assert response.status_code == 422
    assert [e["index"] for e in response.json["errors"]] == [2]
    assert [(r.month, r.value) for r in stored(store.id)] == [(date(2026, 1, 1), 70)]


@pytest.mark.parametrize("body", [
    b"{not json",
    b"",
    b"[]",
    b'"values"',
    b"null",
    b"{}",
    b'{"values": {"kpi": "TSTORE"}}',
    b'{"values": "TSTORE"}',
    b'{"values": [1, "x", null]}',
    b'{"values": [[]]}',
])
def test_malformed_bodies_are_400_with_json_errors(api, kpis, token, body):
    response = api("POST", token=token, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json and response.json["errors"]
    assert stored() == []


def test_non_object_items_are_named_by_index(api, kpis, token):
    response = api("POST", token=token, json={"values": [value(), 5, value(month="2026-04"), "x"]})
    assert response.status_code == 400
    assert [e["index"] for e in response.json["errors"]] == [1, 3]
    assert stored() == []


def test_more_than_5000_values_are_refused(api, kpis, make_kpi, token):
    codes = ["TSTORE"] + [make_kpi(f"TOTHER{n}").code for n in range(5)]  # the date window holds 1,212 months
    batch = [value(kpi=codes[i // 1000], month=f"{2000 + i % 1000 // 12}-{i % 12 + 1:02d}") for i in range(5001)]
    response = api("POST", token=token, json={"values": batch})
    assert response.status_code == 400
    assert stored() == []
    assert api("POST", token=token, json={"values": batch[:5000]}).json["created"] == 5000


def test_a_body_sent_without_the_json_content_type_is_still_read(api, kpis, token):
    response = api("POST", token=token, data=b'{"values": [{"kpi": "TSTORE", "subject": "store", '
                                             b'"month": "2026-03", "value": 1}]}')
    assert response.status_code == 200


def test_an_oversized_body_is_413_json(api, kpis, token):
    response = api("POST", token=token, data=b"x" * (5 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert response.is_json


# --- store scope -------------------------------------------------------------------------

def test_a_token_writes_only_its_own_store(api, store, other_store, make_user, make_token, kpis):
    make_user(STAFF, other_store, username="b_advisor")
    token_a = make_token(store)
    response = api("POST", token=token_a, json={"values": [value(kpi="TPERSON", subject="b_advisor")]})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "subject"
    assert stored() == []
    assert api("POST", token=token_a, json={"values": [value()]}).status_code == 200
    assert stored(other_store.id) == [] and len(stored(store.id)) == 1


def test_a_token_reads_only_its_own_store(api, store, other_store, make_user, make_token, kpis):
    make_user(STAFF, other_store, username="b_advisor")
    token_a, token_b = make_token(store), make_token(other_store)
    api("POST", token=token_a, json={"values": [value(v=1)]})
    api("POST", token=token_b, json={"values": [value(v=2), value(kpi="TPERSON", subject="b_advisor", v=3)]})
    assert [v["value"] for v in api("GET", token=token_a).json["values"]] == [1]
    assert sorted(v["value"] for v in api("GET", token=token_b).json["values"]) == [2, 3]
    response = api("GET", f"{URL}?subject=b_advisor", token=token_a)
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "subject"


# --- reading -----------------------------------------------------------------------------

@pytest.fixture
def series(api, store, staff, kpis, token):
    batch = [value(month=m, v=i) for i, m in enumerate(["2026-01", "2026-02", "2026-03"], start=1)]
    batch += [value(kpi="TPERSON", subject="sa1", month=m, v=10 + i)
              for i, m in enumerate(["2026-01", "2026-03"], start=1)]
    assert api("POST", token=token, json={"values": batch}).status_code == 200
    return token


def test_get_lists_values_by_month_then_kpi(api, series):
    response = api("GET", token=series)
    assert response.status_code == 200
    rows = response.json["values"]
    assert [(r["month"], r["kpi"], r["subject"], r["value"]) for r in rows] == [
        ("2026-01", "TPERSON", "sa1", 11), ("2026-01", "TSTORE", "store", 1),
        ("2026-02", "TSTORE", "store", 2),
        ("2026-03", "TPERSON", "sa1", 12), ("2026-03", "TSTORE", "store", 3),
    ]
    assert rows[0]["updated_at"].endswith("Z")
    assert response.json["page"] == 1 and response.json["next_page"] is None


@pytest.mark.parametrize("query, expected", [
    ("kpi=tstore", [1, 2, 3]),
    ("subject=store", [1, 2, 3]),
    ("subject=SA1", [11, 12]),
    ("kpi=TPERSON&subject=sa1", [11, 12]),
    ("kpi=TPERSON&subject=store", []),
    ("from=2026-02", [2, 12, 3]),
    ("to=2026-02", [11, 1, 2]),
    ("from=2026-02&to=2026-02", [2]),
    ("from=2026-03&to=2026-03&kpi=TSTORE&subject=store", [3]),
    ("unknown=ignored", [11, 1, 2, 12, 3]),
])
def test_get_filters(api, series, query, expected):
    response = api("GET", f"{URL}?{query}", token=series)
    assert response.status_code == 200
    assert [r["value"] for r in response.json["values"]] == expected


@pytest.mark.parametrize("query, field", [
    ("kpi=NOPE", "kpi"),
    ("subject=nobody", "subject"),
    ("from=2026-13", "from"),
    ("to=yesterday", "to"),
    ("from=2026-04&to=2026-01", "to"),
    ("page=0", "page"),
    ("page=-1", "page"),
    ("page=abc", "page"),
    ("page=%C2%B2", "page"),
    ("page=99999999999999999999", "page"),
])
def test_bad_filters_are_400(api, series, query, field):
    response = api("GET", f"{URL}?{query}", token=series)
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == field


def test_get_pages(api, series, monkeypatch, app):
    monkeypatch.setitem(app.config, "API_PAGE_SIZE", 2)
    pages, page = [], 1
    while page:
        body = api("GET", f"{URL}?page={page}", token=series).json
        pages.append([r["value"] for r in body["values"]])
        page = body["next_page"]
    assert pages == [[11, 1], [2, 12], [3]]
    assert api("GET", f"{URL}?page=9", token=series).json == {"values": [], "page": 9, "next_page": None}


# --- errors are JSON under /api ----------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/nothing-here", "/api/v2/kpi-values", "/api/"])
def test_unknown_api_addresses_are_json_404(api, token, url):
    response = api("GET", url, token=token)
    assert response.status_code == 404
    assert response.is_json and response.json["errors"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_json_405(api, token, method):
    response = api(method, token=token, json={})
    assert response.status_code == 405
    assert response.is_json
    assert "POST" in response.headers["Allow"]


def test_the_api_is_rate_limited_per_token(api, store, make_token, monkeypatch, app):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    limited, other = make_token(store), make_token(store)
    assert [api("GET", token=limited).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = api("GET", token=limited)
    assert refused.is_json and refused.json["errors"]
    assert api("GET", token=other).status_code == 200


def test_values_written_through_the_api_count_once_per_subject(api, store, kpis, token):
    api("POST", token=token, json={"values": [value()]})
    api("POST", token=token, json={"values": [value(subject="STORE", kpi=" tstore ")]})
    assert db.session.scalar(select(func.count()).select_from(KpiValue)) == 1
