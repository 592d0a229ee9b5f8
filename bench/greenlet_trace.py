"""Where a gevent server's time goes around each press: every run of a greenlet, written to a file, and the sums.

`install(path)` (called from a `sitecustomize.py` that `trace_env` puts first on a server's PYTHONPATH) records,
at every greenlet switch in the main thread, the greenlet that just ran: when it started (epoch seconds), how
long it ran and what it is (`label`). `per_press` then adds up, per label, the time each greenlet ran inside
each press's window (from just before the REST Next until the last screen held the push): what competed with
the fan-out; `per_press` over whole press cycles says what each press cost in all. The switch hook costs a few
microseconds a switch, alike in both phases of a bench.
"""

from __future__ import annotations

import atexit
import gc
from bisect import bisect_left
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

SITECUSTOMIZE = "from bench.greenlet_trace import install\ninstall({path!r})\n"


def label(greenlet: Any) -> str:
    """What a greenlet is: the hub, a thread by its name, a task by its function, or a connection by its kind."""
    kind = type(greenlet).__name__
    if kind == "Hub":
        return "hub"
    run = getattr(greenlet, "_run", None)
    owner = getattr(run, "__self__", None)
    if run is not None and getattr(run, "__name__", "") == "_bootstrap" and hasattr(owner, "name"):
        return "thread " + str(owner.name).split(" ")[0]
    frame = greenlet.gr_frame
    while frame is not None:  # a connection: a WebSocket reader or an HTTP request
        if "websocket" in frame.f_code.co_filename:
            return "websocket connection"
        if "pywsgi" in frame.f_code.co_filename:
            return "HTTP request"
        frame = frame.f_back
    name = getattr(run, "__qualname__", None)
    return f"task {name}" if name else kind


class SwitchTracer:
    """The greenlet.settrace callback: writes `start cpu label` per greenlet run (`start` on the wall clock, `cpu` the
    process's CPU seconds in the run, so time the OS gave to other processes is not counted)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.since = time.time()
        self.cpu = time.thread_time()

    def __call__(self, event: str, args: tuple[Any, Any]) -> None:
        now, cpu = time.time(), time.thread_time()
        self.out.write(f"{self.since:.6f} {cpu - self.cpu:.6f} {label(args[0])}\n")
        self.since, self.cpu = now, cpu


class CollectionTracer:
    """A gc callback: writes `start duration gc <generation>` per collection (also counted in the greenlet's run)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = self.cpu = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started, self.cpu = time.time(), time.thread_time()
        else:
            self.out.write(f"{self.started:.6f} {time.thread_time() - self.cpu:.6f} gc generation {info['generation']}\n")


def install(path: str) -> None:
    """Trace this process's greenlet switches into `path` (flushed at exit)."""
    import greenlet

    out = open(path, "w", buffering=1 << 20, encoding="utf-8")  # noqa: SIM115 - closed at exit
    atexit.register(out.close)
    greenlet.settrace(SwitchTracer(out))
    gc.callbacks.append(CollectionTracer(out))


def trace_env(folder: Path, name: str) -> tuple[dict[str, str], Path]:
    """The environment that makes a server trace itself into `folder/name.trace`, and that file's path."""
    site = Path(tempfile.mkdtemp(prefix="site-", dir=folder))
    path = folder / f"{name}.trace"
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE.format(path=str(path)), encoding="utf-8")
    repo = Path(__file__).resolve().parents[1]
    parts = [str(site), str(repo)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {"PYTHONPATH": os.pathsep.join(parts)}, path


def read_trace(path: Path) -> list[tuple[float, float, str]]:
    """The runs a trace file holds, by start (a line cut short by the server's exit is skipped)."""
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ", 2)
        try:
            runs.append((float(parts[0]), float(parts[1]), parts[2]))
        except (ValueError, IndexError):
            continue
    return sorted(runs)


def per_press(runs: list[tuple[float, float, str]], windows: list[tuple[float, float]]) -> dict[str, float]:
    """CPU milliseconds each label used in runs that started inside the windows, on average per window, biggest
    first (a run that started before a window counts for the share of its wall time inside it)."""
    totals: dict[str, float] = defaultdict(float)
    starts = [run[0] for run in runs]
    longest = max((run[1] for run in runs), default=0.0)
    for begin, end in windows:
        for start, duration, what in runs[bisect_left(starts, begin - longest):bisect_left(starts, end)]:
            if start >= begin:
                totals[what] += duration
            elif start + duration > begin:
                totals[what] += start + duration - begin
    count = max(len(windows), 1)
    return {what: round(seconds * 1000 / count, 3) for what, seconds in sorted(totals.items(), key=lambda kv: -kv[1])}
