"""Roles, personal tokens, role passphrases, share-link sessions and the sign-in page."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, Length

from runofshow.engine import COMMANDS, Role
from runofshow.live.store import Store, StoreUnavailable
from runofshow.web.adapter import current_service
from runofshow.web.links import LINK_PREFIX, get_link, read_link, wall_now

CREW_ROLES = (Role.MODERATOR, Role.STREAM, Role.FACILITATOR, Role.SCREEN)
AUDIENCE_ROLES: dict[str, frozenset[Role]] = {
    "console": frozenset({Role.MODERATOR, Role.STREAM, Role.FACILITATOR, Role.SCREEN}),
    "stream": frozenset({Role.MODERATOR, Role.STREAM, Role.SCREEN}),
    "stage": frozenset(Role),
    "room": frozenset(Role),
    "agenda": frozenset(Role),
}
TOKEN_PREFIX = "token:"
TOKEN_USED_PREFIX = "token_used:"
TOKEN_ID_LENGTH = 10
PASSPHRASE_PREFIX = "passphrase:"
# A revoked token or link stops working on open sockets within this (each credential is re-read at most this often).
RECHECK_SECONDS = 0.5
# "Last used" is written at most this often per token and process, so using a token costs no write per request.
USED_WRITE_SECONDS = 60.0
# Sign-in attempts: each person (address, role, browser) gets a few; an address as a whole (a venue NAT) gets more.
SIGNIN_LIMIT_PER_PERSON = "10 per minute"
SIGNIN_LIMIT_PER_ADDRESS = "60 per minute"
BROWSER_KEY = "browser"


@dataclass(frozen=True)
class Identity:
    """Who is asking: a role and, for personal tokens, a name."""

    role: Role
    name: str = ""
    # What proved it ("token:<digest>" or "link:<id>"), re-checked on every control event and join; empty for none.
    credential: str = ""

    def may(self, command: str) -> bool:
        """True when the command table lets this role issue `command`."""
        spec = COMMANDS.get(command)
        return spec is not None and self.role in spec.roles

    def may_watch(self, audience: str) -> bool:
        """True when this role may join `audience`."""
        return self.role in AUDIENCE_ROLES.get(audience, frozenset())


PUBLIC = Identity(Role.PUBLIC)


def _digest(token: str) -> str:
    """The stored form of a token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    """What `runofshow token list` shows of a personal token (never the token itself)."""

    id: str
    role: Role
    name: str
    created: datetime | None
    last_used: datetime | None
    expires: datetime | None


def create_token(store: Store, role: Role, name: str = "", expires: datetime | None = None) -> str:
    """A new personal bearer token for `role`, working until `expires` (None: until revoked); only its digest is stored."""
    token = secrets.token_urlsafe(32)
    record = {"role": role.value, "name": name, "created": wall_now().isoformat(),
              "expires": expires.isoformat() if expires else None}
    store.set_meta(TOKEN_PREFIX + _digest(token), json.dumps(record))
    return token


def _identity_of_record(digest: str, raw: str | None, now: datetime) -> Identity | None:
    """The identity a stored token record stands for at `now`, or None when there is none or it has expired."""
    if raw is None:
        return None
    data = json.loads(raw)
    expires = data.get("expires")
    if expires and now >= datetime.fromisoformat(expires):
        return None
    return Identity(Role(data["role"]), data.get("name", ""), TOKEN_PREFIX + digest)


def identity_for_token(store: Store, token: str) -> Identity | None:
    """The identity a bearer token stands for, or None (unknown, revoked or expired)."""
    if not token or len(token) > 200:
        return None
    digest = _digest(token)
    identity = _identity_of_record(digest, store.get_meta(TOKEN_PREFIX + digest), wall_now())
    if identity is not None:
        _note_use(store, digest)
    return identity


_used_written: dict[str, float] = {}


def _note_use(store: Store, digest: str) -> None:
    """Remember when a token was last used, at most once a minute per process; a store hiccup only loses the note."""
    moment = time.monotonic()
    if moment - _used_written.get(digest, -USED_WRITE_SECONDS) < USED_WRITE_SECONDS:
        return
    _used_written[digest] = moment
    try:
        store.set_meta(TOKEN_USED_PREFIX + digest[:TOKEN_ID_LENGTH], wall_now().isoformat())
    except StoreUnavailable:
        pass


def _optional_instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant, or None."""
    return datetime.fromisoformat(text) if text else None


def list_tokens(store: Store) -> list[TokenInfo]:
    """Every personal token, oldest first."""
    used = store.meta_items(TOKEN_USED_PREFIX)
    tokens = []
    for key, raw in store.meta_items(TOKEN_PREFIX).items():
        data = json.loads(raw)
        token_id = key[len(TOKEN_PREFIX):][:TOKEN_ID_LENGTH]
        tokens.append(TokenInfo(token_id, Role(data["role"]), data.get("name", ""),
                                _optional_instant(data.get("created")), _optional_instant(used.get(TOKEN_USED_PREFIX + token_id)),
                                _optional_instant(data.get("expires"))))
    return sorted(tokens, key=lambda info: (info.created is not None, info.created or wall_now(), info.id))


def revoke_token(store: Store, token_id: str) -> bool:
    """Revoke the token whose id is `token_id`: it stops working at once (open sockets within a second)."""
    if len(token_id) != TOKEN_ID_LENGTH:
        return False
    keys = [key for key in store.meta_items(TOKEN_PREFIX + token_id)]
    for key in keys:
        store.delete_meta(key)
    store.delete_meta(TOKEN_USED_PREFIX + token_id)
    return bool(keys)


def _credential_works(store: Store, credential: str) -> bool:
    """True when the token or link behind `credential` is still stored, unrevoked and unexpired."""
    if credential.startswith(TOKEN_PREFIX):
        return _identity_of_record(credential[len(TOKEN_PREFIX):], store.get_meta(credential), wall_now()) is not None
    if credential.startswith(LINK_PREFIX):
        link = get_link(store, credential[len(LINK_PREFIX):])
        return link is not None and link.valid_at(wall_now())
    return True


_rechecked: dict[str, tuple[float, bool]] = {}


def still_valid(store: Store, identity: Identity) -> Identity:
    """The identity if its token or link still works (see `credential_still_works`), else PUBLIC."""
    return identity if not identity.credential or credential_still_works(store, identity.credential) else PUBLIC


def credential_still_works(store: Store, credential: str) -> bool:
    """Whether a token or link still works, read again at most every RECHECK_SECONDS.

    Every node reads the shared store, so a revocation on one node reaches sockets open on every other.
    """
    checked = _rechecked.get(credential)
    moment = time.monotonic()
    if checked is None or moment - checked[0] >= RECHECK_SECONDS:
        if len(_rechecked) > 10_000:
            _rechecked.clear()
        checked = (moment, _credential_works(store, credential))
        _rechecked[credential] = checked
    return checked[1]


def set_passphrase(store: Store, role: Role, passphrase: str) -> None:
    """Set the shared passphrase crew use to sign in as `role`."""
    if len(passphrase) < 8:
        raise ValueError("a passphrase needs at least 8 characters")
    store.set_meta(PASSPHRASE_PREFIX + role.value, generate_password_hash(passphrase))


def check_passphrase(store: Store, role: Role, passphrase: str) -> bool:
    """True when `passphrase` is the one set for `role`."""
    stored = store.get_meta(PASSPHRASE_PREFIX + role.value)
    return stored is not None and check_password_hash(stored, passphrase)


def bearer_token() -> str:
    """The token of an `Authorization: Bearer` header, or an empty string."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def current_identity(store: Store, token: str = "") -> Identity:
    """Who the current request or socket belongs to: a bearer token first, then the signed session."""
    token = token or (bearer_token() if request else "")
    if token:
        return identity_for_token(store, token) or PUBLIC
    role = session.get("role")
    if role in {r.value for r in CREW_ROLES}:
        link_id = session.get("link")
        credential = LINK_PREFIX + link_id if isinstance(link_id, str) else ""
        return still_valid(store, Identity(Role(role), session.get("name", ""), credential))
    return PUBLIC


class SignInForm(FlaskForm):
    """Crew sign-in with a role's passphrase."""

    role = SelectField("Role", choices=[r.value for r in CREW_ROLES], validators=[DataRequired()])
    passphrase = PasswordField("Passphrase", validators=[DataRequired(), Length(max=200)])


bp = Blueprint("auth", __name__)
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def browser_id() -> str:
    """A random id this browser keeps in its session cookie, so sign-in attempts are counted per person."""
    if not isinstance(session.get(BROWSER_KEY), str):
        session[BROWSER_KEY] = secrets.token_hex(8)
    return str(session[BROWSER_KEY])


def signin_attempt_key() -> str:
    """Whose attempt this is: address, role and browser (typos lock out neither other roles nor other people)."""
    role = request.form.get("role", "")[:20]
    return f"{get_remote_address()}|{role}|{session.get(BROWSER_KEY, '')}"


def _failed(response: Any) -> bool:
    """Only failed attempts count towards a lockout."""
    return bool(response.status_code == 401)


def _store() -> Store:
    """The store of the running app."""
    return current_service().store


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(SIGNIN_LIMIT_PER_ADDRESS, methods=["POST"], deduct_when=_failed, scope="signin-address")
@limiter.limit(SIGNIN_LIMIT_PER_PERSON, methods=["POST"], key_func=signin_attempt_key, deduct_when=_failed,
               scope="signin-person")
def signin() -> Any:
    """Crew sign in with a role passphrase."""
    form = SignInForm()
    browser = browser_id()
    if form.validate_on_submit():
        role = Role(form.role.data)
        if check_passphrase(_store(), role, form.passphrase.data or ""):
            session.clear()
            session["role"] = role.value
            session[BROWSER_KEY] = browser
            return redirect(url_for("pages.index"))
        return render_template("signin.html", form=form, failed=True), 401
    return render_template("signin.html", form=form, failed=False)


@bp.route("/signout", methods=["POST"])
def signout() -> Any:
    """Forget the crew session."""
    session.clear()
    return redirect(url_for("pages.index"))


@bp.route("/join/<token>")
def join(token: str) -> Any:
    """Open a share link: the browser is signed in as its role (for as long as the link works) and sent to its screen."""
    link = read_link(_store(), token, wall_now())
    if link is None:
        return render_template("error.html", code=403, reason="invalid_link"), 403
    session.clear()
    if link.role in CREW_ROLES:
        session["role"] = link.role.value
        session["link"] = link.id
        session.permanent = True
    target = link.target
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("pages.index"))


def init_app(app: Flask) -> None:
    """Register the sign-in routes and the rate limiter."""
    limiter.init_app(app)
    app.register_blueprint(bp)


def access_rows() -> list[str]:
    """The rows of docs/security.md's table: each role, the audiences it may join and the commands it may send."""
    rows = []
    for role in Role:
        joins = " | ".join("yes" if role in roles else "no" for roles in AUDIENCE_ROLES.values())
        commands = ", ".join(f"`{name}`" for name, spec in COMMANDS.items() if role in spec.roles) or "none"
        rows.append(f"| `{role.value}` | {joins} | {commands} |")
    return rows
