"""Revocation on a scaled-out site of real processes: two web nodes on one store, the CLI revoking from a third
process, and a screen on the other node refused within a second."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.support.serverproc import ServerProcess, sqlite_url

pytestmark = pytest.mark.slow

REFUSAL_BUDGET = 1.0


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Node A (scheduler) and node B (no scheduler) on one SQLite store and one secret."""
    workdir = tmp_path_factory.mktemp("site")
    env = {"RUNOFSHOW_DATABASE_URL": sqlite_url(workdir / "a"), "RUNOFSHOW_SECRET_KEY": "shared-secret-for-both"}
    node_a = ServerProcess(workdir / "a", env=env, async_mode="threading", name="node-a").start(timeout=60)
    node_b = ServerProcess(workdir / "b", env={**env, "RUNOFSHOW_SCHEDULER": "off"}, async_mode="threading",
                           name="node-b")
    try:
        node_b.start(timeout=60)
        yield node_a, node_b
    finally:
        node_b.stop()
        node_a.stop()


def connected(url: str, **options: Any) -> socketio.SimpleClient:
    """A Socket.IO screen connected to `url`."""
    client = socketio.SimpleClient(**options.pop("client", {}))
    client.connect(url, transports=["websocket"], **options)
    return client


CLOSED = {"ok": False, "error": "closed"}


def send_message(client: socketio.SimpleClient, rev_of: Callable[[], int], text: str) -> dict[str, Any]:
    """Send the stage message; its acknowledgement, or CLOSED when the server has closed the socket (a slow answer
    on an open socket is neither: the caller tries again, within its budget)."""
    rev = rev_of()
    try:
        return client.call("message", {"expected_rev": rev, "text": text}, timeout=0.5)
    except (socketio.exceptions.TimeoutError, socketio.exceptions.DisconnectedError):
        return {"ok": None, "error": "no answer yet"} if client.connected else CLOSED


def refused_within(attempt: Callable[[], dict[str, Any]], budget: float) -> None:
    """Fail unless `attempt()` is refused as not signed in, or its socket closed, within `budget` seconds."""
    start = time.monotonic()
    while True:
        reply = attempt()
        if reply == CLOSED or (reply.get("ok") is False and reply.get("error") == "unauthenticated"):
            return
        assert time.monotonic() - start < budget, f"still accepted after {time.monotonic() - start:.2f} s: {reply}"
        time.sleep(0.05)


def closed_within(client: socketio.SimpleClient, budget: float) -> None:
    """Fail unless the server closes the socket within `budget` seconds."""
    start = time.monotonic()
    while client.connected:
        assert time.monotonic() - start < budget, "the socket of a revoked credential is still open"
        time.sleep(0.02)


def revision(node: ServerProcess, token: str) -> Callable[[], int]:
    """Reads the plenary stage's revision over REST with a token that stays valid."""
    return lambda: requests.get(f"{node.url}/api/stages/plenary/snapshot", timeout=5,
                                headers={"Authorization": f"Bearer {token}"}).json()["rev"]


def test_a_token_revoked_by_the_cli_is_refused_on_another_nodes_socket(site) -> None:  # type: ignore[no-untyped-def]
    node_a, node_b = site
    keeper = node_a.token("moderator")
    token = node_a.cli("token", "create", "--role", "moderator", "--name", "to-revoke").stdout.strip()
    rev_of = revision(node_b, keeper)
    screen = connected(node_b.url, auth={"token": token})
    try:
        assert send_message(screen, rev_of, "Before")["ok"] is True
        listed = node_a.cli("token", "list").stdout
        (token_id,) = [line.split()[0] for line in listed.splitlines() if "to-revoke" in line]
        node_a.cli("token", "revoke", token_id)
        refused_within(lambda: send_message(screen, rev_of, "After"), REFUSAL_BUDGET)
    finally:
        screen.disconnect()


def test_a_listening_socket_of_a_revoked_token_is_closed_within_a_second(site) -> None:  # type: ignore[no-untyped-def]
    node_a, node_b = site
    token = node_a.cli("token", "create", "--role", "facilitator", "--name", "listener").stdout.strip()
    listener = connected(node_b.url, auth={"token": token})
    try:
        assert listener.call("join", {"audience": "console", "stage": "plenary"}, timeout=5)["ok"] is True
        listed = node_a.cli("token", "list").stdout
        (token_id,) = [line.split()[0] for line in listed.splitlines() if "listener" in line]
        node_a.cli("token", "revoke", token_id)
        closed_within(listener, REFUSAL_BUDGET)
    finally:
        listener.disconnect()


def test_a_link_revoked_by_the_cli_is_refused_on_another_nodes_socket(site) -> None:  # type: ignore[no-untyped-def]
    node_a, node_b = site
    rev_of = revision(node_b, node_a.token("moderator"))
    printed = node_a.cli("links", "--no-qr", "--url", node_b.url).stdout
    console_url = re.search(r"moderator console \(Plenum\)\n\s+(\S+)", printed).group(1)
    browser = requests.Session()
    assert browser.get(console_url, timeout=5).url.endswith("/console/plenary")
    screen = connected(node_b.url, client={"http_session": browser})
    try:
        assert send_message(screen, rev_of, "Before")["ok"] is True
        listed = node_a.cli("links", "list").stdout
        (link_id,) = [line.split()[0] for line in listed.splitlines() if "moderator console (Plenum)" in line
                      and line.endswith("works")]
        node_a.cli("links", "revoke", link_id)
        refused_within(lambda: send_message(screen, rev_of, "After"), REFUSAL_BUDGET)
    finally:
        screen.disconnect()
    assert browser.get(f"{node_b.url}/console/plenary", timeout=5, allow_redirects=False).status_code == 302
    assert browser.get(console_url, timeout=5).status_code == 403


def test_a_stage_screen_link_on_a_real_server_cannot_join_the_console(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    node_a, _ = site
    printed = node_a.cli("links", "--no-qr", "--url", node_a.url).stdout
    stage_url = re.search(r"stage screen \(Plenum\)\n\s+(\S+)", printed).group(1)
    browser = requests.Session()
    assert browser.get(stage_url, timeout=5).url.endswith("/stage/plenary")
    screen = connected(node_a.url, client={"http_session": browser})
    try:
        assert screen.call("join", {"audience": "console", "stage": "plenary"}, timeout=5)["error"] == "forbidden"
        assert screen.call("join", {"audience": "stage", "stage": "plenary"}, timeout=5)["ok"] is True
    finally:
        screen.disconnect()
