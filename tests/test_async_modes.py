"""Smoke tests of the server under each async mode it supports: gevent (default) and eventlet (opt-in)."""

from __future__ import annotations

from pathlib import Path

import pytest
import socketio

from tests.serverproc import ServerProcess, http_json


@pytest.mark.slow
@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_serves_pages_api_and_websocket_snapshots(tmp_path: Path, async_mode: str) -> None:
    with ServerProcess(tmp_path / async_mode, async_mode=async_mode) as server:
        server.start()
        assert f"({async_mode})" in server.log()
        status, snapshot = http_json("GET", f"{server.url}/api/stages/plenary/snapshot")
        assert status == 200 and snapshot["stage_id"] == "plenary"
        client = socketio.Client(reconnection=False)
        client.connect(server.url, transports=["websocket"], wait_timeout=10)
        try:
            assert client.transport() == "websocket"
            reply = client.call("join", {"audience": "stage"}, timeout=10)
            assert reply["ok"] is True
            assert reply["stages"][0]["snapshot"]["rev"] == snapshot["rev"]
            assert len(reply["stages"][0]["agenda"]["blocks"]) == 14
        finally:
            client.disconnect()
