"""What the stage screen shows, in the engine: the message (cleared on a move unless pinned), the flash, the timer's
display mode; and how the new arguments read over every adapter path."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runofshow.agenda.model import Stage
from runofshow.engine import (
    COMMANDS,
    Command,
    CommandError,
    DisplayMode,
    StageState,
    Status,
    advance_due,
    apply,
    initial_state,
    snapshot,
    snapshot_to_dict,
)
from runofshow.web.openapi import argument_schema
from tests.test_engine import STAGE, at, run, started
from tests.test_engine_properties import SETTINGS, args_for, stages


def with_message(text: str, pin: bool | None = None, state: StageState | None = None) -> StageState:
    """The show started at 09:00, then a message at 09:01 (pinned when `pin`; no `pin` argument when None)."""
    args: dict[str, object] = {"text": text} if pin is None else {"text": text, "pin": pin}
    state = started() if state is None else state
    return apply(STAGE, state, Command("message", state.rev, args), at(9, 1))


MOVES = {
    "next": lambda state: run(state, "next", at(9, 2)),
    "previous": lambda state: run(run(state, "next", at(9, 2)), "previous", at(9, 2)),
    "goto": lambda state: run(state, "goto", at(9, 2), block_id="groups"),
    "cue": lambda state: run(state, "cue", at(9, 2), block_id="dinner"),
    "end": lambda state: run(state, "end", at(9, 2)),
    # The talk advances by itself at 09:45 (auto) onto the groups.
    "auto": lambda state: advance_due(STAGE, run(state, "goto", at(9, 2), block_id="talk"), at(9, 50)),
}


@pytest.mark.parametrize("move", MOVES)
def test_any_move_clears_an_unpinned_message(move: str) -> None:
    moved = MOVES[move](with_message("Please wrap up"))
    assert (moved.message, moved.message_pinned) == ("", False)


def test_a_message_sent_again_after_a_move_clears_on_the_next_move_only() -> None:
    moved = run(with_message("Wrap up"), "next", at(9, 2))
    again = run(moved, "message", at(9, 3), text="Questions from Teams")
    assert again.message == "Questions from Teams"
    assert run(again, "goto", at(9, 4), block_id="wrap").message == ""


@pytest.mark.parametrize("move", MOVES)
def test_a_pinned_message_survives_every_move(move: str) -> None:
    moved = MOVES[move](with_message("Wi-Fi: nettverk2024", pin=True))
    assert (moved.message, moved.message_pinned) == ("Wi-Fi: nettverk2024", True)


def test_start_clears_an_unpinned_message_sent_before_the_show() -> None:
    before = with_message("Doors open", state=initial_state(STAGE))
    assert before.status is Status.NOT_STARTED and before.message == "Doors open"
    assert run(before, "start", at(9)).message == ""


def test_pin_defaults_to_false_and_clearing_unpins() -> None:
    assert with_message("Wrap up").message_pinned is False
    pinned = with_message("Wi-Fi", pin=True)
    assert pinned.message_pinned is True
    cleared = run(pinned, "message", at(9, 2), text="")
    assert (cleared.message, cleared.message_pinned) == ("", False)
    replaced = run(pinned, "message", at(9, 2), text="Wrap up")
    assert replaced.message_pinned is False, "a new message is pinned only when asked"


def test_commands_that_stay_on_the_block_keep_an_unpinned_message() -> None:
    state = with_message("Wrap up")
    for name, args in (("add_time", {"delta": timedelta(minutes=2)}), ("pause", {}), ("resume", {}),
                       ("blackout", {"on": True}), ("flash", {}), ("display_mode", {"mode": "countup"}),
                       ("set_stream_state", {"on": True})):
        state = apply(STAGE, state, Command(name, state.rev, args), at(9, 3))
        assert state.message == "Wrap up", name


def test_flash_stores_its_instant_for_every_screen() -> None:
    state = run(started(), "flash", at(9, 7, 30))
    assert state.flash_at == at(9, 7, 30)
    snap = snapshot_to_dict(snapshot(STAGE, state, at(9, 8)))
    assert snap["flash_at_ms"] == int(at(9, 7, 30).timestamp() * 1000)
    assert snap["flash_at"] == "2024-05-06T07:07:30+00:00"
    assert snapshot_to_dict(snapshot(STAGE, started(), at(9, 8)))["flash_at_ms"] is None
    later = run(state, "flash", at(9, 9))
    assert later.flash_at == at(9, 9) and run(later, "next", at(9, 10)).flash_at == at(9, 9)


@pytest.mark.parametrize("mode", ["countdown", "countup", "clock"])
def test_display_mode_is_stored_and_in_the_snapshot(mode: str) -> None:
    state = run(started(), "display_mode", at(9, 1), mode=mode)
    assert state.display_mode is DisplayMode(mode)
    assert snapshot_to_dict(snapshot(STAGE, state, at(9, 2)))["display_mode"] == mode
    assert run(state, "next", at(9, 3)).display_mode is DisplayMode(mode), "the mode belongs to the stage"


def test_display_mode_is_countdown_by_default() -> None:
    assert snapshot_to_dict(snapshot(STAGE, initial_state(STAGE), at(8)))["display_mode"] == "countdown"


@pytest.mark.parametrize("command, message", [
    (Command("display_mode", 0, {"mode": "sundial"}), "mode must be one of countdown, countup, clock"),
    (Command("display_mode", 0, {"mode": 1}), "mode must be str"),
    (Command("display_mode", 0), "missing argument 'mode'"),
    (Command("message", 0, {"text": "x", "pin": "yes"}), "pin must be bool"),
    (Command("message", 0, {"pin": True}), "missing argument 'text'"),
    (Command("flash", 0, {"seconds": 5}), "unexpected argument 'seconds'"),
])
def test_bad_arguments_of_the_new_commands_are_refused(command: Command, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        apply(STAGE, initial_state(STAGE), command, at(8, 30))


def test_the_new_fields_round_trip_through_json_and_old_documents_still_load() -> None:
    state = run(run(with_message("Wi-Fi", pin=True), "flash", at(9, 2)), "display_mode", at(9, 3), mode="clock")
    document = json.loads(json.dumps(state.to_dict()))
    assert StageState.from_dict(document) == state
    old = {key: value for key, value in document.items() if key not in ("message_pinned", "flash_at", "display_mode")}
    loaded = StageState.from_dict(old)
    assert (loaded.message_pinned, loaded.flash_at, loaded.display_mode) == (False, None, DisplayMode.COUNTDOWN)


def test_a_journalled_message_from_before_pin_existed_applies() -> None:
    """The journal holds `message` with `text` only; the table's default fills `pin` in."""
    assert with_message("Wrap up", pin=None).message_pinned is False


def test_the_wire_reads_pin_as_optional_and_mode_as_a_choice() -> None:
    message, mode = COMMANDS["message"], COMMANDS["display_mode"]
    assert message.read({"text": "hi"}) == {"text": "hi", "pin": False}
    assert message.read({"text": "hi", "pin": True}) == {"text": "hi", "pin": True}
    with pytest.raises(CommandError, match="pin must be bool"):
        message.read({"text": "hi", "pin": None})
    assert mode.read({"mode": "countup"}) == {"mode": "countup"}
    assert argument_schema(message.arguments[1]) == {"type": "boolean", "default": False}
    assert argument_schema(mode.arguments[0]) == {"type": "string", "enum": ["countdown", "countup", "clock"]}


MOVE_COMMANDS = ("next", "previous", "goto", "cue", "start", "end")
MESSAGE_STEPS = st.lists(st.tuples(st.integers(0, 3600), st.sampled_from(
    MOVE_COMMANDS + ("wait", "wait", "message", "pinned", "add_time", "pause", "resume", "flash", "blackout")),
    st.integers(0, 50)), min_size=1, max_size=25)


def message_step(stage: Stage, name: str, seed: int) -> Command:
    """The command of one step (against revision 0: the caller sets it)."""
    if name in ("message", "pinned"):
        text = f"note {seed}" if seed % 5 else ""
        return Command("message", 0, {"text": text, "pin": name == "pinned"})
    if name == "cue":
        return Command(name, 0, {"block_id": stage.blocks[seed % len(stage.blocks)].id})
    return Command(name, 0, args_for(name, stage, seed, timedelta(minutes=1)))


@SETTINGS
@given(stage=stages(), steps=MESSAGE_STEPS)
def test_a_move_clears_an_unpinned_message_and_never_a_pinned_one(stage: Stage, steps: list[tuple[int, str, int]]) -> None:
    """Whatever happens, a message survives a change of block (by command or by itself) exactly when it is pinned."""
    state, now = initial_state(stage), stage.blocks[0].planned_start - timedelta(minutes=5)
    for wait, name, seed in steps:
        now += timedelta(seconds=wait)
        before = state
        if name == "wait":
            state = advance_due(stage, state, now)
        else:
            try:
                state = apply(stage, state, replace(message_step(stage, name, seed), expected_rev=state.rev), now)
            except CommandError:
                continue
        if name in ("message", "pinned"):
            assert state.message_pinned == (name == "pinned" and bool(state.message))
        elif state is not before and (name in MOVE_COMMANDS or name == "wait"):
            assert state.message == (before.message if before.message_pinned else ""), (name, before, state)
            assert state.message_pinned == before.message_pinned
        else:
            assert (state.message, state.message_pinned) == (before.message, before.message_pinned), name
        assert state.message_pinned <= bool(state.message), "only a message can be pinned"


def test_the_command_line_takes_pin_as_optional_and_mode_as_a_choice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli import REFERENCE_AGENDA, run as cli
    from runofshow.live.store import Store

    database = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert cli(database, "import", str(REFERENCE_AGENDA)).exit_code == 0
    assert cli(database, "message", "Wrap up").exit_code == 0
    assert cli(database, "message", "Wi-Fi", "true").exit_code == 0
    assert cli(database, "display-mode", "countup").exit_code == 0
    assert cli(database, "display-mode", "sundial").exit_code == 2
    assert cli(database, "flash").exit_code == 0
    journal = [(entry.command, entry.args) for entry in Store(database).journal(stage_id="plenary")]
    assert journal[-4:] == [("message", {"text": "Wrap up", "pin": False}), ("message", {"text": "Wi-Fi", "pin": True}),
                            ("display_mode", {"mode": "countup"}), ("flash", {})]
