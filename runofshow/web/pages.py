"""HTML pages: one per audience, each a thin shell that the screen script fills from snapshots."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import segno
from flask import (Blueprint, Response, abort, current_app, g, jsonify, make_response, redirect, render_template, request,
                   send_file, url_for)
from flask.blueprints import BlueprintSetupState
from flask_babel import Babel, gettext

from runofshow.i18n import LANGUAGES, SOURCE_LANGUAGE, TRANSLATIONS_DIR, browser_catalogue, language_name, pick_language
from runofshow.live.service import NoAgenda
from runofshow.web.adapter import current_service
from runofshow.web.auth import Identity, Role, current_identity
from runofshow.web.payloads import CREW_AUDIENCES, public_event

bp = Blueprint("pages", __name__)
LANGUAGE_COOKIE = "lang"
# Screens the public sees on the walls: they carry the event's logo when one is set (the studio clock joins as "stage").
LOGO_AUDIENCES = frozenset({"stage", "room", "agenda"})


@bp.record_once
def install_translations(state: BlueprintSetupState) -> None:
    """Flask-Babel with the shipped catalogues, in the language each request picked."""
    Babel(state.app, locale_selector=lambda: g.get("lang", SOURCE_LANGUAGE),
          default_translation_directories=str(TRANSLATIONS_DIR))


@bp.before_app_request
def choose_language() -> None:
    """Pick the page language: ?lang=, then the cookie, then the browser, then the configured default."""
    requested = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    default = current_app.config["RUNOFSHOW"]["LANGUAGE"]
    g.lang = pick_language(requested, request.headers.get("Accept-Language", ""), default)


@bp.after_app_request
def remember_language(response: Response) -> Response:
    """Keep an explicit language choice in a cookie (Secure over HTTPS); the security headers are headers.py's."""
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, request.args["lang"], max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure)
    return response


@bp.app_context_processor
def template_helpers() -> dict[str, Any]:
    """The page's language, the others to switch to (code, own name) and its catalogue for the scripts."""
    lang = g.get("lang", SOURCE_LANGUAGE)
    return {
        "lang": lang,
        "other_languages": [(code, language_name(code)) for code in LANGUAGES if code != lang],
        "catalogue": browser_catalogue(lang),
        "logo_audiences": LOGO_AUDIENCES if _logo_path() is not None else frozenset(),
    }


def _logo_path() -> Path | None:
    """The event's logo file (setting LOGO), or None when none is set or the file is missing."""
    configured = current_app.config["RUNOFSHOW"].get("LOGO", "")
    path = Path(configured) if configured else None
    return path if path is not None and path.is_file() else None


def _identity() -> Identity:
    """Who is looking at the page."""
    return current_identity(current_service().store)


def _screen(template: str, audience: str, **context: Any) -> Any:
    """Render a screen shell, or send crew-only screens to sign-in."""
    identity = _identity()
    if not identity.may_watch(audience):
        return redirect(f"/signin?next={request.path}")
    try:
        event = current_service().event()
    except NoAgenda:
        return render_template("error.html", code=503, reason="no_agenda"), 503
    if audience not in CREW_AUDIENCES:
        event = public_event(event)
    return render_template(template, audience=audience, event=event, identity=identity, **context)


@bp.get("/")
def index() -> Any:
    """The list of screens."""
    identity = _identity()
    try:
        event = current_service().event()
    except NoAgenda:
        return render_template("error.html", code=503, reason="no_agenda"), 503
    crew = identity.role is not Role.PUBLIC
    return render_template("index.html", event=event if crew else public_event(event), identity=identity, crew=crew)


def _stage_or_404(stage_id: str) -> str:
    """The stage id if the event has it."""
    try:
        current_service().stage(stage_id)
    except LookupError:
        abort(404)
    return stage_id


@bp.get("/stage/<stage_id>")
def stage_screen(stage_id: str) -> Any:
    """The stage screen (confidence monitor)."""
    return _screen("stage.html", "stage", stage_id=_stage_or_404(stage_id))


@bp.get("/clock/<stage_id>")
def studio_clock(stage_id: str) -> Any:
    """The studio clock: the time of day and an on-air light; public like the stage screen, and joins as one."""
    return _screen("clock.html", "stage", stage_id=_stage_or_404(stage_id))


@bp.get("/logo")
def logo() -> Response:
    """The event's logo image, or 404 when none is set."""
    path = _logo_path()
    if path is None:
        abort(404)
    return send_file(path.resolve(), max_age=3600)


@bp.get("/console/<stage_id>")
def console(stage_id: str) -> Any:
    """The facilitator console."""
    return _screen("console.html", "console", stage_id=_stage_or_404(stage_id))


@bp.get("/stream/<stage_id>")
def stream(stage_id: str) -> Any:
    """The streaming operator view."""
    return _screen("stream.html", "stream", stage_id=_stage_or_404(stage_id))


@bp.get("/room/<room_id>")
def room(room_id: str) -> Any:
    """A room screen."""
    try:
        rooms = {room.id: room.name for room in public_event(current_service().event()).rooms}
    except NoAgenda:
        rooms = {}
    if room_id not in rooms:
        abort(404)
    return _screen("room.html", "room", room_id=room_id, room_name=rooms[room_id], stage_id="")


@bp.get("/qr/agenda.svg")
def agenda_qr() -> Response:
    """A QR code (SVG) that opens the public agenda on a phone, for room screens."""
    target = url_for("pages.agenda", _external=True)
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#000", light="#fff",
                                        xmldecl=False, title=gettext("QR code that opens the public agenda"))
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/agenda")
def agenda() -> Any:
    """The public agenda."""
    return _screen("agenda.html", "agenda", stage_id="")


@bp.app_errorhandler(404)
def not_found(_: Any) -> Any:
    """A page that does not exist: a plain page, or JSON under /api."""
    if request.path.startswith("/api/"):
        return make_response(jsonify({"ok": False, "error": "not_found", "message": "no such resource"}), 404)
    return render_template("error.html", code=404, reason="not_found"), 404


@bp.app_errorhandler(405)
def not_allowed(_: Any) -> Any:
    """A method a route does not take."""
    if request.path.startswith("/api/"):
        return make_response(jsonify({"ok": False, "error": "method_not_allowed", "message": "method not allowed"}), 405)
    return render_template("error.html", code=405, reason="not_found"), 405


@bp.app_errorhandler(413)
def too_large(_: Any) -> Any:
    """A request body over the limit."""
    return make_response(jsonify({"ok": False, "error": "too_large", "message": "request body too large"}), 413)


@bp.app_errorhandler(500)
def server_error(_: Any) -> Any:
    """An unexpected failure: no traceback to the user."""
    if request.path.startswith("/api/"):
        return make_response(jsonify({"ok": False, "error": "internal", "message": "internal error; nothing was changed"}), 500)
    return render_template("error.html", code=500, reason="not_found"), 500
