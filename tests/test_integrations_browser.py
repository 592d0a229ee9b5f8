"""A real `runofshow serve` (gevent) with OSC in and out and a webhook switched on by its settings: an OSC press
runs the show, the state goes out over OSC, the webhook arrives signed, and the production desk shows it all."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pythonosc.udp_client import SimpleUDPClient

from tests.support.browser import LiveServer, shoot, wait_until
from tests.support.serverproc import free_port, http_json
from tests.test_osc import OscReceiver
from tests.test_webhooks import SECRET, Receiver, verified


@pytest.fixture(scope="module")
def osc_server() -> Iterator[OscReceiver]:
    """A python-osc server on localhost that keeps every message it gets."""
    server = OscReceiver()
    yield server
    server.close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """A local webhook receiver."""
    hooks = Receiver()
    yield hooks
    hooks.close()


@pytest.fixture(scope="module")
def wired(tmp_path_factory, osc_server, receiver) -> Iterator[tuple[LiveServer, int]]:  # type: ignore[no-untyped-def]
    """The server with OSC in on a free port, OSC out to the test's server, and one webhook target."""
    live = LiveServer(tmp_path_factory.mktemp("integrations"))
    osc_port = free_port()
    live.process.async_mode = "gevent"
    live.process.extra_env.update({
        "RUNOFSHOW_OSC_LISTEN": f"127.0.0.1:{osc_port}",
        "RUNOFSHOW_OSC_TARGETS": f"127.0.0.1:{osc_server.port}",
        "RUNOFSHOW_WEBHOOKS": json.dumps([{"url": f"http://127.0.0.1:{receiver.port}/hook", "triggers": "*"}]),
        "RUNOFSHOW_WEBHOOK_SECRET": SECRET,
    })
    yield live.start(), osc_port
    live.stop()


def test_osc_and_webhooks_reach_the_chain_and_the_desk_shows_them(wired, osc_server, receiver, open_page) -> None:  # type: ignore[no-untyped-def]
    live, osc_port = wired
    SimpleUDPClient("127.0.0.1", osc_port).send_message("/runofshow/plenary/start", [])
    snap = wait_until(lambda: (s := live.snapshot())["status"] == "running" and s)
    title = snap["current"]["title"]
    wait_until(lambda: title in osc_server.seen("/runofshow/plenary/title"))
    wait_until(lambda: "block_started" in receiver.triggers())
    assert receiver.triggers()[:2] == ["show_started", "block_started"]
    assert all(verified(item) for item in receiver.received)

    status, report = http_json("GET", f"{live.url}/overview/integrations", token=live.token)
    assert status == 200
    states = {(item["name"], item["stage"]): item["state"] for item in report["integrations"]}
    assert states[("osc in", "")] == "ok" and states[("osc out", "")] == "ok" and states[("webhooks", "")] == "ok"
    assert states[("obs", "plenary")] == "off"
    assert report["deliveries"][0]["state"] == "delivered"
    assert http_json("GET", f"{live.url}/overview/integrations")[0] == 401

    page = open_page(live.share_link("moderator", "/overview"), wait=True)
    page.wait_for_function("document.querySelectorAll('#deliveries tr').length >= 2")
    desk = page.inner_text(".integrations")
    assert "OSC in" in desk and "Webhooks" in desk and "working" in desk
    assert "block_started" in desk and f"127.0.0.1:{receiver.port}/hook" in desk and "HTTP 204" in desk
    shoot(page, "overview-integrations")
