"""Scale-out with real processes: two web nodes, `runofshow scheduler`, Redis and PostgreSQL, and faults.

Every test starts its own site: a `redis-server` on a free port, PostgreSQL (RUNOFSHOW_TEST_POSTGRES_URL)
reached through a TCP proxy the test can cut, web node A and web node B (`RUNOFSHOW_SCHEDULER=off`) on
the message queue, and the one scheduler process. The show is a two-stage rehearsal at x60: `main` has
manual blocks the tests press Next on, `side` advances by itself (the scheduler process's work).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from runofshow.agenda.model import AdvanceRule, Block, Event, Stage, StartRule, validate
from runofshow.live.store import Store
from tests.support.cluster import Cluster, fresh_store
from tests.support.serverproc import REDIS_SERVER, ServerProcess, Watcher, http_json

pytestmark = pytest.mark.slow

POSTGRES_URL = os.environ.get("RUNOFSHOW_TEST_POSTGRES_URL", "")
if not POSTGRES_URL or REDIS_SERVER is None:
    pytest.skip("scale-out tests need redis-server on PATH and RUNOFSHOW_TEST_POSTGRES_URL (both set up by .ci/run)",
                allow_module_level=True)

OSLO = ZoneInfo("Europe/Oslo")
SPEED = 60
PUSH_BUDGET = 0.2  # seconds from a REST Next on one node to a screen on the other
SIDE_OFFSET_MINUTES = 20  # show minutes (real seconds at x60) before the `side` stage starts by itself


# ---- infrastructure the tests control --------------------------------------------------------------


class TcpProxy:
    """A localhost TCP proxy to the first backend port that accepts; `cut()` drops every link and refuses new ones."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.open = True
        self.links: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = self._upstream() if self.open else None
            if upstream is None:
                client.close()
                continue
            for end in (client, upstream):
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.links.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _upstream(self) -> socket.socket | None:
        for port in self.backends:
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=2)
            except OSError:
                continue
        return None

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            source.settimeout(None)
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Drop every open link; new ones are accepted and closed at once (an unreachable service)."""
        self.open = False
        with self._lock:
            links, self.links = self.links, []
        for pair in links:
            for end in pair:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()

    def restore(self) -> None:
        """Let links through again."""
        self.open = True

    def close(self) -> None:
        """Stop listening and drop every link."""
        self.cut()
        self.listener.close()


def via_proxy(url: str, port: int) -> str:
    """The database URL with its host and port replaced by the proxy's."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


# ---- the show ---------------------------------------------------------------------------------------


def two_stage_day() -> Event:
    """`main`: forty manual 10-minute blocks from 09:00; `side`: four automatic 1-minute blocks from a hard 09:20."""
    day = date.today()
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=OSLO)
    main = tuple(Block(id=f"main-{n}", title=f"Main {n}", planned_start=start + timedelta(minutes=10 * n),
                       planned_duration=timedelta(minutes=10), start_rule=StartRule.SOFT, advance=AdvanceRule.MANUAL)
                 for n in range(40))
    side_start = start + timedelta(minutes=SIDE_OFFSET_MINUTES)
    side = tuple(Block(id=f"side-{n}", title=f"Side {n}", planned_start=side_start + timedelta(minutes=n),
                       planned_duration=timedelta(minutes=1),
                       start_rule=StartRule.HARD if n == 0 else StartRule.SOFT, advance=AdvanceRule.AUTO)
                 for n in range(4))
    return validate(Event(title="Two stages", days=(day,), timezone="Europe/Oslo",
                          stages=(Stage(id="main", name="Main hall", blocks=main),
                                  Stage(id="side", name="Side room", blocks=side))))


class Site(Cluster):
    """A running cluster on PostgreSQL through a proxy the test can cut, and the screens and proxies it opened."""

    def __init__(self, tmp: Path) -> None:
        from sqlalchemy.engine import make_url

        self.db_proxy = TcpProxy([make_url(POSTGRES_URL).port or 5432])
        super().__init__(tmp, via_proxy(POSTGRES_URL, self.db_proxy.port), speed=SPEED, secret="scale-out-test")
        self.watchers: list[Watcher] = []
        self.proxies: list[TcpProxy] = []

    def screen(self, url: str, audience: str = "stage") -> Watcher:
        """A screen in a child process, joined to `audience` of the first stage (`main`) or all stages (agenda)."""
        watcher = Watcher(url, audience=audience, reconnect_delay=0.2, lifetime=170)
        self.watchers.append(watcher)
        watcher.wait_for(lambda line: line["type"] == "join", timeout=15)
        return watcher

    def snapshot(self, node: ServerProcess, stage: str = "main") -> dict[str, Any]:
        """A stage's crew snapshot from a node."""
        status, body = http_json("GET", f"{node.url}/api/stages/{stage}/snapshot", token=self.token)
        assert status == 200, body
        return body

    def press(self, node: ServerProcess, command: str = "next", **args: Any) -> tuple[int, Any]:
        """A moderator's command on `main` through one node, against the revision that node reports now."""
        rev = self.snapshot(node)["rev"]
        return http_json("POST", f"{node.url}/api/stages/main/{command}", {"expected_rev": rev, **args},
                         token=self.token)

    def journal(self, stage: str = "main") -> list[Any]:
        """The journal of a stage, read directly from PostgreSQL."""
        store = Store(POSTGRES_URL)
        try:
            return store.journal(stage_id=stage, limit=10_000)
        finally:
            store.close()

    def log_tails(self) -> str:
        """The end of every process's output, for a failing assertion."""
        return "\n".join(f"{name}:\n{text[-3000:]}" for name, text in self.logs().items())

    def stop(self) -> None:
        """Close the screens, stop every process, then the proxies."""
        for watcher in self.watchers:
            watcher.close()
        super().stop()
        for proxy in [self.db_proxy, *self.proxies]:
            proxy.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A running site: Redis, PostgreSQL through a proxy, node A, node B and the scheduler; `main` started."""
    fresh_store(POSTGRES_URL, two_stage_day())
    with Site(tmp_path) as built:
        status, body = built.press(built.node_a, "start")
        assert status == 200, body
        yield built


def is_main(rev: int, block_id: str | None = None) -> Callable[[dict[str, Any]], bool]:
    """A pushed snapshot of `main` at `rev` (and on `block_id` when given)."""
    return lambda line: (line["type"] in ("snapshot", "join") and line["rev"] == rev
                         and (block_id is None or line["block_id"] == block_id))


def next_and_time(site: Site, node: ServerProcess, screen: Watcher, timeout: float = 5) -> tuple[dict[str, Any], float]:
    """Press Next on `node`; the new snapshot and seconds until `screen` holds it."""
    started = time.time()
    status, body = site.press(node)
    assert status == 200, body
    new = body["snapshot"]
    pushed = screen.wait_for(is_main(new["rev"], new["current"]["block_id"]), timeout=timeout)
    return new, pushed["t"] - started


# ---- the tests --------------------------------------------------------------------------------------


def test_next_on_node_a_reaches_node_b_within_200ms_and_the_scheduler_fires_once(site: Site) -> None:
    screen_b = site.screen(site.node_b.url)
    screen_a = site.screen(site.node_a.url)
    agenda_b = site.screen(site.node_b.url, audience="agenda")
    latencies = []
    for _ in range(5):
        new, latency = next_and_time(site, site.node_a, screen_b)
        latencies.append(round(latency, 4))
        screen_a.wait_for(is_main(new["rev"]), timeout=2)
    print("A -> B latencies", latencies)
    assert max(latencies) < PUSH_BUDGET, latencies
    assert site.snapshot(site.node_b)["rev"] == new["rev"]
    # The other way round too.
    new, latency = next_and_time(site, site.node_b, screen_a)
    assert latency < PUSH_BUDGET, latency

    # The `side` stage advances by itself: only the scheduler process runs jobs, and its pushes go through
    # the queue to screens on both nodes, each transition stored once.
    for screen in (agenda_b, site.screen(site.node_a.url, audience="agenda")):
        # Only `side` can finish here (`main` is manual and has blocks left).
        screen.wait_for(lambda line: line["type"] == "snapshot" and line["status"] == "finished", timeout=40)
        shown = [line["block_id"] for line in screen.seen if line["type"] == "snapshot"
                 and str(line["block_id"]).startswith("side-")]
        assert sorted(set(shown)) == ["side-0", "side-1", "side-2", "side-3"], shown
    autos = [entry for entry in site.journal("side") if entry.command == "auto"]
    assert len(autos) == 5 and len({entry.rev for entry in autos}) == 5, [(e.rev, e.at) for e in autos]
    assert site.snapshot(site.node_a, "side")["status"] == "finished"
    assert "Traceback" not in site.log_tails(), site.log_tails()


def test_redis_restarted_mid_show_pushes_resume_and_nothing_is_lost(site: Site) -> None:
    screen_b = site.screen(site.node_b.url)
    new, latency = next_and_time(site, site.node_a, screen_b)
    assert latency < PUSH_BUDGET

    site.redis.stop()
    during = []
    for node in (site.node_a, site.node_b, site.node_a):
        # Commands still work (the store is up); screens on the other node catch up from the store.
        new, latency = next_and_time(site, node, screen_b, timeout=3)
        during.append(round(latency, 3))
    print("pushes while Redis is down", during)
    assert max(during) < 1.5, during

    site.redis.start()
    resumed = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (len(resumed) < 3 or max(resumed[-3:]) >= PUSH_BUDGET):
        new, latency = next_and_time(site, site.node_a, screen_b)
        resumed.append(round(latency, 3))
        time.sleep(0.3)
    print("after Redis came back", resumed)
    assert len(resumed) >= 3 and max(resumed[-3:]) < PUSH_BUDGET, resumed  # through the queue again, not polling

    presses = 1 + len(during) + len(resumed)
    entries = [entry for entry in site.journal() if entry.command == "next"]
    assert len(entries) == presses and [entry.rev for entry in entries] == sorted({entry.rev for entry in entries})
    assert site.snapshot(site.node_b)["rev"] == site.snapshot(site.node_a)["rev"] == new["rev"]
    assert new["current"]["block_id"] == f"main-{presses}"
    assert not [line for line in screen_b.seen if line["type"] == "disconnect"]


def test_postgres_unreachable_commands_are_refused_and_never_half_applied(site: Site) -> None:
    screen_b = site.screen(site.node_b.url)
    before, _ = next_and_time(site, site.node_a, screen_b)
    entries_before = len(site.journal())

    site.db_proxy.cut()
    refused = []
    for node in (site.node_a, site.node_b):
        status, body = http_json("POST", f"{node.url}/api/stages/main/next", {"expected_rev": before["rev"]},
                                 token=site.token)
        refused.append((status, body))
    time.sleep(0.5)
    status, body = http_json("POST", f"{site.node_a.url}/api/stages/main/add_time",
                             {"expected_rev": before["rev"], "minutes": 5}, token=site.token)
    refused.append((status, body))
    site.db_proxy.restore()

    for status, body in refused:
        assert status == 503, body
        assert body["error"] == "unavailable" and "nothing was changed" in body["message"]
    after = site.snapshot(site.node_a)
    assert (after["rev"], after["current"]["block_id"]) == (before["rev"], before["current"]["block_id"])
    assert after["current"]["time_up_ms"] == before["current"]["time_up_ms"]
    assert len(site.journal()) == entries_before

    # Back to normal: a Next on either node reaches the screen on B quickly, applied once.
    new, latency = next_and_time(site, site.node_b, screen_b)
    assert new["rev"] == before["rev"] + 1 and latency < PUSH_BUDGET
    new, latency = next_and_time(site, site.node_a, screen_b)
    assert new["rev"] == before["rev"] + 2 and latency < PUSH_BUDGET
    assert len(site.journal()) == entries_before + 2
    assert not [line for line in screen_b.seen if line["type"] == "disconnect"]


def test_web_node_killed_screens_move_to_the_other_node_and_resync(site: Site) -> None:
    balancer = TcpProxy([site.node_a.port, site.node_b.port])  # as nginx: node A first, node B when A is down
    site.proxies.append(balancer)
    moving = site.screen(f"http://127.0.0.1:{balancer.port}")
    staying = site.screen(site.node_b.url)
    before, _ = next_and_time(site, site.node_a, moving)
    staying.wait_for(is_main(before["rev"]), timeout=2)

    site.node_a.kill9()
    killed = time.time()
    moving.wait_for(lambda line: line["type"] == "disconnect" and line["t"] >= killed - 0.1, timeout=5)
    rejoined = moving.wait_for(lambda line: line["type"] == "join" and line["t"] > killed, timeout=10)
    assert (rejoined["rev"], rejoined["block_id"]) == (before["rev"], before["current"]["block_id"])
    assert rejoined["time_up_ms"] == before["current"]["time_up_ms"]

    new, latency = next_and_time(site, site.node_b, moving)
    assert new["rev"] == before["rev"] + 1 and latency < PUSH_BUDGET
    staying.wait_for(is_main(new["rev"], new["current"]["block_id"]), timeout=1)
    assert not [line for line in staying.seen if line["type"] == "disconnect"]
    assert len([entry for entry in site.journal() if entry.command == "next"]) == new["rev"] - 1  # all but `start`
