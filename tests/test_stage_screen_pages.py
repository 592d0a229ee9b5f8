"""The studio clock and logo routes, and the stage screen's keys in each audience's snapshot."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

# The smallest valid PNG: one transparent pixel.
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
PUBLIC_SCREENS = ("/stage/plenary", "/clock/plenary", "/agenda")


@pytest.fixture
def logo(app, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The setting LOGO pointing at a small PNG."""
    path = tmp_path / "logo.png"
    path.write_bytes(PIXEL)
    app.config["RUNOFSHOW"]["LOGO"] = str(path)
    return path


def test_the_studio_clock_is_public_and_knows_its_stage(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/clock/plenary")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-stage="plenary"' in html and 'data-audience="stage"' in html and "js/clock.js" in html
    assert client.get("/clock/nowhere").status_code == 404


def test_no_logo_when_none_is_set(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/logo").status_code == 404
    for path in PUBLIC_SCREENS:
        assert "event-logo" not in client.get(path).get_data(as_text=True), path


def test_the_logo_is_served_and_shown_on_public_screens_only(client, moderator, logo, reference) -> None:  # type: ignore[no-untyped-def]
    served = client.get("/logo")
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == PIXEL
    room = reference.rooms[0].id
    for path in PUBLIC_SCREENS + (f"/room/{room}",):
        html = client.get(path).get_data(as_text=True)
        assert 'class="event-logo" src="/logo"' in html and "css/logo.css" in html, path
    for path in ("/console/plenary", "/stream/plenary"):
        assert "event-logo" not in moderator.get(path).get_data(as_text=True), path


def test_a_missing_logo_file_is_no_logo(client, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app.config["RUNOFSHOW"]["LOGO"] = str(tmp_path / "gone.png")
    assert client.get("/logo").status_code == 404
    assert "event-logo" not in client.get("/stage/plenary").get_data(as_text=True)


def joined(socket_client, audience: str, role: str | None = None) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The snapshot a screen of `audience` gets when it joins the plenary."""
    reply = socket_client(role).emit("join", {"audience": audience, "stage": "plenary"}, callback=True)
    assert reply["ok"] is True, reply
    return reply["stages"][0]["snapshot"]


def test_each_audience_gets_what_is_on_the_stage_screen(socket_client, client, token_for) -> None:  # type: ignore[no-untyped-def]
    moderator = {"Authorization": f"Bearer {token_for('moderator')}"}
    for rev, (name, body) in enumerate([("start", {}), ("message", {"text": "Wi-Fi", "pin": True}), ("flash", {}),
                                        ("display_mode", {"mode": "countup"}), ("set_stream_state", {"on": True})]):
        posted = client.post(f"/api/stages/plenary/{name}", json={"expected_rev": rev, **body}, headers=moderator)
        assert posted.status_code == 200, posted.get_json()
    stage = joined(socket_client, "stage")
    assert (stage["message"], stage["message_pinned"], stage["display_mode"], stage["stream_on"]) == (
        "Wi-Fi", True, "countup", True)
    assert isinstance(stage["flash_at_ms"], int) and "projections" not in stage
    following = stage["next"]["block_id"]
    assert stage["starts_ms"][following] == stage["next"]["projected_start_ms"]
    assert stage["starts_ms"][stage["current"]["block_id"]] == stage["current"]["actual_start_ms"]
    stream = joined(socket_client, "stream", "stream")
    assert (stream["message"], stream["message_pinned"], stream["flash_at_ms"], stream["blackout"]) == (
        "Wi-Fi", True, stage["flash_at_ms"], False)
    public = joined(socket_client, "agenda")
    assert not {"message", "message_pinned", "flash_at_ms", "display_mode", "stream_on", "starts_ms"} & set(public)
