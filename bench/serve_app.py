"""The app as gunicorn serves it, plus the yardstick of bench/serve_ratio.py: a bare page that reads 50
rows with Flask-SQLAlchemy and renders them in a Jinja table, no login, no base template. Only the
benchmark starts this module (gunicorn --chdir bench serve_app:app); production never has the route."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template_string  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.extensions import db  # noqa: E402

TABLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>50 rows</title></head><body>
<h1>50 rows</h1><table><thead><tr><th>id</th><th>user name</th><th>name</th><th>role</th></tr></thead><tbody>
{% for u in users %}<tr><td>{{ u.id }}</td><td>{{ u.username }}</td><td>{{ u.display_name }}</td><td>{{ u.role }}</td></tr>
{% endfor %}</tbody></table></body></html>"""

app = create_app()


@app.get("/bench/table")
def bare_table():
    users = db.session.scalars(select(User).order_by(User.id).limit(50)).all()
    return render_template_string(TABLE, users=users)
