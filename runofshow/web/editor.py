"""The live agenda editor and the agenda upload with a preview (moderator only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, redirect, render_template, request
from flask_wtf import FlaskForm
from flask_babel import gettext as _
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Optional

from runofshow.agenda.model import AgendaError, Event
from runofshow.agenda.document import block_to_dict
from runofshow.agenda.diff import diff_events, diff_to_dict
from runofshow.agenda.edits import FACT_FIELDS, EditError
from runofshow.agenda.text import MAX_BYTES
from runofshow.importers import ImportProblem, parse_agenda
from runofshow.importers.c3voc import known_zone
from runofshow.importers.following import FOLLOW_MINUTES, FollowedAddress
from runofshow.importers.remote import fetch, is_url
from runofshow.live.service import NoAgenda, NothingToUndo, ShowInProgress, ShowService, StaleAgenda, UnknownStage
from runofshow.live.store import StoreUnavailable
from runofshow.web.adapter import actor_of as _actor
from runofshow.web.adapter import current_service
from runofshow.web.adapter import problem as _problem
from runofshow.web.auth import Identity, Role, current_identity
from runofshow.web.bodies import json_body
from runofshow.web.commands import Unreadable

bp = Blueprint("editor", __name__)
EDITOR_ROLES = frozenset({Role.MODERATOR})


class UploadForm(FlaskForm):
    """An agenda file to preview or apply (CSRF-protected)."""

    file = FileField("file")
    url = StringField("url", validators=[Optional()])
    timezone = StringField("timezone", validators=[Optional()])
    follow = BooleanField("follow")
    followed = StringField("followed", validators=[Optional()])  # "1": apply the followed address's last read


def followed_of(app: Flask) -> FollowedAddress:
    """The address this node follows for the upload page (re-read by server.py's background job)."""
    return app.extensions.setdefault("runofshow.followed", FollowedAddress())


def _identity() -> Identity:
    """Who is asking."""
    return current_identity(current_service().store)


def _refuse_json(identity: Identity) -> tuple[Response, int] | None:
    """A 401/403 answer for anyone who may not edit, else None."""
    if identity.role is Role.PUBLIC:
        return _problem(401, "unauthenticated", "sign in as moderator to edit the agenda")
    if identity.role not in EDITOR_ROLES:
        return _problem(403, "forbidden", f"the {identity.role.value} role may not edit the agenda")
    return None


def _refuse_page(identity: Identity) -> Any:
    """A sign-in redirect or a 403 page for anyone who may not edit, else None."""
    if identity.role is Role.PUBLIC:
        return redirect(f"/signin?next={request.path}")
    if identity.role not in EDITOR_ROLES:
        return render_template("error.html", code=403, reason="forbidden"), 403
    return None


def stage_document(service: ShowService, stage_id: str) -> dict[str, Any]:
    """What the editor draws: the stage's blocks in full, the rooms, the version, undo depth, the running block."""
    event = service.event()
    stage = event.stage(stage_id)
    return {
        "ok": True,
        "version": service.agenda_version(),
        "undo_depth": service.undo_depth(),
        "running": service.running_block(stage_id),
        "timezone": event.timezone,
        "stage": {"id": stage.id, "name": stage.name},
        "rooms": [{"id": room.id, "name": room.name} for room in event.rooms],
        "fact_fields": FACT_FIELDS,
        "blocks": [block_to_dict(block) for block in stage.blocks],
    }


@bp.errorhandler(StoreUnavailable)
def _unavailable(error: StoreUnavailable) -> tuple[Response, int]:
    return _problem(503, "unavailable", f"the store is unavailable; nothing was changed ({error})")


@bp.get("/editor/<stage_id>")
def editor_page(stage_id: str) -> Any:
    """The agenda editor of one stage."""
    refused = _refuse_page(_identity())
    if refused is not None:
        return refused
    try:
        event = current_service().event()
        event.stage(stage_id)
    except NoAgenda:
        return render_template("error.html", code=503, reason="no_agenda"), 503
    except KeyError:
        abort(404)
    return render_template("editor.html", event=event, stage_id=stage_id, audience="console")


@bp.get("/editor/<stage_id>/document")
def editor_document(stage_id: str) -> Any:
    """The stage's blocks as the editor needs them."""
    refused = _refuse_json(_identity())
    if refused is not None:
        return refused
    try:
        return jsonify(stage_document(current_service(), stage_id))
    except (NoAgenda, UnknownStage, KeyError):
        return _unknown_stage(stage_id)


def _unknown_stage(stage_id: str) -> tuple[Response, int]:
    """The editor's answer for a stage the agenda does not have (the adapters' `not_found`)."""
    return _problem(404, "not_found", f"unknown stage {stage_id!r}")


def _agenda_change(stage_id: str, field: str, change: Callable[[], object]) -> tuple[Response, int] | None:
    """Run one agenda edit or undo; the refusal to send (naming `field` where the edit has none), or None."""
    try:
        change()
    except (NoAgenda, UnknownStage):
        return _unknown_stage(stage_id)
    except EditError as error:
        return _problem(400, "bad_request", str(error), field=error.field)
    except NothingToUndo as error:
        return _problem(400, "nothing_to_undo", str(error), field=field)
    except StaleAgenda as error:
        return _problem(409, "stale", str(error), version=error.current_version)
    except (ShowInProgress, AgendaError) as error:
        return _problem(400, "bad_request", str(error), field=field)
    return None


def _moderator_body() -> tuple[Any, dict[str, Any], Any]:
    """(identity, JSON object body, None) for a moderator's edit request, or (None, {}, the refusal to send)."""
    identity = _identity()
    refused = _refuse_json(identity)
    if refused is not None:
        return None, {}, refused
    body = json_body()
    if isinstance(body, Unreadable):
        return None, {}, _problem(400, "bad_request", body.detail, field="body")
    if not isinstance(body, dict):
        return None, {}, _problem(400, "bad_request", "body: expected a JSON object", field="body")
    return identity, body, None


@bp.post("/editor/<stage_id>/edit")
def editor_edit(stage_id: str) -> Any:
    """Apply one edit {expected_version, op, ...}: validated, stored, journaled and pushed; 400 names the field."""
    identity, body, refused = _moderator_body()
    if refused is not None:
        return refused
    service = current_service()
    refused = _agenda_change(stage_id, "block_id", lambda: service.edit_stage(
        stage_id, body, expected_version=body.get("expected_version"), actor=_actor(identity)))
    return refused or jsonify(stage_document(service, stage_id))


@bp.post("/editor/<stage_id>/undo")
def editor_undo(stage_id: str) -> Any:
    """Restore the agenda as it was before the last edit {expected_version}."""
    identity, body, refused = _moderator_body()
    if refused is not None:
        return refused
    service = current_service()

    def undo() -> None:
        service.stage(stage_id)
        service.undo_edit(actor=_actor(identity), expected_version=body.get("expected_version"))

    refused = _agenda_change(stage_id, "undo", undo)
    if refused is not None:
        return refused
    try:
        return jsonify(stage_document(service, stage_id))
    except (UnknownStage, KeyError):
        return jsonify({"ok": True, "version": service.agenda_version(), "stage_gone": True})


# ---- upload ---------------------------------------------------------------------------------------


@bp.get("/import")
def import_page() -> Any:
    """Choose an agenda file, see what it would change, apply it."""
    refused = _refuse_page(_identity())
    if refused is not None:
        return refused
    try:
        event: Event | None = current_service().event()
    except NoAgenda:
        event = None
    return render_template("import.html", form=UploadForm(), event=event, max_bytes=MAX_BYTES,
                           version=current_service().agenda_version() or "")


def _uploaded() -> tuple[Event | None, tuple[Response, int] | None]:
    """The event in the uploaded file, or an error answer naming file, line and field."""
    # Agenda files may be as large as the importers accept (the app's default limit is 1 MB).
    request.max_content_length = MAX_BYTES + 64 * 1024
    form = UploadForm()
    if not form.validate_on_submit():
        problems = {name: errors for name, errors in form.errors.items()}
        field = "csrf_token" if "csrf_token" in problems else "file"
        return None, _problem(400, "bad_request", f"{field}: {'; '.join(problems.get(field, ['missing']))}", field=field)
    if form.followed.data == "1":
        read = followed_of(current_app).last()
        if read is None or read.event is None:
            return None, _problem(400, "bad_request", "url: no followed address has been read", field="url")
        return read.event, None
    address = (form.url.data or "").strip()
    upload = request.files.get("file")
    if (upload is None or not upload.filename) and not address:
        return None, _problem(400, "bad_request", "file: choose a file or give the address of a schedule", field="file")
    if upload is not None and upload.filename:
        name = upload.filename
        data = upload.stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return None, _problem(413, "too_large", f"{name}: larger than {MAX_BYTES // 1024} KB", file=name,
                                  field="file")
    elif not is_url(address):
        return None, _problem(400, "bad_request", f"url: {address!r} is not an http:// or https:// address",
                              field="url")
    else:
        name = address
        try:
            data = fetch(address)
        except ImportProblem as error:
            return None, _problem(400, "bad_request", str(error), file=address, field="url")
    zone = (form.timezone.data or "").strip() or None
    if zone is not None and known_zone(zone) is None:
        message = f"timezone: unknown time zone {zone!r} (an IANA name, e.g. Europe/Berlin)"
        return None, _problem(400, "bad_request", message, field="timezone")
    try:
        return parse_agenda(data, path=name, timezone=zone), None
    except ImportProblem as error:
        return None, _problem(400, "bad_request", str(error), file=error.path, line=error.line, field=error.field)
    except AgendaError as error:
        return None, _problem(400, "bad_request", f"{name}: {error}", file=name, field="agenda")


@bp.post("/import/preview")
def import_preview() -> Any:
    """What the uploaded file would change, compared block by block; nothing is stored."""
    refused = _refuse_json(_identity())
    if refused is not None:
        return refused
    event, problem = _uploaded()
    if problem is not None:
        return problem
    assert event is not None
    service = current_service()
    form = UploadForm()
    address = (form.url.data or "").strip()
    if form.follow.data and address and form.followed.data != "1":
        followed_of(current_app).follow(address, (form.timezone.data or "").strip() or None, event, service.clock.now())
    return jsonify(preview_of(service, event))


def preview_of(service: ShowService, event: Event) -> dict[str, Any]:
    """What storing `event` would change, with the version it was compared with."""
    try:
        current: Event | None = service.event()
    except NoAgenda:
        current = None
    return {"ok": True, "version": service.agenda_version(), "title": event.title,
            "diff": diff_to_dict(diff_events(current, event)), **zone_note(event)}


@bp.get("/import/followed")
def import_followed() -> Any:
    """The followed address, when it was last read, why that failed, and what its schedule would change; no writes."""
    refused = _refuse_json(_identity())
    if refused is not None:
        return refused
    read = followed_of(current_app).last()
    if read is None:
        return jsonify({"ok": True, "following": False})
    status = {"following": True, "url": read.url, "minutes": FOLLOW_MINUTES, "error": read.error,
              "checked_at": read.checked_at.isoformat() if read.checked_at else None}
    if read.event is None:
        return jsonify({"ok": True, **status})
    return jsonify({**preview_of(current_service(), read.event), **status})


@bp.post("/import/followed/stop")
def import_followed_stop() -> Any:
    """Stop following the address."""
    refused = _refuse_json(_identity())
    if refused is not None:
        return refused
    followed_of(current_app).stop()
    return jsonify({"ok": True, "following": False})


def zone_note(event: Event) -> dict[str, Any]:
    """The preview's zone: which one, whether it was assumed, and a sentence saying how to choose another."""
    note = ""
    if event.timezone_assumed:
        note = _("The file does not name a time zone that fits its times; %(zone)s is assumed. To choose another, "
                 "enter it under Time zone (e.g. Europe/Berlin) and show the changes again.", zone=event.timezone)
    return {"timezone": event.timezone, "timezone_assumed": event.timezone_assumed, "timezone_note": note}


@bp.post("/import/apply")
def import_apply() -> Any:
    """Store the uploaded file's agenda, if the stored one is still the previewed version; all or nothing."""
    identity = _identity()
    refused = _refuse_json(identity)
    if refused is not None:
        return refused
    event, problem = _uploaded()
    if problem is not None:
        return problem
    assert event is not None
    service = current_service()
    try:
        version = service.edit_event(event, actor=_actor(identity), expected_version=request.form.get("expected_version"),
                                     note="upload")
    except StaleAgenda as error:
        return _problem(409, "stale", str(error), version=error.current_version)
    except ShowInProgress as error:
        return _problem(400, "bad_request", str(error), field="file")
    return jsonify({"ok": True, "version": version})
