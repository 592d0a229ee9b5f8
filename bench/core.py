"""Benchmark of the pure core: import of the reference agenda, snapshot of a 300-block, 4-stage event.

Prints one JSON object. Targets (issue 2): import under 50 ms, snapshot under 1 ms.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from runofshow.agenda.model import AdvanceRule, Block, Category, Event, Stage, StartRule, StreamPlan, validate
from runofshow.agenda.reference import REFERENCE_AGENDA
from runofshow.engine import Command, apply, initial_state, snapshot
from runofshow.importers import load_agenda


def timed(func, repeat: int) -> dict[str, float]:
    """Median, p95 and best wall time of `func` in milliseconds over `repeat` runs."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 4),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 4),
        "best_ms": round(samples[0], 4),
        "runs": repeat,
    }


def synthetic_event(stages: int = 4, blocks_per_stage: int = 75) -> Event:
    """A conference-sized event: parallel stages of 20-minute blocks, some breaks and hard starts."""
    zone = ZoneInfo("Europe/Oslo")
    start = datetime(2024, 5, 6, 8, 0, tzinfo=zone)
    built = []
    for s in range(stages):
        blocks = []
        at = start
        for b in range(blocks_per_stage):
            is_break = b % 6 == 5
            blocks.append(Block(
                id=f"s{s}-b{b}",
                title=f"Session {s}.{b}",
                planned_start=at,
                planned_duration=timedelta(minutes=10 if is_break else 20),
                category=Category.BREAK if is_break else Category.TALK,
                stream=StreamPlan.OFF if is_break else StreamPlan.LIVE,
                start_rule=StartRule.HARD if b % 12 == 0 else StartRule.SOFT,
                advance=AdvanceRule.AUTO if b % 2 else AdvanceRule.MANUAL,
            ))
            at += timedelta(minutes=10 if is_break else 20)
            if b % 12 == 11:
                at += timedelta(minutes=15)
        built.append(Stage(id=f"stage-{s}", name=f"Stage {s}", blocks=tuple(blocks)))
    return validate(Event(title="Synthetic conference", days=(start.date(),), timezone="Europe/Oslo",
                          stages=tuple(built)))


def main() -> None:
    """Run the benchmarks and print JSON."""
    load_agenda(REFERENCE_AGENDA)  # warm caches (regex compilation, zoneinfo) as a running server would be
    import_times = timed(lambda: load_agenda(REFERENCE_AGENDA), 50)

    event = synthetic_event()
    stage = event.stages[0]
    now = stage.blocks[0].planned_start + timedelta(minutes=5)
    state = initial_state(stage)
    state = apply(stage, state, Command("start", state.rev), now)
    for _ in range(30):
        state = apply(stage, state, Command("next", state.rev), now)
    later = now + timedelta(minutes=7)
    snapshot_times = timed(lambda: snapshot(stage, state, later), 500)
    all_stages = [replace(s) for s in event.stages]
    states = {s.id: apply(s, initial_state(s), Command("start", 0), now) for s in all_stages}
    event_snapshot_times = timed(lambda: [snapshot(s, states[s.id], later) for s in all_stages], 200)

    print(json.dumps({
        "benchmark": "core",
        "import_reference_agenda": {**import_times, "target_ms": 50, "ok": import_times["median_ms"] < 50},
        "snapshot_one_stage_75_blocks": {**snapshot_times, "target_ms": 1, "ok": snapshot_times["median_ms"] < 1},
        "snapshot_event_300_blocks_4_stages": {
            **event_snapshot_times,
            "target_ms": 1,
            "ok": event_snapshot_times["median_ms"] < 1,
        },
    }, indent=2))


if __name__ == "__main__":
    main()
