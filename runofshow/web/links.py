"""Share links: stored records that sign a browser in as a role and open one screen, until they expire or are revoked."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from itsdangerous import BadSignature, URLSafeSerializer

from runofshow import settings
from runofshow.agenda.document import event_from_dict
from runofshow.engine import Role
from runofshow.live.clocks import wall_now
from runofshow.live.store import Store

LINK_PREFIX = "link:"
# Screens anyone may watch: their links sign nobody in, so a link taped to a stage monitor opens no crew data.
PUBLIC_TARGETS = ("/stage/", "/clock/", "/room/", "/agenda")


@dataclass(frozen=True)
class ShareLink:
    """One share link: who it signs in as, which screen it opens, and how long it works."""

    id: str
    role: Role
    target: str
    label: str
    created: datetime
    expires: datetime | None
    revoked: bool

    def valid_at(self, now: datetime) -> bool:
        """True when the link is neither revoked nor expired at `now`."""
        return not self.revoked and (self.expires is None or now < self.expires)


def is_public_target(target: str) -> bool:
    """True when `target` is a screen the public may watch without signing in."""
    return any(target == prefix.rstrip("/") or target.startswith(prefix) for prefix in PUBLIC_TARGETS)


def _serializer() -> URLSafeSerializer:
    """Signs link ids with the app's secret, so a link's URL can be printed again but not forged from the store."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="runofshow-share-link")


def link_token(link_id: str) -> str:
    """The token of /join/<token> for a link (needs an app context for the secret)."""
    return str(_serializer().dumps(link_id))


def _link_days() -> int:
    """Days after the event's last day that a new link keeps working (setting LINK_DAYS)."""
    values = (current_app.config.get("RUNOFSHOW") if has_app_context() else None) or settings.from_environment()
    return int(values["LINK_DAYS"])


def default_expiry(store: Store, now: datetime, days: int) -> datetime:
    """Midnight `days` days after the event's last day (or after today once the event is over), in its time zone."""
    document = store.load_agenda()
    zone: Any = timezone.utc
    last: date = now.date()
    if document is not None:
        event = event_from_dict(document)
        zone = ZoneInfo(event.timezone)
        last = max(max(event.days), now.astimezone(zone).date())
    return datetime.combine(last + timedelta(days=days + 1), time(0), tzinfo=zone).astimezone(timezone.utc)


def _record(link: ShareLink) -> str:
    """The stored JSON of a link."""
    return json.dumps({"role": link.role.value, "target": link.target, "label": link.label,
                       "created": link.created.isoformat(),
                       "expires": link.expires.isoformat() if link.expires else None, "revoked": link.revoked})


def _from_record(link_id: str, raw: str) -> ShareLink | None:
    """The link a stored record describes, or None for a record this version cannot read."""
    try:
        data = json.loads(raw)
        return ShareLink(id=link_id, role=Role(data["role"]), target=str(data["target"]), label=str(data["label"]),
                         created=datetime.fromisoformat(data["created"]),
                         expires=datetime.fromisoformat(data["expires"]) if data.get("expires") else None,
                         revoked=bool(data["revoked"]))
    except (ValueError, KeyError, TypeError):
        return None


def issue_link(store: Store, role: Role, target: str, label: str, now: datetime,
               expires: datetime | None = None) -> tuple[ShareLink, str]:
    """A new stored link and its token; a public screen's link signs in as nobody (role public), whatever is asked.

    `expires` defaults to the event's last day plus the setting LINK_DAYS. Needs an app context (the secret).
    """
    if is_public_target(target):
        role = Role.PUBLIC
    link = ShareLink(id=secrets.token_hex(5), role=role, target=target, label=label, created=now,
                     expires=expires or default_expiry(store, now, _link_days()), revoked=False)
    store.set_meta(LINK_PREFIX + link.id, _record(link))
    return link, link_token(link.id)


def get_link(store: Store, link_id: str) -> ShareLink | None:
    """The stored link with this id, or None."""
    raw = store.get_meta(LINK_PREFIX + link_id)
    return _from_record(link_id, raw) if raw is not None else None


def list_links(store: Store) -> list[ShareLink]:
    """Every stored link, oldest first."""
    links = (_from_record(key[len(LINK_PREFIX):], raw) for key, raw in store.meta_items(LINK_PREFIX).items())
    return sorted((link for link in links if link is not None), key=lambda link: (link.created, link.id))


def revoke_link(store: Store, link_id: str) -> bool:
    """Stop one link from working (and the sessions it signed in); False when there is no such link."""
    link = get_link(store, link_id)
    if link is None:
        return False
    if not link.revoked:
        store.set_meta(LINK_PREFIX + link.id, _record(_revoked(link)))
    return True


def _revoked(link: ShareLink) -> ShareLink:
    """The same link, revoked."""
    return ShareLink(link.id, link.role, link.target, link.label, link.created, link.expires, True)


def rotate_links(store: Store, now: datetime, which: Callable[[ShareLink], bool] = lambda link: True) -> None:
    """Revoke every link still working at `now` (or those of them `which` picks); `screen_links` then makes new ones."""
    for link in list_links(store):
        if link.valid_at(now) and which(link):
            store.set_meta(LINK_PREFIX + link.id, _record(_revoked(link)))


def working_links(links: Iterable[ShareLink], now: datetime) -> dict[tuple[Role, str], ShareLink]:
    """The newest link of each role and screen that works at `now` (`links` oldest first, as `list_links` gives)."""
    return {(link.role, link.target): link for link in links if link.valid_at(now)}


def token_for(store: Store, working: Mapping[tuple[Role, str], ShareLink], role: Role, target: str, label: str,
              now: datetime) -> str:
    """The /join token of the screen's working link, or of a new link made for it (needs an app context)."""
    link = working.get((role, target))
    return link_token(link.id) if link is not None else issue_link(store, role, target, label, now)[1]


def read_link(store: Store, token: str, now: datetime) -> ShareLink | None:
    """The link a /join token stands for if it works at `now` (signed by this site, stored, not revoked or expired)."""
    if not token or len(token) > 200:
        return None
    try:
        link_id: Any = _serializer().loads(token)
    except BadSignature:
        return None
    link = get_link(store, link_id) if isinstance(link_id, str) else None
    return link if link is not None and link.valid_at(now) else None


def screens(event: Any) -> list[tuple[str, Role, str]]:
    """Every screen of the event: its label, the role its link signs in as, and its path."""
    found: list[tuple[str, Role, str]] = []
    for stage in event.stages:
        for label, role, path in (
            ("stage screen", Role.PUBLIC, f"/stage/{stage.id}"),
            ("moderator console", Role.MODERATOR, f"/console/{stage.id}"),
            ("facilitator console", Role.FACILITATOR, f"/console/{stage.id}"),
            ("stream operator", Role.STREAM, f"/stream/{stage.id}"),
            ("agenda editor", Role.MODERATOR, f"/editor/{stage.id}"),
            ("studio clock", Role.PUBLIC, f"/clock/{stage.id}"),
        ):
            found.append((f"{label} ({stage.name})", role, path))
    found.extend((f"room screen ({room.name})", Role.PUBLIC, f"/room/{room.id}") for room in event.rooms)
    found.append(("production desk", Role.SCREEN, "/overview"))
    found.append(("public agenda", Role.PUBLIC, "/agenda"))
    return found


def screen_tokens(store: Store, event: Any, now: datetime) -> list[tuple[str, str]]:
    """Every screen's label and /join token, reusing working links and making the missing ones (app context)."""
    working = working_links(list_links(store), now)
    return [(label, token_for(store, working, role, path, label, now)) for label, role, path in screens(event)]


def screen_links(app: Flask, base_url: str) -> list[tuple[str, str]]:
    """Every screen's label and /join URL: a working link is reused, so a printed sheet stays valid until rotated."""
    from runofshow.web import service_of

    service = service_of(app)
    base_url = base_url.rstrip("/")
    with app.app_context():
        tokens = screen_tokens(service.store, service.event(), wall_now())
    return [(label, f"{base_url}/join/{token}") for label, token in tokens]
