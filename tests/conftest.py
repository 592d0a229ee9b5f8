"""Shared fixtures: the reference agenda; chained like Flask's tutorial, clock -> app -> client, socket clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runofshow.agenda.model import Event
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.importers import load_agenda
from runofshow.live.clocks import FakeClock

# The browser tests' fixtures (headless Chromium, pages that fail on script errors) live with their helpers.
pytest_plugins = ("tests.support.browser",)

OSLO = ZoneInfo("Europe/Oslo")
# The project's shared folder (design card, agendas, format examples), beside the checkout unless set.
SHARED = Path(os.environ.get("RUNOFSHOW_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")


@pytest.fixture(scope="session")
def reference() -> Event:
    """The built-in reference agenda, imported once (an Event is immutable)."""
    return load_agenda(REFERENCE_AGENDA)


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 08:30 on the reference day, Oslo time."""
    return FakeClock(datetime(2024, 5, 6, 8, 30, tzinfo=OSLO))


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock):  # type: ignore[no-untyped-def]
    """An app on a fresh SQLite store holding the reference agenda, with the fake clock; no scheduler."""
    from runofshow.web import create_app

    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}",
            "SCHEDULER": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
        },
        clock=clock,
    )
    yield application
    from runofshow.web import service_of

    service_of(application).store.close()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A test HTTP client."""
    return app.test_client()


@pytest.fixture
def moderator(client):  # type: ignore[no-untyped-def]
    """The test client signed in as moderator."""
    with client.session_transaction() as session:
        session["role"] = "moderator"
    return client


@pytest.fixture
def token_for(app) -> Callable[[str], str]:  # type: ignore[no-untyped-def]
    """Create a bearer token for a role."""
    from runofshow.web import service_of
    from runofshow.web.auth import Role, create_token

    def make(role: str) -> str:
        return create_token(service_of(app).store, Role(role), f"test-{role}")

    return make


@pytest.fixture
def socket_client(app, token_for) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """Make Flask-SocketIO test clients, optionally authenticated as a role; all closed afterwards."""
    from runofshow.web import socketio

    made = []

    def make(role: str | None = None):  # type: ignore[no-untyped-def]
        auth = {"token": token_for(role)} if role else None
        connected = socketio.test_client(app, auth=auth)
        made.append(connected)
        return connected

    yield make
    for connected in made:
        if connected.is_connected():
            connected.disconnect()
