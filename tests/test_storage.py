"""The storage layer (app/storage.py): the same cases against the local folder and against a local
S3-compatible server (moto in server mode, started by these tests on a free port, reached by boto3
through its endpoint URL as MinIO, OSS or COS would be)."""
import io
import socket

import boto3
import pytest
from PIL import Image

from app.attachments.models import Attachment
from app.extensions import db
from app.storage import LocalStorage, S3Storage, StorageError, check_key, current_storage, new_key, storage_from_config

PAGE_LANGUAGE = "en"
BUCKET = "pitwall-test"
S3_SETTINGS = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION", "S3_PREFIX",
               "S3_ADDRESSING_STYLE")


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                 region_name="us-east-1").create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def bucket_keys(endpoint) -> set[str]:
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                          region_name="us-east-1")
    return {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.fixture(params=["local", "s3"])
def backend(request, app):
    """The app's store set to the folder or the bucket for one test; the settings are put back after."""
    saved = {name: app.config.get(name) for name in S3_SETTINGS}
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_server")
        app.config.update(S3_BUCKET=BUCKET, S3_ENDPOINT_URL=endpoint, S3_ACCESS_KEY_ID="testing",
                          S3_SECRET_ACCESS_KEY="testing", S3_REGION="us-east-1", S3_PREFIX="",
                          S3_ADDRESSING_STYLE="path")
    yield request.param
    app.config.update(saved)


def test_the_setting_chooses_the_backend(backend):
    store = current_storage()
    assert isinstance(store, S3Storage if backend == "s3" else LocalStorage)
    assert current_storage() is store  # made once while the settings stay


def test_put_get_open_exists_delete(backend):
    store = current_storage()
    key = new_key("3", ".jpg")
    assert not store.exists(key)
    store.put(key, b"\xff\xd8\xffdata", "image/jpeg")
    assert store.exists(key) and store.get(key) == b"\xff\xd8\xffdata"
    stream = store.open(key)
    try:
        assert stream.read(3) == b"\xff\xd8\xff"
    finally:
        stream.close()
    store.put(key, b"replaced", "image/jpeg")
    assert store.get(key) == b"replaced"
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting what is gone is no error
    with pytest.raises(StorageError):
        store.get(key)


@pytest.mark.parametrize("key", [
    "../secret", "1/../../etc/passwd", "/etc/passwd", "1//x", "1/x/", "A/B.JPG", "", "1/x\x00.jpg", "1/x y",
    "1/" + "a" * 65, "1/a/b/c/d/e", "1/.hidden", "1/x.", "c:\\windows", "1/x.jpg/..",
])
def test_keys_that_are_not_made_here_are_refused(backend, key):
    store = current_storage()
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.delete(key),
                 lambda: store.exists(key)):
        with pytest.raises(StorageError):
            call()


def test_new_keys_are_random_and_refuse_hostile_parts():
    keys = {new_key("12", ".jpg") for _ in range(100)}
    assert len(keys) == 100 and all(check_key(k).startswith("12/") for k in keys)
    for prefix, suffix in (("../1", ""), ("1", "/../x"), ("1", ".j/pg"), ("", ".jpg"), ("a b", "")):
        with pytest.raises(StorageError):
            new_key(prefix, suffix)


def test_a_second_host_reads_what_the_first_wrote(app, backend):
    """Several app hosts share one store: another process, made from the same settings, sees the files."""
    key = new_key("1", ".txt")
    current_storage().put(key, "共享".encode(), "text/plain")
    other_host = storage_from_config(dict(app.config))
    assert other_host is not current_storage() and other_host.get(key) == "共享".encode()
    other_host.delete(key)
    assert not current_storage().exists(key)


def test_the_local_folder_stays_inside_its_root(tmp_path):
    store = LocalStorage(tmp_path / "files")
    key = new_key("7", ".pdf")
    store.put(key, b"%PDF-")
    assert (tmp_path / "files" / key).read_bytes() == b"%PDF-"
    assert [p.name for p in (tmp_path / "files" / "7").iterdir()] == [key.split("/")[1]]  # no temporary left


def test_a_bucket_prefix_keeps_the_keys_below_it(s3_server):
    store = S3Storage(BUCKET, endpoint_url=s3_server, access_key_id="testing", secret_access_key="testing",
                      region="us-east-1", prefix="/pitwall/prod/", addressing_style="path")
    key = new_key("1", ".jpg")
    store.put(key, b"x")
    assert f"pitwall/prod/{key}" in bucket_keys(s3_server) and store.get(key) == b"x"
    store.delete(key)
    assert f"pitwall/prod/{key}" not in bucket_keys(s3_server)


# --- the attachments, end to end, on each backend ---------------------------------------------------

def photo() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}
    Image.new("RGB", (3000, 1000), "green").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_an_upload_is_stored_served_and_deleted(backend, login, staff, manager, make_item, make_user, make_store):
    from app.auth.models import MANAGER

    item = make_item(staff)
    c = login(staff)
    response = c.post(f"/files/action_item/{item.id}", data={"file": (io.BytesIO(photo()), "engine.jpg")},
                      content_type="multipart/form-data", htmx=True)
    assert response.status_code == 200, response.text
    attachment = db.session.scalars(db.select(Attachment)).one()
    keys = (attachment.storage_key, attachment.thumbnail_key)
    store = current_storage()
    assert store.exists(attachment.storage_key) and store.exists(attachment.thumbnail_key)
    served = c.get(f"/files/{attachment.id}")
    assert served.status_code == 200 and served.data == store.get(attachment.storage_key)
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (2048, 683) and dict(image.getexif()) == {}
    assert Image.open(io.BytesIO(c.get(f"/files/{attachment.id}/thumbnail").data)).size == (320, 107)
    stranger = login(make_user(MANAGER, make_store("S2")))
    assert stranger.get(f"/files/{attachment.id}").status_code == 403
    assert stranger.get(f"/files/{attachment.id}/thumbnail").status_code == 403
    assert login(manager).post(f"/files/{attachment.id}/delete").status_code == 302
    assert not store.exists(keys[0]) and not store.exists(keys[1])


def test_a_refused_upload_leaves_nothing_in_the_store(backend, app, s3_server, login, staff, make_item):
    item = make_item(staff)
    before = bucket_keys(s3_server) if backend == "s3" else None
    data = {"file": [(io.BytesIO(photo()), "ok.jpg"), (io.BytesIO(b"plain text"), "fake.jpg")]}
    response = login(staff).post(f"/files/action_item/{item.id}", data=data, content_type="multipart/form-data",
                                 htmx=True)
    assert response.status_code == 422 and "“fake” is not a photo" in response.text
    assert db.session.scalars(db.select(Attachment)).all() == []
    if backend == "s3":
        assert bucket_keys(s3_server) == before


def test_a_store_that_does_not_answer_refuses_the_upload_and_saves_no_row(app, login, staff, make_item):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    saved = {name: app.config.get(name) for name in S3_SETTINGS}
    app.config.update(S3_BUCKET=BUCKET, S3_ENDPOINT_URL=f"http://127.0.0.1:{closed_port}", S3_ACCESS_KEY_ID="x",
                      S3_SECRET_ACCESS_KEY="x", S3_REGION="us-east-1", S3_ADDRESSING_STYLE="path")
    try:
        item = make_item(staff)
        response = login(staff).post(f"/files/action_item/{item.id}", data={"file": (io.BytesIO(photo()), "a.jpg")},
                                     content_type="multipart/form-data", htmx=True)
        assert response.status_code == 422 and "could not be stored just now" in response.text
        assert db.session.scalars(db.select(Attachment)).all() == []
    finally:
        app.config.update(saved)


def test_the_orphan_check_finds_blobs_without_rows_and_rows_without_blobs(backend, app, staff, make_item):
    from datetime import timedelta

    from app.attachments import services

    from .test_attachments import _file, png

    item = make_item(staff)
    kept = services.attach("action_item", item, _file(png(), "kept.png"), staff)
    lost = services.attach("action_item", item, _file(png(), "lost.png"), staff)
    db.session.commit()
    store = current_storage()
    earlier = set(services.orphans(older_than=timedelta(seconds=-5))[0])  # other tests' blobs, rows gone
    stray = new_key("1", ".jpg")
    store.put(stray, b"left by a process killed mid-upload")
    store.delete(lost.storage_key)
    unnamed, missing = services.orphans()
    assert stray not in unnamed and missing == [lost]  # the stray blob is too young to be called an orphan
    unnamed, missing = services.orphans(older_than=timedelta(seconds=-5))
    assert set(unnamed) - earlier == {stray} and missing == [lost]
    assert kept.storage_key not in unnamed
    result = app.test_cli_runner().invoke(args=["attachments", "orphans", "--delete", "--hours", "-1"])
    assert f"blob without a row: {stray}" in result.output and "row without its blob: attachment" in result.output
    assert f"deleted {len(earlier) + 1} blobs" in result.output  # other tests' leftovers too
    assert not store.exists(stray) and store.exists(kept.storage_key)
    for key in (kept.storage_key, kept.thumbnail_key, lost.thumbnail_key):
        store.delete(key)
