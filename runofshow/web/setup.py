"""The crew lead's setup page (moderator only): agenda, passphrases, screen links, who is connected, the sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import segno
from flask import (Blueprint, Flask, current_app, flash, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

from runofshow.agenda.model import Event
from runofshow.engine import Role
from runofshow.live.service import NoAgenda
from runofshow.live.store import Store
from runofshow.web import service_of
from runofshow.web.adapter import current_service, role_name
from runofshow.web.addresses import Reachable, interface_addresses, is_loopback_host, reachable
from runofshow.web.auth import CREW_ROLES, PASSPHRASE_PREFIX, current_identity, set_passphrase
from runofshow.web.banner import SETUP_PATH
from runofshow.web.editor import _refuse_json as refuse_json
from runofshow.web.editor import _refuse_page as refuse_page
from runofshow.web.links import (ShareLink, issue_link, link_token, list_links, revoke_link, rotate_links,
                                 screen_links, screen_tokens, screens, token_for, wall_now, working_links)
from runofshow.web.presence import ScreenPresence, presence_of

bp = Blueprint("setup", __name__)
BIND_KEY = "RUNOFSHOW_BIND"  # (host, port) `runofshow serve` listens on; absent under a WSGI server
MIN_PASSPHRASE = 8


class ScreenLinkForm(FlaskForm):
    """A new share link for one of the event's screens (CSRF-protected)."""

    role = HiddenField("role", validators=[DataRequired()])
    target = HiddenField("target", validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class PassphraseForm(FlaskForm):
    """A new passphrase for one crew role, typed twice (CSRF-protected)."""

    role = HiddenField("role", validators=[DataRequired(), AnyOf([role.value for role in CREW_ROLES])])
    passphrase = PasswordField("passphrase", validators=[DataRequired(), Length(min=MIN_PASSPHRASE, max=200)])
    confirm = PasswordField("confirm", validators=[EqualTo("passphrase")])


def roles_without_passphrase(store: Store) -> list[Role]:
    """The crew roles nobody can sign in as yet: no passphrase set."""
    return [role for role in CREW_ROLES if store.get_meta(PASSPHRASE_PREFIX + role.value) is None]


def setup_link(app: Flask, base: str) -> str:
    """A link that signs a browser in as moderator and opens the setup page."""
    with app.app_context():
        store, now = service_of(app).store, wall_now()
        token = token_for(store, working_links(list_links(store), now), Role.MODERATOR, SETUP_PATH, "setup page", now)
        return f"{base}/join/{token}"


def served_at(app: Flask) -> Reachable | None:
    """Where `runofshow serve` said this server is reachable, or None when another server runs the app."""
    bound = app.config.get(BIND_KEY)
    return reachable(bound[0], bound[1], interface_addresses()) if bound else None


def _is_loopback(host: str) -> bool:
    """True when a request's host (name or address, with a port or not) is this machine only."""
    return is_loopback_host(urlsplit(f"//{host}").hostname or "")


def sheet_bases(where: Reachable | None) -> list[str]:
    """The base URLs a sheet may be printed for (`where`: what `served_at` says): the one in the address bar first,
    unless only this machine can open it and the server listens on the network too."""
    own = request.host_url.rstrip("/")
    others = [url for url, _name in where.urls] if where is not None else []
    if _is_loopback(request.host) and where is not None and not where.local_only:
        return list(dict.fromkeys([*others, own]))
    return list(dict.fromkeys([own, *others]))


def _event() -> Event | None:
    """The stored event, or None before any agenda."""
    try:
        return current_service().event()
    except NoAgenda:
        return None


def expected_screens(event: Event | None) -> list[tuple[str, str]]:
    """The screens the setup page always lists: each stage's screen, console and stream view, each room."""
    if event is None:
        return []
    keys = [(audience, stage.id) for stage in event.stages for audience in ("stage", "console", "stream")]
    return keys + [("room", room.id) for room in event.rooms]


def presence_rows(event: Event | None, report: list[ScreenPresence]) -> list[dict[str, Any]]:
    """The presence report with each screen's name for people, for the page's script."""
    stages = {stage.id: stage.name for stage in event.stages} if event else {}
    rooms = {room.id: room.name for room in event.rooms} if event else {}
    kinds = {"stage": _("Stage screen"), "console": _("Console"), "stream": _("Stream operator"),
             "room": _("Room screen"), "agenda": _("Public agenda")}
    rows = []
    for seen in report:
        if seen.audience == "console" and seen.target == "*":
            name = _("Production desk")
        else:
            name = kinds.get(seen.audience, seen.audience)
            names = rooms if seen.audience == "room" else stages
            place = _("every stage") if seen.target == "*" else names.get(seen.target, seen.target)
            name = f"{name}: {place}"
        rows.append({"screen": name, "audience": seen.audience, "connected": seen.connected,
                     "seconds_ago": seen.seconds_ago})
    return rows


def _presence_now() -> list[dict[str, Any]]:
    """Who is connected to this node now, every expected screen included."""
    event = _event()
    return presence_rows(event, presence_of(current_app).report(expected_screens(event)))


@bp.get("/setup")
def setup_page() -> Any:
    """Everything the crew lead sets up before the doors open, on one page."""
    refused = refuse_page(current_identity(current_service().store))
    if refused is not None:
        return refused
    store = current_service().store
    missing = roles_without_passphrase(store)
    forms = {role: PassphraseForm(formdata=None, role=role.value) for role in CREW_ROLES}
    where = served_at(current_app)
    event, bases, values = _event(), sheet_bases(where), current_app.config["RUNOFSHOW"]
    rows, other_links = link_rows(event, list_links(store), bases[0], wall_now())
    return render_template("setup.html", event=event, forms=forms, rows=rows, other_links=other_links,
                           link_form=ScreenLinkForm(formdata=None), confirm_form=ConfirmForm(formdata=None),
                           zone=ZoneInfo(event.timezone if event else "UTC"), now=wall_now(), missing=missing, bases=bases,
                           local_only=where is not None and where.local_only,
                           per_node=bool(values["MESSAGE_QUEUE"]) or not values["SCHEDULER"],
                           presence=_presence_now(), role_names={role: role_name(g.lang, role) for role in Role})


@bp.post("/setup/passphrase")
def setup_passphrase() -> Any:
    """Set one crew role's passphrase; back to the setup page with what happened."""
    refused = refuse_page(current_identity(current_service().store))
    if refused is not None:
        return refused
    form = PassphraseForm()
    if not form.validate_on_submit():
        if "confirm" in form.errors:
            flash(_("The two passphrases differ; nothing was changed."), "error")
        elif "passphrase" in form.errors:
            flash(_("A passphrase needs at least %(num)s characters; nothing was changed.", num=MIN_PASSPHRASE),
                  "error")
        else:
            flash(_("The form had expired; nothing was changed. Try again."), "error")
        return redirect(url_for("setup.setup_page") + "#passphrases", code=303)
    set_passphrase(current_service().store, Role(form.role.data), form.passphrase.data or "")
    flash(_("The passphrase for %(role)s is set. Tell it to that crew in person.",
            role=role_name(g.lang, Role(form.role.data))), "done")
    return redirect(url_for("setup.setup_page") + "#passphrases", code=303)


@dataclass(frozen=True)
class ScreenRow:
    """One screen of the links table: what it is, who its link signs in as, and its working link if any."""

    label: str
    role: Role
    target: str
    link: ShareLink | None
    url: str


def link_rows(event: Event | None, links: list[ShareLink], base: str, now: datetime) -> tuple[list[ScreenRow],
                                                                                               list[ShareLink]]:
    """Each screen with its newest working link, and every other stored link (older, revoked, expired, setup)."""
    working = working_links(links, now)
    rows = []
    for label, role, target in screens(event) if event is not None else []:
        link = working.get((role, target))
        rows.append(ScreenRow(screen_name(label), role, target, link,
                              f"{base}/join/{link_token(link.id)}" if link is not None else ""))
    shown = {row.link.id for row in rows if row.link is not None}
    return rows, [link for link in reversed(links) if link.id not in shown]


def _back_to_links() -> Any:
    """Back to the links section of the setup page."""
    return redirect(url_for("setup.setup_page") + "#links", code=303)


def _refused_change() -> Any:
    """A refusal for anyone but a moderator, or for a form without a valid CSRF token; else None."""
    refused = refuse_page(current_identity(current_service().store))
    if refused is None and not ConfirmForm().validate_on_submit():
        flash(_("The form had expired; nothing was changed. Try again."), "error")
        return _back_to_links()
    return refused


@bp.post("/setup/links/new")
def new_screen_link() -> Any:
    """A new link for one screen of the event; the screen's links that worked until now stop working."""
    refused = _refused_change()
    if refused is not None:
        return refused
    form = ScreenLinkForm()
    event, store, now = _event(), current_service().store, wall_now()
    chosen = next(((label, role, target) for label, role, target in (screens(event) if event else [])
                   if (role.value, target) == (form.role.data, form.target.data)), None)
    if chosen is None:
        flash(_("No such screen; nothing was changed."), "error")
        return _back_to_links()
    label, role, target = chosen
    rotate_links(store, now, lambda link: (link.role, link.target) == (role, target))
    issue_link(store, role, target, label, now)
    flash(_("New link for %(name)s; its old link no longer works.", name=screen_name(label)), "done")
    return _back_to_links()


@bp.post("/setup/links/<link_id>/revoke")
def revoke_screen_link(link_id: str) -> Any:
    """Stop one link from working (the screens it signed in lose their crew rights within a second)."""
    refused = _refused_change()
    if refused is not None:
        return refused
    if revoke_link(current_service().store, link_id):
        flash(_("The link no longer works."), "done")
    else:
        flash(_("No such link; nothing was changed."), "error")
    return _back_to_links()


@bp.post("/setup/links/rotate")
def rotate_screen_links() -> Any:
    """Revoke every link and make a new one for each screen (print the sheet again)."""
    refused = _refused_change()
    if refused is not None:
        return refused
    store, now, own = current_service().store, wall_now(), session.get("link")
    # The crew lead's own sign-in link keeps working, so the page they press this on does not lock them out.
    rotate_links(store, now, lambda link: link.id != own)
    event = _event()
    if event is not None:
        screen_tokens(store, event, now)
    flash(_("Every link was replaced: the old ones no longer work (the one you signed in with still does). Print the "
            "screen sheet again."), "done")
    return _back_to_links()


@bp.get("/setup/presence")
def setup_presence() -> Any:
    """Which screens are connected now and how long ago each was last seen (the page refreshes it)."""
    refused = refuse_json(current_identity(current_service().store))
    if refused is not None:
        return refused
    return jsonify({"ok": True, "screens": _presence_now()})


def screen_name(label: str) -> str:
    """A screen link's label ("stage screen (Plenum)") in the page's language."""
    kinds = {"stage screen": _("Stage screen"), "moderator console": _("Moderator console"),
             "facilitator console": _("Facilitator console"), "stream operator": _("Stream operator"),
             "agenda editor": _("Agenda editor"), "studio clock": _("Studio clock"), "room screen": _("Room screen"),
             "production desk": _("Production desk"), "public agenda": _("Public agenda")}
    kind, _sep, place = label.partition(" (")
    name = kinds.get(kind, kind)
    return f"{name}: {place.removesuffix(')')}" if place else name


def qr_svg(url: str) -> str:
    """A QR code of `url` as inline SVG markup (no script, no style attribute)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2, dark="#000", light="#fff", omitsize=True)


@bp.get("/setup/sheet")
def screen_sheet() -> Any:
    """One printable page with every screen's name, URL and QR code, to tape to the tech desk."""
    refused = refuse_page(current_identity(current_service().store))
    if refused is not None:
        return refused
    event = _event()
    if event is None:
        return render_template("error.html", code=503, reason="no_agenda"), 503
    bases = sheet_bases(served_at(current_app))
    base = request.args.get("base", bases[0])
    if base not in bases:
        base = bases[0]
    roles = {label: role for label, role, _target in screens(event)}
    names = {role: role_name(g.lang, role) for role in Role}
    sheet = [{"name": screen_name(label), "url": url, "qr": qr_svg(url),
              "crew": names[roles[label]] if roles.get(label, Role.PUBLIC) is not Role.PUBLIC else ""}
             for label, url in screen_links(current_app, base)]
    return render_template("sheet.html", event=event, screens=sheet, base=base)
