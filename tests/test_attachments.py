"""Photos and files on action items: who may see, add and delete them, across stores; what is accepted
(by content, not by name); photos shrunk, turned upright and stripped of their location; blobs that
follow the transaction."""
import io
import re
import zipfile

import pytest
from PIL import Image

from app.actions.models import ActionItem
from app.attachments import services
from app.attachments.models import Attachment
from app.audit.models import AuditEntry
from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.common import RuleViolation
from app.extensions import db
from app.storage import current_storage

PAGE_LANGUAGE = "en"

GPS_LATITUDE = ((31, 1), (14, 1), (0, 1))


def jpeg(size=(800, 600), color="red", gps=True, orientation=None, fmt="JPEG") -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def png(size=(40, 30), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def upload(client, item, *files, htmx=False, **kw):
    data = {"file": [(io.BytesIO(content), name, kind) for content, name, kind in files]}
    return client.post(f"/files/action_item/{item.id}", data=data, htmx=htmx, content_type="multipart/form-data",
                       **kw)


def stored(item) -> list[Attachment]:
    return db.session.scalars(db.select(Attachment).where(Attachment.owner_id == item.id)
                              .order_by(Attachment.id)).all()


def blobs() -> set[str]:
    root = current_storage().root
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def _empty_store():
    before = blobs()
    yield
    for key in blobs() - before:
        current_storage().delete(key)


# --- who may do what ---------------------------------------------------------------------------

def test_the_owner_adds_a_photo_from_the_item_page(login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    page = c.get(f"/actions/{item.id}").text
    assert 'id="attachments-action_item-%d"' % item.id in page
    assert 'capture="environment"' in page and 'accept="image/*"' in page and 'enctype="multipart/form-data"' in page
    response = upload(c, item, (jpeg(), "IMG_0001.JPG", "image/jpeg"))
    assert response.status_code == 302 and response.location.endswith(f"/actions/{item.id}")
    (photo,) = stored(item)
    assert (photo.kind, photo.content_type, photo.file_name, photo.store_id) == (
        "image", "image/jpeg", "IMG_0001.jpg", item.store_id)
    assert (photo.width, photo.height) == (800, 600) and photo.uploaded_by_id == staff.id
    page = c.get(f"/actions/{item.id}").text
    assert f"/files/{photo.id}/thumbnail" in page and "IMG_0001.jpg" in page


def test_htmx_upload_swaps_the_panel(login, staff, make_item):
    item = make_item(staff)
    response = upload(login(staff), item, (jpeg(), "a.jpg", "image/jpeg"), htmx=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "attachmentsChanged"
    assert response.text.lstrip().startswith('<section class="attachments"') and "Photo added." in response.text
    assert "<html" not in response.text


@pytest.mark.parametrize("role, may_view, may_attach", [
    ("owner", True, True), ("manager", True, True), ("other_staff", True, False), ("gm", True, False),
    ("admin", True, False), ("other_store_manager", False, False), ("other_store_staff", False, False),
    ("other_store_gm", False, False)])
def test_roles_and_stores(login, make_user, make_store, store, staff, manager, make_item, role, may_view, may_attach):
    item = make_item(staff)
    photo = services.attach("action_item", item, _file(jpeg(), "p.jpg"), staff)
    db.session.commit()
    other = make_store("S2")
    users = {"owner": staff, "manager": manager, "other_staff": make_user(STAFF, store),
             "gm": make_user(GM, store), "admin": make_user(ADMIN, other), "other_store_manager": make_user(MANAGER, other),
             "other_store_staff": make_user(STAFF, other), "other_store_gm": make_user(GM, other)}
    c = login(users[role])
    for url in (f"/files/{photo.id}", f"/files/{photo.id}/thumbnail", f"/files/action_item/{item.id}"):
        assert c.get(url).status_code == (200 if may_view else 403), url
    response = upload(c, item, (png(), "x.png", "image/png"))
    assert response.status_code == (302 if may_attach else 403)
    assert len(stored(item)) == (2 if may_attach else 1)
    if not may_view:
        assert c.get(f"/files/{photo.id}/delete").status_code == 403
        assert c.post(f"/files/{photo.id}/delete").status_code == 403
        assert db.session.get(Attachment, photo.id) is not None


def test_a_file_is_served_with_its_type_and_downloads_unless_an_image(login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    upload(c, item, (jpeg(), "p.jpg", "image/jpeg"), (b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "Bericht über.pdf",
                                                      "application/pdf"))
    photo, pdf = stored(item)
    image = c.get(f"/files/{photo.id}")
    assert image.status_code == 200 and image.content_type == "image/jpeg"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in image.headers["Cache-Control"]
    assert image.data == current_storage().get(photo.storage_key)
    document = c.get(f"/files/{pdf.id}")
    assert document.content_type == "application/pdf" and document.data.startswith(b"%PDF-")
    assert document.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''Bericht%20%C3%BCber.pdf" in document.headers["Content-Disposition"]
    thumb = c.get(f"/files/{photo.id}/thumbnail")
    assert thumb.content_type == "image/jpeg" and max(Image.open(io.BytesIO(thumb.data)).size) == 320
    assert c.get(f"/files/{pdf.id}/thumbnail").status_code == 404
    assert c.get("/files/999999").status_code == 404 and c.get("/files/unknown_type/1").status_code == 404
    assert c.get("/files/action_item/999999").status_code == 404


def test_logged_out_people_get_nothing(client, staff, make_item):
    item = make_item(staff)
    photo = services.attach("action_item", item, _file(jpeg(), "p.jpg"), staff)
    db.session.commit()
    for url in (f"/files/{photo.id}", f"/files/{photo.id}/thumbnail"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


# --- deleting ----------------------------------------------------------------------------------

def test_the_uploader_deletes_after_a_confirmation_and_the_blobs_go(login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    upload(c, item, (jpeg(), "p.jpg", "image/jpeg"))
    (photo,) = stored(item)
    keys = {photo.storage_key, photo.thumbnail_key}
    assert keys <= blobs()
    confirm = c.get(f"/files/{photo.id}/delete")
    assert confirm.status_code == 200 and "Delete “p.jpg”?" in confirm.text and "<h1>" in confirm.text
    response = c.post(f"/files/{photo.id}/delete", htmx=True)
    assert response.status_code == 200 and "“p.jpg” deleted." in response.text
    assert stored(item) == [] and not keys & blobs()


def test_who_may_delete(login, make_user, store, staff, manager, make_item):
    item = make_item(staff)
    by_staff = services.attach("action_item", item, _file(jpeg(), "s.jpg"), staff)
    by_manager = services.attach("action_item", item, _file(jpeg(), "m.jpg"), manager)
    db.session.commit()
    colleague = login(make_user(STAFF, store))
    assert colleague.post(f"/files/{by_staff.id}/delete").status_code == 403
    owner = login(staff)
    assert owner.post(f"/files/{by_manager.id}/delete").status_code == 403  # not theirs
    page = owner.get(f"/actions/{item.id}").text
    assert f"/files/{by_staff.id}/delete" in page and f"/files/{by_manager.id}/delete" not in page
    assert login(manager).post(f"/files/{by_staff.id}/delete").status_code == 302  # the manager may
    assert [a.id for a in stored(item)] == [by_manager.id]


def test_a_delete_that_is_rolled_back_keeps_the_blobs(staff, make_item):
    item = make_item(staff)
    photo = services.attach("action_item", item, _file(jpeg(), "p.jpg"), staff)
    db.session.commit()
    services.delete(photo)
    db.session.rollback()
    assert {photo.storage_key, photo.thumbnail_key} <= blobs()


def test_the_trail_records_attachments_in_the_items_history(login, staff, manager, make_item):
    item = make_item(staff)
    upload(login(staff), item, (jpeg(), "p.jpg", "image/jpeg"))
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.object_type == "attachment")).one()
    assert (entry.subject_type, entry.subject_id, entry.store_id, entry.user_id) == (
        "action_item", item.id, item.store_id, staff.id)
    assert entry.new_values["file_name"] == "p.jpg"
    history = login(manager).get(f"/audit/?object_type=action_item&object_id={item.id}")
    assert history.status_code == 200 and "Photo or file" in history.text and "p.jpg" in history.text


# --- what is accepted ----------------------------------------------------------------------------

def _file(content: bytes, name: str, kind: str = "application/octet-stream"):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(content), filename=name, content_type=kind)


@pytest.mark.parametrize("content, name, kind, message", [
    (b"just some text\n", "photo.jpg", "image/jpeg", "“photo” is not a photo"),
    (b"hello", "photo.txt", "image/png", "“photo” is not a photo"),
    (b"\xff\xd8\xff\xe0 broken", "broken.jpg", "image/jpeg", "could not be read as a photo"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe", "application/octet-stream", "cannot be attached"),
    (b"GIF89a\x01\x00\x01\x00", "anim.gif", "image/gif", "is not a photo"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg", "image/svg+xml",
     "is not a photo"),
    (b"PK\x03\x04 not really a zip", "sheet.xlsx", "application/zip", "cannot be attached"),
    (b"", "empty.pdf", "application/pdf", "is empty"),
    (b"text with a NUL \x00 inside", "notes.txt", "text/plain", "cannot be attached"),
])
def test_wrong_types_are_refused_with_a_clear_message(login, staff, make_item, content, name, kind, message):
    item = make_item(staff)
    before = blobs()
    response = upload(login(staff), item, (content, name, kind), htmx=True)
    assert response.status_code == 422 and message in response.text, response.text
    assert stored(item) == [] and blobs() == before


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.jpg", "passwd.jpg"), ("..\\..\\boot.ini.jpg", "boot.ini.jpg"),
    ("a\x00b.jpg", "ab.jpg"), ("\u202egpj.exe", "gpj.jpg"), ("...hidden.jpg", "hidden.jpg"),
    ("report.pdf", "report.jpg"), ("../", "file.jpg"), ("x" * 300 + ".jpg", "x" * 100 + ".jpg"),
    ("发动机异响 照片.JPEG", "发动机异响 照片.jpg"),
])
def test_hostile_names_are_cleaned_and_never_make_the_key(staff, make_item, name, expected):
    item = make_item(staff)
    photo = services.attach("action_item", item, _file(jpeg(), name, "image/jpeg"), staff)
    db.session.commit()
    assert photo.file_name == expected
    assert re.fullmatch(rf"{item.store_id}/[0-9a-f]{{32}}\.jpg", photo.storage_key)
    assert re.fullmatch(rf"{item.store_id}/[0-9a-f]{{32}}\.jpg", photo.thumbnail_key)


def test_a_text_file_a_pdf_and_office_files_are_accepted_by_content(staff, make_item):
    item = make_item(staff)
    text = services.attach("action_item", item, _file("检查结果：正常\n".encode("gb18030"), "结果"), staff)
    sheet_like = services.attach("action_item", item, _file(docx(), "minutes.bin"), staff)
    db.session.commit()
    assert (text.content_type, text.file_name) == ("text/plain; charset=utf-8", "结果.txt")
    assert current_storage().get(text.storage_key).decode("utf-8") == "检查结果：正常\n"
    assert sheet_like.file_name == "minutes.docx" and sheet_like.kind == "file" and sheet_like.thumbnail_key is None


def test_a_file_over_the_cap_is_refused(app, login, staff, make_item):
    item = make_item(staff)
    app.config["ATTACHMENT_MAX_BYTES"] = 100_000
    try:
        response = upload(login(staff), item, (b"%PDF-" + b"0" * 100_000, "big.pdf", "application/pdf"), htmx=True)
        assert response.status_code == 422 and "“big” is larger than 97.7 KB" in response.text
        # A request beyond what any upload may hold is refused before it is read.
        huge = upload(login(staff), item, (b"%PDF-" + b"0" * 900_000, "huge.pdf", "application/pdf"))
        assert huge.status_code == 413 and "The files are larger than 744.3 KB together" in huge.text
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = 10 * 1024 * 1024
    assert stored(item) == []


def test_the_count_per_item_is_capped_and_a_batch_is_all_or_nothing(app, login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    app.config["ATTACHMENT_MAX_PER_OBJECT"] = 3
    try:
        before = blobs()
        response = upload(c, item, (png(), "1.png", "image/png"), (png(), "2.png", "image/png"),
                          (b"not an image", "3.png", "image/png"), htmx=True)
        assert response.status_code == 422 and stored(item) == [] and blobs() == before
        assert upload(c, item, *[(png(), f"{n}.png", "image/png") for n in range(3)]).status_code == 302
        response = upload(c, item, (png(), "4.png", "image/png"), htmx=True)
        assert response.status_code == 422 and "At most 3 photos and files" in response.text
    finally:
        app.config["ATTACHMENT_MAX_PER_OBJECT"] = 20
    assert len(stored(item)) == 3
    assert upload(c, item, htmx=True).status_code == 422  # nothing chosen


def test_an_image_bomb_is_refused_before_it_is_decoded(login, staff, make_item):
    item = make_item(staff)
    # 20000 × 20000 pixels of one colour: a few hundred KB as PNG, 1.2 GB once decoded.
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, "PNG")
    response = upload(login(staff), item, (bomb.getvalue(), "bomb.png", "image/png"), htmx=True)
    assert response.status_code == 422 and "more than 50 megapixels" in response.text
    assert stored(item) == []


# --- photos ---------------------------------------------------------------------------------------

def test_photos_lose_their_location_and_keep_their_pixels(staff, make_item):
    item = make_item(staff)
    original = jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo has a location
    photo = services.attach("action_item", item, _file(original, "gps.jpg", "image/jpeg"), staff)
    db.session.commit()
    data = current_storage().get(photo.storage_key)
    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {} and "exif" not in image.info and "xmp" not in image.info
    assert b"Exif" not in data and b"PhoneMaker" not in data
    assert image.getpixel((10, 10))[0] > 200  # still red
    thumbnail = current_storage().get(photo.thumbnail_key)
    assert b"Exif" not in thumbnail and Image.open(io.BytesIO(thumbnail)).size == (320, 240)


@pytest.mark.parametrize("fmt, content_type", [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_lose_their_metadata_too(staff, make_item, fmt, content_type):
    item = make_item(staff)
    photo = services.attach("action_item", item, _file(jpeg(fmt=fmt), "x", content_type), staff)
    db.session.commit()
    data = current_storage().get(photo.storage_key)
    assert photo.content_type == content_type and b"PhoneMaker" not in data
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}


def test_large_photos_are_shrunk_and_turned_upright(staff, make_item):
    item = make_item(staff)
    # Stored sideways (landscape pixels) with orientation 6: the camera was held upright.
    photo = services.attach("action_item", item, _file(jpeg((4000, 3000), orientation=6), "big.jpg"), staff)
    db.session.commit()
    assert (photo.width, photo.height) == (1536, 2048)
    image = Image.open(io.BytesIO(current_storage().get(photo.storage_key)))
    assert image.size == (1536, 2048) and 0x0112 not in image.getexif()
    assert Image.open(io.BytesIO(current_storage().get(photo.thumbnail_key))).size == (240, 320)


def test_a_transparent_png_gets_a_white_thumbnail(staff, make_item):
    item = make_item(staff)
    photo = services.attach("action_item", item, _file(png((400, 400)), "logo.png"), staff)
    db.session.commit()
    assert photo.content_type == "image/png"
    thumb = Image.open(io.BytesIO(current_storage().get(photo.thumbnail_key)))
    assert thumb.mode == "RGB" and thumb.size == (320, 320)


# --- services -----------------------------------------------------------------------------------

def test_a_refused_attach_leaves_no_blob_behind(staff, make_item):
    item = make_item(staff)
    before = blobs()
    with pytest.raises(RuleViolation):
        services.attach_all("action_item", item, [_file(jpeg(), "ok.jpg"), _file(b"nope", "bad.jpg")], staff)
    db.session.rollback()
    services.attach("action_item", item, _file(jpeg(), "later.jpg"), staff)
    assert len(blobs() - before) == 2
    db.session.rollback()  # the caller's transaction fails after the blobs were written
    assert blobs() == before and stored(item) == []


def test_attachments_of_many_owners_in_one_query(staff, make_item, count_queries):
    items = [make_item(staff, title=f"Item {n}") for n in range(4)]
    for item in items[:3]:
        services.attach("action_item", item, _file(png(), "a.png"), staff)
    services.attach("action_item", items[0], _file(png(), "b.png"), staff)
    db.session.commit()
    ids = [i.id for i in items]
    db.session.expire_all()
    with count_queries() as n:
        found = services.attachments_of("action_item", ids)
        names = {owner: [a.file_name for a in rows] for owner, rows in found.items()}
        uploaders = {a.uploaded_by.display_name for rows in found.values() for a in rows}
    assert n() == 1
    assert names == {items[0].id: ["a.png", "b.png"], items[1].id: ["a.png"], items[2].id: ["a.png"], items[3].id: []}
    assert uploaders == {staff.display_name}
    assert services.counts_of("action_item", [i.id for i in items]) == {
        items[0].id: 2, items[1].id: 1, items[2].id: 1, items[3].id: 0}


def test_attaching_checks_the_owners_rule(make_user, make_store, staff, make_item):
    from werkzeug.exceptions import Forbidden

    item = make_item(staff)
    stranger = make_user(STAFF, make_store("S2"))
    with pytest.raises(Forbidden):
        services.attach("action_item", item, _file(png(), "a.png"), stranger)
    with pytest.raises(LookupError):
        services.attach("nothing_registered", item, _file(png(), "a.png"), staff)


def test_deleting_an_owner_can_take_its_attachments(staff, make_item):
    item = make_item(staff)
    services.attach("action_item", item, _file(png(), "a.png"), staff)
    db.session.commit()
    keys = {a.storage_key for a in stored(item)}
    assert services.delete_all_of("action_item", item.id) == 1
    db.session.delete(db.session.get(ActionItem, item.id))
    db.session.commit()
    assert not keys & blobs()


def test_a_file_above_the_app_wide_body_limit_but_within_the_cap_is_accepted(app, login, staff, make_item):
    """MAX_CONTENT_LENGTH (8 MB) holds for every other request; an upload may carry a 9 MB file."""
    item = make_item(staff)
    assert app.config["MAX_CONTENT_LENGTH"] < 9 * 1024 * 1024 < app.config["ATTACHMENT_MAX_BYTES"]
    response = upload(login(staff), item, (b"%PDF-1.7\n" + b"0" * (9 * 1024 * 1024), "manual.pdf", "application/pdf"))
    assert response.status_code == 302
    (document,) = stored(item)
    assert document.size > 9 * 1024 * 1024 and document.file_name == "manual.pdf"


def test_an_upload_without_the_csrf_token_is_refused(login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    response = c.post(f"/files/action_item/{item.id}", data={"file": (io.BytesIO(png()), "a.png")},
                      content_type="multipart/form-data", csrf=False)
    assert response.status_code == 400 and stored(item) == []
    photo = services.attach("action_item", item, _file(png(), "a.png"), staff)
    db.session.commit()
    assert c.post(f"/files/{photo.id}/delete", csrf=False).status_code == 400
    assert len(stored(item)) == 1


def test_cards_show_how_many_files_an_item_has_without_a_query_each(login, staff, make_item, count_queries):
    items = [make_item(staff, title=f"Item {n}") for n in range(3)]
    c = login(staff)
    c.get("/actions/mine")
    with count_queries() as n:
        c.get("/actions/mine")
    without = n()
    services.attach("action_item", items[0], _file(png(), "a.png"), staff)
    services.attach("action_item", items[0], _file(png(), "b.png"), staff)
    services.attach("action_item", items[1], _file(png(), "c.png"), staff)
    db.session.commit()
    with count_queries() as n:
        page = c.get("/actions/mine").text
    assert n() == without
    assert f'href="/actions/{items[0].id}#attachments-action_item-{items[0].id}">2</a>' in page
    assert f'href="/actions/{items[1].id}#attachments-action_item-{items[1].id}">1</a>' in page
    card = c.post(f"/actions/{items[0].id}/progress", data={"status": "in_progress", "version": 1}, htmx=True).text
    assert f"#attachments-action_item-{items[0].id}\">2</a>" in card


def test_heic_without_a_plugin_asks_for_jpeg_and_avif_is_kept_as_jpeg(login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    if "HEIF" not in Image.OPEN:
        response = upload(c, item, (heic, "IMG_0001.HEIC", "image/heic"), htmx=True)
        assert response.status_code == 422 and "HEIC/HEIF photo" in response.text and "JPEG" in response.text
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, "AVIF")
    assert upload(c, item, (out.getvalue(), "photo.avif", "image/avif")).status_code == 302
    (photo,) = stored(item)
    assert (photo.content_type, photo.file_name) == ("image/jpeg", "photo.jpg")
    assert Image.open(io.BytesIO(current_storage().get(photo.storage_key))).format == "JPEG"


def test_a_refusal_without_javascript_is_a_page_with_the_form_again(login, staff, make_item):
    item = make_item(staff)
    response = upload(login(staff), item, (b"plain text", "photo.jpg", "image/jpeg"))
    assert response.status_code == 422 and response.text.count("<h1>") == 1
    assert "“photo” is not a photo" in response.text and 'enctype="multipart/form-data"' in response.text
    assert f'href="/actions/{item.id}"' in response.text  # the way back to the item


def test_the_demo_has_photos_and_a_file_on_action_items(app, login):
    from app.auth.models import User

    assert "Loaded the demo data." in app.test_cli_runner().invoke(args=["demo"]).output
    rows = db.session.scalars(db.select(Attachment).order_by(Attachment.id)).all()
    assert [(a.kind, a.file_name) for a in rows] == [
        ("image", "洗车区现状.jpg"), ("image", "排队车辆.jpg"), ("file", "返修车型清单.txt")]
    assert all(current_storage().exists(a.storage_key) for a in rows)
    manager = db.session.scalar(db.select(User).where(User.username == "manager"))
    c = demo_login(app, manager.username)
    page = c.get(f"/actions/{rows[0].owner_id}").text
    assert f"/files/{rows[0].id}/thumbnail" in page and f"/files/{rows[1].id}/thumbnail" in page


def demo_login(app, username):
    from app.demo import DEMO_PASSWORD

    from .conftest import Browserish

    c = Browserish(app.test_client())
    assert c.login(username, DEMO_PASSWORD).status_code == 302
    return c


def test_thumbnails_for_a_list_row(app, staff, make_item):
    from flask import render_template_string

    item = make_item(staff)
    for n in range(4):
        services.attach("action_item", item, _file(png(), f"{n}.png"), staff)
    services.attach("action_item", item, _file(b"%PDF-1.4", "a.pdf"), staff)
    db.session.commit()
    files = services.attachments_of("action_item", [item.id])
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        html = render_template_string("{{ attachment_thumbs(files[id]) }}|{{ attachment_thumbs([]) }}|",
                                      files=files, id=item.id)
    assert html.count("<img") == 3 and "+1" in html and "1 file" in html and html.endswith("||")
