"""Where uploaded files live: one small interface, two backends (README, "Files and photos").

- `LocalStorage`: a folder (`STORAGE_DIR`, default `instance/files`). For one app host.
- `S3Storage`: any S3-compatible object store (AWS S3, MinIO, Alibaba OSS, Tencent COS, ...) through
  boto3 with an endpoint URL, so several app hosts share the files. Used when `S3_BUCKET` is set.

    store = current_storage()
    key = new_key("7", ".jpg")          # "7/3f2a…c1.jpg": the prefix, a random name, a suffix
    store.put(key, data, "image/jpeg")
    with store.open(key) as stream: ...  # a binary file-like object; StorageError when missing
    store.delete(key)                    # missing keys are no error

Keys are made here (`new_key`) and never from a user's file name; every backend refuses a key that
is not of that shape (`check_key`), so no key can climb out of the folder or bucket prefix. Nothing
here knows about the database: callers keep a key with their row and delete blobs they orphan.
"""
import os
import re
import secrets
import tempfile
from pathlib import Path

from flask import current_app

KEY_PATTERN = re.compile(r"[a-z0-9_-]{1,40}(/[a-z0-9_-]{1,64}){0,3}(\.[a-z0-9]{1,8})?")
SUFFIX_PATTERN = re.compile(r"(\.[a-z0-9]{1,8})?")
PREFIX_PATTERN = re.compile(r"[a-z0-9_-]{1,40}(/[a-z0-9_-]{1,40}){0,2}")


class StorageError(Exception):
    """The store could not do what was asked (missing key, store unreachable, refused key)."""


def new_key(prefix: str, suffix: str = "") -> str:
    """A fresh key: `prefix/<32 random hex digits><suffix>`, e.g. new_key("12", ".jpg")."""
    prefix, suffix = str(prefix).lower(), suffix.lower()
    if not PREFIX_PATTERN.fullmatch(prefix) or not SUFFIX_PATTERN.fullmatch(suffix):
        raise StorageError(f"unusable key prefix or suffix: {prefix!r} {suffix!r}")
    return f"{prefix}/{secrets.token_hex(16)}{suffix}"


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key) or ".." in key:
        raise StorageError(f"refused key: {key!r}")
    return key


class LocalStorage:
    """Files in a folder. Writes go to a temporary file renamed into place, so a reader never sees
    half a file."""

    def __init__(self, root):
        self.root = Path(root).resolve()

    def __repr__(self):
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise StorageError(f"refused key: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise StorageError(f"could not write {key}: {error}") from error

    def open(self, key: str):
        try:
            return self._path(key).open("rb")
        except OSError as error:
            raise StorageError(f"could not read {key}: {error}") from error

    def get(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as error:
            raise StorageError(f"could not delete {key}: {error}") from error


class S3Storage:
    """Objects in an S3-compatible bucket. `prefix` puts every key below a folder of the bucket
    (one bucket for several apps). Objects are private: the app reads them and serves them itself."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, access_key_id: str | None = None,
                 secret_access_key: str | None = None, region: str | None = None, prefix: str = "",
                 addressing_style: str = "auto"):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None, region_name=region or None,
            config=BotoConfig(s3={"addressing_style": addressing_style or "auto"}, connect_timeout=5,
                              read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}))

    def __repr__(self):
        return f"S3Storage(bucket={self.bucket!r}, endpoint={self.client.meta.endpoint_url!r})"

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)
        except Exception as error:  # noqa: BLE001 -- botocore raises many kinds
            raise StorageError(f"could not write {key}: {error}") from error

    def open(self, key: str):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except Exception as error:  # noqa: BLE001
            raise StorageError(f"could not read {key}: {error}") from error

    def get(self, key: str) -> bytes:
        stream = self.open(key)
        try:
            return stream.read()
        finally:
            stream.close()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageError(f"could not look up {key}: {error}") from error
        except Exception as error:  # noqa: BLE001
            raise StorageError(f"could not look up {key}: {error}") from error

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as error:  # noqa: BLE001
            raise StorageError(f"could not delete {key}: {error}") from error


def storage_from_config(config) -> LocalStorage | S3Storage:
    if config.get("S3_BUCKET"):
        return S3Storage(config["S3_BUCKET"], endpoint_url=config.get("S3_ENDPOINT_URL"),
                         access_key_id=config.get("S3_ACCESS_KEY_ID"),
                         secret_access_key=config.get("S3_SECRET_ACCESS_KEY"), region=config.get("S3_REGION"),
                         prefix=config.get("S3_PREFIX") or "", addressing_style=config.get("S3_ADDRESSING_STYLE"))
    return LocalStorage(config["STORAGE_DIR"])


_SETTINGS = ("STORAGE_DIR", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY",
             "S3_REGION", "S3_PREFIX", "S3_ADDRESSING_STYLE")


def current_storage() -> LocalStorage | S3Storage:
    """The app's store, made once per app from its settings (and made again if they change, as tests do)."""
    settings = tuple(str(current_app.config.get(name)) for name in _SETTINGS)
    cached = current_app.extensions.get("pitwall_storage")
    if cached is None or cached[0] != settings:
        cached = (settings, storage_from_config(current_app.config))
        current_app.extensions["pitwall_storage"] = cached
    return cached[1]
