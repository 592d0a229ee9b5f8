"""Next to the last of N stage screens without and with the production chain's integrations, in one run.

Both phases run bench/fanout.py's `run_size` on a fresh `runofshow serve` (gevent) on the same machine, the
same N and the same number of presses:

- without: no integration configured;
- with: OBS connected (a real headless OBS Studio, tests/support/obs.py, with obs-websocket on localhost),
  OSC out to two UDP sockets this process holds (the remaining time once a second while a block runs), and one
  webhook target for every trigger on a localhost port nothing listens on (down: every delivery is refused
  and retried).

OBS runs during both phases, so its own CPU use on this shared machine weighs on both alike; only the
server's link to it differs. `--rounds N` runs N pairs back to back in alternating order (without/with,
with/without, ...). Prints one JSON object: the figures pooled over every press, each round's p50 and p99 and
its paired difference with − without, and the medians over rounds (the figures to read on a busy machine).
With `--trace` each phase also says how many CPU milliseconds each of the server's greenlets used during a
press (bench/greenlet_trace.py), so what competes with the fan-out shows by name. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from statistics import median
from typing import Any

from bench.fanout import Probe, cpu_seconds, machine, percentile, run_size
from bench.greenlet_trace import per_press, read_trace, trace_env
from tests.support.serverproc import ServerProcess, free_port, http_json, raise_fd_limit

QUICK_SCREENS = 200
OBS_CONNECT_TIMEOUT = 30.0
WEBHOOK_SECRET = "bench-integrations"


class UdpTarget:
    """A UDP socket on 127.0.0.1 that counts the OSC packets it receives (a thread reads it)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.packets = 0
        self.addresses: set[str] = set()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        """host:port as RUNOFSHOW_OSC_TARGETS names it."""
        host, port = self.sock.getsockname()
        return f"{host}:{port}"

    def _read(self) -> None:
        while not self.stopped.is_set():
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.packets += 1
            if data.startswith(b"/"):  # a plain message: its address pattern ends at the first NUL
                self.addresses.add(data.split(b"\0", 1)[0].decode(errors="replace"))

    def close(self) -> None:
        """Stop reading and close the socket."""
        self.stopped.set()
        self.thread.join(timeout=2)
        self.sock.close()


def integration_env(obs_url: str, osc_targets: list[str], webhook_port: int) -> dict[str, str]:
    """The server settings of the "with" phase: OBS, OSC out to the targets, one webhook on a closed port."""
    webhooks = [{"url": f"http://127.0.0.1:{webhook_port}/hook", "triggers": "*"}]
    return {"RUNOFSHOW_OBS_URL": obs_url, "RUNOFSHOW_OSC_TARGETS": ",".join(osc_targets),
            "RUNOFSHOW_WEBHOOKS": json.dumps(webhooks), "RUNOFSHOW_WEBHOOK_SECRET": WEBHOOK_SECRET}


def wait_obs_connected(server: ServerProcess, token: str) -> dict[str, Any]:
    """Poll the stage's snapshot until the server's OBS link is connected; how long that took."""
    started = time.monotonic()
    link = None
    while time.monotonic() - started < OBS_CONNECT_TIMEOUT:
        status, body = http_json("GET", f"{server.url}/api/stages/plenary/snapshot", token=token)
        link = (body.get("obs") or {}).get("link") if status == 200 else None
        if link == "connected":
            break
        time.sleep(0.1)
    if link != "connected":
        raise RuntimeError(f"the server's OBS link is {link!r} after {OBS_CONNECT_TIMEOUT} s:\n{server.log()[-3000:]}")
    time.sleep(1.0)  # let the first status settle, so no obs_status lands between a press's read and its Next
    return {"obs_link": link, "obs_connected_after_s": round(time.monotonic() - started, 2)}


def desk_report(targets: list[UdpTarget]) -> Probe:
    """After the presses: the OBS link, the desk's integration states, and the OSC packets each target received."""

    def probe(server: ServerProcess, token: str) -> dict[str, Any]:
        _, snapshot = http_json("GET", f"{server.url}/api/stages/plenary/snapshot", token=token)
        status, desk = http_json("GET", f"{server.url}/overview/integrations", token=token)
        return {"obs_link": (snapshot.get("obs") or {}).get("link"),
                "desk": desk.get("integrations", desk) if status == 200 and isinstance(desk, dict) else status,
                "osc_packets_per_target_so_far": [target.packets for target in targets],
                "server_log_tracebacks": server.log().count("Traceback"),
                "osc_addresses": sorted(set().union(*(target.addresses for target in targets)))[:12]}

    return probe


def session_cpu_seconds(session: int) -> float:
    """CPU seconds used so far by the live processes of a session (OBS, Xvfb and xvfb-run)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rpartition(")")[2].split()[3]) == session:
                total += cpu_seconds(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return total


def ratio(with_value: float, without_value: float) -> float:
    """with / without, rounded (how many times slower "with" is; below 1 is faster)."""
    return round(with_value / without_value, 2) if without_value else float("inf")


def phase_summary(result: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The figures of one phase worth comparing."""
    return {"next_to_last_screen_ms": {k: v for k, v in result["next_to_last_screen_ms"].items() if k not in ("samples", "windows")},
            "screens_connected": result["screens_connected"], "connect_s": result["connect_s"],
            "cpu_s_per_press": result["cpu_s"]["per_press"],
            "server_rss_mb_after_presses": result["server_rss_mb"]["after_presses"],
            "probes": result.get("probes", {}), "phase_s": round(seconds, 1)}


def phase_order(rounds: int) -> list[str]:
    """Which phase runs when: without/with, then with/without, and so on, so neither always runs second."""
    return [name for index in range(rounds) for name in (("without", "with") if index % 2 == 0 else ("with", "without"))]


def pooled(samples: list[float]) -> dict[str, Any]:
    """p50, p99 and max of every press of a phase, over all rounds."""
    return {"p50": round(percentile(samples, 0.5), 1), "p99": round(percentile(samples, 0.99), 1),
            "max": round(max(samples), 1), "presses": len(samples)}


def traced(folder: Path, name: str, env: dict[str, str] | None) -> tuple[dict[str, str], Path]:
    """`env` plus what makes the server trace its greenlets (bench/greenlet_trace.py), and the trace file."""
    extra, path = trace_env(folder, name)
    return {**(env or {}), **extra}, path


def paired(phases: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Round by round, each phase's p50 and p99 and the difference with − without (ms), and their medians.

    Both phases of a round ran back to back, so the difference of a round is less exposed to the machine's other work
    than the pooled figures; the median over rounds is the figure to read.
    """
    rounds: dict[int, dict[str, Any]] = {}
    for name, summary in phases:
        figures = summary["next_to_last_screen_ms"]
        rounds.setdefault(summary["round"], {})[name] = {"p50": figures["p50"], "p99": figures["p99"]}
    rows = []
    for number, pair in sorted(rounds.items()):
        if len(pair) == 2:
            rows.append({"round": number, **pair, "with_minus_without": {
                key: round(pair["with"][key] - pair["without"][key], 1) for key in ("p50", "p99")}})
    if not rows:
        return {"per_round": rows}
    return {"per_round": rows, "median_over_rounds": {
        "without": {key: round(median(row["without"][key] for row in rows), 1) for key in ("p50", "p99")},
        "with": {key: round(median(row["with"][key] for row in rows), 1) for key in ("p50", "p99")},
        "with_minus_without": {key: round(median(row["with_minus_without"][key] for row in rows), 1)
                               for key in ("p50", "p99")},
        "rounds_with_slower_at_p50": sum(row["with_minus_without"]["p50"] > 0 for row in rows)}}


def run(screens: int, *, presses: int, processes: int, idle_seconds: float, rounds: int = 1,
        trace: bool = False) -> dict[str, Any]:
    """Both phases on the same machine, OBS running throughout, `rounds` times in alternating order; the report.

    With `trace`, each phase also reports which of the server's greenlets ran during the presses, and how long.
    """
    from tests.support.obs import MISSING, ObsStudio

    if MISSING:
        raise SystemExit(f"bench.integrations needs {MISSING}")
    load_before = os.getloadavg()
    common = {"processes": processes, "presses": presses, "idle_seconds": idle_seconds, "async_mode": "gevent",
              "compress": True}
    phases: list[tuple[str, dict[str, Any]]] = []
    samples: dict[str, list[float]] = {"without": [], "with": []}
    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="runofshow-bench-obs-")))
        obs = ObsStudio(home).start()
        stack.callback(obs.stop)
        targets = [UdpTarget(), UdpTarget()]
        for target in targets:
            stack.callback(target.close)
        session = obs.process.pid if obs.process else 0
        obs_cpu_before = session_cpu_seconds(session)
        env = integration_env(obs.url, [target.address for target in targets], free_port())
        for index, name in enumerate(phase_order(rounds)):
            started, packets = time.monotonic(), targets[0].packets
            phase_env, trace_path = traced(home, f"{index}-{name}", env if name == "with" else None) if trace \
                else (env if name == "with" else None, None)
            if name == "with":
                result = run_size(screens, **common, env=phase_env, ready=wait_obs_connected,
                                  after_presses=desk_report(targets))
            else:
                result = run_size(screens, **common, env=phase_env)
            seconds = time.monotonic() - started
            summary = {**phase_summary(result, seconds), "round": index // 2 + 1,
                       "loadavg_1min_after": round(os.getloadavg()[0], 2),
                       "osc_packets_per_second_per_target": round((targets[0].packets - packets) / seconds, 1)}
            if trace_path is not None:
                runs, windows = read_trace(trace_path), result["next_to_last_screen_ms"]["windows"]
                cycles = [(begin, after) for (begin, _), (after, _) in zip(windows, windows[1:])]
                summary["server_cpu_ms_per_press"] = {"until_the_last_screen": per_press(runs, windows),
                                                      "whole_press_cycle": per_press(runs, cycles)}
                trace_path.unlink()
            phases.append((name, summary))
            samples[name].extend(result["next_to_last_screen_ms"]["samples"])
        obs_cpu = session_cpu_seconds(session) - obs_cpu_before
    without, with_ = pooled(samples["without"]), pooled(samples["with"])
    return {
        "benchmark": "integrations",
        "setup": ("one fresh runofshow serve (gevent, SQLite) per phase, the same screens and presses; 'with': OBS "
                  "Studio connected (headless, localhost), OSC out to two local UDP targets, one webhook target "
                  "on a closed localhost port; OBS runs during every phase; phases alternate round by round"),
        "screens": screens,
        "presses_per_phase": presses,
        "rounds": rounds,
        "machine": machine(load_before),
        "obs_and_xvfb_cpu_s": round(obs_cpu, 2),
        "next_to_last_screen_ms": {"without": without, "with": with_},
        "ratio_with_over_without": {"p50": ratio(with_["p50"], without["p50"]),
                                    "p99": ratio(with_["p99"], without["p99"])},
        **paired(phases),
        "phases": [{"phase": name, **summary} for name, summary in phases],
    }


def options(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; `screens` already says how many (QUICK_SCREENS with --quick)."""
    parser = argparse.ArgumentParser(prog="python -m bench.integrations", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SCREENS} screens instead of 1000")
    parser.add_argument("--screens", type=int, default=1000, help="stage screens in each phase")
    parser.add_argument("--presses", type=int, default=20, help="REST Next presses in each phase")
    parser.add_argument("--processes", type=int, default=6, help="client processes")
    parser.add_argument("--rounds", type=int, default=1,
                        help="pairs of phases, in alternating order (without/with, with/without, ...)")
    parser.add_argument("--trace", action="store_true",
                        help="report which server greenlets ran during the presses (bench/greenlet_trace.py)")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="idle window after the presses, per phase")
    args = parser.parse_args(argv)
    if args.quick:
        args.screens = QUICK_SCREENS
    return args


def main(argv: list[str] | None = None) -> None:
    args = options(argv)
    raise_fd_limit()
    report = run(args.screens, presses=args.presses, processes=args.processes, idle_seconds=args.idle_seconds,
                 rounds=args.rounds, trace=args.trace)
    print(json.dumps(report, indent=2))

if __name__ == "__main__":
    main()
