"""Benchmark of the recovery options: plans for every stage of a 300-block, 4-stage event running late.

Prints one JSON object. Target (issue 15): options for the whole event under 20 ms.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from bench.core import synthetic_event, timed
from runofshow.agenda.model import Category, Event, Stage
from runofshow.engine import Command, StageState, apply, initial_state
from runofshow.engine.recovery import recovery_options

TARGET_MS = 20
OVERRUN = timedelta(minutes=25)


def with_optional_blocks(event: Event) -> Event:
    """The synthetic event with every seventh block an optional discussion, so every kind of plan is made."""
    stages = tuple(
        replace(stage, blocks=tuple(
            replace(block, category=Category.DISCUSSION, optional=True) if index % 7 == 3 else block
            for index, block in enumerate(stage.blocks)
        ))
        for stage in event.stages
    )
    return replace(event, stages=stages)


def late_states(stages: tuple[Stage, ...]) -> dict[str, StageState]:
    """Each stage started on time, its first block now running 25 minutes over."""
    return {stage.id: apply(stage, initial_state(stage), Command("start", 0), stage.blocks[0].planned_start)
            for stage in stages}


def main() -> None:
    """Run the benchmark and print JSON."""
    event = with_optional_blocks(synthetic_event())
    states = late_states(event.stages)
    now = event.stages[0].blocks[0].planned_end + OVERRUN
    answers = [recovery_options(stage, states[stage.id], now) for stage in event.stages]
    times = timed(lambda: [recovery_options(stage, states[stage.id], now) for stage in event.stages], 100)
    print(json.dumps({
        "benchmark": "recovery",
        "event": {"stages": len(event.stages), "blocks": len(event.all_blocks())},
        "plans_per_stage": [len(answer.plans) for answer in answers],
        "kinds": sorted({plan.kind for answer in answers for plan in answer.plans}),
        "saves_the_next_hard_start": all(any(plan.saves for plan in answer.plans) for answer in answers),
        "options_event_300_blocks_4_stages": {**times, "target_ms": TARGET_MS, "ok": times["median_ms"] < TARGET_MS},
    }, indent=2))


if __name__ == "__main__":
    main()
