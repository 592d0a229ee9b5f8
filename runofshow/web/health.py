"""`/healthz` for monitoring and proxies: is the store reachable, is this node's scheduler alive; nothing private."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from runofshow.live.store import StoreUnavailable
from runofshow.web.adapter import current_service

bp = Blueprint("health", __name__)
SCHEDULER_KEY = "runofshow.scheduler"


def scheduler_status() -> str:
    """"running" or "stopped" for the scheduler of this process; "elsewhere" on a web node without one (a separate
    `runofshow scheduler` runs it); "unknown" when this process should run it but has not started it."""
    scheduler = current_app.extensions.get(SCHEDULER_KEY)
    if scheduler is not None:
        return "running" if scheduler.scheduler.running else "stopped"
    return "unknown" if current_app.config["RUNOFSHOW"]["SCHEDULER"] else "elsewhere"


@bp.get("/healthz")
def health() -> Any:
    """200 while this node can serve (its store answers, its scheduler, if any, runs); 503 with the reason if not."""
    try:
        current_service().store.ping()
        database = "reachable"
    except StoreUnavailable:
        database = "unreachable"
    scheduler = scheduler_status()
    ok = database == "reachable" and scheduler != "stopped"
    return jsonify({"ok": ok, "database": database, "scheduler": scheduler}), 200 if ok else 503
