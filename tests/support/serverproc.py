"""Real `runofshow serve` processes for tests and benchmarks, and a Socket.IO screen in a child process.

`ServerProcess` starts the console script on a free localhost port with its own instance folder and
environment, waits until `/healthz` answers, and stops it (SIGINT, then SIGKILL) or kills it with -9.

Run as a script (`python tests/support/serverproc.py watch URL ...`) it is a python-socketio screen: it
connects, joins an audience (again after every reconnect) and prints one JSON line per thing that
happens, each with `t` from `time.time()` so a test on the same machine can measure latency.
"""

from __future__ import annotations

import json
import os
import queue
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
RUNOFSHOW = VENV_BIN / "runofshow"
THIS_FILE = Path(__file__).resolve()
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def raise_fd_limit() -> None:
    """Let a process (run as `preexec_fn` for a child) hold more sockets than the default soft limit."""
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


def sqlite_url(instance: Path) -> str:
    """The store URL `runofshow serve` uses for an instance folder (no RUNOFSHOW_DATABASE_URL set)."""
    from runofshow.live.store import database_url

    return database_url(instance, env={})


def base_env(instance: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment for a server or CLI run on `instance`: no stray RUNOFSHOW_* settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RUNOFSHOW_")}
    env["RUNOFSHOW_INSTANCE_PATH"] = str(instance)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def http_json(method: str, url: str, body: Any = None, token: str | None = None,
              timeout: float = 10.0) -> tuple[int, Any]:
    """(status, parsed JSON body) of one HTTP request; HTTP errors are returned, not raised."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


class ServerProcess:
    """One `runofshow serve` process on 127.0.0.1; restartable on the same port and instance folder."""

    def __init__(self, instance: Path, *, env: Mapping[str, str] | None = None, async_mode: str = "gevent",
                 port: int | None = None, name: str = "server") -> None:
        self.instance = Path(instance)
        self.instance.mkdir(parents=True, exist_ok=True)
        self.extra_env = dict(env or {})
        self.async_mode = async_mode
        self.port = port or free_port()
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The running process id."""
        assert self.process is not None, "server not started"
        return self.process.pid

    @property
    def env(self) -> dict[str, str]:
        """The environment the server (and CLI commands for it) run with."""
        return base_env(self.instance, self.extra_env)

    @property
    def log_path(self) -> Path:
        """Where this start's stdout and stderr go."""
        return self.instance / f"{self.name}-{self.starts}.log"

    def start(self, timeout: float = 30.0, preexec_fn: Callable[[], None] | None = None) -> ServerProcess:
        """Start the server and wait until `/healthz` answers; RuntimeError with its log if it does not."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"{self.name} is already running")
        self.starts += 1
        command = [str(RUNOFSHOW), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--async", self.async_mode]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, env=self.env, cwd=self.instance, stdout=log,
                                            stderr=subprocess.STDOUT, preexec_fn=preexec_fn)
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float) -> None:
        """Poll `/healthz` every 50 ms until it answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200 and json.loads(response.read())["ok"] is True:
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """The current start's output so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def kill9(self) -> None:
        """SIGKILL: the process dies at once, no cleanup."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> int | None:
        """Interrupt (the scheduler shuts down cleanly); kill if it does not exit within `timeout`."""
        return None if self.process is None else end_process(self.process, timeout, stop_signal=signal.SIGINT)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a `runofshow` CLI command on this server's instance folder."""
        result = subprocess.run([str(RUNOFSHOW), *args], env=self.env, cwd=self.instance, capture_output=True,
                                text=True, timeout=60)
        if check and result.returncode != 0:
            raise RuntimeError(f"runofshow {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def token(self, role: str) -> str:
        """A new bearer token for `role` (`runofshow token create`)."""
        return self.cli("token", "create", "--role", role, "--name", f"test-{role}").stdout.strip()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()


class Watcher:
    """A python-socketio screen in a child process (this file run as a script); its JSON lines in a queue."""

    def __init__(self, url: str, *, audience: str = "stage", token: str = "", reconnect_delay: float = 0.3,
                 retry_connect: bool = False, lifetime: float = 120.0, command: list[str] | None = None,
                 cwd: Path | None = None) -> None:
        if command is None:
            command = [sys.executable, str(THIS_FILE), "watch", url, "--audience", audience,
                       "--reconnect-delay", str(reconnect_delay), "--lifetime", str(lifetime)]
            if token:
                command.append(f"--token={token}")  # a token may start with "-"
            if retry_connect:
                command.append("--retry-connect")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        cwd=cwd or REPO)
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def node(cls, url: str, node_dir: Path, *, audience: str = "stage", lifetime: float = 120.0) -> Watcher:
        """The same screen with the official JavaScript client under Node (tests/node/client.mjs)."""
        return cls(url, command=["node", str(node_dir / "client.mjs"), url, audience, str(lifetime)], cwd=node_dir)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            line = line.strip()
            if line.startswith("{"):
                self.lines.put(json.loads(line))

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        """The first line (seen or still to come) that matches; AssertionError with what was seen if none."""
        for item in self.seen:
            if predicate(item):
                return item
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                item = self.lines.get(timeout=min(left, 0.1))
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(item)
            if predicate(item):
                return item
        raise AssertionError(f"watcher saw nothing matching within {timeout} s; saw {self.seen[-10:]}; "
                             f"stderr: {self.stderr_tail()}")

    def drain(self) -> list[dict[str, Any]]:
        """Everything received so far."""
        while True:
            try:
                self.seen.append(self.lines.get_nowait())
            except queue.Empty:
                return self.seen

    def stderr_tail(self) -> str:
        """The child's stderr, once it has exited."""
        if self.process.poll() is None or self.process.stderr is None:
            return "(still running)"
        return self.process.stderr.read()[-2000:]

    def close(self) -> None:
        """Stop the child."""
        end_process(self.process)


def end_process(process: subprocess.Popen[Any], timeout: float = 5.0,
                stop_signal: signal.Signals = signal.SIGTERM) -> int | None:
    """Signal a child to stop; kill it when it has not exited within `timeout` seconds. Its exit code."""
    if process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    return process.returncode


class RedisServer:
    """A throw-away `redis-server` on a free port: no persistence, restartable on the same port."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The message queue URL of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start and wait until it answers PING."""
        if REDIS_SERVER is None:
            raise RuntimeError("redis-server is not on PATH")
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                try:
                    if client.ping():
                        return
                except redis.exceptions.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """Kill it (nothing is persisted; subscribers see their connection drop)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


# ---- the child: a python-socketio screen that prints JSON lines ------------------------------------


def summary(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a snapshot tests look at."""
    current = snapshot.get("current") or {}
    following = snapshot.get("next") or {}
    return {"rev": snapshot.get("rev"), "status": snapshot.get("status"), "block_id": current.get("block_id"),
            "time_up_ms": current.get("time_up_ms"), "remaining_ms": current.get("remaining_ms"),
            "next_block_id": following.get("block_id"), "now_ms": snapshot.get("now_ms"),
            "stream_on": snapshot.get("stream_on"), "stream_source": snapshot.get("stream_source"),
            "obs": snapshot.get("obs"),
            "stream_mismatch": snapshot.get("stream_mismatch"), "stream_plan": snapshot.get("stream_plan")}


def _emit(kind: str, **fields: Any) -> None:
    print(json.dumps({"type": kind, "t": time.time(), **fields}), flush=True)


def watch(url: str, audience: str, token: str, reconnect_delay: float, retry_connect: bool, lifetime: float) -> None:
    """Connect, join `audience` on every (re)connect, print a line per connect, join, snapshot, disconnect."""
    import socketio

    client = socketio.Client(reconnection=True, reconnection_delay=reconnect_delay,
                             reconnection_delay_max=max(reconnect_delay, 1.0), randomization_factor=0.1)

    def joined(ack: Any) -> None:
        if isinstance(ack, dict) and ack.get("ok"):
            _emit("join", role=ack.get("role"), **summary(ack["stages"][0]["snapshot"]))
        else:
            _emit("join_error", ack=ack)

    @client.on("connect")
    def on_connect() -> None:
        _emit("connect", sid=client.get_sid())
        client.emit("join", {"audience": audience}, callback=joined)

    @client.on("disconnect")
    def on_disconnect(*_: Any) -> None:
        _emit("disconnect")

    @client.on("snapshot")
    def on_snapshot(data: Any) -> None:
        _emit("snapshot", **summary(data))

    deadline = time.monotonic() + lifetime
    while True:
        try:
            client.connect(url, transports=["websocket"], auth={"token": token} if token else None,
                           wait_timeout=5)
            break
        except socketio.exceptions.ConnectionError as error:
            if not retry_connect or time.monotonic() > deadline:
                _emit("connect_error", error=str(error))
                raise SystemExit(1) from None
            time.sleep(0.05)
    while time.monotonic() < deadline:
        time.sleep(0.2)
    client.disconnect()


def main(argv: list[str]) -> None:
    """Command line of the child process."""
    import argparse

    parser = argparse.ArgumentParser(prog="serverproc")
    sub = parser.add_subparsers(dest="command", required=True)
    watch_parser = sub.add_parser("watch", help="a python-socketio screen printing JSON lines")
    watch_parser.add_argument("url")
    watch_parser.add_argument("--audience", default="stage")
    watch_parser.add_argument("--token", default="")
    watch_parser.add_argument("--reconnect-delay", type=float, default=0.3)
    watch_parser.add_argument("--retry-connect", action="store_true")
    watch_parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    watch(args.url, args.audience, args.token, args.reconnect_delay, args.retry_connect, args.lifetime)


if __name__ == "__main__":
    main(sys.argv[1:])
