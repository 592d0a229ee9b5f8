"""Property-based fuzzing (hypothesis) of every REST route and every Socket.IO event, signed in as moderator:
never a 500, never a missing or malformed acknowledgement, never a traceback in the log, and a refused request
leaves the stored state as it was. Bounded (50 examples per route and per event) so it runs in CI."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runofshow.agenda.edits import EDITABLE_FIELDS
from runofshow.engine import COMMANDS
from runofshow.web import service_of
from runofshow.web.protocol import events


EXAMPLES = settings(max_examples=50, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HOSTILE_TEXT = ("\ud800", "\udfff x", "\x00", "\x1b[31m", "\u202eevil", "\u2066", "a\r\nb", "", " ", "plenary",
                "pause", "keynote", "*", "x" * 600, "💥", "%s %(role)s {0}", "../../etc/passwd", "<script>")
# Body keys the routes read, so generated bodies reach past the first check.
KEYS = ("expected_rev", "expected_block", "press", "stage", "text", "pin", "block_id", "minutes", "mode", "on",
        "index", "person", "changes", "expected_version", "op", "fields", "block", "after", "to", "title", "start",
        "duration_minutes", "notes", "description", "speakers", "link", "streaming", "scene", "recording", "action",
        "action_ok", "audience", "room", "t0", "token", "lang")
AUDIENCES = ("stage", "console", "stream", "room", "agenda", "nope")
NOT_EVENTS = frozenset({"connect", "disconnect", "connect_error", "*"})
# Engine.IO answers its own path, and static files are not the app's code.
NOT_ROUTES = frozenset({"static", "socketio_path"})

texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=20))
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=True, allow_infinity=True), texts)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.one_of(st.sampled_from(KEYS), texts), inner,
                                                                       max_size=4)), max_leaves=12)
# Placeholders for the stage's current revision and the agenda's current version, filled in when a body is sent,
# so that generated commands and edits are often applied (or refused by their arguments, not as stale).
REV, VERSION = "<current rev>", "<current version>"
objects = st.dictionaries(st.one_of(st.sampled_from(KEYS), texts), values, max_size=6)
edit_fields = st.dictionaries(st.sampled_from(EDITABLE_FIELDS), values, max_size=3)
nearly_right = st.fixed_dictionaries({}, optional={
    "expected_rev": st.one_of(st.just(REV), values), "press": st.just(True), "expected_version": st.just(VERSION),
    "stage": st.sampled_from(("plenary", "nope")), "text": texts, "pin": scalars,
    "block_id": st.one_of(st.sampled_from(("pause", "keynote")), texts), "minutes": scalars, "index": scalars,
    "person": texts, "mode": texts, "on": scalars, "changes": texts, "audience": st.sampled_from(AUDIENCES),
    "op": st.one_of(st.sampled_from(("update", "add", "delete", "move")), texts), "fields": edit_fields,
    "block": edit_fields, "after": texts, "to": scalars})
payloads = st.one_of(nearly_right, nearly_right, objects, values)
# A request body as sent: JSON (the usual case), bytes that are not JSON, JSON without the right Content-Type,
# or nested far too deep.
bodies = st.one_of(
    st.tuples(payloads, st.just("application/json")), st.tuples(payloads, st.just("application/json")),
    st.tuples(payloads, st.just("text/plain")),
    st.tuples(st.binary(max_size=40), st.just("application/json")),
    st.integers(min_value=33, max_value=20_000).map(lambda deep: (b"[" * deep + b"]" * deep, "application/json")),
)
queries = st.dictionaries(st.sampled_from(("block", "minutes", "command", "lang", "stage", "x")),
                          st.one_of(st.sampled_from(("plenary", "pause", "5", "-1", "1e9", "goto", "add_time", "nb")),
                                    st.text(alphabet="abc019-_.%", max_size=12)), max_size=3)


def path_values(app: Any) -> dict[str, st.SearchStrategy[str]]:
    """What each URL variable is drawn from: real ids (so routes go deep) and wrong ones."""
    event = service_of(app).event()
    wrong = st.one_of(st.sampled_from(("nope", "..", "%00", "a" * 300)), st.text(alphabet="abcz-_.", min_size=1,
                                                                                max_size=12))
    return {
        "stage_id": st.one_of(st.sampled_from([stage.id for stage in event.stages]), wrong),
        "room_id": st.one_of(st.sampled_from([room.id for room in event.rooms] or ["x"]), wrong),
        "command": st.one_of(st.sampled_from(list(COMMANDS)), wrong),
        "token": wrong,
        "link_id": wrong,
    }


def filled(app: Any, value: Any) -> Any:
    """`value` with the placeholders for the current revision and version filled in."""
    if value == REV:
        return service_of(app).state("plenary").rev
    if value == VERSION:
        return service_of(app).agenda_version()
    if isinstance(value, dict):
        return {key: filled(app, item) for key, item in value.items()}
    return value


def fingerprint(app: Any) -> tuple[Any, ...]:
    """The stored state a refused request must leave alone: the agenda's version and every stage's revision."""
    service = service_of(app)
    return (service.agenda_version(), tuple(service.state(stage.id).rev for stage in service.event().stages))


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing was logged as an error or with a traceback."""
    bad = [record.getMessage() for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]
    assert not bad, bad[:5]


def routes(app: Any) -> list[tuple[str, str, list[str]]]:
    """(rule, method, its variables) for every route and method of the app."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_ROUTES:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method, sorted(rule.arguments)))
    return found


def test_rest_routes_never_answer_500(app: Any, token_for: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Every route and method with generated path values, queries and bodies: a 2xx, 3xx or 4xx, never a 5xx;
    a 4xx changes nothing stored."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    strategies = path_values(app)
    caplog.set_level(logging.WARNING)
    for rule, method, arguments in routes(app):
        @EXAMPLES
        @given(path=st.fixed_dictionaries({name: strategies.get(name, texts) for name in arguments}), body=bodies,
               query=queries)
        def check(path: dict[str, str], body: tuple[bytes, str], query: dict[str, str]) -> None:
            url = rule
            for name, value in path.items():
                url = url.replace(f"<{name}>", value.replace("/", "_").replace("?", "_").replace("#", "_"))
            before = fingerprint(app)
            sent, content_type = body
            data = sent if isinstance(sent, bytes) else json.dumps(filled(app, sent)).encode()
            if method == "GET":
                answer = client.get(url, query_string=query, headers=headers)
            else:
                answer = client.open(url, method=method, data=data, content_type=content_type, headers=headers)
            assert answer.status_code < 500, (method, url, data[:200], answer.get_data(as_text=True)[:300])
            if answer.status_code >= 400:
                assert fingerprint(app) == before, (method, url, data[:200])

        check()
    no_tracebacks(caplog)


def test_socket_events_always_acknowledge(app: Any, socket_client: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Every client->server event (and unknown names) with zero, one or two generated payloads: a dict
    acknowledgement every time; a refused one changes nothing stored."""
    client = socket_client("moderator")
    names = [event.name for event in events() if event.direction == "client->server" and event.name not in NOT_EVENTS]
    unknown = st.text(alphabet="abcxyz_", min_size=1, max_size=12).filter(lambda name: name not in NOT_EVENTS)
    caplog.set_level(logging.WARNING)
    for name in [*names, None]:
        @EXAMPLES
        @given(event=st.just(name) if name else unknown, sent=st.lists(payloads, max_size=2))
        def check(event: str, sent: list[Any]) -> None:
            before = fingerprint(app)
            ack = client.emit(event, *(filled(app, payload) for payload in sent), callback=True)
            assert isinstance(ack, dict), (event, sent, ack)
            if ack.get("ok") is False:
                assert ack.get("error") and ack.get("message"), ack
                assert fingerprint(app) == before, (event, sent, ack)

        check()
    no_tracebacks(caplog)
