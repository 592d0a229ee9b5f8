"""The snapshot every audience receives says when a finished show ended (the stage screen has no projections)."""

from __future__ import annotations

from runofshow.agenda.model import Event
from runofshow.engine import Command, apply, initial_state, snapshot, snapshot_to_dict
from runofshow.engine.serialize import epoch_ms
from runofshow.web.payloads import AUDIENCES, redact_snapshot


def test_every_audience_learns_when_the_show_ended(reference: Event) -> None:
    stage = reference.stages[0]
    first = stage.blocks[0].planned_start
    state = apply(stage, initial_state(stage), Command("start", 0, {}), first)
    running = snapshot_to_dict(snapshot(stage, state, first))
    ended_at = first + (stage.blocks[1].planned_start - first) / 2
    state = apply(stage, state, Command("end", state.rev, {}), ended_at)
    finished = snapshot_to_dict(snapshot(stage, state, ended_at + (ended_at - first)))
    for audience in AUDIENCES:
        assert redact_snapshot(running, audience)["ended_ms"] is None, audience
        assert redact_snapshot(finished, audience)["ended_ms"] == epoch_ms(ended_at), audience
