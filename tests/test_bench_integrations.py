"""bench/integrations.py's setup helpers: its settings are ones the server accepts, its UDP targets count OSC."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

from bench.greenlet_trace import per_press, read_trace, trace_env
from bench.integrations import QUICK_SCREENS, UdpTarget, integration_env, options, paired, phase_order, ratio
from runofshow.integrations.obs import obs_targets
from runofshow.integrations.osc import host_port
from runofshow.integrations.webhooks import read_targets


def test_options_quick_means_fewer_screens_and_the_presses_stay() -> None:
    assert options([]).screens == 1000
    quick = options(["--quick", "--presses", "7"])
    assert (quick.screens, quick.presses) == (QUICK_SCREENS, 7)


def test_integration_env_is_read_by_the_server_parsers() -> None:
    env = integration_env("ws://127.0.0.1:4460", ["127.0.0.1:9001", "127.0.0.1:9002"], 9003)
    assert [host_port(part) for part in env["RUNOFSHOW_OSC_TARGETS"].split(",")] == [("127.0.0.1", 9001),
                                                                                      ("127.0.0.1", 9002)]
    (target,) = read_targets(env["RUNOFSHOW_WEBHOOKS"], env["RUNOFSHOW_WEBHOOK_SECRET"])
    assert target.url == "http://127.0.0.1:9003/hook" and "block_started" in target.triggers
    (obs,) = obs_targets({"OBS_URL": env["RUNOFSHOW_OBS_URL"]}, ["plenary"], env={})
    assert (obs.stage_id, obs.host, obs.port) == ("plenary", "127.0.0.1", 4460)


def test_udp_target_counts_packets_and_their_osc_addresses() -> None:
    target = UdpTarget()
    try:
        host, port = target.address.split(":")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"/runofshow/plenary/level\0\0\0\0,s\0\0ok\0\0", (host, int(port)))
            sender.sendto(b"#bundle\0", (host, int(port)))
        deadline = time.monotonic() + 5
        while target.packets < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert target.packets == 2
        assert target.addresses == {"/runofshow/plenary/level"}
    finally:
        target.close()


def test_ratio_is_with_over_without() -> None:
    assert ratio(12.0, 10.0) == 1.2
    assert ratio(9.0, 10.0) == 0.9


def test_phases_alternate_so_neither_always_runs_second() -> None:
    assert phase_order(1) == ["without", "with"]
    assert phase_order(2) == ["without", "with", "with", "without"]


def test_paired_gives_each_rounds_difference_and_the_medians() -> None:
    def phase(name: str, number: int, p50: float, p99: float) -> tuple[str, dict[str, Any]]:
        return name, {"round": number, "next_to_last_screen_ms": {"p50": p50, "p99": p99}}

    report = paired([phase("without", 1, 20.0, 30.0), phase("with", 1, 22.0, 29.0),
                     phase("with", 2, 25.0, 40.0), phase("without", 2, 26.0, 35.0),
                     phase("without", 3, 21.0, 31.0), phase("with", 3, 21.5, 33.0)])
    assert [row["with_minus_without"] for row in report["per_round"]] == [
        {"p50": 2.0, "p99": -1.0}, {"p50": -1.0, "p99": 5.0}, {"p50": 0.5, "p99": 2.0}]
    assert report["median_over_rounds"] == {"without": {"p50": 21.0, "p99": 31.0}, "with": {"p50": 22.0, "p99": 33.0},
                                            "with_minus_without": {"p50": 0.5, "p99": 2.0},
                                            "rounds_with_slower_at_p50": 2}


def test_greenlet_trace_sums_cpu_per_label_inside_each_press_window(tmp_path: Path) -> None:
    trace = tmp_path / "server.trace"
    trace.write_text("\n".join([
        "100.000 0.010 HTTP request",  # inside the first window
        "100.015 0.002 thread integrations",  # inside too
        "100.040 0.003 thread integrations",  # after the first window ended
        "99.995 0.010 hub",  # started 5 ms before the window: half of it counts
        "101.000 0.004 HTTP request",  # the second window
        "101.001 0.0",  # a line cut short by the server's exit
    ]) + "\n")
    runs = read_trace(trace)
    assert len(runs) == 5 and runs == sorted(runs)
    figures = per_press(runs, [(100.0, 100.030), (101.0, 101.030)])
    assert figures == {"HTTP request": 7.0, "hub": 2.5, "thread integrations": 1.0}
    assert list(figures) == ["HTTP request", "hub", "thread integrations"]


def test_greenlet_trace_env_puts_its_sitecustomize_first(tmp_path: Path) -> None:
    env, path = trace_env(tmp_path, "0-with")
    first = Path(env["PYTHONPATH"].split(os.pathsep)[0])
    assert "install(" in (first / "sitecustomize.py").read_text() and str(path) in (first / "sitecustomize.py").read_text()
    assert path == tmp_path / "0-with.trace"
