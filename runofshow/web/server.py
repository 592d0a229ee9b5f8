"""Running the live server: `runofshow serve` and the offline rehearsal `runofshow demo`."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from runofshow.agenda.model import AdvanceRule, Event
from runofshow.live.clocks import Clock, RehearsalClock, SystemClock
from runofshow.importers import load_agenda
from runofshow.importers.following import FOLLOW_MINUTES
from runofshow.integrations.obs import ObsConnection, obs_targets, run_obs_links
from runofshow.web.memory import freeze_startup_objects, trim_forever
from runofshow.agenda.placement import place_on
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.live.service import ShowService
from runofshow.live.site_clock import REHEARSAL_LEAD, site_clock
from runofshow.web import create_app, service_of, socketio
from runofshow.web.addresses import interface_addresses, reachable
from runofshow.web.auth import RECHECK_SECONDS
from runofshow.web.banner import echo_now, print_screens, serve_banner
from runofshow.web.links import screen_links
from runofshow.web.sockets import close_revoked
from runofshow.web.editor import followed_of
from runofshow.web.health import SCHEDULER_KEY
from runofshow.web.scheduling import ShowScheduler
from runofshow.web.setup import BIND_KEY, roles_without_passphrase, setup_link

ASYNC_MODES = ("gevent", "threading", "eventlet")
WATCH_SECONDS = 0.25
RESYNC_SECONDS = 0.5
# The kernel caps it at net.core.somaxconn; gevent's default of 128 overflows when a room of screens reconnects at once.
LISTEN_BACKLOG = 4096

log = logging.getLogger(__name__)


def watch_store(app: Flask, stop: Callable[[], bool]) -> None:
    """Push changes stored by other processes (a second web node, the CLI) to this node's screens."""
    _keep_doing(service_of(app).refresh, WATCH_SECONDS, stop, "store watcher: changes stored elsewhere not pushed")


def resync_screens(app: Flask, stop: Callable[[], bool]) -> None:
    """With a message queue: push to this node's screens what the queue did not bring (Redis down, a CLI change)."""
    _keep_doing(app.extensions["runofshow.publisher"].resync, RESYNC_SECONDS, stop,
                "resync: screens behind the store not caught up")


def _keep_doing(work: Callable[[], object], seconds: float, stop: Callable[[], bool], lost: str) -> None:
    """Run `work` every `seconds` until `stop()`; a failed round (a store outage) is logged with what it lost."""
    while not stop():
        try:
            work()
        except Exception:  # noqa: BLE001 - keep going through a store outage
            log.warning("%s this round", lost, exc_info=True)
        socketio.sleep(seconds)


def close_revoked_sockets(app: Flask, stop: Callable[[], bool]) -> None:
    """Close this node's sockets whose token or link was revoked (on any node) or has expired."""
    # Half the re-check interval: a credential read just before its revocation is read again within a second.
    _keep_doing(lambda: close_revoked(socketio, service_of(app)), RECHECK_SECONDS / 2, stop,
                "revocation: sockets of revoked tokens or links not closed")


def follow_address(app: Flask, stop: Callable[[], bool]) -> None:
    """Re-read the address the upload page follows every few minutes; what it says waits for a person's apply."""
    service = service_of(app)
    _keep_doing(lambda: followed_of(app).check(service.clock.now()), FOLLOW_MINUTES * 60, stop,
                "following: the followed schedule not re-read")


def start_obs_links(service: ShowService, values: Mapping[str, Any], start: Callable[..., object],
                    sleep: Callable[[float], object]) -> list[ObsConnection]:
    """One background link per configured OBS Studio, started with `start(function, *args)` (none configured: none)."""
    stage_ids = [stage.id for stage in service.event().stages] if service.has_agenda() else []
    try:
        targets = obs_targets(values, stage_ids, os.environ)
    except ValueError:
        log.exception("OBS not connected: its URL is not one")
        return []
    for target in targets:
        print(f"runofshow: following {target.describe()}", flush=True)
    return run_obs_links(service, targets, start, sleep, time.monotonic, values["LANGUAGE"])


def start_background(app: Flask) -> ShowScheduler | None:
    """Start the scheduler (if this node runs it), the store watcher or, with a queue, the resync, and the integrations
    the settings switch on (OSC, webhooks); returns the scheduler.

    The node that runs the scheduler also keeps the links to OBS Studio, so a scaled-out site has one of each.
    """
    from runofshow.integrations.running import start_integrations

    start_integrations(app)
    socketio.start_background_task(follow_address, app, lambda: False)
    socketio.start_background_task(close_revoked_sockets, app, lambda: False)
    queued = bool(app.config["RUNOFSHOW"]["MESSAGE_QUEUE"])
    if queued:
        socketio.start_background_task(resync_screens, app, lambda: False)
    if app.config["RUNOFSHOW"]["SCHEDULER"]:
        scheduler = ShowScheduler(service_of(app))
        scheduler.start()
        app.extensions[SCHEDULER_KEY] = scheduler  # /healthz reports whether it still runs
        start_obs_links(service_of(app), app.config["RUNOFSHOW"], socketio.start_background_task, socketio.sleep)
        return scheduler
    if not queued:
        socketio.start_background_task(watch_store, app, lambda: False)
    return None


def run(app: Flask, host: str, port: int) -> None:
    """Serve HTTP and WebSocket until interrupted; the scheduler shuts down cleanly."""
    socketio.start_background_task(trim_forever, socketio.sleep)
    scheduler = start_background(app)
    options = {"backlog": LISTEN_BACKLOG} if app.config["ASYNC_MODE"] == "gevent" else {}
    freeze_startup_objects()
    try:
        socketio.run(app, host=host, port=port, use_reloader=False, log_output=False,
                     allow_unsafe_werkzeug=app.config["ASYNC_MODE"] == "threading", **options)
    finally:
        if scheduler is not None:
            scheduler.shutdown()


def serve(host: str, port: int, async_mode: str, qr: bool = False) -> None:
    """The production server on the site's clock (system or rehearsal); an empty store gets the reference day.
    Prints where the crew can open it, the setup page's link (with `qr`, as a QR code too) and the screens."""
    app = create_app({"ASYNC_MODE": async_mode})
    app.config[BIND_KEY] = (host, port)
    print(f"runofshow: serving on port {port} ({async_mode})", flush=True)
    for line in banner_of(app, host, port, qr):
        echo_now(line)
    run(app, host, port)


def banner_of(app: Flask, host: str, port: int, qr: bool) -> list[str]:
    """What `serve` prints for the app bound to host and port: addresses, setup link, screens, sign-in."""
    service = service_of(app)
    where = reachable(host, port, interface_addresses())
    event = service.event() if service.has_agenda() else None
    return serve_banner(where, port, event, setup_link(app, where.urls[0][0]), roles_without_passphrase(service.store),
                        qr=qr)


def every_block_auto(event: Event) -> Event:
    """The event with every block advancing by itself, so an unattended demo keeps moving."""
    stages = tuple(
        replace(stage, blocks=tuple(replace(block, advance=AdvanceRule.AUTO) for block in stage.blocks))
        for stage in event.stages
    )
    return replace(event, stages=stages)


def demo(host: str, port: int, speed: float, async_mode: str, instance: Path | None = None,
         auto_advance: bool = True) -> None:
    """The reference day on today's date as a rehearsal at `speed`, from a fresh store; prints every screen's URL."""
    instance = instance or Path(os.environ.get("RUNOFSHOW_INSTANCE_PATH", "instance")) / "demo"
    instance.mkdir(parents=True, exist_ok=True)
    database = instance / "runofshow.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    event = load_agenda(REFERENCE_AGENDA)
    zone = ZoneInfo(event.timezone)
    today = SystemClock().now().astimezone(zone).date()
    placed = place_on(event, today)
    if auto_advance:
        placed = every_block_auto(placed)
    first = min(block.planned_start for block in placed.all_blocks())
    clock: Clock = RehearsalClock(first - REHEARSAL_LEAD, speed) if speed != 1 else SystemClock()
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": f"sqlite:///{database}",
                      "ASYNC_MODE": async_mode, "SEED_REFERENCE_AGENDA": False}, clock=clock)
    service_of(app).replace_event(placed, actor="demo", replace_running=True)
    app.config[BIND_KEY] = (host, port)
    base_url = reachable(host, port, interface_addresses()).urls[0][0]
    print(f"runofshow demo: {event.title}, rehearsal at x{speed:g} from "
          f"{clock.now().astimezone(zone):%H:%M} (show time)", flush=True)
    print_screens([*screen_links(app, base_url), ("setup page (crew lead)", setup_link(app, base_url))])
    if auto_advance:
        print("Every block advances by itself in this demo (--manual to wait for the console's Next).", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    run(app, host, port)


def queue_display(url: str) -> str:
    """A message queue URL without its credentials."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def run_scheduler(stop: Callable[[], bool]) -> None:
    """The one scheduler process of a scaled-out site: plans and fires every stage's jobs, pushes through the queue."""
    from flask_socketio import SocketIO

    from runofshow import settings
    from runofshow.live.changes import ChangeCause
    from runofshow.live.store import Store, database_url
    from runofshow.web.publisher import Publisher

    values = settings.from_environment()
    instance = Path(values["INSTANCE_PATH"]).resolve()
    store = Store(values["DATABASE_URL"] or database_url(instance))
    service = ShowService(store, site_clock(store, values["REHEARSAL_SPEED"]))
    queue = values["MESSAGE_QUEUE"]
    if queue:
        # An external emitter: no server, it only publishes to the queue that every web node listens to.
        emitter = SocketIO(message_queue=queue, channel="flask-socketio", async_mode="threading")
        # Changes other processes stored were pushed by them; only this process's own changes go out.
        service.subscribe(Publisher(service, emitter, skip_causes=frozenset({ChangeCause.REFRESH, ChangeCause.AGENDA})).on_change)
    scheduler = ShowScheduler(service)
    scheduler.start()
    start_obs_links(service, values, lambda work, *args: threading.Thread(target=work, args=args, daemon=True).start(),
                    time.sleep)
    pushes = f"pushing through {queue_display(queue)}" if queue else "no message queue: web nodes poll the store"
    print(f"runofshow scheduler: planning every stage of {service.store!r}, {pushes}", flush=True)
    try:
        while not stop():
            time.sleep(0.2)
    finally:
        scheduler.shutdown()
        service.store.close()
