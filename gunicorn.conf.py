"""gunicorn's settings, read when it starts in this folder (`make serve`).

Workers are separate processes: with in-memory rate-limit counters each would count alone, and the
login limit would be multiplied by the number of workers. So more than one worker (--workers,
WEB_CONCURRENCY or this file) needs shared counters in Redis, or gunicorn refuses to start.
"""
from flask import Config as Settings

from app.config import Config


def on_starting(server):
    settings = Settings(root_path=".")
    Config.apply(settings)  # the environment as the app will read it
    storage = settings["RATELIMIT_STORAGE_URI"]
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        # gunicorn prints a RuntimeError raised here as "Error: ..." and exits with status 1.
        raise RuntimeError(
            f"{server.cfg.workers} workers would each keep their own rate-limit counters "
            f"(RATELIMIT_STORAGE_URI={storage}). Set RATELIMIT_STORAGE_URI=redis://HOST:6379, "
            "or run a single worker (--workers 1).")
