"""The application factory."""
from flask import Flask, has_request_context, request

from . import database, request_log, security
from .common import IdConverter, refuse_unreadable_query
from .config import Config
from .extensions import babel, csrf, db, htmx, limiter, login_manager, migrate


def create_app(config: type[Config] = Config) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    config.apply(app.config)
    request_log.init_app(app)  # first, so its clock starts before any other hook runs
    security.init_app(app)

    db.init_app(app)
    database.init_app(app)
    _import_models()
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _fast_gettext()
    _configure_login(app)
    _start_audit_trail(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_errors(app)
    _register_cli(app)

    app.before_request(refuse_unreadable_query)

    @app.after_request
    def vary_on_htmx(response):
        # A fragment and a full page come from one URL: caches must tell them apart.
        response.vary.add("HX-Request")
        return response

    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _import_models() -> None:
    """Every feature's models, so the metadata (and Alembic) knows all tables."""
    from .actions import models as _actions  # noqa: F401
    from .api import models as _api  # noqa: F401
    from .attachments import models as _attachments  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .cases import models as _cases  # noqa: F401
    from .coaching import models as _coaching  # noqa: F401
    from .goals import models as _goals  # noqa: F401
    from .kpis import models as _kpis  # noqa: F401
    from .meetings import models as _meetings  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .notifications import robots as _robots  # noqa: F401
    from .problems import models as _problems  # noqa: F401
    from .reports import models as _reports  # noqa: F401
    from .reviews import models as _reviews  # noqa: F401


def _select_locale():
    if not has_request_context():  # the CLI (flask demo) writes texts in the default, Chinese
        return None
    chosen = request.cookies.get("lang")
    if chosen in ("zh_CN", "en"):
        return chosen
    # People get Chinese unless their browser prefers English; API clients get English by default.
    default = "en" if request.path.startswith("/api/") else "zh_CN"
    return request.accept_languages.best_match(["zh_CN", "en"], default=default)


def _configure_login(app: Flask) -> None:
    from .auth.services import load_session

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    # The id in the cookies is a login's token (auth.services), not the user's id.
    login_manager.user_loader(load_session)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for
        from flask_babel import gettext as _

        login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
        if htmx:
            # Never swap a login form into a widget: send the whole page to the login.
            return "", 401, {"HX-Redirect": login_url}
        flash(_("Please log in to open this page."), "info")
        return redirect(login_url)


def _start_audit_trail(app: Flask) -> None:
    from .audit import events, services

    services.init_app(app)
    events.connect()


def _fast_gettext() -> None:
    """Pages call gettext hundreds of times (templates, lazy labels); Flask-Babel finds the request's
    translations anew each time (~25 µs: several context look-ups and the locale's name). This domain
    keeps them per request beside Flask-Babel's own locale, and looks again when that locale object
    changes (force_locale, refresh)."""
    from flask import g
    from flask_babel import Domain

    class RequestDomain(Domain):
        def get_translations(self):
            ctx = g.get("_flask_babel") if g else None
            locale = getattr(ctx, "babel_locale", None)
            memo = getattr(ctx, "pitwall_translations", None)
            if memo is not None and locale is not None and memo[0] is locale and memo[1] is self:
                return memo[2]
            found = super().get_translations()
            ctx = g.get("_flask_babel") if g else None
            # Kept only beside a locale object to compare with: should Flask-Babel stop keeping one
            # there, every call asks Flask-Babel again (slower, never a wrong language).
            if (locale := getattr(ctx, "babel_locale", None)) is not None:
                ctx.pitwall_translations = (locale, self, found)
            return found

    if type(babel.__dict__.get("domain_instance")).__name__ != "RequestDomain":  # once per process
        babel.__dict__["domain_instance"] = RequestDomain()  # Babel.domain_instance is a cached_property


def _register_blueprints(app: Flask) -> None:
    from .actions.routes import bp as actions_bp
    from .api.routes import bp as api_bp
    from .attachments.routes import bp as attachments_bp
    from .audit.routes import bp as audit_bp
    from .auth.routes import bp as auth_bp
    from .cases.routes import bp as cases_bp
    from .coaching.routes import bp as coaching_bp
    from .dashboard.routes import bp as dashboard_bp
    from .goals.routes import bp as goals_bp
    from .kpis.routes import bp as kpis_bp
    from .main.routes import bp as main_bp
    from .meetings.feed_routes import bp as calendar_feed_bp
    from .meetings.routes import bp as meetings_bp
    from .notifications.robot_routes import bp as robots_bp
    from .notifications.routes import bp as notifications_bp
    from .people.account_routes import bp as account_bp
    from .people.routes import bp as people_bp
    from .people.store_routes import bp as stores_bp
    from .problems.routes import bp as problems_bp
    from .reports.routes import bp as reports_bp
    from .reviews.routes import bp as reviews_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(people_bp, url_prefix="/people")
    app.register_blueprint(stores_bp, url_prefix="/stores")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(meetings_bp, url_prefix="/meetings")
    app.register_blueprint(actions_bp, url_prefix="/actions")
    app.register_blueprint(kpis_bp, url_prefix="/kpis")
    app.register_blueprint(goals_bp, url_prefix="/goals")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(reviews_bp, url_prefix="/reviews")
    app.register_blueprint(problems_bp, url_prefix="/problems")
    app.register_blueprint(cases_bp, url_prefix="/cases")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(coaching_bp, url_prefix="/coaching")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(attachments_bp, url_prefix="/files")
    app.register_blueprint(robots_bp, url_prefix="/chat-robots")
    app.register_blueprint(calendar_feed_bp, url_prefix="/calendar")  # no login: the token is the key
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    # The JSON API (/api/v1/...) and the admin pages for its tokens (/admin/api-tokens).
    app.register_blueprint(api_bp)


def _register_template_helpers(app: Flask) -> None:
    from . import formatting

    formatting.init_app(app)


def _register_errors(app: Flask) -> None:
    from .errors import register

    register(app)


def _register_cli(app: Flask) -> None:
    from .cli import register

    register(app)
