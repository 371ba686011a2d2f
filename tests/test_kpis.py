"""KPI catalogue and the month × KPI grid: render, edit in place (htmx and plain), permissions."""
import re
from datetime import date

import pytest

from app.auth.models import ADMIN, MANAGER, STAFF
from app.extensions import db
from app.kpis.models import Kpi, KpiValue
from app.kpis.services import ValueIn, kpi_by_code, upsert_values

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(make_user, store):
    return make_user(ADMIN, store, username="root")


@pytest.fixture
def tech(make_user, store):
    return make_user(STAFF, store, username="tech1", position="technician", name="Tech Zhou")


def stored(store_id, code, person_id=None):
    kpi = kpi_by_code(code)
    return {v.month: v.value for v in db.session.scalars(db.select(KpiValue).where(
        KpiValue.store_id == store_id, KpiValue.kpi_id == kpi.id, KpiValue.subject_key == (person_id or 0)))}


def shown_version(client, code, month, subject="store") -> str:
    """The version the client's grid shows for a cell ("0" for an empty or unseen one)."""
    year, number = month.split("-")
    page = client.get(f"/kpis/grid?subject={subject}&year={year}", headers=EN).get_data(as_text=True)
    found = re.search(rf'id="cell-{kpi_by_code(code).id}-{int(number)}".*?name="version" value="(\d+)"', page, re.S)
    return found.group(1) if found else "0"


def cell_post(client, code, month, value, subject="store", version=None, **kw):
    """What a grid cell posts; by default over the version the client's grid shows now."""
    version = shown_version(client, code, month, subject) if version is None else version
    return client.post("/kpis/value", data={"kpi_id": kpi_by_code(code).id, "subject": subject,
                                             "month": month, "value": value, "version": version},
                       headers=EN, **kw)


# --- the grid ----------------------------------------------------------------------------

def test_store_grid_shows_store_kpis_values_and_targets(login, manager, store):
    kpi = kpi_by_code("PAID_RO")
    upsert_values(store.id, [ValueIn(kpi.id, None, date(2026, 3, 1), 1234.5)], source="grid")
    db.session.commit()
    page = login(manager).get("/kpis/grid?subject=store&year=2026", headers=EN).get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "Paid repair orders" in page and "Bay utilisation" in page
    assert "Customer satisfaction index" not in page  # a person KPI
    assert 'value="1,235"' in page and "1234.5" not in page  # a count: whole, with separators
    assert "80–95" in page  # the band is the target of bay utilisation
    assert 'hx-post="/kpis/value"' in page
    assert f'for="cell-{kpi.id}-3-value"' in page  # every input has its label


def test_grid_numbers_are_locale_formatted_when_read_only(login, gm, store):
    kpi = kpi_by_code("GROSS_PROFIT")
    upsert_values(store.id, [ValueIn(kpi.id, None, date(2026, 1, 1), 1234567.5)], source="grid")
    db.session.commit()
    page = login(gm).get("/kpis/grid?year=2026", headers=EN).get_data(as_text=True)
    assert "1,234,567.5" in page
    assert 'hx-post="/kpis/value"' not in page and "<input" not in page.split("<table", 1)[1]


def test_person_grid_shows_only_kpis_for_the_position(login, manager, staff, tech):
    c = login(manager)
    advisor_page = c.get(f"/kpis/grid?subject={staff.id}&year=2026", headers=EN).get_data(as_text=True)
    assert "Customer satisfaction index" in advisor_page and "Fixed right first time" not in advisor_page
    assert "Paid repair orders" not in advisor_page
    tech_page = c.get(f"/kpis/grid?subject={tech.id}&year=2026", headers=EN).get_data(as_text=True)
    assert "Fixed right first time" in tech_page and "Customer satisfaction index" not in tech_page


def test_cell_edit_with_htmx_returns_the_cell(login, manager, store):
    c = login(manager)
    response = cell_post(c, "PAID_RO", "2026-04", "321", htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<td") and 'value="321"' in body and "Saved" in body
    assert "<html" not in body
    assert response.headers["HX-Trigger"] == "kpiValuesChanged"
    assert stored(store.id, "PAID_RO") == {date(2026, 4, 1): 321.0}
    row = db.session.scalar(db.select(KpiValue))
    assert row.source == "grid" and row.updated_by_id == manager.id

    assert cell_post(c, "PAID_RO", "2026-04", "400", htmx=True).status_code == 200
    assert stored(store.id, "PAID_RO") == {date(2026, 4, 1): 400.0}
    assert cell_post(c, "PAID_RO", "2026-04", "", htmx=True).status_code == 200  # empty deletes
    assert stored(store.id, "PAID_RO") == {}


def test_cell_edit_rejects_text_with_422_in_the_cell(login, manager, store):
    response = cell_post(login(manager), "PAID_RO", "2026-04", "lots", htmx=True)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<td") and "The value must be a number." in body
    assert 'value="lots"' in body and 'aria-invalid="true"' in body
    assert stored(store.id, "PAID_RO") == {}


def test_cell_edit_without_js_redirects_back(login, manager, staff, store):
    c = login(manager)
    response = cell_post(c, "CSI", "2026-02", "91.5", subject=str(staff.id))
    assert response.status_code == 302
    assert f"/kpis/grid?subject={staff.id}&year=2026" in response.headers["Location"]
    assert stored(store.id, "CSI", staff.id) == {date(2026, 2, 1): 91.5}
    bad = cell_post(c, "CSI", "2026-02", "abc", subject=str(staff.id))
    assert bad.status_code == 422 and "The value must be a number." in bad.get_data(as_text=True)
    assert "<h1" in bad.get_data(as_text=True)
    assert stored(store.id, "CSI", staff.id) == {date(2026, 2, 1): 91.5}


def test_cell_edit_needs_csrf(login, manager, store):
    response = cell_post(login(manager), "PAID_RO", "2026-04", "3", csrf=False)
    assert response.status_code == 400
    assert stored(store.id, "PAID_RO") == {}


# --- two tabs on one cell: the version check ---------------------------------------------

def version_in(body: str) -> str:
    return re.search(r'name="version" value="(\d+)"', body).group(1)


def test_second_save_over_the_same_version_is_refused_and_shows_the_first(login, manager, make_user, store):
    first, second = login(manager), login(make_user(MANAGER, store, username="deputy", name="Deputy Sun"))
    upsert_values(store.id, [ValueIn(kpi_by_code("PAID_RO").id, None, date(2026, 4, 1), 300)], source="grid")
    db.session.commit()
    seen_first, seen_second = (shown_version(c, "PAID_RO", "2026-04") for c in (first, second))
    assert seen_first == seen_second == "1"

    assert cell_post(first, "PAID_RO", "2026-04", "321", version=seen_first, htmx=True).status_code == 200
    refused = cell_post(second, "PAID_RO", "2026-04", "999", version=seen_second, htmx=True)
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert body.lstrip().startswith("<td") and 'value="321"' in body  # the cell shows the first one's value
    assert "Not saved: Manager Li changed this value to 321" in body
    assert "Keep mine: 999" in body and version_in(body) == "2"
    assert "HX-Trigger" not in refused.headers
    assert stored(store.id, "PAID_RO") == {date(2026, 4, 1): 321.0}  # nothing overwritten

    # Keep mine: the button posts my value over the version now shown.
    kept = cell_post(second, "PAID_RO", "2026-04", "999", version=version_in(body), htmx=True)
    assert kept.status_code == 200 and version_in(kept.get_data(as_text=True)) == "3"
    assert stored(store.id, "PAID_RO") == {date(2026, 4, 1): 999.0}


def test_two_tabs_filling_an_empty_cell(login, manager, store):
    c = login(manager)
    assert cell_post(c, "PAID_RO", "2026-05", "10", version="0", htmx=True).status_code == 200
    refused = cell_post(c, "PAID_RO", "2026-05", "11", version="0", htmx=True)
    assert refused.status_code == 409 and 'value="10"' in refused.get_data(as_text=True)
    assert stored(store.id, "PAID_RO") == {date(2026, 5, 1): 10.0}
    # Saving what is stored already is no conflict, whatever version the tab had.
    assert cell_post(c, "PAID_RO", "2026-05", "10", version="0", htmx=True).status_code == 200


def test_emptying_a_cell_checks_the_version_too(login, manager, store):
    c = login(manager)
    assert cell_post(c, "PAID_RO", "2026-06", "10", htmx=True).status_code == 200
    stale = shown_version(c, "PAID_RO", "2026-06")
    assert cell_post(c, "PAID_RO", "2026-06", "12", htmx=True).status_code == 200
    refused = cell_post(c, "PAID_RO", "2026-06", "", version=stale, htmx=True)
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert 'value="12"' in body and "Remove it anyway" in body
    assert stored(store.id, "PAID_RO") == {date(2026, 6, 1): 12.0}
    assert cell_post(c, "PAID_RO", "2026-06", "", htmx=True).status_code == 200
    # A value someone removed meanwhile: mine is not written over the removal unasked.
    refused = cell_post(c, "PAID_RO", "2026-06", "15", version="2", htmx=True)
    assert refused.status_code == 409 and "someone removed this value" in refused.get_data(as_text=True)
    assert stored(store.id, "PAID_RO") == {}


def test_stale_save_without_js_shows_the_grid_with_409(login, manager, store):
    c = login(manager)
    assert cell_post(c, "PAID_RO", "2026-07", "10").status_code == 302
    assert cell_post(c, "PAID_RO", "2026-07", "11").status_code == 302
    refused = cell_post(c, "PAID_RO", "2026-07", "99", version="1")
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "<h1" in page and "someone else changed this value" in page
    assert "Keep mine: 99" in page and 'value="11"' in page
    assert stored(store.id, "PAID_RO") == {date(2026, 7, 1): 11.0}


def test_import_and_api_writes_bump_the_version_without_checking(login, manager, store):
    c = login(manager)
    kpi = kpi_by_code("PAID_RO")
    assert cell_post(c, "PAID_RO", "2026-08", "10", htmx=True).status_code == 200
    seen = shown_version(c, "PAID_RO", "2026-08")
    upsert_values(store.id, [ValueIn(kpi.id, None, date(2026, 8, 1), 20)], source="import")  # no version given
    db.session.commit()
    assert shown_version(c, "PAID_RO", "2026-08") == str(int(seen) + 1)
    refused = cell_post(c, "PAID_RO", "2026-08", "30", version=seen, htmx=True)
    assert refused.status_code == 409 and 'value="20"' in refused.get_data(as_text=True)


def test_cell_save_without_a_version_is_refused(login, manager, store):
    c = login(manager)
    for version in ("", "x", "1" * 12):
        assert cell_post(c, "PAID_RO", "2026-04", "3", version=version).status_code == 400
    assert stored(store.id, "PAID_RO") == {}


def test_kpi_that_does_not_apply_to_the_subject_is_refused(login, manager, staff, store):
    c = login(manager)
    assert cell_post(c, "FIRST_TIME_FIX", "2026-01", "90", subject=str(staff.id), htmx=True).status_code == 404
    assert cell_post(c, "CSI", "2026-01", "90", subject="store", htmx=True).status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(KpiValue)) == 0


# --- permissions -------------------------------------------------------------------------

def test_staff_sees_only_their_own_grid_read_only(login, staff, make_user, store):
    other = make_user(STAFF, store, username="sa2")
    c = login(staff)
    own = c.get("/kpis/grid", headers=EN)
    assert own.status_code == 200 and "Advisor Zhang" in own.get_data(as_text=True)
    assert 'hx-post="/kpis/value"' not in own.get_data(as_text=True)
    assert c.get("/kpis/grid?subject=store").status_code == 403
    assert c.get(f"/kpis/grid?subject={other.id}").status_code == 403
    assert cell_post(c, "CSI", "2026-01", "90", subject=str(staff.id)).status_code == 403
    assert c.get("/kpis/export?year=2026").status_code == 403
    assert c.get("/kpis/import").status_code == 403


def test_gm_reads_but_cannot_write(login, gm, staff, store):
    c = login(gm)
    assert c.get("/kpis/grid?subject=store").status_code == 200
    assert c.get(f"/kpis/grid?subject={staff.id}").status_code == 200
    assert cell_post(c, "PAID_RO", "2026-01", "5", htmx=True).status_code == 403
    assert c.get("/kpis/import").status_code == 403
    assert stored(store.id, "PAID_RO") == {}


def test_other_store_manager_cannot_reach_this_store(login, make_store, make_user, staff, store):
    other_store = make_store("S2")
    other_manager = make_user(MANAGER, other_store, username="boss2")
    c = login(other_manager)
    assert c.get(f"/kpis/grid?subject={staff.id}").status_code == 403
    assert cell_post(c, "CSI", "2026-01", "90", subject=str(staff.id), htmx=True).status_code == 403
    assert stored(store.id, "CSI", staff.id) == {}
    # their own store's grid is theirs to fill
    assert cell_post(c, "PAID_RO", "2026-01", "7", htmx=True).status_code == 200
    assert stored(other_store.id, "PAID_RO") == {date(2026, 1, 1): 7.0}
    assert stored(store.id, "PAID_RO") == {}


def test_admin_may_write(login, admin, store):
    assert cell_post(login(admin), "PAID_RO", "2026-01", "9", htmx=True).status_code == 200
    assert stored(store.id, "PAID_RO") == {date(2026, 1, 1): 9.0}


def test_grid_has_no_n_plus_one(login, manager, store, count_queries):
    c = login(manager)
    c.get("/kpis/grid?year=2026", headers=EN)  # warm up
    with count_queries() as few:
        c.get("/kpis/grid?year=2026", headers=EN)
    for i in range(6):
        db.session.add(Kpi(code=f"EXTRA_{i}", name_zh=f"额外{i}", name_en=f"Extra {i}", unit="count",
                           direction="higher", scope="store"))
    db.session.flush()
    kpis = db.session.scalars(db.select(Kpi).where(Kpi.scope == "store")).all()
    upsert_values(store.id, [ValueIn(k.id, None, date(2026, m, 1), m) for k in kpis for m in range(1, 13)],
                  source="grid")
    db.session.commit()
    with count_queries() as many:
        page = c.get("/kpis/grid?year=2026", headers=EN).get_data(as_text=True)
    assert "Extra 5" in page
    assert many() == few()


# --- catalogue ---------------------------------------------------------------------------

KPI_FORM = {"code": "WARRANTY_CLAIMS", "name_zh": "索赔数", "name_en": "Warranty claims", "unit": "count",
            "direction": "lower", "aggregation": "sum", "scope": "store", "definition_zh": "",
            "definition_en": "", "default_target": "3", "active": "y"}


def test_catalogue_lists_kpis_for_everyone(login, staff):
    page = login(staff).get("/kpis/", headers=EN).get_data(as_text=True)
    assert "FIRST_TIME_FIX" in page and "Fixed right first time" in page and "Technician" in page
    assert "/kpis/new" not in page
    zh = login(staff).get("/kpis/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "一次修复率" in zh


def test_only_admin_adds_or_edits_kpis(login, manager, gm, staff):
    csi = kpi_by_code("CSI")
    for user in (manager, gm, staff):
        c = login(user)
        assert c.get("/kpis/new").status_code == 403
        assert c.post("/kpis/new", data=KPI_FORM).status_code == 403
        assert c.get(f"/kpis/{csi.id}/edit").status_code == 403
    assert kpi_by_code("WARRANTY_CLAIMS") is None


def test_admin_adds_a_kpi(login, admin):
    c = login(admin)
    assert c.get("/kpis/new", headers=EN).status_code == 200
    response = c.post("/kpis/new", data={**KPI_FORM, "code": "warranty_claims"})
    assert response.status_code == 302
    kpi = kpi_by_code("WARRANTY_CLAIMS")
    assert kpi.name_en == "Warranty claims" and kpi.default_target == 3 and not kpi.builtin and kpi.active


@pytest.mark.parametrize("changes, message", [
    ({"code": "BAD CODE!"}, "Use only capital letters"),
    ({"code": "CSI"}, "Another KPI already has this code."),
    ({"name_en": ""}, "This field is required."),
    ({"direction": "band"}, "A band needs both"),
    ({"direction": "band", "band_low": "90", "band_high": "80"}, "must be above the lowest"),
    ({"default_target": "many"}, "Enter a number."),
])
def test_kpi_form_validation(login, admin, changes, message):
    response = login(admin).post("/kpis/new", data={**KPI_FORM, **changes}, headers=EN)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert kpi_by_code("WARRANTY_CLAIMS") is None


def test_admin_edits_kpi_positions_and_band(login, admin):
    c = login(admin)
    assert c.post("/kpis/new", data=KPI_FORM).status_code == 302
    kpi = kpi_by_code("WARRANTY_CLAIMS")
    data = {**KPI_FORM, "code": "WARRANTY_RATE", "scope": "person", "positions": ["technician", "warranty_assessor"],
            "direction": "band", "band_low": "1", "band_high": "4"}
    assert c.post(f"/kpis/{kpi.id}/edit", data=data).status_code == 302
    db.session.refresh(kpi)
    assert kpi.code == "WARRANTY_RATE" and kpi.positions == "technician warranty_assessor"
    assert (kpi.band_low, kpi.band_high) == (1, 4)
    page = c.get(f"/kpis/{kpi.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="technician"', page)
    assert not re.search(r'<input checked[^>]*value="dispatcher"', page)


@pytest.fixture
def restore_builtins():
    """The built-in rows come from the migration and outlive each test: put them back."""
    yield
    from app.kpis.catalogue import BUILTIN_KPIS

    db.session.rollback()
    for entry in BUILTIN_KPIS:
        kpi = kpi_by_code(entry["code"])
        for name, value in {"band_low": None, "band_high": None, "active": True, **entry}.items():
            setattr(kpi, name, value)
    db.session.commit()


def test_builtin_kpi_code_cannot_change(login, admin, restore_builtins):
    csi = kpi_by_code("CSI")
    c = login(admin)
    page = c.get(f"/kpis/{csi.id}/edit", headers=EN).get_data(as_text=True)
    assert 'name="code"' not in page
    data = {**KPI_FORM, "code": "HACKED", "name_en": "Satisfaction", "scope": "person",
            "positions": ["service_advisor"], "direction": "higher", "aggregation": "mean", "unit": "score"}
    assert c.post(f"/kpis/{csi.id}/edit", data=data).status_code == 302
    db.session.refresh(csi)
    assert csi.code == "CSI" and csi.name_en == "Satisfaction"
