"""Smoke tests of the server under each async mode it supports: gevent (default) and eventlet (opt-in)."""

from __future__ import annotations

from pathlib import Path

import pytest
import socketio

from tests.support.serverproc import ServerProcess, http_json


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


@pytest.mark.slow
def test_procfile_web_line_runs_under_gunicorn(tmp_path: Path) -> None:
    """The Procfile's command, as a platform would run it, serves the API and Socket.IO."""
    import os
    import shlex
    import subprocess
    import sys
    import time

    from tests.support.serverproc import base_env, free_port

    line = (Path(__file__).resolve().parent.parent / "Procfile").read_text().splitlines()[0]
    assert line.startswith("web: gunicorn ")
    port = free_port()
    command = shlex.split(line.removeprefix("web: ").replace("${PORT:-5000}", str(port)))
    command[0] = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(command, env=base_env(tmp_path), cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline and status != 200:
            try:
                status, _ = http_json("GET", f"http://127.0.0.1:{port}/healthz", timeout=1)
            except OSError:
                time.sleep(0.1)
        assert status == 200
        client = socketio.Client(reconnection=False)
        client.connect(f"http://127.0.0.1:{port}", transports=["websocket"], wait_timeout=10)
        try:
            assert client.call("join", {"audience": "agenda"}, timeout=10)["ok"] is True
        finally:
            client.disconnect()
    finally:
        process.terminate()
        process.wait(timeout=20)
        assert os.path.exists(tmp_path / "secret_key")
