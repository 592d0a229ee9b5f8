"""The one path from a request or a socket event to the service: the running app's service, who acts, which stage,
applying a command, and one error vocabulary that REST turns into a status code and Socket.IO into an ack."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, g, has_request_context, jsonify

from runofshow.engine import COMMANDS, CommandError, Role, StaleRevision, stage_or_first
from runofshow.engine.arguments import N_, UNREADABLE
from runofshow.engine.commands import DUTY_TAKERS, SHOW_CONTROL, STREAM_REPORTERS
from runofshow.i18n import SOURCE_LANGUAGE, translations
from runofshow.live.service import NoAgenda, ShowService, UnknownStage
from runofshow.live.store import StoreUnavailable
from runofshow.web.commands import BadRequest, Request, read_request
from runofshow.web.presses import PressWindow, press_revision
from runofshow.web.publisher import snapshot_payload

if TYPE_CHECKING:
    from runofshow.web.auth import Identity

STATUS: dict[str, int] = {
    "bad_request": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "no_agenda": 404,
    "stale": 409,
    "unavailable": 503,
    "internal": 500,
}
"""Every error code an adapter answers with, and the HTTP status REST gives it."""

FAILURES: tuple[type[Exception], ...] = (BadRequest, CommandError, UnknownStage, NoAgenda, StoreUnavailable)
"""The service and engine errors a request can cause (StaleRevision is a CommandError)."""

CONSOLE = "console"
PRESSES_KEY = "runofshow.presses"

ROLE_NAMES: dict[Role, str] = {
    Role.MODERATOR: N_("moderator"),
    Role.FACILITATOR: N_("facilitator"),
    Role.STREAM: N_("stream operator"),
    Role.SCREEN: N_("screen"),
    Role.PUBLIC: N_("not signed in"),
}
"""Each role as the glossary (docs/glossary.md) names it in the middle of a sentence."""

ROLE_REFUSALS: dict[frozenset[Role], str] = {
    SHOW_CONTROL: N_("Only the moderator can run the show. You are signed in as %(role)s."),
    STREAM_REPORTERS: N_("Only the moderator and the stream operator can report the stream. "
                         "You are signed in as %(role)s."),
    DUTY_TAKERS: N_("Only the moderator and facilitators can take duties. You are signed in as %(role)s."),
}
"""Why a role may not send a command, by who may (the command table's role sets)."""

OTHER_ROLES = N_("You are signed in as %(role)s, and that role cannot do this.")
NOT_SIGNED_IN = N_("This screen is not signed in as crew. Open your share link or sign in, then try again.")
FAILED = N_("Something went wrong on the server. Reload the page and try again.")
NOT_SAVED = N_("The server could not save just now; nothing was changed. Try again in a moment.")
NO_AGENDA = N_("No agenda has been loaded yet.")
NOT_FOUND = N_("Not found: %(detail)s")
WRONG_SCREEN = N_("You are signed in as %(role)s, and that role cannot open this screen.")


def current_language() -> str:
    """The language of the request being answered (REST: ?lang=, the cookie, Accept-Language); else the source."""
    return g.get("lang", SOURCE_LANGUAGE) if has_request_context() else SOURCE_LANGUAGE


def say(language: str, sentence: str, **params: Any) -> str:
    """`sentence` (an English msgid) in `language`, with `params` filled in."""
    text = translations(language).gettext(sentence)
    return text % params if params else text


def role_name(language: str, role: Role) -> str:
    """The glossary's name of `role` in `language`."""
    return say(language, ROLE_NAMES[role])


@dataclass(frozen=True)
class Failure:
    """A refused request: a code of the vocabulary, a message for a person, and for `stale` the current snapshot."""

    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        """The HTTP status of this failure."""
        return STATUS[self.code]

    def ack(self) -> dict[str, Any]:
        """The failure as a Socket.IO acknowledgement (and REST's JSON body)."""
        return {"ok": False, "error": self.code, "message": self.message, **self.extra}


def failure_of(error: Exception, language: str | None = None) -> Failure:
    """The vocabulary's word for a service or engine error, its message a sentence in `language` (default: the
    request's); `reason` is the engine's code for why, `detail` the English text for a developer."""
    language = language or current_language()
    detail = {"detail": str(error)}
    if isinstance(error, StoreUnavailable):
        return Failure("unavailable", say(language, NOT_SAVED), detail)
    if isinstance(error, CommandError):
        code = "stale" if isinstance(error, StaleRevision) else "bad_request"
        return Failure(code, say(language, error.sentence, **error.params), {"reason": error.reason, **detail})
    if isinstance(error, BadRequest):
        return Failure("bad_request", say(language, error.sentence), detail)
    if isinstance(error, UnknownStage):
        return Failure("not_found", say(language, NOT_FOUND, detail=str(error)))
    if isinstance(error, NoAgenda):
        return Failure("no_agenda", say(language, NO_AGENDA), detail)
    raise TypeError(f"no error code for {type(error).__name__}") from error


def refusal(identity: Identity, command: str, language: str | None = None) -> Failure | None:
    """Why `identity` may not send `command` (no credentials, or the wrong role), or None when it may."""
    if identity.may(command):
        return None
    language = language or current_language()
    if identity.role is Role.PUBLIC:
        return Failure("unauthenticated", say(language, NOT_SIGNED_IN))
    sentence = ROLE_REFUSALS.get(COMMANDS[command].roles, OTHER_ROLES)
    return Failure("forbidden", say(language, sentence, role=role_name(language, identity.role)))


def current_service() -> ShowService:
    """The show service of the running app."""
    from runofshow.web import service_of

    return service_of(current_app)


def actor_of(identity: Identity) -> str:
    """The journal's name for who made a change: the role, and the token's name when it has one."""
    return f"{identity.role.value}:{identity.name}" if identity.name else identity.role.value


def command_reply(identity: Identity, name: str, body: Any, stage_id: str | None = None,
                  language: str | None = None) -> dict[str, Any]:
    """Apply command `name` with `body` for `identity`: `{ok: true, snapshot}` or a failure's ack, said in
    `language` (default: the request's).

    The stage is `stage_id` (REST's path), else the body's `stage`, else the event's first stage.
    """
    refused = refusal(identity, name, language)
    if refused is not None:
        return refused.ack()
    show = current_service()
    target: str | None = None
    try:
        checked = read_request(name, body)
        event = show.event()
        target = stage_or_first(event, stage_id or checked.stage_id)
        actor = actor_of(identity)
        if checked.press and press_window().repeated(actor, target, name, checked.args):
            state = show.state(target)
            return {"ok": True, "repeated": True,
                    "snapshot": snapshot_payload(event, target, state, show.clock.now(), CONSOLE)}
        state = show.command(target, name, revision_of(show, target, checked), checked.args, actor=actor)
        if checked.press:
            press_window().accepted(actor, target, name, checked.args)
    except FAILURES as error:
        failure = failure_of(error, language)
        if isinstance(error, StaleRevision) and target is not None:
            failure = replace(failure, extra={**failure.extra, "snapshot": current_snapshot(show, target)})
        return failure.ack()
    return {"ok": True, "snapshot": snapshot_payload(event, target, state, show.clock.now(), CONSOLE)}


def press_window() -> PressWindow:
    """The running app's memory of recent button presses."""
    return current_app.extensions.setdefault(PRESSES_KEY, PressWindow())


def revision_of(show: ShowService, stage_id: str, checked: Request) -> int:
    """The revision a command acts on: the one it names, or for a button press the stage's own (when its block is
    the one the press expects to leave)."""
    if checked.expected_rev is not None:
        return checked.expected_rev
    state = show.state(stage_id)
    return press_revision(state, checked.name, checked.expected_block) if checked.checks_block else state.rev


def current_snapshot(show: ShowService, stage_id: str) -> dict[str, Any] | None:
    """The console snapshot a refused stale command is answered with; None when it cannot be read."""
    try:
        return snapshot_payload(show.event(), stage_id, show.state(stage_id), show.clock.now(), CONSOLE)
    except FAILURES:
        return None


def problem(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    """A JSON error answer: `{ok: false, error, message, ...}` with its status."""
    return jsonify({"ok": False, "error": code, "message": message, **extra}), status


def failure_response(failure: Failure) -> tuple[Response, int]:
    """A failure as REST's JSON error answer."""
    return problem(failure.status, failure.code, failure.message, **failure.extra)
