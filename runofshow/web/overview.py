"""The production desk's overview: every stage of the event side by side with now, next and delay, live."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request

from runofshow.live.service import NoAgenda
from runofshow.web.adapter import current_service
from runofshow.web.auth import current_identity

bp = Blueprint("overview", __name__)
# The overview is for crew: it joins the console audience of every stage (what each stage screen shows included).
CREW_AUDIENCE = "console"


@bp.get("/overview")
def overview() -> Any:
    """All stages at once for the production desk (crew roles only)."""
    service = current_service()
    identity = current_identity(service.store)
    if not identity.may_watch(CREW_AUDIENCE):
        return redirect(f"/signin?next={request.path}")
    try:
        event = service.event()
    except NoAgenda:
        return render_template("error.html", code=503, reason="no_agenda"), 503
    return render_template("overview.html", audience=CREW_AUDIENCE, event=event, identity=identity, stage_id="")


@bp.get("/overview/integrations")
def integrations() -> Any:
    """Every integration's status and the last webhook deliveries, for the production desk (crew roles only)."""
    from runofshow.integrations.running import desk_report

    service = current_service()
    if not current_identity(service.store).may_watch(CREW_AUDIENCE):
        return jsonify({"ok": False, "error": "unauthenticated"}), 401
    try:
        stage_ids = [stage.id for stage in service.event().stages]
    except NoAgenda:
        stage_ids = []
    return jsonify(desk_report(current_app, stage_ids))
