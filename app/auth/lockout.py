"""The login lockout: failed logins counted per username and client address (behind the trusted
proxies, the forwarded one) in the rate limiter's storage, so one person mistyping, or someone
guessing one name, never locks out the rest of a workshop behind the same NAT. Successful logins
are not counted. LOGIN_RATE_LIMIT ("10 per minute") is how many failures lock, and for how long."""
import math
import time

from flask import current_app, request
from limits import parse

from ..extensions import limiter


def _key(username: str) -> tuple[str, str, str]:
    return "login-failures", username.strip().lower(), request.remote_addr or "-"


def minutes_locked(username: str) -> int:
    """0 when this username may try from this address; else the minutes until it may again.
    With the rate limiter switched off (RATELIMIT_ENABLED false, e.g. the benchmark) nothing locks."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return 0
    limit = parse(current_app.config["LOGIN_RATE_LIMIT"])
    if limiter.limiter.test(limit, *_key(username)):
        return 0
    reset_at = limiter.limiter.get_window_stats(limit, *_key(username)).reset_time
    return max(1, math.ceil((reset_at - time.time()) / 60))


def count_failure(username: str) -> None:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    limiter.limiter.hit(parse(current_app.config["LOGIN_RATE_LIMIT"]), *_key(username))
