"""A scaled-out site of real processes: Redis, two web nodes on its queue and `runofshow scheduler`, one store.

Used by tests/test_scaleout.py (behind a database proxy it can cut) and the benchmarks (bench/fanout.py
--two-nodes, bench/soak.py). The store must already hold the event (see `fresh_store`).
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from runofshow.agenda.model import Event
from runofshow.live.clocks import RehearsalClock, SystemClock
from runofshow.live.service import ShowService
from runofshow.live.store import Store, metadata
from runofshow.live.site_clock import keep_rehearsal_clock
from tests.support.serverproc import (
    RUNOFSHOW, RedisServer, ServerProcess, base_env, end_process, raise_fd_limit, rss_kb,
)


def fresh_store(url: str, event: Event, clock: RehearsalClock | None = None, actor: str = "test") -> None:
    """Empty the database at `url`, store `event` (fresh states) and, for a rehearsal, the shared rehearsal clock."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    store = Store(url)
    try:
        ShowService(store, SystemClock()).replace_event(event, actor=actor, replace_running=True)
        if clock is not None:
            keep_rehearsal_clock(store, clock)
    finally:
        store.close()


class Cluster:
    """Redis, node A and node B (scheduler off, on the queue), and the one `runofshow scheduler` process.

    Each process may hold a few thousand sockets; `speed` > 0 runs every process on the stored rehearsal clock.
    """

    def __init__(self, workdir: Path, database_url: str, speed: float = 0.0, secret: str = "cluster") -> None:
        self.workdir = Path(workdir)
        self.database_url = database_url
        self.redis = RedisServer(self.workdir)
        self.env: dict[str, str] = {"RUNOFSHOW_DATABASE_URL": database_url, "RUNOFSHOW_SCHEDULER": "off",
                                    "RUNOFSHOW_SECRET_KEY": secret, "RUNOFSHOW_MESSAGE_QUEUE": self.redis.url}
        if speed > 0:
            self.env["RUNOFSHOW_REHEARSAL_SPEED"] = str(speed)
        self.node_a = ServerProcess(self.workdir / "a", env=self.env, name="node-a")
        self.node_b = ServerProcess(self.workdir / "b", env=self.env, name="node-b")
        self.scheduler: subprocess.Popen[bytes] | None = None
        self.token = ""

    @property
    def nodes(self) -> list[ServerProcess]:
        """Node A and node B."""
        return [self.node_a, self.node_b]

    @property
    def scheduler_log(self) -> Path:
        """Where the scheduler's output goes."""
        return self.workdir / "scheduler.log"

    def start(self) -> Cluster:
        """Start everything; node A first (it stores the rehearsal clock the others read), then B and the scheduler."""
        self.redis.start()
        self.node_a.start(timeout=60, preexec_fn=raise_fd_limit)
        failure: list[BaseException] = []

        def start_b() -> None:
            try:
                self.node_b.start(timeout=60, preexec_fn=raise_fd_limit)
            except BaseException as error:  # noqa: BLE001 - re-raised below
                failure.append(error)

        starting_b = threading.Thread(target=start_b)
        starting_b.start()
        self.start_scheduler()
        starting_b.join()
        if failure:
            raise failure[0]
        self.token = self.node_a.token("moderator")
        return self

    def start_scheduler(self) -> None:
        """Start `runofshow scheduler` and wait for its first line."""
        with open(self.scheduler_log, "wb") as log:
            self.scheduler = subprocess.Popen([str(RUNOFSHOW), "scheduler"],
                                              env=base_env(self.workdir / "a", self.env), cwd=self.workdir,
                                              stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while b"runofshow scheduler:" not in self.scheduler_log.read_bytes():
            if self.scheduler.poll() is not None:
                raise RuntimeError(f"the scheduler exited: {self.scheduler_log.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError("the scheduler did not start")
            time.sleep(0.05)

    def rss_mb(self) -> dict[str, float]:
        """Resident set size of each node and the scheduler, MB."""
        sizes = {node.name: rss_kb(node.pid) for node in self.nodes if node.process is not None}
        if self.scheduler is not None:
            sizes["scheduler"] = rss_kb(self.scheduler.pid)
        return {name: round(kb / 1024, 1) for name, kb in sizes.items()}

    def logs(self) -> dict[str, str]:
        """Every process's output so far."""
        result = {node.name: node.log() for node in self.nodes}
        if self.scheduler_log.exists():
            result["scheduler"] = self.scheduler_log.read_text(errors="replace")
        return result

    def log_problems(self, limit: int = 10) -> list[str]:
        """Tracebacks and error lines in the processes' output (the first `limit`), each with its process name."""
        problems = []
        for name, text in self.logs().items():
            lines = text.splitlines()
            for index, line in enumerate(lines):
                if "Traceback" in line or " ERROR " in line or line.startswith("ERROR") or "Exception" in line:
                    tail = " | ".join(lines[index:index + 12])[-600:]
                    problems.append(f"{name}: {tail}")
        return problems[:limit] + ([f"... {len(problems) - limit} more"] if len(problems) > limit else [])

    def stop(self) -> None:
        """Stop the scheduler (interrupted: it shuts down cleanly), both nodes and Redis."""
        if self.scheduler is not None:
            end_process(self.scheduler, timeout=10, stop_signal=signal.SIGINT)
        for node in self.nodes:
            node.stop()
        self.redis.stop()

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_: Any) -> None:
        self.stop()
