"""A scaled-out site for benchmarks: Redis, PostgreSQL, two web nodes and `runofshow scheduler`, all real processes.

Used by bench/fanout.py --two-nodes and bench/soak.py. Like the `Site` fixture of tests/test_scaleout.py, but
without the cuttable database proxy (nothing is cut in a benchmark) and with the file-descriptor limit raised,
so each node can hold a few thousand sockets.

The store is RUNOFSHOW_BENCH_POSTGRES_URL, by default the `runofshow_bench` database on localhost, made once with
`su postgres -c "createdb -O runofshow runofshow_bench"`. Every cluster empties it and stores its own event.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from serverproc import RUNOFSHOW, RedisServer, ServerProcess, base_env, http_json  # noqa: E402

from runofshow.agenda.model import Event  # noqa: E402
from runofshow.live.clocks import RehearsalClock, SystemClock  # noqa: E402
from runofshow.live.site_clock import REHEARSAL_KEY  # noqa: E402
from runofshow.live.service import ShowService  # noqa: E402
from runofshow.live.store import Store, metadata  # noqa: E402

BENCH_POSTGRES_URL = os.environ.get(
    "RUNOFSHOW_BENCH_POSTGRES_URL", "postgresql+psycopg://runofshow:runofshow@127.0.0.1:5432/runofshow_bench")


def raise_fd_limit() -> None:
    """Let a process hold more sockets than the default soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < min(hard, 16384):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 16384), hard))


def rss_kb(pid: int) -> int:
    """VmRSS of a process in kB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def fresh_store(url: str, event: Event, clock: RehearsalClock | None = None) -> None:
    """Empty the bench database, store `event` (fresh states) and, for a rehearsal, the shared rehearsal clock."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    store = Store(url)
    try:
        ShowService(store, SystemClock()).replace_event(event, actor="bench", replace_running=True)
        if clock is not None:
            store.set_meta(REHEARSAL_KEY, json.dumps({"show_start": clock.show_start.isoformat(),
                                                      "real_start": clock.real_start.isoformat(),
                                                      "speed": clock.speed}))
    finally:
        store.close()


class Cluster:
    """Redis, node A and node B (scheduler off, on the queue), and the one `runofshow scheduler` process.

    The store must already hold the event (see `fresh_store`); `speed` > 0 runs every process on the stored
    rehearsal clock.
    """

    def __init__(self, workdir: Path, database_url: str = BENCH_POSTGRES_URL, speed: float = 0.0,
                 secret: str = "bench-cluster") -> None:
        self.workdir = Path(workdir)
        self.database_url = database_url
        self.redis = RedisServer(self.workdir)
        self.env: dict[str, str] = {"RUNOFSHOW_DATABASE_URL": database_url, "RUNOFSHOW_SCHEDULER": "off",
                                    "RUNOFSHOW_SECRET_KEY": secret}
        if speed > 0:
            self.env["RUNOFSHOW_REHEARSAL_SPEED"] = str(speed)
        self.node_a: ServerProcess | None = None
        self.node_b: ServerProcess | None = None
        self.scheduler: subprocess.Popen[bytes] | None = None
        self.token = ""

    @property
    def nodes(self) -> list[ServerProcess]:
        return [node for node in (self.node_a, self.node_b) if node is not None]

    @property
    def scheduler_log(self) -> Path:
        return self.workdir / "scheduler.log"

    def start(self) -> Cluster:
        """Start everything; node A first, then B and the scheduler together."""
        self.redis.start()
        self.env["RUNOFSHOW_MESSAGE_QUEUE"] = self.redis.url
        self.node_a = ServerProcess(self.workdir / "a", env=self.env, name="node-a")
        self.node_b = ServerProcess(self.workdir / "b", env=self.env, name="node-b")
        self.node_a.start(timeout=60, preexec_fn=raise_fd_limit)
        failure: list[BaseException] = []

        def start_b() -> None:
            try:
                assert self.node_b is not None
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

    def snapshot(self, stage_id: str, node: ServerProcess | None = None) -> dict[str, Any]:
        """A stage's console snapshot from a node (node A by default)."""
        node = node or self.node_a
        assert node is not None
        status, body = http_json("GET", f"{node.url}/api/stages/{stage_id}/snapshot", token=self.token)
        if status != 200:
            raise RuntimeError(f"snapshot: {status} {body}")
        return body

    def stop(self) -> None:
        """Stop the scheduler, both nodes and Redis."""
        if self.scheduler is not None and self.scheduler.poll() is None:
            self.scheduler.send_signal(signal.SIGINT)
            try:
                self.scheduler.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.scheduler.kill()
                self.scheduler.wait(timeout=10)
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


def now_text() -> str:
    """The wall-clock time, for reports."""
    return datetime.now().astimezone().isoformat(timespec="seconds")
