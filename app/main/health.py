"""What /health checks: the database, and Redis when the app is configured to use it."""
import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

TIMEOUT_SECONDS = 2  # a load balancer waits for the answer: a dead Redis must not hang it


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError as e:
        db.session.rollback()
        current_app.logger.error("Health: the database is unreachable: %s", e)
        return False


def redis_urls() -> list[str]:
    """Every Redis the app uses: the rate-limit counters' storage, and REDIS_URL if set."""
    urls = [current_app.config.get(key) or "" for key in ("RATELIMIT_STORAGE_URI", "REDIS_URL")]
    return list(dict.fromkeys(url for url in urls if url.startswith(("redis://", "rediss://"))))


def redis_ok(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
    try:
        return bool(client.ping())
    except redis.RedisError as e:
        current_app.logger.error("Health: Redis is unreachable: %s", e)
        return False
    finally:
        client.close()


def checks() -> dict[str, bool]:
    results = {"database": database_ok()}
    urls = redis_urls()
    if urls:
        results["redis"] = all([redis_ok(url) for url in urls])
    return results
