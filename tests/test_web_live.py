"""The live server in-process: Socket.IO joins, snapshots, control acks, roles, REST and redaction."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.web import service_of


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def received(client, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """Payloads of one event a test client has received since last asked."""
    return [message["args"][0] for message in client.get_received() if message["name"] == name]


def test_join_gives_agenda_and_full_snapshot(socket_client) -> None:  # type: ignore[no-untyped-def]
    screen = socket_client()
    reply = screen.emit("join", {"audience": "stage", "stage": "plenary"}, callback=True)
    assert reply["ok"] is True
    [entry] = reply["stages"]
    assert entry["snapshot"]["stage_id"] == "plenary"
    assert entry["snapshot"]["status"] == "not_started"
    assert len(entry["agenda"]["blocks"]) == 14
    assert entry["agenda"]["event"]["timezone"] == "Europe/Oslo"


def test_join_refuses_bad_audience_and_unknown_stage(socket_client) -> None:  # type: ignore[no-untyped-def]
    screen = socket_client()
    assert screen.emit("join", {"audience": "backstage"}, callback=True)["error"] == "bad_request"
    reply = screen.emit("join", {"audience": "stage", "stage": "nope"}, callback=True)
    assert reply["ok"] is False and reply["error"] == "not_found" and "nope" in reply["message"]
    assert screen.emit("join", "stage", callback=True)["error"] == "bad_request"


def test_console_needs_a_crew_role(socket_client) -> None:  # type: ignore[no-untyped-def]
    public = socket_client()
    assert public.emit("join", {"audience": "console"}, callback=True)["error"] == "forbidden"
    crew = socket_client("screen")
    assert crew.emit("join", {"audience": "console"}, callback=True)["ok"] is True


def test_next_pushes_a_higher_rev_to_every_audience(socket_client, clock) -> None:  # type: ignore[no-untyped-def]
    screens = {audience: socket_client() for audience in ("stage", "agenda")}
    for audience, screen in screens.items():
        screen.emit("join", {"audience": audience}, callback=True)
        screen.get_received()
    moderator = socket_client("moderator")
    start_rev = moderator.emit("join", {"audience": "console"}, callback=True)["stages"][0]["snapshot"]["rev"]
    ack = moderator.emit("next", {"expected_rev": start_rev}, callback=True)
    assert ack["ok"] is True
    assert ack["snapshot"]["rev"] == start_rev + 1
    assert ack["snapshot"]["current"]["title"] == "Fylkeskommunenes samling"
    for screen in screens.values():
        pushed = received(screen, "snapshot")
        assert pushed[-1]["rev"] == start_rev + 1
        assert pushed[-1]["current"]["block_id"] == ack["snapshot"]["current"]["block_id"]


def test_stale_revision_is_refused_with_current_state(socket_client) -> None:  # type: ignore[no-untyped-def]
    moderator = socket_client("moderator")
    rev = moderator.emit("join", {"audience": "console"}, callback=True)["stages"][0]["snapshot"]["rev"]
    assert moderator.emit("next", {"expected_rev": rev}, callback=True)["ok"] is True
    second = moderator.emit("next", {"expected_rev": rev}, callback=True)
    assert second["ok"] is False and second["error"] == "stale"
    assert second["snapshot"]["rev"] == rev + 1
    assert second["snapshot"]["current"]["title"] == "Fylkeskommunenes samling"


def test_control_without_the_right_role_changes_nothing(app, socket_client) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    before = service.state("plenary")
    for role in (None, "screen", "stream", "facilitator"):
        client = socket_client(role)
        reply = client.emit("next", {"expected_rev": before.rev}, callback=True)
        code = "unauthenticated" if role is None else "forbidden"
        assert reply == {"ok": False, "error": code, "message": reply["message"]}
    stream = socket_client("stream")
    assert stream.emit("set_stream_state", {"expected_rev": before.rev, "on": True}, callback=True)["ok"] is True
    assert service.state("plenary").current is None


@pytest.mark.parametrize("payload", [
    None, "next", [], {"expected_rev": "1"}, {"expected_rev": -1}, {"expected_rev": True},
    {"expected_rev": 0, "stage": 5}, {"expected_rev": 0, "stage": "x" * 10_000},
])
def test_malformed_socket_payloads_get_an_error_ack(app, socket_client, payload) -> None:  # type: ignore[no-untyped-def]
    moderator = socket_client("moderator")
    before = service_of(app).store.load_state("plenary")
    reply = moderator.emit("next", payload, callback=True)
    assert reply["ok"] is False and reply["error"] in ("bad_request", "stale")
    assert reply["message"]
    assert service_of(app).store.load_state("plenary") == before


@pytest.mark.parametrize("name,args", [
    ("goto", {"block_id": "no-such-block"}), ("goto", {"block_id": 3}), ("add_time", {"minutes": "5"}),
    ("add_time", {"minutes": 10_000}), ("add_time", {"minutes": float("nan")}), ("message", {"text": "x" * 501}),
    ("blackout", {"on": "yes"}), ("take_duty", {"block_id": "malkonflikter", "index": 99, "person": "Kari"}),
])
def test_bad_arguments_are_named(app, socket_client, name, args) -> None:  # type: ignore[no-untyped-def]
    moderator = socket_client("moderator")
    rev = service_of(app).state("plenary").rev
    reply = moderator.emit(name, {"expected_rev": rev, **args}, callback=True)
    assert reply["ok"] is False and reply["error"] == "bad_request"
    assert service_of(app).state("plenary").rev == rev


def test_clock_ping_reports_server_time(socket_client, clock) -> None:  # type: ignore[no-untyped-def]
    reply = socket_client().emit("clock", {"t0": 123}, callback=True)
    assert reply["t0"] == 123
    assert reply["server_ms"] == int(clock.now().timestamp() * 1000)


def test_rest_next_and_conflict(client, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    rev = client.get("/api/stages/plenary/snapshot", headers=headers).get_json()["rev"]
    first = client.post("/api/stages/plenary/next", json={"expected_rev": rev}, headers=headers)
    assert first.status_code == 200 and first.get_json()["snapshot"]["rev"] == rev + 1
    second = client.post("/api/stages/plenary/next", json={"expected_rev": rev}, headers=headers)
    assert second.status_code == 409
    assert second.get_json()["snapshot"]["rev"] == rev + 1


def test_rest_roles(client, token_for) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/stages/plenary/next", json={"expected_rev": 0}).status_code == 401
    assert client.post("/api/stages/plenary/next", json={"expected_rev": 0},
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    stream = {"Authorization": f"Bearer {token_for('stream')}"}
    assert client.post("/api/stages/plenary/next", json={"expected_rev": 0}, headers=stream).status_code == 403


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"expected_rev": "x"}', b'{"expected_rev": 0, "minutes": null}'])
def test_rest_malformed_bodies(client, token_for, body) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for('moderator')}", "Content-Type": "application/json"}
    response = client.post("/api/stages/plenary/add_time", data=body, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_rest_unknowns_are_404_json(client, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    assert client.post("/api/stages/plenary/explode", json={"expected_rev": 0}, headers=headers).status_code == 404
    missing = client.get("/api/stages/nope/snapshot")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_openapi_matches_the_routes(app, client) -> None:  # type: ignore[no-untyped-def]
    from runofshow.engine import COMMANDS

    document = client.get("/api/openapi.json").get_json()
    adapter = app.url_map.bind("localhost")
    for path, operations in document["paths"].items():
        for method in operations:
            endpoint, _ = adapter.match(path.replace("{stage_id}", "plenary"), method=method.upper())
            assert endpoint.startswith("api."), path
    for name in COMMANDS:
        assert f"/api/stages/{{stage_id}}/{name}" in document["paths"]
    api_rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert len(api_rules) == 8  # the five, the flat variables for button panels, the crew's recovery and what-if


def test_public_payloads_never_carry_private_text(app, socket_client, clock) -> None:  # type: ignore[no-untyped-def]
    """A full run of the reference day: nothing sent to stage, room or agenda has an e-mail or note text."""
    service = service_of(app)
    event = service.event()
    public_text = "\n".join(f"{block.title}\n{block.description}" for block in event.all_blocks())
    private_fragments = set()
    for block in event.all_blocks():
        for paragraph in block.notes.split("\n\n"):
            # Only what the notes alone say: a working group named in the public description is public.
            if len(paragraph.strip()) > 12 and paragraph.strip() not in public_text:
                private_fragments.add(paragraph.strip())
        private_fragments.update(contact.value for contact in block.contacts)
    assert any("@" in fragment for fragment in private_fragments)
    watchers = []
    for audience, extra in (("stage", {}), ("agenda", {}), ("room", {"room": event.rooms[0].id})):
        screen = socket_client()
        join = screen.emit("join", {"audience": audience, **extra}, callback=True)
        assert join["ok"], join
        watchers.append((screen, [json.dumps(join)]))
    moderator = socket_client("moderator")
    moderator.emit("join", {"audience": "console"}, callback=True)
    for _ in range(40):
        state = service.state("plenary")
        if state.status.value == "finished":
            break
        moderator.emit("next", {"expected_rev": state.rev}, callback=True)
        moderator.emit("message", {"expected_rev": service.state("plenary").rev, "text": "Wrap up"}, callback=True)
        clock.advance(timedelta(minutes=20))
    assert service.state("plenary").status.value == "finished"
    for screen, seen in watchers:
        seen.extend(json.dumps(message["args"]) for message in screen.get_received())
        text = "\n".join(seen)
        assert len(seen) > 10
        assert not EMAIL.search(text)
        for fragment in private_fragments:
            assert fragment not in text.replace("\\n", "\n"), fragment


def test_pages_render_in_both_languages(client) -> None:  # type: ignore[no-untyped-def]
    english = client.get("/agenda?lang=en")
    norwegian = client.get("/agenda?lang=nb")
    assert english.status_code == norwegian.status_code == 200
    assert b'lang="en"' in english.data and b'lang="nb"' in norwegian.data
    assert "Nettverkssamling".encode() in english.data
    assert client.get("/console/plenary").status_code == 302
    assert client.get("/stage/nope").status_code == 404


def test_reference_agenda_is_the_packaged_one() -> None:
    assert REFERENCE_AGENDA.read_text(encoding="utf-8").startswith("\n\n# Nettverkssamling")


def test_a_duty_taken_for_a_later_block_reaches_consoles_only(socket_client) -> None:  # type: ignore[no-untyped-def]
    facilitator = socket_client("facilitator")
    rev = facilitator.emit("join", {"audience": "console"}, callback=True)["stages"][0]["snapshot"]["rev"]
    public = socket_client()
    public.emit("join", {"audience": "agenda"}, callback=True)
    public.get_received()
    ack = facilitator.emit("take_duty", {"expected_rev": rev, "block_id": "malkonflikter", "index": 2,
                                         "person": "Ingrid"}, callback=True)
    assert ack["ok"] is True
    assert {"block_id": "malkonflikter", "index": 2, "person": "Ingrid"} in ack["snapshot"]["duty_takers"]
    pushed = received(public, "snapshot")
    assert pushed and all("duty_takers" not in snap for snap in pushed)
    assert "Ingrid" not in json.dumps(pushed)


def test_stream_state_may_be_reported_unknown_over_both_adapters(app, client, socket_client,  # type: ignore[no-untyped-def]
                                                                 token_for) -> None:
    service = service_of(app)
    stream = socket_client("stream")
    assert stream.emit("set_stream_state", {"expected_rev": service.state("plenary").rev, "on": True},
                       callback=True)["snapshot"]["stream_on"] is True
    ack = stream.emit("set_stream_state", {"expected_rev": service.state("plenary").rev, "on": None}, callback=True)
    assert ack["ok"] is True and ack["snapshot"]["stream_on"] is None
    headers = {"Authorization": f"Bearer {token_for('stream')}"}
    for on in (False, None):
        posted = client.post("/api/stages/plenary/set_stream_state", headers=headers,
                             json={"expected_rev": service.state("plenary").rev, "on": on})
        assert posted.status_code == 200 and posted.get_json()["snapshot"]["stream_on"] is on
    assert service.state("plenary").stream_on is None


def test_a_message_is_at_most_500_characters_everywhere(app, client, socket_client, token_for) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    moderator = socket_client("moderator")
    assert moderator.emit("message", {"expected_rev": service.state("plenary").rev, "text": "x" * 500},
                          callback=True)["ok"] is True
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    refused = client.post("/api/stages/plenary/message", headers=headers,
                          json={"expected_rev": service.state("plenary").rev, "text": "x" * 501})
    assert refused.status_code == 400 and "at most 500" in refused.get_json()["message"]
    assert service.state("plenary").message == "x" * 500


def test_an_unknown_stage_is_not_found_over_both_adapters(client, socket_client, token_for) -> None:  # type: ignore[no-untyped-def]
    ack = socket_client("moderator").emit("next", {"expected_rev": 0, "stage": "nope"}, callback=True)
    assert ack["ok"] is False and ack["error"] == "not_found" and "nope" in ack["message"]
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    posted = client.post("/api/stages/nope/next", json={"expected_rev": 0}, headers=headers)
    assert posted.status_code == 404 and posted.get_json() == {**ack, "message": posted.get_json()["message"]}
