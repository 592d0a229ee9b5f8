"""The scheduler adapter: after every change, plan the engine's next automatic change with APScheduler."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from runofshow.live.clocks import Clock
from runofshow.engine import next_due
from runofshow.live.service import Change, NoAgenda, ShowService, UnknownStage
from runofshow.live.store import StoreUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    """The next job of a stage: when it is due (show time and real time) and the revision it was planned against."""

    due: datetime
    run_at: datetime
    rev: int
WATCH_INTERVAL = timedelta(milliseconds=250)


def real_instant(clock: Clock, show_instant: datetime) -> datetime:
    """When, on the real clock, the show clock reaches `show_instant` (rehearsals run faster)."""
    to_real = getattr(clock, "to_real", None)
    return to_real(show_instant) if to_real is not None else show_instant


class ShowScheduler:
    """Runs one job per stage at the stage's next due instant; each job carries the revision it was planned against."""

    def __init__(self, service: ShowService) -> None:
        self.service = service
        self.scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults={"misfire_grace_time": None,
                                                                                  "coalesce": True})
        self.planned_revs: dict[str, int] = {}
        self.plans: dict[str, Plan] = {}

    def start(self) -> None:
        """Start scheduling for every stage, and watch the store for changes made by other processes."""
        self.service.subscribe(self.on_change)
        self.scheduler.start()
        self.scheduler.add_job(self.watch, "interval", seconds=WATCH_INTERVAL.total_seconds(), id="watch",
                               max_instances=1)
        self.plan_all()

    def shutdown(self) -> None:
        """Stop without running pending jobs."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def plan_all(self) -> None:
        """Plan every stage from the stored state."""
        try:
            for stage in self.service.event().stages:
                self.plan(stage.id)
        except (NoAgenda, StoreUnavailable) as error:
            log.warning("scheduler: nothing planned (%s)", error)

    def on_change(self, change: Change) -> None:
        """A stage changed in this process: plan its next automatic change."""
        self._plan_state(change.stage_id, change.state)

    def plan(self, stage_id: str) -> None:
        """Plan a stage from its current state."""
        self._plan_state(stage_id, self.service.state(stage_id))

    def _plan_state(self, stage_id: str, state: object) -> None:
        """Replace the stage's job with one at its next due instant, planned against this revision."""
        try:
            stage = self.service.stage(stage_id)
        except (UnknownStage, NoAgenda):
            return
        rev = state.rev  # type: ignore[attr-defined]
        self.planned_revs[stage_id] = rev
        due = next_due(stage, state, self.service.clock.now())  # type: ignore[arg-type]
        job_id = f"due:{stage_id}"
        if due is None:
            self.plans.pop(stage_id, None)
            if self.scheduler.get_job(job_id):
                self.scheduler.remove_job(job_id)
            return
        plan = Plan(due, real_instant(self.service.clock, due), rev)
        self.plans[stage_id] = plan
        self.scheduler.add_job(self.fire, "date", run_date=plan.run_at, args=[stage_id, rev], id=job_id,
                               replace_existing=True)

    def fire(self, stage_id: str, planned_rev: int) -> None:
        """A due job: catch the stage up (nothing happens if the state moved on), then plan again."""
        try:
            self.service.run_due(stage_id, planned_rev)
            self.plan(stage_id)
        except (UnknownStage, NoAgenda):
            return
        except StoreUnavailable as error:
            log.warning("scheduler: store unavailable, retrying (%s)", error)
            self.scheduler.add_job(self.fire, "date", run_date=datetime.now(timezone.utc) + timedelta(seconds=1),
                                   args=[stage_id, planned_rev], id=f"due:{stage_id}", replace_existing=True)

    def watch(self) -> None:
        """Re-plan stages whose stored revision changed elsewhere (another web node, the CLI)."""
        try:
            self.service.refresh()
            for stage_id, stored in self.service.store.load_states().items():
                if self.planned_revs.get(stage_id) != stored.rev:
                    self.plan(stage_id)
        except (StoreUnavailable, NoAgenda) as error:
            log.warning("scheduler: watch skipped (%s)", error)
