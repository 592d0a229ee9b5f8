"""bench/integrations.py's setup helpers: its settings are ones the server accepts, its UDP targets count OSC."""

from __future__ import annotations

import socket
import time

from bench.integrations import QUICK_SCREENS, UdpTarget, integration_env, options, phase_order, ratio
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
