"""Configuration read from the environment; a testing subclass for the suite."""
import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/ (never committed)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    if not os.environ.get("DATABASE_URL"):
        INSTANCE_DIR.mkdir(exist_ok=True)
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'pitwall.db'}")
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = None  # filled in by create_app, so importing this module writes nothing
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A meeting page stays open for hours: the CSRF token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    # Catalogues live in app/translations; Babel names Simplified Chinese zh_Hans_CN.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("PITWALL_TIMEZONE", "Asia/Shanghai")
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Shared counters need Redis when several app processes run (RATELIMIT_STORAGE_URI=redis://...).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    PER_PAGE = 20
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # uploads (KPI spreadsheets) and API batches
    PASSWORD_HASH_METHOD = "scrypt"
    # `flask backup` and the copy taken before `flask db upgrade` changes a SQLite database.
    BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or INSTANCE_DIR / "backups")

    @classmethod
    def load(cls) -> dict:
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        values["SECRET_KEY"] = values["SECRET_KEY"] or _secret_key()
        values["SQLALCHEMY_DATABASE_URI"] = values["SQLALCHEMY_DATABASE_URI"] or _database_url()
        return values


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    LOGIN_RATE_LIMIT = "10000 per minute"  # the limiter stays on; one test lowers this
    PER_PAGE = 5
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast for tests only; never in production
