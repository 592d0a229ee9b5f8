"""The integrations' work stays off a command's path: one reading per change for OSC out and webhooks, OBS planning
in the link's own task."""

from __future__ import annotations

import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from runofshow.integrations import watch
from runofshow.integrations.obs import ObsConnection, ObsTarget
from runofshow.integrations.obs_automation import AutomationPlanner, ObsAutomation
from runofshow.integrations.watch import StageFeed, StageReading
from runofshow.web import service_of
from tests.support.browser import wait_until


class Collector:
    """A feed consumer that keeps every round it was handed."""

    def __init__(self) -> None:
        self.rounds: list[list[StageReading]] = []
        self.errors: list[Exception] = []

    def __call__(self, readings: list[StageReading]) -> None:
        self.rounds.append(readings)

    def failed(self, error: Exception) -> None:
        self.errors.append(error)


def press(service: Any, name: str) -> None:
    """Apply a command on the plenary stage as a console would."""
    service.command("plenary", name, service.state("plenary").rev, actor="test")


@pytest.fixture
def snapshots(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the snapshots the feed's readings make (one stage id per snapshot)."""
    made: list[str] = []
    real = watch.snapshot

    def counting(stage: Any, state: Any, now: Any) -> Any:
        made.append(stage.id)
        return real(stage, state, now)

    monkeypatch.setattr(watch, "snapshot", counting)
    return made


def test_one_reading_per_change_serves_every_integration(app, snapshots) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    feed = StageFeed(service)
    osc, hooks = Collector(), Collector()
    feed.subscribe(osc, osc.failed)
    feed.subscribe(hooks, hooks.failed)
    feed.watch.start()
    feed.round()  # the stored states the feed starts from
    snapshots.clear()
    press(service, "start")
    feed.round()
    assert len(osc.rounds) == len(hooks.rounds) == 2
    assert osc.rounds[-1] is hooks.rounds[-1]
    changed = [reading for reading in osc.rounds[-1] if reading.stage_id == "plenary"]
    assert [reading.changed for reading in changed] == [True]
    reading = changed[0]
    assert reading.variables["status"] == "running" and reading.facts.status == "running"
    assert reading.variables["title"] == service.event().stage("plenary").blocks[0].title
    # OSC's variables and the webhooks' facts come from the one snapshot of that change.
    assert snapshots.count("plenary") == 1


def test_active_stages_are_read_once_a_tick_without_a_change(app) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    feed = StageFeed(service, tick=3600.0)
    seen = Collector()
    feed.subscribe(seen, seen.failed)
    feed.watch.start()
    press(service, "start")
    feed.round()
    feed.round()  # no change and no tick due: nothing to hand on
    assert len(seen.rounds) == 1 and seen.rounds[0][-1].changed
    feed.tick = 0.0
    feed.round()
    assert [(reading.stage_id, reading.changed) for reading in seen.rounds[-1]] == [("plenary", False)]


def test_a_failing_integration_does_not_stop_the_others(app) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    feed = StageFeed(service)
    broken, working = Collector(), Collector()

    def fail(readings: list[StageReading]) -> None:
        raise RuntimeError("target on fire")

    feed.subscribe(fail, broken.failed)
    feed.subscribe(working, working.failed)
    feed.watch.start()
    feed.round()
    assert [str(error) for error in broken.errors] == ["target on fire"]
    assert len(working.rounds) == 1 and not working.errors


def test_the_feed_stops_with_its_last_integration(app) -> None:  # type: ignore[no-untyped-def]
    feed = StageFeed(service_of(app))
    first, second = Collector(), Collector()
    feed.subscribe(first, first.failed)
    feed.subscribe(second, second.failed)
    feed.unsubscribe(first)
    assert not feed.stopped.is_set()
    feed.unsubscribe(second)
    assert feed.stopped.is_set()


def test_obs_automation_is_planned_by_the_link_not_on_the_command_path(app) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    planner = AutomationPlanner(ObsAutomation("Live", "Break"), ZoneInfo("Europe/Oslo"), "en")
    planned: list[int] = []
    real_due = planner.due

    def counting_due(*args: Any, **kwargs: Any) -> Any:
        planned.append(args[1].rev)
        return real_due(*args, **kwargs)

    planner.due = counting_due  # type: ignore[method-assign]
    link = ObsConnection(service, ObsTarget("plenary", "127.0.0.1", 4455, ""), lambda _: None, lambda: 0.0, planner)
    service.subscribe(link.on_change)
    press(service, "start")
    assert planned == []  # the command returned without working out what OBS is to do
    link._plan()
    assert planned == [service.state("plenary").rev]


def test_a_change_is_read_after_the_settle_time_with_the_changes_that_came_meanwhile(app) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    feed = StageFeed(service, tick=3600.0, settle=1.0)
    seen = Collector()
    feed.subscribe(seen, seen.failed)
    feed.start()
    try:
        wait_until(lambda: seen.rounds)  # the stored states the feed starts from
        started = time.monotonic()
        press(service, "start")
        press(service, "next")
        time.sleep(0.3)
        assert len(seen.rounds) == 1  # the push has the CPU first
        wait_until(lambda: len(seen.rounds) == 2, timeout=5.0)
        assert time.monotonic() - started >= 1.0
        assert [reading.state.status.value for reading in seen.rounds[1]] == ["running", "running"]
    finally:
        feed.unsubscribe(seen)
