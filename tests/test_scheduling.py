"""The scheduler adapter, with its job function called directly on a fake clock (never started in tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from runofshow.engine import StaleRevision
from runofshow.live.changes import Change, ChangeCause
from runofshow.web import service_of
from runofshow.web.scheduling import Plan, ShowScheduler
from tests.conftest import OSLO


def planned_job(scheduler: ShowScheduler) -> Plan:
    """The stage's planned job."""
    return scheduler.plans["plenary"]


def test_plans_the_hard_start_then_the_warning(app, clock) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    scheduler = ShowScheduler(service)
    scheduler.plan("plenary")
    job = planned_job(scheduler)
    nine = datetime(2024, 5, 6, 9, 0, tzinfo=OSLO)
    assert job.run_at == nine
    stage_id, rev = "plenary", job.rev
    clock.set(nine + timedelta(milliseconds=40))
    scheduler.fire(stage_id, rev)
    state = service.state("plenary")
    assert state.current == "fylkeskommunenes-samling" and state.rev == rev + 1
    assert state.actual_start == nine
    assert planned_job(scheduler).run_at == datetime(2024, 5, 6, 10, 55, tzinfo=OSLO)


def test_a_late_or_duplicate_job_does_nothing(app, clock) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    scheduler = ShowScheduler(service)
    scheduler.plan("plenary")
    stage_id, rev = "plenary", planned_job(scheduler).rev
    clock.set(datetime(2024, 5, 6, 9, 0, 1, tzinfo=OSLO))
    scheduler.fire(stage_id, rev)
    after_first = service.store.load_state("plenary")
    scheduler.fire(stage_id, rev)
    assert service.store.load_state("plenary") == after_first
    autos = [entry for entry in service.store.journal(stage_id="plenary") if entry.command == "auto"]
    assert len(autos) == 1


def test_watch_replans_after_a_change_made_elsewhere(app, clock) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    scheduler = ShowScheduler(service)
    scheduler.plan("plenary")
    clock.set(datetime(2024, 5, 6, 8, 45, tzinfo=OSLO))
    other = type(service)(service.store, clock)
    other.command("plenary", "goto", service.state("plenary").rev, {"block_id": "slutt"}, actor="other")
    scheduler.watch()
    job = planned_job(scheduler)
    assert job.rev == service.store.load_state("plenary").rev


def test_a_command_that_makes_a_transition_due_at_once_applies_it(app, clock) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    clock.set(datetime(2024, 5, 6, 17, 0, tzinfo=OSLO))
    stage = service.stage("plenary")
    milestone = next(block for block in stage.blocks if block.planned_duration == timedelta(0))
    following = stage.blocks[stage.index_of(milestone.id) + 1]
    rev = service.state("plenary").rev
    heard: list[Change] = []
    service.subscribe(heard.append)
    state = service.command("plenary", "goto", rev, {"block_id": milestone.id}, actor="moderator")
    assert state.rev == rev + 2 and state.current == following.id
    commands = [entry.command for entry in service.store.journal(stage_id="plenary")][-2:]
    assert commands == ["goto", "auto"]
    assert service.store.load_state("plenary").rev == state.rev
    # Screens get the newest state once, not the milestone that lasted no time first.
    assert [(change.state.rev, change.state.current, change.cause, change.command) for change in heard] == \
        [(state.rev, following.id, ChangeCause.COMMAND, "goto")]


def test_a_refused_command_still_tells_of_the_catch_up_before_it(app, clock) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    clock.set(datetime(2024, 5, 6, 8, 0, tzinfo=OSLO))
    rev = service.state("plenary").rev
    clock.set(datetime(2024, 5, 6, 12, 0, tzinfo=OSLO))  # transitions due since, not caught up yet
    heard: list[Change] = []
    service.subscribe(heard.append)
    with pytest.raises(StaleRevision):
        service.command("plenary", "next", rev - 1, actor="moderator")
    stored = service.store.load_state("plenary")
    assert stored.rev > rev
    assert [change.state.rev for change in heard] == [stored.rev]


def test_reads_catch_up_in_memory_and_store_nothing(app, clock) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    stored, journal = service.store.load_state("plenary"), service.store.journal()
    heard: list[Change] = []
    service.subscribe(heard.append)
    clock.set(datetime(2024, 5, 6, 9, 1, tzinfo=OSLO))  # the hard start at 09:00 is due
    state = service.state("plenary")
    assert state.current == "fylkeskommunenes-samling" and state.rev == stored.rev + 1
    assert service.snapshot("plenary").current.block_id == state.current  # type: ignore[union-attr]
    assert service.next_due("plenary") == datetime(2024, 5, 6, 10, 55, tzinfo=OSLO)
    assert service.running_block("plenary") == state.current
    assert service.store.load_state("plenary") == stored and service.store.journal() == journal and heard == []


def test_the_scheduler_job_stores_the_catch_up_and_tells_listeners(app, clock) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    scheduler = ShowScheduler(service)
    scheduler.plan("plenary")
    heard: list[Change] = []
    service.subscribe(heard.append)
    clock.set(datetime(2024, 5, 6, 9, 1, tzinfo=OSLO))
    scheduler.fire("plenary", planned_job(scheduler).rev)
    stored = service.stored_state("plenary")
    assert stored == service.state("plenary") and stored.current == "fylkeskommunenes-samling"
    assert [(change.state, change.cause, change.command) for change in heard] == [(stored, ChangeCause.AUTO, None)]
    assert service.store.journal(stage_id="plenary")[-1].command == ChangeCause.AUTO == "auto"
