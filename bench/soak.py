"""Soak of a whole day: the reference day as a rehearsal at x60 on a scaled-out site, under load, with faults of
the ordinary kind (a busy moderator, screens dropping). Prints one JSON object.

The site (bench/cluster.py): Redis, PostgreSQL (RUNOFSHOW_BENCH_POSTGRES_URL, default the local
`runofshow_bench` database, emptied first), web nodes A and B (scheduler off) and one `runofshow scheduler`.

The show: the reference agenda on today's date with every block set to advance by itself (as `runofshow demo`
does, `runofshow.web.server.every_block_auto`), so every transition of the day is the scheduler's work: the 09:00
hard start, each block's auto-advance, the hard starts of lunch and dinner. The rehearsal clock is written into
the store before the processes start (they all read it from there), with show time reaching 08:59 a few
seconds after the screens are connected.

Load and disturbance:
- 500 stage screens (bench/fanout_client.py: raw Engine.IO/Socket.IO, several client processes), half on
  each node;
- a moderator over REST on a random node, every 5-30 s (real): next, previous, add_time (+-minutes), pause and
  resume, each issued against the revision the moderator just read (a GET of the snapshot, then a human's
  reaction time of up to 0.3 s); a 409 `stale` (the scheduler or a catch-up got there first) is an expected
  conflict, counted apart; any other refusal is an error. The moderator never ends the last block (that would
  end the day early). With --race-share F, a share F of the presses made while a block runs wait for that
  block's time-up and land within +-30 ms of it (next, add_time or pause), to provoke the scheduler/command race;
- every 30 s, 5 % of the screens are dropped and reconnect to the same node (sticky sessions) within a second.

What is measured:
- transitions: the journal of the stage is replayed through the engine (each entry at its stored instant).
  Before each entry, the transition the state is waiting for is taken from the engine's projections (the
  running auto block's projected end, or the waiting hard block's projected start): when the next entry is an
  `auto` entry, every transition due by its instant counts as fired, late by (entry instant - due instant) /
  speed (on time: <= 100 ms real); a moderator command made before the due instant re-plans it (not due); a
  command stored after the due instant while the transition was not (`superseded_after_due`) and a transition
  still unfired a second after it was due at the end count as missed. An `auto` entry with nothing due is a
  duplicate, as is a repeated (block, actual_start) in the stage's history. Each fired block start is checked
  against the stored history's actual_start, and the replayed final state against the stored one.
- each screen's revision at the end against the stored revision;
- RSS of each node and the scheduler: at start (screens connected), after the first show hour, and at the end;
  growth between the first and the last hour (target < 10 %);
- errors: refused commands other than 409, screens failing to connect or rejoin or dropped by the server,
  tracebacks or errors in the processes' output, journal or replay inconsistencies.

`--hours N` runs only the first N show hours (from 09:00), `--minutes N` caps the real run time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.cluster import BENCH_POSTGRES_URL, bench_cluster
from bench.fanout import ClientProcess, everyone, machine, percentile
from runofshow.agenda.model import AdvanceRule, Stage, StartRule
from runofshow.engine import Command, advance_due, apply, initial_state
from runofshow.engine.auto import _due_step, _positions
from runofshow.engine.projections import project
from runofshow.engine.state import StageState, Status
from runofshow.live.clocks import RehearsalClock
from runofshow.live.store import Store
from runofshow.web.seeding import reference_for
from runofshow.web.server import every_block_auto
from tests.support.cluster import Cluster, fresh_store
from tests.support.serverproc import http_json, raise_fd_limit

ON_TIME_MS = 100.0
RSS_GROWTH_TARGET = 0.10
SAMPLE_SECONDS = 2.0


# ---- transitions: due (engine projections) against fired (journal `auto` entries) ---------------------------


def due_transition(stage: Stage, state: StageState, now: datetime) -> tuple[datetime, str] | None:
    """The automatic transition the state waits for, from the engine's projections: (due instant, kind)."""
    block = stage.blocks[stage.index_of(state.current)] if state.current is not None else None
    if state.status is Status.RUNNING and block is not None and block.advance is AdvanceRule.AUTO:
        kind = "auto_advance"
    elif ((state.status is Status.GAP and block is not None and block.start_rule is StartRule.HARD)
          or (state.status is Status.NOT_STARTED and stage.blocks and stage.blocks[0].start_rule is StartRule.HARD)):
        kind = "hard_start"
    else:
        return None
    projection = project(stage, state, now)
    if kind == "auto_advance":
        assert projection.current_index is not None
        due = projection.rows[projection.current_index].projected_end
    else:
        index = 0 if state.status is Status.NOT_STARTED else projection.next_index
        assert index is not None
        due = projection.rows[index].projected_start
    assert due is not None
    return due, kind


def replay_args(command: str, args: dict[str, Any]) -> dict[str, Any]:
    """A journal entry's arguments as the engine takes them."""
    if command == "add_time":
        return {"delta": timedelta(seconds=float(args["delta"]))}
    return dict(args)


def analyse(stage: Stage, journal: list[Any], stored: StageState, speed: float, observed_until: datetime
            ) -> dict[str, Any]:
    """Replay the journal; every transition that fell due, whether and how late it fired; inconsistencies."""
    state = initial_state(stage)
    positions = _positions(stage)
    fired: list[dict[str, Any]] = []
    missed: list[dict[str, Any]] = []
    replanned = 0
    duplicated: list[str] = []
    errors: list[str] = []
    commands: Counter[str] = Counter()
    by_process: Counter[str] = Counter()

    def real_ms(delta: timedelta) -> float:
        return delta.total_seconds() / speed * 1000

    for entry in journal:
        if entry.rev != state.rev + 1:
            errors.append(f"journal rev {entry.rev} after {state.rev} (entry {entry.id}, {entry.command})")
        commands[entry.command] += 1
        if entry.command == "auto":
            before = state
            steps = 0
            for _ in range(2 * len(stage.blocks) + 2):
                due = due_transition(stage, state, entry.at)
                if due is None or due[0] > entry.at:
                    break
                step = _due_step(stage, state, positions, entry.at)
                if step is None or step[0] != due[0]:
                    errors.append(f"projection says {due} but the engine steps {step and step[0]} (rev {state.rev})")
                    break
                fired.append({"kind": due[1], "from_block": state.current, "due": due[0],
                              "fired_at": entry.at, "late_ms": real_ms(entry.at - due[0]), "rev": entry.rev,
                              "to_status": step[1].status.value, "to_block": step[1].current})
                state = step[1]
                steps += 1
            if steps == 0:
                duplicated.append(f"auto entry rev {entry.rev} at {entry.at.isoformat()} with nothing due")
            state = replace(state, rev=entry.rev)
            if state != replace(advance_due(stage, before, entry.at), rev=entry.rev):
                errors.append(f"replay of auto rev {entry.rev} differs from advance_due")
            by_process[entry.actor] += 1
            continue
        due = due_transition(stage, state, entry.at)
        if due is not None:
            if due[0] <= entry.at:
                missed.append({"kind": due[1], "from_block": state.current, "due": due[0],
                               "superseded_by": entry.command, "at": entry.at,
                               "overdue_ms": real_ms(entry.at - due[0])})
            else:
                replanned += 1
        try:
            state = apply(stage, state, Command(entry.command, state.rev, replay_args(entry.command, entry.args)),
                          entry.at)
        except Exception as error:  # noqa: BLE001 - report, keep going
            errors.append(f"replay of {entry.command} rev {entry.rev} failed: {error}")
        state = replace(state, rev=entry.rev)

    still = due_transition(stage, state, observed_until)
    unfired_at_end = None
    if still is not None and still[0] <= observed_until - timedelta(seconds=speed):  # a real second of grace
        unfired_at_end = {"kind": still[1], "from_block": state.current, "due": still[0]}
        missed.append({**unfired_at_end, "superseded_by": None, "overdue_ms": real_ms(observed_until - still[0])})

    if state != stored:  # field by field; instants compare as instants, whatever their offset
        fields = [name for name in state.__dataclass_fields__ if getattr(state, name) != getattr(stored, name)]
        errors.append(f"replayed final state (rev {state.rev}) differs from the stored one (rev {stored.rev}) in "
                      f"{fields}: {[(getattr(state, f), getattr(stored, f)) for f in fields][:2]}")
    runs = Counter((run.block_id, run.actual_start) for run in stored.history)
    duplicated += [f"history run of {block} at {start.isoformat()} appears {n} times"
                   for (block, start), n in runs.items() if n > 1]
    started = {(run.block_id, run.actual_start) for run in stored.history}
    for item in fired:
        if item["to_status"] == "running" and (item["to_block"], item["due"]) not in started:
            errors.append(f"fired start of {item['to_block']} at {item['due'].isoformat()} not in the history")

    late = [item["late_ms"] for item in fired]
    on_time = sum(1 for value in late if value <= ON_TIME_MS)
    worst = sorted(fired, key=lambda item: -item["late_ms"])[:3]
    return {
        "due": len(fired) + len(missed),
        "fired": len(fired),
        "on_time": on_time,
        "late": len(fired) - on_time,
        "missed": len(missed),
        "duplicated": len(duplicated),
        "replanned_by_moderator_before_due": replanned,
        "late_ms": {"p50": round(percentile(late, 0.5), 1), "p99": round(percentile(late, 0.99), 1),
                    "max": round(max(late), 1)} if late else None,
        "on_time_limit_ms": ON_TIME_MS,
        "by_kind": dict(Counter(item["kind"] for item in fired)),
        "slowest": [{"kind": i["kind"], "from_block": i["from_block"], "due_show": _clock_text(i["due"]),
                     "late_ms": round(i["late_ms"], 1)} for i in worst],
        "missed_detail": [{**{k: v for k, v in m.items() if k not in ("due", "at")}, "due_show": _clock_text(m["due"]),
                           "overdue_ms": round(m["overdue_ms"], 1)} for m in missed][:10],
        "duplicated_detail": duplicated[:10],
        "journal_entries": len(journal),
        "journal_commands": dict(commands),
        "replay_errors": errors[:10],
    }


def _clock_text(instant: datetime) -> str:
    return instant.astimezone(ZoneInfo("Europe/Oslo")).strftime("%H:%M:%S.%f")[:-3]


# ---- the moderator --------------------------------------------------------------------------------------------


class Moderator(threading.Thread):
    """Presses buttons over REST on a random node at random intervals, against the revision just read."""

    def __init__(self, cluster: Cluster, stage: Stage, seed: int, gap: tuple[float, float],
                 clock: RehearsalClock | None = None, race_share: float = 0.0) -> None:
        super().__init__(daemon=True, name="moderator")
        self.cluster = cluster
        self.clock = clock
        self.race_share = race_share
        self.races = 0
        self.stage = stage
        self.rng = random.Random(seed)
        self.gap = gap
        self.stop_event = threading.Event()
        self.ok: Counter[str] = Counter()
        self.conflicts: Counter[str] = Counter()
        self.errors: list[str] = []
        self.latency_ms: list[float] = []

    def choose(self, snapshot: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """A command that makes sense for what the moderator sees, or None (nothing to press)."""
        status = snapshot.get("status")
        current = (snapshot.get("current") or {}).get("block_id")
        index = self.stage.index_of(current) if current else None
        last = index is not None and index == len(self.stage.blocks) - 1
        options: list[tuple[float, str]] = []
        if status == "running":
            options = [(0.25, "next"), (0.1, "previous"), (0.4, "add_time"), (0.25, "pause")]
        elif status == "paused":
            options = [(0.6, "resume"), (0.2, "add_time"), (0.1, "next"), (0.1, "previous")]
        elif status == "gap":
            options = [(0.6, "next"), (0.4, "previous")]
        if last:
            options = [(w, c) for w, c in options if c != "next"]
        if index == 0 and status != "gap":
            options = [(w, c) for w, c in options if c != "previous"]
        if not options:
            return None
        command = self.rng.choices([c for _, c in options], [w for w, _ in options])[0]
        if command == "add_time":
            return command, {"minutes": self.rng.choice([-5, -2, -1, 1, 2, 3, 5, 10])}
        return command, {}

    def race_wait(self, snapshot: dict[str, Any]) -> bool:
        """Sometimes (race_share) wait until the running block's time-up and press within +-30 ms of it."""
        time_up_ms = (snapshot.get("current") or {}).get("time_up_ms")
        if (self.clock is None or snapshot.get("status") != "running" or time_up_ms is None
                or self.rng.random() >= self.race_share):
            return False
        due = self.clock.to_real(datetime.fromtimestamp(time_up_ms / 1000, timezone.utc)).timestamp()
        wait = due - time.time() + self.rng.uniform(-0.03, 0.03)
        if not 0 < wait < 20:
            return False
        self.races += 1
        time.sleep(wait)
        return True

    def run(self) -> None:
        while not self.stop_event.wait(self.rng.uniform(*self.gap)):
            node = self.rng.choice(self.cluster.nodes)
            try:
                status, snapshot = http_json("GET", f"{node.url}/api/stages/{self.stage.id}/snapshot",
                                             token=self.cluster.token)
                if status != 200:
                    self.errors.append(f"GET snapshot on {node.name}: {status} {str(snapshot)[:200]}")
                    continue
                choice = self.choose(snapshot)
                if choice is None:
                    continue
                command, args = choice
                time.sleep(self.rng.uniform(0, 0.3))  # reading the screen, reaching for the button
                if self.race_wait(snapshot):
                    command, args = self.rng.choice([("next", {}), ("add_time", {"minutes": 2}), ("pause", {})])
                started = time.monotonic()
                status, body = http_json("POST", f"{node.url}/api/stages/{self.stage.id}/{command}",
                                         {"expected_rev": snapshot["rev"], **args}, token=self.cluster.token)
                self.latency_ms.append((time.monotonic() - started) * 1000)
            except OSError as error:
                self.errors.append(f"moderator on {node.name}: {error!r}")
                continue
            if status == 200:
                self.ok[command] += 1
            elif status == 409 and isinstance(body, dict) and body.get("error") == "stale":
                self.conflicts[command] += 1
            else:
                self.errors.append(f"{command} {args} on {node.name} at rev {snapshot['rev']} "
                                   f"({snapshot.get('status')}): {status} {str(body)[:300]}")


# ---- the run ----------------------------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """Every couple of seconds: show time, the stored state, RSS of every process."""

    def __init__(self, cluster: Cluster, clock: RehearsalClock, stage_id: str) -> None:
        super().__init__(daemon=True, name="sampler")
        self.cluster = cluster
        self.clock = clock
        self.stage_id = stage_id
        self.store = Store(cluster.database_url)
        self.samples: list[dict[str, Any]] = []
        self.stop_event = threading.Event()
        self.errors: list[str] = []

    def sample(self) -> dict[str, Any]:
        stored = self.store.load_state(self.stage_id)
        item = {"t": time.time(), "show": self.clock.now(), "rss_mb": self.cluster.rss_mb(),
                "rev": stored.rev if stored else None, "status": stored.state.get("status") if stored else None}
        self.samples.append(item)
        return item

    def run(self) -> None:
        while not self.stop_event.wait(SAMPLE_SECONDS):
            try:
                self.sample()
            except Exception as error:  # noqa: BLE001
                self.errors.append(f"sampler: {error!r}")

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.samples[-1] if self.samples else None


def rss_report(samples: list[dict[str, Any]], first_hour_end: datetime, start: dict[str, Any]) -> dict[str, Any]:
    """RSS per process at start, after the first show hour, at the start of the last hour, at the end; growth."""
    after_first = next((s for s in samples if s["show"] >= first_hour_end), None)
    end = samples[-1]
    last_hour_start = next((s for s in samples if s["show"] >= end["show"] - timedelta(hours=1)), end)
    report: dict[str, Any] = {}
    for name in end["rss_mb"]:
        row = {"start": start["rss_mb"].get(name),
               "after_first_show_hour": after_first["rss_mb"].get(name) if after_first else None,
               "last_hour_start": last_hour_start["rss_mb"].get(name),
               "end": end["rss_mb"].get(name),
               "max": max(s["rss_mb"].get(name, 0) for s in samples)}
        base = row["after_first_show_hour"]
        row["growth_first_to_last_hour"] = round((row["end"] - base) / base, 4) if base else None
        report[name] = row
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=int, default=500)
    parser.add_argument("--speed", type=float, default=60.0, help="rehearsal speed (RUNOFSHOW_REHEARSAL_SPEED)")
    parser.add_argument("--hours", type=float, default=None, help="only this many show hours from the first block")
    parser.add_argument("--minutes", type=float, default=None, help="stop after this many real minutes")
    parser.add_argument("--processes", type=int, default=4, help="screen client processes")
    parser.add_argument("--churn-fraction", type=float, default=0.05, help="share of screens dropped each time")
    parser.add_argument("--churn-every", type=float, default=30.0, help="seconds between drops")
    parser.add_argument("--press-every", default="5,30", help="moderator's pause between presses, min,max seconds")
    parser.add_argument("--lead", type=float, default=15.0, help="real seconds from setup until show time 08:59")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--race-share", type=float, default=0.0,
                        help="share of presses timed to land within 30 ms of the running block's time-up")
    args = parser.parse_args(argv)
    raise_fd_limit()
    load_before = os.getloadavg()
    zone = ZoneInfo("Europe/Oslo")
    event = every_block_auto(reference_for(datetime.now(zone).date()))
    stage = event.stages[0]
    first = min(block.planned_start for block in event.all_blocks())
    clock = RehearsalClock(first - timedelta(minutes=1), args.speed,
                           real_start=datetime.now(timezone.utc) + timedelta(seconds=args.lead))
    day_end = max(block.planned_start + block.planned_duration for block in event.all_blocks())
    show_limit = first + timedelta(hours=args.hours) if args.hours is not None else None
    planned_real_minutes = ((show_limit or day_end) - clock.show_start).total_seconds() / args.speed / 60
    real_cap = args.minutes * 60 if args.minutes is not None else planned_real_minutes * 60 * 2 + 120
    fresh_store(BENCH_POSTGRES_URL, event, clock, actor="bench")

    errors: list[str] = []
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="runofshow-soak-") as folder:
        cluster = bench_cluster(Path(folder), speed=args.speed)
        clients: list[ClientProcess] = []
        moderator: Moderator | None = None
        sampler: Sampler | None = None
        try:
            cluster.start()
            count = min(args.processes, args.screens)
            clients = [ClientProcess(True) for _ in range(count)]
            shares = [args.screens // count + (1 if i < args.screens % count else 0) for i in range(count)]
            client_nodes = [cluster.nodes[i % 2] for i in range(count)]
            go = time.time()
            for client, share, node in zip(clients, shares, client_nodes):
                client.send(f"connect {node.url} {share}")
            connected = [client.read() for client in clients]
            connect_s = max(item["last_t"] or go for item in connected) - go
            for item in connected:
                if item["failed"]:
                    errors.append(f"{item['failed']} screens failed to connect: {item['errors']}")
            setup_ready_show = clock.now()
            sampler = Sampler(cluster, clock, stage.id)
            start_sample = sampler.sample()
            sampler.start()
            gap = tuple(float(x) for x in args.press_every.split(","))
            moderator = Moderator(cluster, stage, args.seed, (gap[0], gap[1]), clock, args.race_share)
            moderator.start()

            churns: list[dict[str, Any]] = []
            started = time.monotonic()
            next_churn = started + args.churn_every
            ended_by = "real time cap"
            while time.monotonic() - started < real_cap:
                time.sleep(0.5)
                latest = sampler.latest
                if latest is not None and latest["status"] == "finished":
                    ended_by = "show finished"
                    break
                if show_limit is not None and clock.now() >= show_limit:
                    ended_by = f"{args.hours:g} show hours"
                    break
                if time.monotonic() >= next_churn:
                    next_churn += args.churn_every
                    total = max(1, round(args.screens * args.churn_fraction))
                    per = [total * share // args.screens for share in shares]
                    per[0] += total - sum(per)
                    for client, k in zip(clients, per):
                        client.send(f"churn {k} 1.0")
                    answers = [client.read() for client in clients]
                    churns.append({"show": clock.now(), "dropped": sum(a["dropped"] for a in answers),
                                   "rejoined": sum(a["rejoined"] for a in answers),
                                   "rejoin_ms_max": max((a["rejoin_ms_max"] or 0) for a in answers)})
                    for answer in answers:
                        if answer["failed"]:
                            errors.append(f"{answer['failed']} screens failed to rejoin: {answer['errors']}")
            moderator.stop_event.set()
            moderator.join(timeout=10)
            run_real_s = time.monotonic() - started

            # Every screen against the store: wait for the stored revision, look again until nothing moved.
            store = Store(cluster.database_url)
            screens: dict[str, Any] = {}
            for _attempt in range(5):
                time.sleep(1.0)
                server_rev = store.load_state(stage.id).rev
                everyone(clients, f"expect {server_rev}")
                held = everyone(clients, "revs")
                if store.load_state(stage.id).rev == server_rev:
                    break
            revs: Counter[int] = Counter()
            for item in held:
                revs.update({int(rev): n for rev, n in item["revs"].items()})
            screens = {
                "server_rev": server_rev,
                "on_server_rev": revs.get(server_rev, 0),
                "behind": sum(n for rev, n in revs.items() if rev < server_rev),
                "ahead": sum(n for rev, n in revs.items() if rev > server_rev),
                "not_connected": sum(item["closed"] for item in held),
                "revs_held": {str(rev): n for rev, n in sorted(revs.items())},
                "unexpected_disconnects": sum(item["unexpected_disconnects"] for item in held),
                "out_of_order_pushes": sum(item["out_of_order_pushes"] for item in held),
                "repeated_pushes": sum(item["repeated_pushes"] for item in held),
            }
            if screens["on_server_rev"] != args.screens:
                errors.append(f"{args.screens - screens['on_server_rev']} screens not on the server's revision")
            if screens["unexpected_disconnects"]:
                errors.append(f"{screens['unexpected_disconnects']} screens were disconnected by the server")

            observed_until = clock.now()
            journal = store.journal(stage_id=stage.id, limit=1_000_000)
            stored = store.load_state(stage.id)
            final = StageState.from_dict({**stored.state, "rev": stored.rev})
            store.close()
            sampler.stop_event.set()
            sampler.join(timeout=10)
            end_sample = sampler.sample()
            sampler.store.close()
            transitions = analyse(stage, journal, final, args.speed, observed_until)
            errors += [f"moderator: {e}" for e in moderator.errors]
            errors += sampler.errors
            errors += [f"replay: {e}" for e in transitions["replay_errors"]]
            problems = cluster.log_problems()
            errors += [f"log: {p}" for p in problems]
            rss = rss_report(sampler.samples, first + timedelta(hours=1), start_sample)
            worst_growth = max((row["growth_first_to_last_hour"] for name, row in rss.items()
                                if name.startswith("node") and row["growth_first_to_last_hour"] is not None),
                               default=None)
            report = {
                "benchmark": "soak",
                "setup": {"nodes": 2, "scheduler_processes": 1, "store": "postgresql", "queue": "redis",
                          "screens": args.screens, "client_processes": count,
                          "screens_per_node": {node.name: sum(s for s, n in zip(shares, client_nodes) if n is node)
                                               for node in cluster.nodes},
                          "show": f"{event.title}: reference day, every block auto-advance (every_block_auto)",
                          "speed": args.speed, "moderator_every_s": list(gap), "race_share": args.race_share,
                          "churn": f"{args.churn_fraction:.0%} of screens every {args.churn_every:g} s"},
                "machine": machine(load_before),
                "run": {"ended_by": ended_by, "real_s": round(run_real_s, 1),
                        "show_from": _clock_text(setup_ready_show), "show_until": _clock_text(observed_until),
                        "show_hours": round((observed_until - max(setup_ready_show, first)).total_seconds() / 3600, 2),
                        "connect_500_s": round(connect_s, 2), "final_status": final.status.value,
                        "final_block": final.current},
                "transitions": {k: v for k, v in transitions.items() if k != "replay_errors"},
                "moderator": {"applied": dict(moderator.ok), "conflicts_409": dict(moderator.conflicts),
                              "presses_timed_at_a_due_instant": moderator.races,
                              "conflicts_total": sum(moderator.conflicts.values()),
                              "refused_other": len(moderator.errors),
                              "rest_ms": {"p50": round(percentile(moderator.latency_ms, 0.5), 1),
                                          "max": round(max(moderator.latency_ms), 1)} if moderator.latency_ms else None},
                "screens": screens,
                "churn": {"rounds": len(churns), "dropped": sum(c["dropped"] for c in churns),
                          "rejoined": sum(c["rejoined"] for c in churns),
                          "rejoin_ms_max": max((c["rejoin_ms_max"] for c in churns), default=None)},
                "rss_mb": rss,
                "rss_samples": len(sampler.samples),
                "errors": errors[:30],
                "error_count": len(errors),
                "targets": {"missed": 0, "duplicated": 0, "screens_on_server_rev": args.screens,
                            "rss_growth_first_to_last_hour": RSS_GROWTH_TARGET, "errors": 0},
                "met": {
                    "no_missed": transitions["missed"] == 0,
                    "no_duplicated": transitions["duplicated"] == 0,
                    "all_on_time": transitions["late"] == 0,
                    "every_screen_on_server_rev": screens["on_server_rev"] == args.screens,
                    "rss_growth_under_10_percent": None if worst_growth is None else worst_growth < RSS_GROWTH_TARGET,
                    "no_errors": not errors,
                },
            }
            del end_sample
        finally:
            if moderator is not None:
                moderator.stop_event.set()
            if sampler is not None:
                sampler.stop_event.set()
            for client in clients:
                client.close()
            cluster.stop()
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
