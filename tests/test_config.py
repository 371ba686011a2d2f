"""Configuration from the environment: every setting as PITWALL_<NAME>, and the documented names."""
import pytest
from flask import Config as Settings

from app.config import Config, TestingConfig

DOCUMENTED = ["DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URI", "LOGIN_RATE_LIMIT", "PITWALL_TIMEZONE"]


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A clean environment (no PITWALL_ or documented variable from the machine), set per test."""
    import os

    for name in list(os.environ):
        if name.startswith("PITWALL_") or name in DOCUMENTED:
            monkeypatch.delenv(name)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")

    def settings(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        loaded = Settings(str(tmp_path))
        Config.apply(loaded)
        return loaded
    return settings


def test_any_setting_from_pitwall_prefixed_variables_read_as_json(environment):
    settings = environment(PITWALL_PER_PAGE="50", PITWALL_SESSION_COOKIE_SECURE="true",
                           PITWALL_API_RATE_LIMIT="5 per minute", PITWALL_API_PAGE_SIZE="200",
                           PITWALL_REMEMBER_COOKIE_DURATION="3600")
    assert settings["PER_PAGE"] == 50
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["API_RATE_LIMIT"] == "5 per minute"
    assert settings["API_PAGE_SIZE"] == 200
    assert settings["REMEMBER_COOKIE_DURATION"] == 3600


def test_defaults_without_variables(environment):
    settings = environment()
    assert settings["PER_PAGE"] == Config.PER_PAGE
    assert settings["LOGIN_RATE_LIMIT"] == "10 per minute"
    assert settings["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"


def test_documented_names_keep_working_as_plain_text(environment):
    settings = environment(DATABASE_URL="postgres://pit@db.internal/pitwall", SECRET_KEY="12345",
                           RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", LOGIN_RATE_LIMIT="5 per minute",
                           PITWALL_TIMEZONE="Europe/Berlin")
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://pit@db.internal/pitwall"
    assert settings["SECRET_KEY"] == "12345"  # text, not the number JSON would make of it
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    assert settings["LOGIN_RATE_LIMIT"] == "5 per minute"
    assert settings["BABEL_DEFAULT_TIMEZONE"] == "Europe/Berlin"
    assert "TIMEZONE" not in settings


def test_prefixed_name_wins_over_the_documented_one(environment):
    settings = environment(LOGIN_RATE_LIMIT="5 per minute", PITWALL_LOGIN_RATE_LIMIT="7 per minute",
                           PITWALL_BABEL_DEFAULT_TIMEZONE="UTC")
    assert settings["LOGIN_RATE_LIMIT"] == "7 per minute"
    assert settings["BABEL_DEFAULT_TIMEZONE"] == "UTC"


def test_the_suite_ignores_the_environment(environment, monkeypatch, tmp_path):
    monkeypatch.setenv("PITWALL_PER_PAGE", "50")
    loaded = Settings(str(tmp_path))
    TestingConfig.apply(loaded)
    assert loaded["PER_PAGE"] == TestingConfig.PER_PAGE
    assert loaded["SECRET_KEY"] == "testing-only"
