"""Button presses without a revision (Stream Deck, Companion) and the flat variables endpoint they poll."""

from __future__ import annotations

from datetime import timedelta

from runofshow.web import service_of
from runofshow.web.adapter import PRESSES_KEY
from runofshow.web.auth import Role, create_token
from runofshow.web.presses import PressWindow


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def test_a_press_names_the_block_it_leaves_and_a_double_press_is_refused(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(token_for("moderator"))
    service = service_of(app)
    started = client.post("/api/stages/plenary/start", json={"expected_block": None}, headers=headers)
    assert started.status_code == 200, started.get_json()
    first = service.state("plenary").current
    assert first is not None
    moved = client.post("/api/stages/plenary/next", json={"expected_block": first}, headers=headers)
    assert moved.status_code == 200
    second = service.state("plenary").current
    assert second != first
    double = client.post("/api/stages/plenary/next", json={"expected_block": first}, headers=headers)
    assert double.status_code == 200 and double.get_json()["repeated"] is True
    assert service.state("plenary").current == second
    app.extensions[PRESSES_KEY] = PressWindow(0)  # the window has passed: the block is what refuses it now
    again = client.post("/api/stages/plenary/next", json={"expected_block": first}, headers=headers)
    body = again.get_json()
    assert again.status_code == 409 and body["error"] == "stale" and body["snapshot"]["rev"] == service.state("plenary").rev
    assert service.state("plenary").current == second


def test_the_same_press_within_the_window_counts_once(app, client, token_for, clock) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(token_for("moderator"))
    service = service_of(app)
    client.post("/api/stages/plenary/start", json={"press": True}, headers=headers)
    before = service.snapshot("plenary").current
    assert before is not None
    for _ in range(3):
        reply = client.post("/api/stages/plenary/add_time", json={"press": True, "minutes": 1}, headers=headers)
        assert reply.status_code == 200
    after = service.snapshot("plenary").current
    assert after is not None and after.added - before.added == timedelta(minutes=1)
    assert reply.get_json()["repeated"] is True
    # Another sender's press is its own.
    other = client.post("/api/stages/plenary/add_time", json={"press": True, "minutes": 1},
                        headers=bearer(create_token(service.store, Role.MODERATOR, "stream-deck-2")))
    assert other.status_code == 200 and "repeated" not in other.get_json()
    assert service.snapshot("plenary").current.added - before.added == timedelta(minutes=2)


def test_the_window_forgets_a_press_after_it_passes() -> None:
    now = [100.0]
    window = PressWindow(1.5, lambda: now[0])
    window.accepted("moderator:a", "plenary", "next", {})
    assert window.repeated("moderator:a", "plenary", "next", {})
    assert not window.repeated("moderator:b", "plenary", "next", {})
    assert not window.repeated("moderator:a", "plenary", "add_time", {"minutes": 1})
    now[0] += 1.6
    assert not window.repeated("moderator:a", "plenary", "next", {})


def test_a_revision_still_wins_and_a_body_with_neither_is_refused(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(token_for("moderator"))
    assert client.post("/api/stages/plenary/start", json={"expected_rev": 99, "expected_block": None},
                       headers=headers).status_code == 409
    refused = client.post("/api/stages/plenary/start", json={}, headers=headers)
    assert refused.status_code == 400 and "expected_block" in refused.get_json()["detail"]
    assert client.post("/api/stages/plenary/start", json={"expected_block": 7}, headers=headers).status_code == 400


def test_a_press_needs_the_role_like_any_command(client, token_for) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/stages/plenary/next", json={"press": True}).status_code == 401
    assert client.post("/api/stages/plenary/next", json={"press": True},
                       headers=bearer(token_for("facilitator"))).status_code == 403


def test_the_variables_are_flat_public_and_follow_the_show(app, client, token_for, clock) -> None:  # type: ignore[no-untyped-def]
    idle = client.get("/api/stages/plenary/variables").get_json()
    assert idle["status"] == "not_started" and idle["block_id"] == "" and idle["title"] == ""
    client.post("/api/stages/plenary/start", json={"press": True}, headers=bearer(token_for("moderator")))
    clock.advance(timedelta(seconds=30))
    running = client.get("/api/stages/plenary/variables").get_json()
    stage = service_of(app).event().stage("plenary")
    first = stage.blocks[0]
    assert running["block_id"] == first.id and running["title"] == first.title
    expected = int((first.planned_duration - timedelta(seconds=30)).total_seconds())
    assert running["remaining_seconds"] == expected
    minutes, seconds = divmod(expected, 60)
    assert running["remaining_text"].endswith(f"{minutes % 60:02d}:{seconds:02d}")
    assert running["next_title"] == stage.blocks[1].title and len(running["next_start"]) == 5
    assert running["level"] == "normal" and running["stream_actual"] == "unknown"
    assert running["stream_plan"] == first.stream.value
    assert all(isinstance(value, (str, int, bool)) for value in running.values())
    assert not {"notes", "contacts", "duties", "duty_takers", "projections"} & set(running)
    assert client.get("/api/stages/nowhere/variables").status_code == 404
