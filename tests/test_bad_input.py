"""Hostile input never makes a 500 or leaves a socket without an acknowledgement: text that is not proper Unicode,
control and bidi-override characters, deeply nested bodies, bodies not sent as JSON, chunked bodies over the limit,
wrong payloads and unknown events."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from typing import Any

import pytest

from runofshow.agenda.shown_text import UnreadableText, shown_text
from runofshow.engine import COMMANDS, CommandError
from runofshow.web import service_of
from tests.support.serverproc import ServerProcess

DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE = "a\x00b\x1b[31mc\u202ed\u2066e\u2069\x7f\x9bf"


def rev(app: Any) -> int:
    """The plenary stage's revision."""
    return service_of(app).state("plenary").rev


def message(client: Any, app: Any, text: str) -> Any:
    """Send the stage message `text` over REST."""
    return client.post("/api/stages/plenary/message", json={"expected_rev": rev(app), "text": text})


def test_shown_text_takes_out_controls_and_bidi_overrides() -> None:
    """NUL, ESC, DEL, C1 and the bidi embeddings, overrides and isolates go; tabs and line breaks become spaces on
    one line, line breaks stay (as "\\n") where several lines are allowed."""
    assert shown_text(HOSTILE) == "ab[31mcdef"
    assert shown_text("one\ttwo\r\nthree\u2028four") == "one two three four"
    assert shown_text("one\r\ntwo\rthree\nfour", multiline=True) == "one\ntwo\nthree\nfour"
    assert shown_text("Grüß Gott, \u200fשלום\u200e 👋") == "Grüß Gott, \u200fשלום\u200e 👋"
    with pytest.raises(UnreadableText):
        shown_text("broken \ud800 text")


def test_a_text_argument_is_cleaned_once_when_read() -> None:
    """The command table's reading cleans every TEXT argument; the message keeps its line breaks, a name does not."""
    assert COMMANDS["message"].read({"text": "Wrap up\r\nnow" + HOSTILE})["text"] == "Wrap up\nnow" + "ab[31mcdef"
    assert COMMANDS["take_duty"].read({"block_id": "x", "index": 0, "person": "Ingrid\nX\u202e"})["person"] == "Ingrid X"
    with pytest.raises(CommandError) as refused:
        COMMANDS["message"].read({"text": "\ud800"})
    assert refused.value.reason == "not_unicode" and "text" in str(refused.value)
    with pytest.raises(CommandError, match="empty"):
        COMMANDS["take_duty"].read({"block_id": "x", "index": 0, "person": "\x00\u202e"})


def test_a_lone_surrogate_in_a_message_is_a_400_naming_the_field(app: Any, moderator: Any) -> None:
    """Never a failure in the store: refused before anything is applied."""
    before = rev(app)
    answer = message(moderator, app, "Hello \ud800")
    assert answer.status_code == 400
    assert answer.json["reason"] == "not_unicode" and answer.json["detail"].startswith("message: text")
    assert rev(app) == before


def test_control_characters_never_reach_the_stage(app: Any, moderator: Any) -> None:
    """The stored and pushed message has no control or bidi-override characters; its line breaks stay."""
    answer = message(moderator, app, "Five minutes\n" + HOSTILE)
    assert answer.status_code == 200
    assert answer.json["snapshot"]["message"] == "Five minutes\nab[31mcdef"
    assert service_of(app).state("plenary").message == "Five minutes\nab[31mcdef"


def test_a_deeply_nested_body_is_a_400_with_a_message(moderator: Any) -> None:
    """100,000 levels: refused before parsing, on the command routes and the editor alike."""
    for path in ("/api/stages/plenary/message", "/editor/plenary/edit", "/editor/plenary/undo"):
        answer = moderator.post(path, data=DEEP, content_type="application/json")
        assert answer.status_code == 400, path
        assert "nested deeper than" in str(answer.json), path


def test_a_command_without_a_json_content_type_is_told_so(app: Any, moderator: Any) -> None:
    """The message says what to send, not that the page should be reloaded."""
    answer = moderator.post("/api/stages/plenary/next", data=f'{{"expected_rev": {rev(app)}}}',
                            content_type="text/plain")
    assert answer.status_code == 400
    assert "Content-Type: application/json" in answer.json["message"]
    assert "text/plain" in answer.json["detail"]
    assert moderator.post("/api/stages/plenary/next", data="{}").json["detail"].endswith("no Content-Type")


def test_the_editor_refuses_broken_unicode_and_cleans_its_text_fields(app: Any, moderator: Any) -> None:
    """A lone surrogate is a 400 naming the field; controls and bidi overrides go; notes keep their lines."""
    service = service_of(app)
    version = service.agenda_version()
    broken = moderator.post("/editor/plenary/edit", json={"expected_version": version, "op": "update",
                                                           "block_id": "pause", "fields": {"title": "Pause \ud800"}})
    assert broken.status_code == 400 and broken.json["field"] == "title"
    assert service.agenda_version() == version
    edited = moderator.post("/editor/plenary/edit", json={
        "expected_version": version, "op": "update", "block_id": "pause",
        "fields": {"title": "Coffee\u202e\x1b[2J\nbreak", "notes": "Line one\r\nLine two\x00"}})
    assert edited.status_code == 200, edited.json
    block = next(block for block in edited.json["blocks"] if block["id"] == "pause")
    assert block["title"] == "Coffee[2J break"
    assert block["notes"] == "Line one\nLine two"


def test_form_routes_refuse_a_json_body(moderator: Any) -> None:
    """Flask-WTF took a JSON body for the form's fields; `false` or a list there was a 500. Now a 415."""
    for path in ("/signin", "/import/preview", "/import/apply"):
        for body in ("false", "[1, 2]", '{"role": "moderator"}'):
            answer = moderator.post(path, data=body, content_type="application/json")
            assert answer.status_code == 415, (path, body, answer.status_code)


def test_every_bad_socket_payload_gets_an_error_ack(socket_client: Any, app: Any) -> None:
    """No payload, two payloads, a lone surrogate, an unknown event: each acknowledged with an error."""
    client = socket_client("moderator")
    for event, payloads in (("message", ()), ("join", ()), ("join", ({"audience": "stage"}, 2)),
                            ("goto", ({"expected_rev": 0, "block_id": "x"}, {"x": 1})),
                            ("message", ({"expected_rev": rev(app), "text": "\ud800"},)), ("no_such_event", (1,))):
        ack = client.emit(event, *payloads, callback=True)
        assert isinstance(ack, dict) and ack["ok"] is False, (event, payloads, ack)
        assert ack["error"] in ("bad_request", "not_found") and ack["message"], ack
    assert client.emit("clock", callback=True)["server_ms"] > 0


def test_a_deeply_nested_socket_payload_gets_an_error_ack(socket_client: Any, app: Any) -> None:
    """A packet nested 5,000 deep (under the 64 KB packet limit) is answered, not dropped with a RecursionError."""
    client = socket_client("moderator")
    for ack_id, event in enumerate(("message", "join"), start=7):
        client.socketio.server._handle_eio_message(client.eio_sid, f'2{ack_id}["{event}",' + DEEP[:5000] + DEEP[-5000:] + "]")
        ack = client.acks["args"][0]
        client.acks = None
        assert ack["ok"] is False and "nested deeper than" in ack["detail"], ack


def test_a_failing_handler_still_acknowledges(socket_client: Any, monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """An unexpected exception is logged with its traceback and the sender gets an `internal` error ack."""
    client = socket_client("moderator")
    monkeypatch.setattr("runofshow.web.sockets.command_reply", lambda *_, **__: 1 / 0)
    ack = client.emit("next", {"press": True}, callback=True)
    assert ack["ok"] is False and ack["error"] == "internal" and ack["message"]
    assert any(record.exc_info for record in caplog.records)


def test_a_failing_connect_is_refused_not_let_in_unidentified(app: Any, monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """When who is connecting cannot be read, the connection is refused (the screen retries) and the error logged."""
    from runofshow.web import socketio

    def broken(*_: Any) -> Any:
        raise RuntimeError("store gone")

    monkeypatch.setattr("runofshow.web.sockets.current_identity", broken)
    client = socketio.test_client(app)
    assert not client.is_connected()
    assert any(record.exc_info for record in caplog.records)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    """A real server (chunked bodies reach the app as a real WSGI server passes them) and a moderator token."""
    server = ServerProcess(tmp_path_factory.mktemp("bodies"), env={"RUNOFSHOW_SCHEDULER": "off"})
    with server.start():
        yield server, server.token("moderator")


def post_chunked(server: ServerProcess, token: str, path: str, chunks: Iterator[bytes]) -> tuple[int, bytes]:
    """(status, body) of a POST whose body is sent with Transfer-Encoding: chunked (no Content-Length)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("POST", path, body=chunks, encode_chunked=True,
                           headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_a_chunked_body_over_the_limit_is_413(live: tuple[ServerProcess, str]) -> None:
    """Two and a half megabytes without a Content-Length: too large, not "bad JSON"."""
    server, token = live
    status, body = post_chunked(server, token, "/api/stages/plenary/message", (b" " * 65536 for _ in range(40)))
    assert status == 413, body
    assert b"too_large" in body


def test_a_small_chunked_body_is_read_whole(live: tuple[ServerProcess, str]) -> None:
    """Chunked bodies under the limit still work."""
    server, token = live
    status, body = post_chunked(server, token, "/api/stages/plenary/flash",
                                iter((b'{"pre', b'ss": true}')))
    assert status == 200, body
