"""Configuration: defaults here, overridden from the environment; a testing subclass for the suite.

Every setting can be set as PITWALL_<NAME> (Flask's `from_prefixed_env`: the value is read as JSON
when it parses, so `PITWALL_PER_PAGE=50` is a number and `PITWALL_SESSION_COOKIE_SECURE=true` a
boolean; anything else stays text). The names the README documents keep working beside them.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


# The documented variables (README, Configuration): the settings each one fills, and how it is read.
DOCUMENTED = {
    "DATABASE_URL": (("SQLALCHEMY_DATABASE_URI",), str),
    "SECRET_KEY": (("SECRET_KEY",), str),
    "RATELIMIT_STORAGE_URI": (("RATELIMIT_STORAGE_URI",), str),
    "LOGIN_RATE_LIMIT": (("LOGIN_RATE_LIMIT",), str),
    "PITWALL_TIMEZONE": (("BABEL_DEFAULT_TIMEZONE",), str),
    # One switch for both login cookies, so they can't be set differently.
    "SECURE_COOKIES": (("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"), _flag),
    "TRUSTED_PROXIES": (("TRUSTED_PROXIES",), int),
    "LOG_FORMAT": (("LOG_FORMAT",), str),
    # E-mail (README, "Notifications"): without MAIL_SERVER, mail is written to the log.
    "MAIL_SERVER": (("MAIL_SERVER",), str),
    "MAIL_PORT": (("MAIL_PORT",), int),
    "MAIL_USERNAME": (("MAIL_USERNAME",), str),
    "MAIL_PASSWORD": (("MAIL_PASSWORD",), str),
    "MAIL_USE_TLS": (("MAIL_USE_TLS",), _flag),
    "MAIL_DEFAULT_SENDER": (("MAIL_DEFAULT_SENDER",), str),
    "BASE_URL": (("BASE_URL",), str),
}


def _secret_key() -> str:
    """One generated once into instance/ (never committed), for when no SECRET_KEY is set."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(url: str | None) -> str:
    if not url:
        INSTANCE_DIR.mkdir(exist_ok=True)
        url = f"sqlite:///{INSTANCE_DIR / 'pitwall.db'}"
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
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"  # where "today" and "overdue" are reckoned
    # Logins (README, "Sessions"): each ends at logout, after SESSION_IDLE_MINUTES without a request,
    # or PERMANENT_SESSION_LIFETIME after it began; "keep me logged in" lasts REMEMBER_COOKIE_DURATION.
    SESSION_IDLE_MINUTES = 12 * 60
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Served over HTTPS (production): the login cookies are never sent over plain HTTP.
    SESSION_COOKIE_SECURE = REMEMBER_COOKIE_SECURE = False  # SECURE_COOKIES=1 turns both on
    # Reverse proxies in front of the app (nginx alone: 1) whose X-Forwarded-For/-Proto are believed.
    TRUSTED_PROXIES = 0
    LOG_FORMAT = "text"  # "json": one JSON object per line
    # Shared counters need Redis when several app processes run (RATELIMIT_STORAGE_URI=redis://...).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    API_RATE_LIMIT = "120 per minute"  # per token
    API_PAGE_SIZE = 10_000  # values per GET page
    PER_PAGE = 20
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # uploads (KPI spreadsheets) and API batches
    # KPI spreadsheet imports (README, "Importing KPI values"): a file beyond these is refused whole.
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    IMPORT_MAX_UNZIPPED_BYTES = 20 * 1024 * 1024  # an .xlsx once unpacked (a zip bomb stops here)
    IMPORT_MAX_CELLS = 100_000  # in an .xlsx, empty ones too: parsing costs time and memory per cell
    IMPORT_MAX_ROWS = 10_000  # rows below the header; blank ones are skipped, yet they count
    IMPORT_MAX_COLUMNS = 50
    PASSWORD_HASH_METHOD = "scrypt"
    # E-mail over SMTP (`flask notify` sends it); no MAIL_SERVER: each message is written to the log.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_DEFAULT_SENDER = "Pitwall <pitwall@localhost>"
    MAIL_TIMEOUT = 30  # seconds per SMTP conversation
    # The site's address as people reach it: links in e-mails and chat messages start with it.
    BASE_URL = "http://127.0.0.1:5000"
    # Reminders and digests go out at the first `flask notify` from this local hour on (PITWALL_TIMEZONE).
    NOTIFY_DAILY_HOUR = 7
    NOTIFY_BATCH = 50  # messages one `flask notify` claims at a time (others may take the rest meanwhile)
    # `flask backup` and the copy taken before `flask db upgrade` changes a SQLite database.
    BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or INSTANCE_DIR / "backups")

    @classmethod
    def apply(cls, settings) -> None:
        """Fill the app's settings: these defaults, the documented variables, then PITWALL_<NAME>."""
        settings.from_object(cls)
        for variable, (names, read) in DOCUMENTED.items():
            if os.environ.get(variable):
                for name in names:
                    settings[name] = read(os.environ[variable])
        settings.from_prefixed_env("PITWALL")
        settings.pop("TIMEZONE", None)  # PITWALL_TIMEZONE, read above as BABEL_DEFAULT_TIMEZONE
        settings["SECRET_KEY"] = settings["SECRET_KEY"] or _secret_key()
        settings["SQLALCHEMY_DATABASE_URI"] = _database_url(settings["SQLALCHEMY_DATABASE_URI"])


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    LOGIN_RATE_LIMIT = "10000 per minute"  # the limiter stays on; one test lowers this
    PER_PAGE = 5
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast for tests only; never in production
    BASE_URL = "http://pitwall.test"
    MAIL_TIMEOUT = 5

    @classmethod
    def apply(cls, settings) -> None:
        settings.from_object(cls)  # the suite ignores the environment, but for TEST_DATABASE_URL
