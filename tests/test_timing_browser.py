"""timing.js `snapshotAt` in Chromium against the engine: a stale snapshot moved to a later `now` agrees
with the snapshot the engine makes at that `now` (overtime, pause, a gap, a hard start, stream changes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from runofshow.agenda.model import AdvanceRule, Block, Stage, StartRule, StreamPlan
from runofshow.engine import Command, StageState, apply, initial_state, snapshot, snapshot_to_dict
from runofshow.engine.serialize import epoch_ms
from tests.support.browser import evaluate_with_scripts

pytestmark = pytest.mark.slow
OSLO = ZoneInfo("Europe/Oslo")
TOLERANCE_MS = 1000


def at(hour: int, minute: int = 0) -> datetime:
    """An instant on the test day, Oslo time."""
    return datetime(2024, 5, 6, hour, minute, tzinfo=OSLO)


def block(block_id: str, start: datetime, minutes: int, **kwargs: Any) -> Block:
    """A block with a title made from its id."""
    return Block(id=block_id, title=block_id.title(), planned_start=start, planned_duration=timedelta(minutes=minutes),
                 **kwargs)


# Contiguous blocks, a gap (c), a hard start (d, e), an automatic block at the end (f), stream changes.
STAGE = Stage(id="main", name="Main", blocks=(
    block("a", at(9), 30, stream=StreamPlan.LIVE),
    block("b", at(9, 30), 20, stream=StreamPlan.LIVE),
    block("c", at(10), 30, stream=StreamPlan.OFF),
    block("d", at(10, 30), 15, start_rule=StartRule.HARD, stream=StreamPlan.LIVE),
    block("e", at(11), 30, start_rule=StartRule.HARD, stream=StreamPlan.LIVE),
    block("f", at(11, 30), 30, advance=AdvanceRule.AUTO, stream=StreamPlan.OFF),
))


def run(state: StageState, name: str, now: datetime, **args: Any) -> StageState:
    """Apply one command against the current revision."""
    return apply(STAGE, state, Command(name, state.rev, args), now)


def started() -> StageState:
    """Block a started at 09:00."""
    return run(initial_state(STAGE), "start", at(9))


def paused() -> StageState:
    """Block a started at 09:00, paused at 09:10."""
    return run(started(), "pause", at(9, 10))


def in_gap() -> StageState:
    """Block d ended early at 10:35: a gap until e's hard start at 11:00."""
    return run(run(started(), "goto", at(10, 30), block_id="d"), "next", at(10, 35))


# (name, state, snapshot instant, later instants): the client moves the first snapshot to each later one.
CASES = [
    ("overtime", started(), at(9, 35), [at(9, 36), at(9, 50), at(10, 20), at(10, 50), at(11, 40)]),
    ("on time", started(), at(9, 5), [at(9, 20), at(9, 30)]),
    ("paused", paused(), at(9, 12), [at(9, 13), at(9, 40), at(10, 10), at(11, 0)]),
    ("paused in overtime", run(started(), "pause", at(9, 40)), at(9, 41), [at(9, 55), at(10, 40)]),
    ("gap", in_gap(), at(10, 36), [at(10, 40), at(10, 59)]),
]

PROBE = """async (cases) => {
  const { snapshotAt } = await import('/static/js/timing.js');
  return cases.map(([snap, nows]) => nows.map((now) => snapshotAt(snap, now)));
}"""


def times(snap: dict[str, Any]) -> dict[str, Any]:
    """Every projected time of a snapshot, with the flags that follow from them."""
    current, following, transition = snap["current"], snap["next"], snap["next_stream_transition"]
    return {
        "current_end": current and current["projected_end_ms"],
        "next_start": following and following["projected_start_ms"],
        "next_at_risk": following and following["at_risk"],
        "delay": snap["delay_ms"],
        # When the delay closes a gap the change keeps its time but the engine names the next block for it.
        "transition": transition and (transition["at_ms"], transition["to"]),
        "rows": [(row["block_id"], row["projected_start_ms"], row["projected_end_ms"], row["delay_ms"], row["at_risk"])
                 for row in snap["projections"]],
    }


def close(client: Any, server: Any) -> bool:
    """Equal, numbers within the tolerance."""
    if isinstance(client, (int, float)) and isinstance(server, (int, float)) and not isinstance(client, bool):
        return abs(client - server) <= TOLERANCE_MS
    if isinstance(client, (list, tuple)) and isinstance(server, (list, tuple)):
        return len(client) == len(server) and all(close(a, b) for a, b in zip(client, server))
    if isinstance(client, dict) and isinstance(server, dict):
        return client.keys() == server.keys() and all(close(client[key], server[key]) for key in client)
    return client == server


def run_in_chromium(browser: Any, cases: list[Any]) -> list[list[dict[str, Any]]]:
    """`snapshotAt` for each (snapshot, [now_ms...]) case, run in a page that loads static/js/timing.js."""
    return evaluate_with_scripts(browser, "<!doctype html><html><body></body></html>", PROBE, cases)


def test_the_client_moves_a_stale_snapshot_as_the_engine_projects_later(browser: Any) -> None:
    sent = [(snapshot_to_dict(snapshot(STAGE, state, made)), [epoch_ms(later) for later in laters])
            for _, state, made, laters in CASES]
    moved = run_in_chromium(browser, sent)
    for (name, state, _, laters), results in zip(CASES, moved):
        for later, client in zip(laters, results):
            server = snapshot_to_dict(snapshot(STAGE, state, later))
            differ = [(key, value, times(server)[key]) for key, value in times(client).items()
                      if not close(value, times(server)[key])]
            assert not differ, (name, later.time(), differ)


def test_later_times_never_fall_before_now_and_never_before_the_server_said(browser: Any) -> None:
    name, state, made, laters = CASES[0]
    sent = snapshot_to_dict(snapshot(STAGE, state, made))
    (results,) = run_in_chromium(browser, [(sent, [epoch_ms(later) for later in laters])])
    for later, client in zip(laters, results):
        upcoming = [row for row in client["projections"] if row["state"] == "upcoming"]
        assert all(row["projected_start_ms"] >= epoch_ms(later) for row in upcoming), later
        assert client["current"]["projected_end_ms"] >= epoch_ms(later)
        for row, before in zip(client["projections"], sent["projections"]):
            if before["projected_start_ms"] is not None:
                assert row["projected_start_ms"] >= before["projected_start_ms"]


def test_a_snapshot_with_nothing_to_move_comes_back_as_it_is(browser: Any) -> None:
    sent = snapshot_to_dict(snapshot(STAGE, started(), at(9, 5)))
    finished = snapshot_to_dict(snapshot(STAGE, run(started(), "end", at(9, 20)), at(9, 21)))
    probe = """async ([running, finished, now]) => {
      const { snapshotAt } = await import('/static/js/timing.js');
      return [snapshotAt(running, now) === running, snapshotAt(finished, now) === finished];
    }"""
    assert evaluate_with_scripts(browser, "<!doctype html><html><body></body></html>", probe,
                                 [sent, finished, epoch_ms(at(9, 20))]) == [True, True]
