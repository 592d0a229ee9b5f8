"""The scheduler adapter: after every change, plan the engine's next automatic change with APScheduler."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from runofshow.engine import StageState, next_due
from runofshow.live.changes import Change
from runofshow.live.service import NoAgenda, ShowService, UnknownStage
from runofshow.live.store import StoreUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    """The next job of a stage: when it is due (show time and real time) and the revision it was planned against."""

    due: datetime
    run_at: datetime
    rev: int


WATCH_INTERVAL = timedelta(milliseconds=250)
RETRY_DELAY = timedelta(seconds=1)


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
        """Plan a stage from its stored state: transitions already due get a job that runs at once."""
        try:
            state = self.service.stored_state(stage_id)
        except (UnknownStage, NoAgenda):
            return
        self._plan_state(stage_id, state)

    def _plan_state(self, stage_id: str, state: StageState) -> None:
        """Replace the stage's job with one at its next due instant, planned against this revision."""
        try:
            stage = self.service.stage(stage_id)
        except (UnknownStage, NoAgenda):
            return
        rev = state.rev
        self.planned_revs[stage_id] = rev
        clock = self.service.clock
        due = next_due(stage, state, clock.now())
        job_id = f"due:{stage_id}"
        if due is None:
            self.plans.pop(stage_id, None)
            if self.scheduler.get_job(job_id):
                self.scheduler.remove_job(job_id)
            return
        plan = Plan(due, clock.to_real(due), rev)
        self.plans[stage_id] = plan
        self.scheduler.add_job(self.fire, "date", run_date=plan.run_at, args=[stage_id, rev], id=job_id,
                               replace_existing=True)

    def fire(self, stage_id: str, planned_rev: int) -> None:
        """A due job: store the stage's due transitions (nothing happens if the state moved on), then plan again."""
        try:
            self.service.store_due_transitions(stage_id, planned_rev)
            self.plan(stage_id)
        except (UnknownStage, NoAgenda):
            return
        except StoreUnavailable as error:
            log.warning("scheduler: store unavailable, retrying (%s)", error)
            clock = self.service.clock
            retry_at = clock.to_real(clock.now()) + RETRY_DELAY  # a second of real time from now
            self.scheduler.add_job(self.fire, "date", run_date=retry_at, args=[stage_id, planned_rev],
                                   id=f"due:{stage_id}", replace_existing=True)

    def watch(self) -> None:
        """Re-plan stages whose stored revision changed elsewhere (another web node, the CLI)."""
        try:
            self.service.refresh()
            for stage_id, state in self.service.stored_states().items():
                if self.planned_revs.get(stage_id) != state.rev:
                    self._plan_state(stage_id, state)
        except (StoreUnavailable, NoAgenda) as error:
            log.warning("scheduler: watch skipped (%s)", error)
