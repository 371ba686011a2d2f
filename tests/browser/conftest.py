"""Real-browser tests: the app on a live server, driven by Debian's headless Chromium.

Playwright cannot download its own browsers here, so it launches /usr/bin/chromium; when that is
missing (a newcomer without root), every test in this folder is skipped with the reason shown.
"""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"  # git-ignored


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            # Under `pytest -n 2 --dist loadgroup` the browser tests share one worker (one browser,
            # one live server), while the other worker runs the rest: tests/conftest.py's scheduler
            # groups them by their path (the mark says so to a reader; pytest 9 drops its effect).
            item.add_marker(pytest.mark.xdist_group("browser"))
            if not Path(CHROMIUM).exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over HTTP on a free port; each request runs in its own app context."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def new_context(browser, live_server):
    """A fresh browser context (own cookies): `new_context("en-US", viewport=...)`; closed afterwards."""
    contexts = []

    def make(locale="en-US", **kw):
        context = browser.new_context(base_url=live_server, locale=locale, **kw)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
