"""Reading request bodies and Socket.IO payloads safely: JSON only, nested at most MAX_DEPTH deep, checked before
parsing (a body nested 100,000 deep would otherwise end in a RecursionError)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge

from runofshow.engine.arguments import N_
from runofshow.importers.limits import MAX_DEPTH, json_deeper_than
from runofshow.web.commands import Unreadable

READ_SIZE = 64 * 1024
# The routes of HTML forms (sign-in, agenda upload): they take form data, never JSON.
FORM_ENDPOINTS = frozenset({"auth.signin", "editor.import_preview", "editor.import_apply", "setup.setup_passphrase",
                            "setup.new_screen_link", "setup.revoke_screen_link", "setup.rotate_screen_links"})
NOT_JSON = N_("Send the command as JSON, with the header Content-Type: application/json.")
# The start of a Socket.IO event packet's JSON: its event name.
EVENT_NAME = re.compile(r'\s*\[\s*("[\w.:-]{1,100}")')


def too_deep(text: str | bytes) -> str | None:
    """Why a JSON text may not be parsed (it nests deeper than MAX_DEPTH), or None when it may."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if json_deeper_than(text, MAX_DEPTH):
        return f"body: nested deeper than {MAX_DEPTH} levels"
    return None


class DepthLimitedJSON(DefaultJSONProvider):
    """Flask's JSON, refusing (ValueError, so a 400) a text nested deeper than MAX_DEPTH before parsing it."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """The parsed text, or ValueError when it nests too deeply."""
        problem = too_deep(s)
        if problem is not None:
            raise ValueError(problem)
        return super().loads(s, **kwargs)


def json_body() -> Any:
    """The current request's JSON body, or Unreadable saying what is wrong: not sent as JSON, nested too deeply,
    not JSON. A body over the size limit raises the 413 of Flask's MAX_CONTENT_LENGTH (a chunked one too)."""
    if not request.is_json:
        sent = request.mimetype or "no Content-Type"
        return Unreadable(f"Content-Type: expected application/json, not {sent}", NOT_JSON)
    data = body_bytes()
    problem = too_deep(data)
    if problem is not None:
        return Unreadable(problem)
    try:
        return json.loads(data)
    except ValueError as error:  # UnicodeDecodeError is a ValueError too
        return Unreadable(f"body: not JSON ({error})")


def body_bytes() -> bytes:
    """The request body; 413 when it is longer than MAX_CONTENT_LENGTH, a chunked one (no Content-Length) too:
    werkzeug stops reading such a body at the limit and hands it back cut short, which would read as bad JSON."""
    limit = request.max_content_length
    if request.content_length is not None or limit is None or not request.environ.get("wsgi.input_terminated"):
        return request.get_data(cache=True)
    stream, chunks, size = request.environ["wsgi.input"], [], 0
    while size <= limit:
        chunk = stream.read(min(READ_SIZE, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge()
    return b"".join(chunks)


def forms_take_form_data() -> tuple[Response, int] | None:
    """Before a request: the HTML form routes read form fields only. Flask-WTF would take a JSON body for the
    form's fields, and one that is not an object (`false`, a list) fails there with a 500."""
    if request.endpoint in FORM_ENDPOINTS and request.method == "POST" and request.is_json:
        return jsonify({"ok": False, "error": "unsupported_media_type",
                        "message": "this form takes form data (multipart/form-data or "
                                   "application/x-www-form-urlencoded), not JSON"}), 415
    return None


class SocketJSON:
    """The JSON module python-socketio decodes packets with: a payload nested deeper than MAX_DEPTH is not parsed;
    its event still reaches its handler, with an Unreadable payload, so the sender gets an error acknowledgement."""

    @staticmethod
    def dumps(*args: Any, **kwargs: Any) -> str:
        """Plain json.dumps."""
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        """json.loads, or [event name, Unreadable] for an event packet nested too deeply (ValueError for others)."""
        problem = too_deep(text)
        if problem is None:
            return json.loads(text, **kwargs)
        event = EVENT_NAME.match(text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text)
        if event is None:
            raise ValueError(problem)
        return [json.loads(event.group(1)), Unreadable(problem)]
