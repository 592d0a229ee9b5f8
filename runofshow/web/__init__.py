"""The Flask application factory: settings, store, service, Socket.IO, pages and API."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, abort

from runofshow import settings
from runofshow.live.clocks import Clock, SystemClock
from runofshow.live.service import ShowService
from runofshow.live.site_clock import site_clock
from runofshow.live.store import Store, database_url
from runofshow.web.bodies import DepthLimitedJSON, SocketJSON, forms_take_form_data
from runofshow.web.extensions import csrf, socketio
from runofshow.web.origins import configured_origins, origin_check
from runofshow.web.secrets import load_or_create_secret
from runofshow.web.seeding import reference_seed

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SERVICE_KEY = "runofshow.live.service"
FANOUT_KEY = "runofshow.fanout"
SOCKETIO_PATH = "socket.io"  # the Socket.IO clients' default path


def asset_dir(name: str) -> Path:
    """`templates` or `static`: inside the installed package, or at the top of a source checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name} folder next to {PACKAGE_DIR}")


def create_app(test_config: Mapping[str, Any] | None = None, clock: Clock | None = None) -> Flask:
    """Build the app; `test_config` overrides settings, `clock` replaces the site's clock (system or rehearsal)."""
    values = settings.from_environment()
    if test_config:
        values.update({key: value for key, value in test_config.items() if key in {s.name for s in settings.SETTINGS}})
    instance_path = Path(values["INSTANCE_PATH"]).resolve()
    instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(asset_dir("templates")),
        static_folder=str(asset_dir("static")),
    )
    app.config.update(
        RUNOFSHOW=values,
        SECRET_KEY=load_or_create_secret(instance_path, values["SECRET_KEY"]),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=1024 * 1024,
        ASYNC_MODE="threading",
        SEED_REFERENCE_AGENDA=True,
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI="memory://",
    )
    if test_config:
        app.config.update({key: value for key, value in test_config.items()})
    app.json = DepthLimitedJSON(app)
    app.before_request(forms_take_form_data)

    store = Store(values["DATABASE_URL"] or database_url(instance_path))
    seed = reference_seed(store, clock or SystemClock()) if app.config["SEED_REFERENCE_AGENDA"] else None
    service = ShowService(store, clock or site_clock(store, values["REHEARSAL_SPEED"], seed))
    app.extensions[SERVICE_KEY] = service
    if seed is not None:
        service.replace_event(seed, actor="seed")

    from runofshow.web import api, auth, editor, fanout, headers, health, overview, pages, publisher, reports, setup, sockets

    csrf.init_app(app)
    # With a message queue, an emit on any node (or the scheduler process) reaches every node's screens.
    queue = publisher.QueueManager(values["MESSAGE_QUEUE"]) if values["MESSAGE_QUEUE"] else None
    socketio.server_options.pop("client_manager", None)  # one app's queue must not leak into the next app
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        client_manager=queue if queue is not None else publisher.LocalManager(),
        ping_interval=values["HEARTBEAT_SECONDS"],
        ping_timeout=values["HEARTBEAT_SECONDS"],
        # Every transport's handshake and request: the server's own host and the configured origins, no others.
        cors_allowed_origins=origin_check(configured_origins(values["ALLOWED_ORIGINS"])),
        max_http_buffer_size=64 * 1024,
        # Handlers only read who connected (at connect); no per-socket copy of the session is kept.
        manage_session=False,
        path=SOCKETIO_PATH,
        json=SocketJSON,
    )
    # init_app built a fresh server: it gets the handlers of the command table as it is now.
    sockets.register(socketio)
    headers.install(app, values["TRUST_PROXY"])
    app.extensions[FANOUT_KEY] = fanout.install(socketio.server)
    # Flask-SocketIO pushes a request context for every socket event, and that context matches the
    # Socket.IO path against the routes. A rule for the path keeps each match from raising a NotFound,
    # whose traceback cycle is left for the garbage collector (some 60 objects per event).
    for websocket in (False, True):  # the environ is the handshake's: a polling request or a WebSocket upgrade
        app.add_url_rule(f"/{SOCKETIO_PATH}/", endpoint="socketio_path", view_func=socketio_path, websocket=websocket)

    auth.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(overview.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(setup.bp)
    csrf.exempt(api.bp)
    publisher.attach(app, service, queue)
    return app


def socketio_path() -> Any:
    """The Socket.IO path, answered by Engine.IO before Flask; reached only if that ever changes."""
    abort(404)


def service_of(app: Flask) -> ShowService:
    """The show service bound to an app."""
    return app.extensions[SERVICE_KEY]


__all__ = ["create_app", "service_of", "socketio"]
