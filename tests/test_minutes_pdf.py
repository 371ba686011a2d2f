"""The minutes as PDF (/meetings/<id>/minutes.pdf): content, the archived copy, amendments,
permissions, and a period's minutes compiled into one PDF."""
import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.extensions import db
from app.meetings import documents
from app.meetings import services as meetings
from app.meetings.models import MinutesArchive
from app.timeutils import local_today


def close(meeting, user):
    """Settle whatever the meeting reviews (on schedule), then close it."""
    for item, entry in meetings.review_items_for(meeting):
        if entry is None:
            meetings.record_disposition(meeting, item, user.id, "on_schedule")
    meetings.close_meeting(meeting, user.id)
    db.session.commit()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    """Text without white space: a table cell may wrap between two lines of the page."""
    return "".join(text.split())


@pytest.fixture
def held(make_store, make_user, make_meeting, make_item):
    """A closed weekly meeting of 北京一店 with minutes, a review row, a decision and an action item."""
    store = make_store("BJ1", "北京一店")
    manager = make_user(MANAGER, store, username="li", name="李经理")
    staff = make_user(STAFF, store, username="zhang", name="张顾问")
    carried = make_item(staff, title="回访上周投诉客户", days=4, store_id=store.id)
    meeting = make_meeting(days_ahead=-1, theme="客户投诉率上升", attendees=[manager, staff], store_id=store.id,
                           chair=manager)
    opening = meeting.agenda_items[0]
    meetings.save_minutes(opening, "本周投诉 5 起，较上周增加 2 起。", 0, manager.id)
    meetings.add_decision(meeting, "每位服务顾问每天回访三位客户", None, manager.id)
    meetings.add_action_item(meeting, manager.id, title="整理投诉原因清单", description="按车型分类",
                             owner_id=staff.id, deadline=local_today() + timedelta(days=7), priority="high",
                             agenda_item_id=meeting.agenda_item("action_plan").id)
    meetings.mark_everyone_present(meeting)
    meetings.record_disposition(meeting, carried, manager.id, "on_schedule")
    meetings.close_meeting(meeting, manager.id)
    db.session.commit()
    return {"store": store, "manager": manager, "staff": staff, "meeting": meeting, "opening": opening}


def test_the_pdf_holds_the_minutes_in_chinese(held, login):
    c = login(held["manager"])
    response = c.get(f"/meetings/{held['meeting'].id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    flat = squeeze(text)
    for title in ["开场白：会议目的与主题", "回顾上次会议决议", "主题讨论", "制定行动计划", "会议总结"]:
        assert squeeze(title) in flat, title
    assert "会议纪要" in text and "客户投诉率上升" in text
    assert "北京一店" in text and "第 1 页" in text  # the running header and the page numbers
    assert squeeze("本周投诉 5 起，较上周增加 2 起。") in flat  # the minutes of an item
    assert squeeze("每位服务顾问每天回访三位客户") in flat  # the decision
    assert "整理投诉原因清单" in flat and "按车型分类" in flat and "张顾问" in flat  # the action table
    assert "回访上周投诉客户" in flat and "按计划推进，下次跟进" in flat  # the review row, with its disposition
    assert "签到表" in text and "签字" in text  # the sign sheet and the signature block
    assert "草稿" not in text


def test_one_font_embedded_and_the_same_bytes_in_another_thread(held, app):
    """Issue 16: one weight of Noto Sans CJK SC (no bold face to subset), and the font configuration
    a thread keeps (app/pdf.py) renders the same bytes as a fresh one in a new thread."""
    import threading

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        data = documents.render_minutes(held["meeting"])
        fonts = set()
        for page in PdfReader(io.BytesIO(data)).pages:
            fonts |= {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
        assert len(fonts) == 1 and fonts.pop().endswith("+Noto-Sans-CJK-SC")
        html = documents.render_template("meetings/minutes_pdf.html", **documents.minutes_context(held["meeting"]))
    from app.pdf import render_pdf

    again = []
    worker = threading.Thread(target=lambda: again.append(render_pdf(html, header="x", title="y")))
    worker.start()
    worker.join()
    assert render_pdf(html, header="x", title="y") == again[0]


def test_english_pdf(held, login):
    c = login(held["manager"])
    c.client.set_cookie("lang", "en")
    text = pdf_text(c.get(f"/meetings/{held['meeting'].id}/minutes.pdf").data)
    assert "Opening: purpose and theme" in text and "Page 1 of" in text
    assert "Decisions" in text and "Action items" in text and "Signature" in text


def test_a_closed_meetings_pdf_is_archived_until_an_amendment(held, login):
    c = login(held["manager"])
    url = f"/meetings/{held['meeting'].id}/minutes.pdf"
    first = c.get(url).data
    assert c.get(url).data == first  # byte-identical
    held["staff"].display_name = "张顾问（已调岗）"  # data moving on after the meeting does not touch the archive
    db.session.commit()
    assert c.get(url).data == first
    assert db.session.query(MinutesArchive).count() == 1

    item = held["opening"]
    saved = c.post(f"/meetings/{held['meeting'].id}/agenda/{item.id}/minutes",
                   data={"minutes": "本周投诉 6 起（更正）。", "version": str(item.minutes_version)})
    assert saved.status_code == 302
    amended = c.get(url).data
    assert amended != first
    text = squeeze(pdf_text(amended))
    assert squeeze("本周投诉 6 起（更正）。") in text and "会后更正记录" in text
    assert c.get(url).data == amended  # and stable again
    assert db.session.query(MinutesArchive).count() == 1


def test_an_open_meeting_gives_a_draft(held, login, make_meeting):
    meeting = make_meeting(theme="下周例会", store_id=held["store"].id, chair=held["manager"])
    text = pdf_text(login(held["manager"]).get(f"/meetings/{meeting.id}/minutes.pdf").data)
    assert "下周例会" in text and "草稿" in text
    assert db.session.query(MinutesArchive).count() == 0


def test_minutes_pdf_service_function(held, app):
    """What the minutes e-mail attaches: the archived copy, in a request or outside one (a job)."""
    with app.test_request_context():
        data = documents.minutes_pdf(held["meeting"])
    assert data.startswith(b"%PDF") and "客户投诉率上升" in pdf_text(data)
    db.session.commit()
    assert documents.minutes_pdf(held["meeting"]) == data  # no request here: the stored copy
    with force_locale("en"):
        english = documents.minutes_pdf(held["meeting"])
    assert "Opening: purpose and theme" in pdf_text(english)


def test_links_on_the_meeting_page_and_the_printable_minutes(held, login):
    c = login(held["manager"])
    m = held["meeting"].id
    for url in [f"/meetings/{m}", f"/meetings/{m}/minutes"]:
        assert f'href="/meetings/{m}/minutes.pdf"' in c.get(url).get_data(as_text=True), url


@pytest.mark.parametrize("role", [MANAGER, STAFF, GM, ADMIN])
def test_everyone_of_the_store_may_download(held, login, make_user, role):
    user = make_user(role, held["store"])
    assert login(user).get(f"/meetings/{held['meeting'].id}/minutes.pdf").status_code == 200


@pytest.mark.parametrize("role", [MANAGER, STAFF, GM])
def test_another_store_may_not(held, login, make_user, make_store, role):
    other = make_user(role, make_store("SH1", "上海一店"))
    c = login(other)
    assert c.get(f"/meetings/{held['meeting'].id}/minutes.pdf").status_code == 403
    assert c.get("/meetings/99999/minutes.pdf").status_code == 404


def test_logged_out_goes_to_login(held, client):
    assert client.get(f"/meetings/{held['meeting'].id}/minutes.pdf").status_code == 302


# --- a period's minutes in one PDF -------------------------------------------------------

def test_compiled_minutes_for_a_range(held, login, make_meeting):
    later = make_meeting(days_ahead=-1, theme="服务流程复盘", store_id=held["store"].id, chair=held["manager"])
    close(later, held["manager"])
    make_meeting(theme="尚未召开", store_id=held["store"].id, chair=held["manager"])  # open: left out
    db.session.commit()
    today = local_today()
    c = login(held["manager"])
    response = c.get(f"/meetings/minutes.pdf?series_id=0&start={today - timedelta(days=30)}&end={today}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "客户投诉率上升" in text and "服务流程复盘" in text and "尚未召开" not in text
    assert squeeze("每位服务顾问每天回访三位客户") in squeeze(text)
    assert len(PdfReader(io.BytesIO(response.data)).pages) >= 3  # a list, then each meeting from a new page


@pytest.mark.parametrize("query, message", [
    ("start=2026-05-01&end=2026-04-01", "结束日期不能早于开始日期"),
    ("start=2020-01-01&end=2026-04-01", "一年"),
    ("start=1900-01-01&end=2026-04-01", "2000"),
    ("start=&end=2026-04-01", "有效的日期"),
    ("start=2001-01-01&end=2001-02-01", "没有已结束的会议"),
])
def test_compiled_minutes_validation(held, login, query, message):
    response = login(held["manager"]).get(f"/meetings/minutes.pdf?series_id=0&{query}")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_compiled_minutes_cap(held, login, make_meeting, monkeypatch):
    monkeypatch.setattr(documents, "MAX_COMPILED", 1)
    later = make_meeting(days_ahead=-2, theme="第二次", store_id=held["store"].id, chair=held["manager"])
    close(later, held["manager"])
    today = local_today()
    response = login(held["manager"]).get(f"/meetings/minutes.pdf?series_id=0&start={today - timedelta(days=9)}&end={today}")
    assert response.status_code == 422 and "超过 1 次会议" in response.get_data(as_text=True)


def test_compiled_minutes_of_one_series_and_other_stores(held, login, make_meeting, make_user, make_store):
    series = make_meeting(days_ahead=-3, theme="系列会议", store_id=held["store"].id, chair=held["manager"], series=True)
    close(series, held["manager"])
    today = local_today()
    c = login(held["manager"])
    page = c.get("/meetings/").get_data(as_text=True)
    assert f'<option value="{series.series_id}"' in page
    text = pdf_text(c.get(f"/meetings/minutes.pdf?series_id={series.series_id}&start={today - timedelta(days=9)}&end={today}").data)
    assert "系列会议" in text and "客户投诉率上升" not in text
    other = login(make_user(MANAGER, make_store("SH1", "上海一店")))
    refused = other.get(f"/meetings/minutes.pdf?series_id={series.series_id}&start={today - timedelta(days=9)}&end={today}")
    assert refused.status_code == 422  # not one of their store's series: not a valid choice


def test_two_first_downloads_at_once_both_answer(held, login, monkeypatch):
    """The other request stored its copy between this one's rendering and its commit: the unique
    (meeting, language) refuses the second insert, and this request still answers with its PDF."""
    original = documents.minutes_pdf

    def racing(meeting):
        data = original(meeting)
        with db.engine.begin() as conn:
            conn.execute(MinutesArchive.__table__.insert().values(
                meeting_id=meeting.id, locale="zh_Hans_CN", amendment_id=None, pdf=data, sha256="other",
                rendered_at=meeting.closed_at))
        return data

    monkeypatch.setattr(documents, "minutes_pdf", racing)
    response = login(held["manager"]).get(f"/meetings/{held['meeting'].id}/minutes.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert [a.sha256 for a in db.session.query(MinutesArchive)] == ["other"]
