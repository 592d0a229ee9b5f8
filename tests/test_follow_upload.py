"""The upload page follows a published schedule: re-read in the background, previewed, applied only on a press."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.test_formats_wild import schedule, send_answer


@pytest.fixture
def changing_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict[str, Any]]]:
    """A local HTTP server whose one answer the test changes: (its address, the answer); fetching from this
    machine allowed."""
    monkeypatch.setenv("RUNOFSHOW_IMPORT_ALLOW_PRIVATE", "1")
    answer: dict[str, Any] = {"status": 200, "body": schedule([{"title": "Opening", "start": "10:00"}]),
                              "kind": "application/json"}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            send_answer(self, answer["status"], answer["body"], answer["kind"])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/schedule.json", answer
    server.shutdown()
    server.server_close()


def one_round(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """One round of the background job server.py starts (no waiting between rounds)."""
    from runofshow.web import server

    monkeypatch.setattr(server, "FOLLOW_MINUTES", 0)
    rounds = iter([False, True])
    server.follow_address(app, lambda: next(rounds))


def test_a_followed_address_is_reread_previewed_and_applied_only_when_a_person_presses_apply(
        changing_server, app, moderator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import service_of

    url, answer = changing_server
    service = service_of(app)
    assert moderator.get("/import/followed").get_json() == {"ok": True, "following": False}
    first = moderator.post("/import/preview", data={"url": url, "follow": "y"},
                           content_type="multipart/form-data").get_json()
    assert first["ok"] and [item["title"] for item in first["diff"]["added"]] == ["Opening"]
    applied = moderator.post("/import/apply", data={"url": url, "expected_version": first["version"]},
                             content_type="multipart/form-data").get_json()
    assert applied["ok"]
    unchanged = moderator.get("/import/followed").get_json()
    assert unchanged["following"] and unchanged["url"] == url and unchanged["diff"]["empty"]

    answer["body"] = schedule([{"title": "Opening", "start": "10:15"}, {"title": "Late addition", "start": "11:00"}])
    one_round(app, monkeypatch)
    followed = moderator.get("/import/followed").get_json()
    assert followed["error"] == "" and followed["version"] == applied["version"]
    # The source event's own fields changed with it (its `date`): the kept pass-through is part of the change.
    assert [(item["title"], item["fields"]) for item in followed["diff"]["changed"]] == [
        ("Opening", ["passthrough", "start"])]
    assert [item["title"] for item in followed["diff"]["added"]] == ["Late addition"]
    # Reading never writes: the stored agenda is the applied one until a person presses apply.
    assert service.agenda_version() == applied["version"]
    assert [block.title for block in service.event().all_blocks()] == ["Opening"]

    answer.update(body=b"<!DOCTYPE html><html><body>Maintenance</body></html>", kind="text/html")
    one_round(app, monkeypatch)
    failed = moderator.get("/import/followed").get_json()
    assert "web page, not a schedule" in failed["error"] and failed["url"] == url
    assert [item["title"] for item in failed["diff"]["added"]] == ["Late addition"]  # the last good read stays
    answer.update(status=404, body=b"gone", kind="text/plain")
    one_round(app, monkeypatch)
    assert "answered 404" in moderator.get("/import/followed").get_json()["error"]

    done = moderator.post("/import/apply", data={"followed": "1", "expected_version": followed["version"]},
                          content_type="multipart/form-data").get_json()
    assert done["ok"] and done["version"] != applied["version"]
    assert sorted(block.title for block in service.event().all_blocks()) == ["Late addition", "Opening"]
    assert moderator.get("/import/followed").get_json()["diff"]["empty"]


def test_following_is_for_the_moderator_and_stops_when_asked(changing_server, app, moderator) -> None:  # type: ignore[no-untyped-def]
    url, _ = changing_server
    assert app.test_client().get("/import/followed").status_code == 401
    assert app.test_client().post("/import/followed/stop").status_code == 401
    nothing = moderator.post("/import/apply", data={"followed": "1"}, content_type="multipart/form-data")
    assert nothing.status_code == 400 and nothing.get_json()["field"] == "url"
    plain = moderator.post("/import/preview", data={"url": url}, content_type="multipart/form-data").get_json()
    assert plain["ok"] and moderator.get("/import/followed").get_json()["following"] is False  # not ticked
    moderator.post("/import/preview", data={"url": url, "follow": "y"}, content_type="multipart/form-data")
    assert moderator.get("/import/followed").get_json()["following"] is True
    assert moderator.post("/import/followed/stop").get_json() == {"ok": True, "following": False}
    assert moderator.get("/import/followed").get_json() == {"ok": True, "following": False}


def test_a_followed_change_that_would_end_the_running_block_is_refused_and_nothing_is_stored(
        changing_server, app, moderator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import service_of

    url, answer = changing_server
    service = service_of(app)
    running = service.event().stage("plenary").blocks[1].id
    service.command("plenary", "goto", service.state("plenary").rev, {"block_id": running}, actor="moderator")
    moderator.post("/import/preview", data={"url": url, "follow": "y"}, content_type="multipart/form-data")
    answer["body"] = schedule([{"title": "Replacement", "start": "10:00"}])
    one_round(app, monkeypatch)
    version = service.agenda_version()
    followed = moderator.get("/import/followed").get_json()
    assert [item["title"] for item in followed["diff"]["added"]] == ["Replacement"] and followed["version"] == version
    refused = moderator.post("/import/apply", data={"followed": "1", "expected_version": version},
                             content_type="multipart/form-data")
    assert refused.status_code == 400 and "running" in refused.get_json()["message"]
    assert service.agenda_version() == version and service.running_block("plenary") == running
