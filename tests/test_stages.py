"""Parallel stages in one event: four rooms imported from a schedule run as four independent stages,
over REST and Socket.IO, and the production desk's overview shows them all."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from runofshow.live.clocks import FakeClock
from runofshow.importers import load_agenda
from runofshow.web import service_of

NIGHT_SCHEDULE = Path(__file__).resolve().parent / "data" / "formats" / "night-schedule.xml"
BERLIN = ZoneInfo("Europe/Berlin")
STAGES = ["saal-umlaut", "workshop-room", "lounge", "online"]


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock five minutes before the night schedule's first talk."""
    return FakeClock(datetime(2024, 6, 1, 9, 55, tzinfo=BERLIN))


@pytest.fixture
def four_stages(app):  # type: ignore[no-untyped-def]
    """The app running the night schedule: four rooms, so four stages."""
    service_of(app).replace_event(load_agenda(NIGHT_SCHEDULE), actor="test", replace_running=True)
    return app


def snapshot(client, stage_id: str, token: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """GET one stage's snapshot as crew."""
    response = client.get(f"/api/stages/{stage_id}/snapshot", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    return response.json


def post(client, stage_id: str, command: str, token: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    """POST one control command to a stage."""
    return client.post(f"/api/stages/{stage_id}/{command}", json=body, headers={"Authorization": f"Bearer {token}"})


def test_four_rooms_are_four_stages_that_advance_independently(four_stages, client, token_for, clock) -> None:  # type: ignore[no-untyped-def]
    token = token_for("moderator")
    assert [stage["id"] for stage in client.get("/api/event").json["stages"]] == STAGES
    before = {stage_id: snapshot(client, stage_id, token) for stage_id in STAGES}
    assert {stage_id: snap["status"] for stage_id, snap in before.items()} == dict.fromkeys(STAGES, "not_started")

    started = post(client, "lounge", "start", token, {"expected_rev": before["lounge"]["rev"]})
    assert started.status_code == 200, started.json
    assert started.json["snapshot"]["current"]["title"] == "Late Night DJ"
    assert started.json["snapshot"]["rev"] == before["lounge"]["rev"] + 1
    later = post(client, "lounge", "add_time", token, {"expected_rev": before["lounge"]["rev"] + 1, "minutes": 5})
    assert later.status_code == 200
    assert post(client, "online", "start", token, {"expected_rev": before["online"]["rev"]}).status_code == 200

    after = {stage_id: snapshot(client, stage_id, token) for stage_id in STAGES}
    assert after["lounge"]["rev"] == before["lounge"]["rev"] + 2
    assert after["lounge"]["current"]["remaining_ms"] == (2 * 60 + 5) * 60_000
    assert after["online"]["rev"] == before["online"]["rev"] + 1
    assert after["online"]["current"]["title"] == "Remote panel"
    for untouched in ("saal-umlaut", "workshop-room"):
        assert (after[untouched]["rev"], after[untouched]["status"]) == (before[untouched]["rev"], "not_started")

    # A revision of one stage means nothing on another: refused, nothing changes there.
    stale = post(client, "saal-umlaut", "start", token, {"expected_rev": after["lounge"]["rev"]})
    assert stale.status_code == 409 and stale.json["error"] == "stale"
    assert snapshot(client, "saal-umlaut", token)["rev"] == before["saal-umlaut"]["rev"]
    journal = service_of(four_stages).store.journal(limit=100)
    assert [(entry.stage_id, entry.command) for entry in journal if entry.stage_id] == [
        ("lounge", "start"), ("lounge", "add_time"), ("online", "start")]


def received(client, name: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Payloads of one event a Socket.IO test client has received since last asked."""
    return [message["args"][0] for message in client.get_received() if message["name"] == name]


def test_each_stage_pushes_only_to_its_own_screens(four_stages, socket_client) -> None:  # type: ignore[no-untyped-def]
    workshop = socket_client()
    joined = workshop.emit("join", {"audience": "stage", "stage": "workshop-room"}, callback=True)
    assert [entry["snapshot"]["stage_id"] for entry in joined["stages"]] == ["workshop-room"]
    agenda = socket_client()
    everything = agenda.emit("join", {"audience": "agenda"}, callback=True)
    assert [entry["snapshot"]["stage_id"] for entry in everything["stages"]] == STAGES
    revs = {entry["snapshot"]["stage_id"]: entry["snapshot"]["rev"] for entry in everything["stages"]}
    workshop.get_received()
    agenda.get_received()

    moderator = socket_client("moderator")
    ack = moderator.emit("start", {"stage": "online", "expected_rev": revs["online"]}, callback=True)
    assert ack["ok"] is True and ack["snapshot"]["stage_id"] == "online"
    pushed = received(agenda, "snapshot")
    assert [(snap["stage_id"], snap["rev"], snap["current"]["title"]) for snap in pushed] == [
        ("online", revs["online"] + 1, "Remote panel")]
    assert received(workshop, "snapshot") == []

    ack = moderator.emit("start", {"stage": "workshop-room", "expected_rev": revs["workshop-room"]}, callback=True)
    assert ack["ok"] is True
    [own] = received(workshop, "snapshot")
    assert (own["stage_id"], own["rev"], own["current"]["title"]) == (
        "workshop-room", revs["workshop-room"] + 1, "Soldering for beginners")
    assert "projections" not in own  # a stage screen still gets its own redacted payload
    assert [snap["stage_id"] for snap in received(agenda, "snapshot")] == ["workshop-room"]


def test_overview_is_for_crew_and_lists_every_stage(four_stages, client, token_for) -> None:  # type: ignore[no-untyped-def]
    public = client.get("/overview")
    assert public.status_code == 302 and public.headers["Location"].endswith("/signin?next=/overview")
    token = token_for("screen")
    page = client.get("/overview?lang=nb", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Produksjonsbord: Nachtschicht 2024" in html
    assert [html.index(f'data-stage-id="{stage_id}"') for stage_id in STAGES] == sorted(
        html.index(f'data-stage-id="{stage_id}"') for stage_id in STAGES)
    assert "Saal Ümlaut" in html and "Workshop Room" in html and "Lounge" in html and "Online" in html
    assert 'data-audience="console"' in html and "js/overview.js" in html
    assert client.get("/static/js/overview.js").status_code == 200
    english = client.get("/overview?lang=en", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
    assert "Production desk: Nachtschicht 2024" in english


def test_index_links_the_overview_for_crew_only(client, token_for) -> None:  # type: ignore[no-untyped-def]
    assert b'href="/overview"' not in client.get("/").data
    crew = client.get("/", headers={"Authorization": f"Bearer {token_for('screen')}"})
    assert b'href="/overview"' in crew.data


def test_the_production_desk_joins_every_stage_as_crew(four_stages, socket_client) -> None:  # type: ignore[no-untyped-def]
    desk = socket_client("screen")
    joined = desk.emit("join", {"audience": "console", "stage": "*"}, callback=True)
    assert [entry["snapshot"]["stage_id"] for entry in joined["stages"]] == STAGES
    rev = {entry["snapshot"]["stage_id"]: entry["snapshot"]["rev"] for entry in joined["stages"]}["lounge"]
    desk.get_received()
    moderator = socket_client("moderator")
    ack = moderator.emit("message", {"stage": "lounge", "expected_rev": rev, "text": "Mic check", "pin": True},
                         callback=True)
    assert ack["ok"] is True
    [pushed] = received(desk, "snapshot")
    assert (pushed["stage_id"], pushed["message"], pushed["message_pinned"]) == ("lounge", "Mic check", True)
    public = socket_client()
    refused = public.emit("join", {"audience": "console", "stage": "*"}, callback=True)
    assert refused["ok"] is False and refused["error"] == "forbidden"
