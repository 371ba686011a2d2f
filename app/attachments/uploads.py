"""Forms that carry files: the request body may be larger than MAX_CONTENT_LENGTH (8 MB, for every
other request) by as much as the attachment caps allow.

    @bp.route("/problems/new", methods=["GET", "POST"])
    @accepts_files
    def new_problem(): ...   # request.files["file"] may hold a whole phone photo

Flask-WTF checks the CSRF token before any view runs, reading the body under the app-wide limit; a
view decorated here is exempt from that check and makes the same check itself once its own limit is
set. A body beyond it raises RequestEntityTooLarge (413, the error page; a blueprint may handle it).
"""
from functools import wraps

from flask import current_app, request

from ..extensions import csrf


def upload_limit() -> int:
    """The largest body an upload may have: the files at their cap, and the form around them."""
    config = current_app.config
    return config["ATTACHMENT_MAX_BYTES"] * config["ATTACHMENT_MAX_FILES_PER_UPLOAD"] + 256 * 1024


def accepts_files(view):
    @wraps(view)
    def checked(*args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            request.max_content_length = upload_limit()
            csrf.protect()
        return view(*args, **kwargs)

    return csrf.exempt(checked)
