"""One command table: a command added to it reaches REST, Socket.IO, the CLI, the OpenAPI document and the protocol."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest
from click.testing import CliRunner

from runofshow.agenda.model import Stage
from runofshow.engine import COMMANDS, CommandSpec, Role, StageState
from runofshow.engine.arguments import text
from runofshow.terminal.cli import main
from runofshow.web import service_of


def _chime(stage: Stage, state: StageState, args: Mapping[str, Any], now: datetime) -> StageState:
    """Changes nothing but the revision."""
    return state


@pytest.fixture
def chime(monkeypatch: pytest.MonkeyPatch) -> CommandSpec:
    """A harmless moderator command, `chime TONE` (at most 20 characters), in the table for one test."""
    spec = CommandSpec("chime", "Ring a chime backstage.", frozenset({Role.MODERATOR}), _chime, (text("tone", 20),))
    monkeypatch.setitem(COMMANDS, spec.name, spec)
    return spec


# `chime` comes first: the app is built with the command already in the table.
def test_a_command_added_to_the_table_reaches_every_adapter(chime, app, client, socket_client,  # type: ignore[no-untyped-def]
                                                            token_for, tmp_path) -> None:
    service = service_of(app)
    moderator = {"Authorization": f"Bearer {token_for('moderator')}"}
    rev = service.state("plenary").rev

    posted = client.post("/api/stages/plenary/chime", json={"expected_rev": rev, "tone": "ding"}, headers=moderator)
    assert posted.status_code == 200 and posted.get_json()["snapshot"]["rev"] == rev + 1
    too_long = client.post("/api/stages/plenary/chime", json={"expected_rev": rev + 1, "tone": "d" * 21},
                           headers=moderator)
    assert too_long.status_code == 400 and "at most 20" in too_long.get_json()["message"]

    ack = socket_client("moderator").emit("chime", {"expected_rev": rev + 1, "tone": "dong"}, callback=True)
    assert ack["ok"] is True and ack["snapshot"]["rev"] == rev + 2
    refused = socket_client("facilitator").emit("chime", {"expected_rev": rev + 2, "tone": "dong"}, callback=True)
    assert refused["error"] == "forbidden"
    assert [entry.args for entry in service.store.journal(stage_id="plenary")[-2:]] == [{"tone": "ding"}, {"tone": "dong"}]

    document = client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/stages/{stage_id}/chime"]["post"]
    assert operation["summary"] == "Ring a chime backstage."
    tone = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["tone"]
    assert tone == {"type": "string", "maxLength": 20, "minLength": 1, "description": "not blank"}

    runner = CliRunner()
    assert "chime" in runner.invoke(main, ["--help"]).output
    assert "TONE: text of 1 to 20 characters" in runner.invoke(main, ["chime", "--help"]).output
    database = app.config["RUNOFSHOW"]["DATABASE_URL"]
    rung = runner.invoke(main, ["chime", "bell", "--database", database])
    assert rung.exit_code == 0, rung.output
    assert service.store.journal(stage_id="plenary")[-1].args == {"tone": "bell"}


def test_a_command_left_out_of_the_table_reaches_no_adapter(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import socketio

    assert "chime" not in socketio.server.handlers["/"]
    moderator = {"Authorization": f"Bearer {token_for('moderator')}"}
    missing = client.post("/api/stages/plenary/chime", json={"expected_rev": 0, "tone": "ding"}, headers=moderator)
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert "chime" not in CliRunner().invoke(main, ["--help"]).output


@pytest.mark.parametrize("minutes, expected", [
    (5, "0:05:00"), (-0.5, "-1 day, 23:59:30"), (0, "minutes is zero"), (721, "more than 12:00:00"),
    (1e300, "more than 12:00:00"), (float("nan"), "must be a number of minutes"), (True, "must be a number"),
    ("5", "must be a number"),
])
def test_wire_minutes_become_a_checked_delta(minutes: object, expected: str) -> None:
    from runofshow.engine import CommandError

    try:
        outcome = str(COMMANDS["add_time"].read({"minutes": minutes})["delta"])
    except CommandError as error:
        outcome = str(error)
    assert expected in outcome


def test_every_service_error_has_one_code_and_status() -> None:
    from runofshow.engine import CommandError, StaleRevision
    from runofshow.live.service import NoAgenda, UnknownStage
    from runofshow.live.store import StoreUnavailable
    from runofshow.web.adapter import FAILURES, failure_of
    from runofshow.web.commands import BadRequest

    errors = [BadRequest("x"), CommandError("x"), StaleRevision("x", current_rev=1), UnknownStage("x"), NoAgenda("x"),
              StoreUnavailable("x")]
    assert all(isinstance(error, FAILURES) for error in errors)
    assert [(failure_of(e).code, failure_of(e).status) for e in errors] == [
        ("bad_request", 400), ("bad_request", 400), ("stale", 409), ("not_found", 404), ("no_agenda", 404),
        ("unavailable", 503)]
