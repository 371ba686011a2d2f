"""Onboarding a store from a spreadsheet: all or nothing, a report per row, temporary passwords."""
import io

import openpyxl
import pytest
from sqlalchemy import event, func, select

from app.auth.models import ADMIN, MANAGER, STAFF, User
from app.auth.services import find_user
from app.extensions import db

from .test_kpi_import import xlsx

PAGE_LANGUAGE = "en"


def count_people():
    from app.extensions import db
    return db.session.scalar(select(func.count()).select_from(User))


def upload(client, content: bytes, store_id: int, filename="people.csv"):
    return client.post("/people/import", data={"file": (io.BytesIO(content), filename), "store_id": store_id},
                       content_type="multipart/form-data")


def temporary_passwords(response) -> dict[str, str]:
    page = response.get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    found = {}
    for row in rows:
        username = row.split("<code>")[1].split("<")[0]
        found[username] = row.split('class="temporary-password">')[1].split("<")[0]
    return found


@pytest.fixture
def admin(make_user, store):
    return make_user(ADMIN, store, username="root1", name="Admin Zhou")


def test_a_chinese_spreadsheet_onboards_a_store(login, client, admin, make_store):
    new_store = make_store("BJ1", "Beijing 4S")
    sheet = xlsx([["姓名", "用户名", "角色", "岗位", "手机", "邮箱"],
                  ["王芳", "wangfang", "服务经理", "", 13800138000, "wf@example.cn"],
                  ["李娜", "LiNa", "员工", "服务顾问", "010-8888 1234", ""],
                  [None, None, None, None, None, None],
                  ["张伟", "zhangwei", "", "technician", "", ""]])
    response = upload(login(admin), sheet, new_store.id, "people.xlsx")
    assert response.status_code == 201, response.get_data(as_text=True)[:3000]
    passwords = temporary_passwords(response)
    assert set(passwords) == {"wangfang", "lina", "zhangwei"}
    wang, li, zhang = find_user("wangfang"), find_user("lina"), find_user("zhangwei")
    assert (wang.role, wang.phone, wang.email, wang.store_id) == (MANAGER, "13800138000", "wf@example.cn", new_store.id)
    assert (li.role, li.position, zhang.role, zhang.position) == (STAFF, "service_advisor", STAFF, "technician")
    assert all(u.must_change_password for u in (wang, li, zhang))
    sheet_response = login(admin).post("/people/temporary-passwords.xlsx", data={
        "name": ["王芳", "李娜"], "username": ["wangfang", "lina"], "password": [passwords["wangfang"], passwords["lina"]]})
    assert sheet_response.status_code == 200
    cells = list(openpyxl.load_workbook(io.BytesIO(sheet_response.data)).worksheets[0].values)
    assert cells[2] == ("李娜", "lina", passwords["lina"])
    assert client.login("lina", passwords["lina"]).status_code == 302
    assert client.get("/meetings/").location == "/account/password"


def test_bad_rows_are_reported_and_nothing_is_added(login, manager, staff):
    before = count_people()
    csv = (b"name,username,role,position,phone,email\n"
           b"Good One,good1,staff,technician,,\n"
           b",noname,staff,,,\n"
           b"Bad Name,sa1,staff,,,\n"                 # taken by an existing person
           b"Twice,twice,staff,,,\n"
           b"Twice Again,twice,staff,,,\n"
           b"Boss,boss2,manager,,,\n"                  # a manager may import staff only
           b"Odd,odd user,astronaut,pilot,call me,nope\n")
    response = upload(login(manager), csv, manager.store_id)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    report = page.split('id="import-report"')[1]
    for number in (3, 4, 6, 7, 8):
        assert f'data-label="Row">{number}<' in report, number
    assert 'data-label="Row">2<' not in report
    for text in ("is taken", "appears twice", "may not add someone", "Unknown role", "Unknown position",
                 "phone number is not valid", "e-mail address is not valid"):
        assert text in report, text
    assert count_people() == before
    assert find_user("good1") is None


def test_files_that_cannot_be_read_are_refused_whole(login, manager):
    c = login(manager)
    before = count_people()
    for content, name, message in [
        (b"", "people.csv", "empty"),
        (b"naam,login\nx,y\n", "people.csv", "Missing: name and username"),
        (b"name,username\n", "people.csv", "no data rows"),
        (b"\x00\x01garbage", "people.pdf", "Only CSV"),
        (b"PK\x03\x04 not really a zip", "people.xlsx", "could not be read"),
    ]:
        response = upload(c, content, manager.store_id, name)
        assert response.status_code == 422, name
        assert message in response.get_data(as_text=True), message
    assert count_people() == before


def test_hostile_cells_are_text_not_code(login, admin, store):
    csv = ("name,username\n"
           "\"<script>alert(1)</script>\",xss1\n"
           "=HYPERLINK(\"http://evil\"),formula1\n").encode("utf-8-sig")
    response = upload(login(admin), csv, store.id)
    assert response.status_code == 201
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert find_user("xss1").display_name == "<script>alert(1)</script>"
    control = upload(login(admin), b"name,username\n\"bad\x01name\",ctl1\n", store.id)
    assert control.status_code == 422 and find_user("ctl1") is None


def test_gb18030_csv_with_chinese_headers(login, admin, store):
    csv = "姓名,用户名,岗位\n赵磊,zhaolei,车间主管\n".encode("gb18030")
    response = upload(login(admin), csv, store.id)
    assert response.status_code == 201
    assert find_user("zhaolei").position == "workshop_supervisor"


def test_only_managers_of_the_store_and_admins_import(login, manager, staff, gm, make_store):
    other = make_store("S2", "Second store")
    csv = b"name,username\nNew,new1\n"
    assert upload(login(staff), csv, staff.store_id).status_code == 403
    assert upload(login(gm), csv, gm.store_id).status_code == 403
    assert upload(login(manager), csv, other.id).status_code == 422  # not a store they may choose
    assert find_user("new1") is None


def test_a_username_taken_at_the_same_moment_answers_409_and_adds_nobody(login, manager, store):
    """Between the check of the rows and their INSERT, another import adds one of the usernames."""
    others = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not others and conn not in others and statement.upper().replace('"', "").lstrip().startswith("INSERT INTO USER "):
            with db.engine.connect() as other:
                others.append(other)
                other.execute(User.__table__.insert().values(
                    username="wang.fang", display_name="Someone else", role=STAFF, store_id=store.id,
                    password_hash="x", active=True, must_change_password=False))
                other.commit()

    c = login(manager)
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = upload(c, "name,username,role,position\n王芳,wang.fang,staff,service_advisor\n"
                             "李强,li.qiang,staff,technician\n".encode(), store.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 409
    assert "at the same moment, so nobody from your file was added" in response.get_data(as_text=True)
    assert find_user("li.qiang") is None and find_user("wang.fang").display_name == "Someone else"
