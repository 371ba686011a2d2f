"""Browser-side hardening on every response, and the client's address behind a reverse proxy."""
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import WSGIRequestHandler

# Every script and style comes from /static: an injected <script>, style= or onclick= does nothing.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'", "object-src 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

SERVER_NAME = "Pitwall"


def init_app(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # nginx passes a client's own X-Forwarded-* through unless told otherwise: trust only as many
        # hops as there are proxies (it must set X-Forwarded-For and X-Forwarded-Proto).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.after_request(_harden)
    # The development server names Werkzeug's and Python's versions in every response; gunicorn
    # sends a bare "gunicorn" (an app's own Server header would be sent beside it, not instead).
    WSGIRequestHandler.version_string = lambda handler: SERVER_NAME


def _harden(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Pages carry people's names, figures and CSRF tokens: no copy on disk or in a shared cache.
        response.cache_control.no_store = True
    return response
