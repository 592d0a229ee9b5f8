"""Roles, personal tokens, role passphrases, signed share links and the sign-in page."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, Length

from runofshow.engine import COMMANDS, Role
from runofshow.live.store import Store
from runofshow.web.adapter import current_service

CREW_ROLES = (Role.MODERATOR, Role.STREAM, Role.FACILITATOR, Role.SCREEN)
AUDIENCE_ROLES: dict[str, frozenset[Role]] = {
    "console": frozenset({Role.MODERATOR, Role.STREAM, Role.FACILITATOR, Role.SCREEN}),
    "stream": frozenset({Role.MODERATOR, Role.STREAM, Role.SCREEN}),
    "stage": frozenset(Role),
    "room": frozenset(Role),
    "agenda": frozenset(Role),
}
TOKEN_PREFIX = "token:"
PASSPHRASE_PREFIX = "passphrase:"
SHARE_GENERATION_KEY = "share_generation"


@dataclass(frozen=True)
class Identity:
    """Who is asking: a role and, for personal tokens, a name."""

    role: Role
    name: str = ""

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


def create_token(store: Store, role: Role, name: str = "") -> str:
    """A new personal bearer token for `role`; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    store.set_meta(TOKEN_PREFIX + _digest(token), json.dumps({"role": role.value, "name": name}))
    return token


def identity_for_token(store: Store, token: str) -> Identity | None:
    """The identity a bearer token stands for, or None."""
    if not token or len(token) > 200:
        return None
    raw = store.get_meta(TOKEN_PREFIX + _digest(token))
    if raw is None:
        return None
    data = json.loads(raw)
    return Identity(Role(data["role"]), data.get("name", ""))


def set_passphrase(store: Store, role: Role, passphrase: str) -> None:
    """Set the shared passphrase crew use to sign in as `role`."""
    if len(passphrase) < 8:
        raise ValueError("a passphrase needs at least 8 characters")
    store.set_meta(PASSPHRASE_PREFIX + role.value, generate_password_hash(passphrase))


def check_passphrase(store: Store, role: Role, passphrase: str) -> bool:
    """True when `passphrase` is the one set for `role`."""
    stored = store.get_meta(PASSPHRASE_PREFIX + role.value)
    return stored is not None and check_password_hash(stored, passphrase)


def _share_serializer() -> URLSafeSerializer:
    """Signs share links with the app's secret."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="runofshow-share")


def share_token(store: Store, role: Role, target: str) -> str:
    """A signed token that signs a screen in as `role` and opens `target` (a path)."""
    generation = store.get_meta(SHARE_GENERATION_KEY) or "1"
    return _share_serializer().dumps({"role": role.value, "target": target, "gen": generation})


def read_share_token(store: Store, token: str) -> tuple[Role, str] | None:
    """The role and target of a valid share token, or None."""
    try:
        data: Any = _share_serializer().loads(token)
    except BadSignature:
        return None
    generation = store.get_meta(SHARE_GENERATION_KEY) or "1"
    if not isinstance(data, dict) or not hmac.compare_digest(str(data.get("gen")), generation):
        return None
    try:
        return Role(data["role"]), str(data["target"])
    except (KeyError, ValueError):
        return None


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
        return Identity(Role(role), session.get("name", ""))
    return PUBLIC


class SignInForm(FlaskForm):
    """Crew sign-in with a role's passphrase."""

    role = SelectField("Role", choices=[r.value for r in CREW_ROLES], validators=[DataRequired()])
    passphrase = PasswordField("Passphrase", validators=[DataRequired(), Length(max=200)])


bp = Blueprint("auth", __name__)
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _store() -> Store:
    """The store of the running app."""
    return current_service().store


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def signin() -> Any:
    """Crew sign in with a role passphrase."""
    form = SignInForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        if check_passphrase(_store(), role, form.passphrase.data or ""):
            session.clear()
            session["role"] = role.value
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
    """Open a signed share link once: the browser is signed in as its role and sent to its screen."""
    result = read_share_token(_store(), token)
    if result is None:
        return render_template("error.html", code=403, reason="invalid_link"), 403
    role, target = result
    session.clear()
    session["role"] = role.value
    session.permanent = True
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("pages.index"))


def init_app(app: Flask) -> None:
    """Register the sign-in routes and the rate limiter."""
    limiter.init_app(app)
    app.register_blueprint(bp)
