"""Keep the server's memory small: no client-only libraries, no greenlet spawn tracking, freed heap given back."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Callable

TRIM_INTERVAL_SECONDS = 30.0
# Engine.IO imports these, when installed, only for its client transports; a server never uses them (~20 MB).
CLIENT_ONLY_MODULES = ("aiohttp", "requests", "websocket")


def skip_client_only_modules() -> None:
    """Make the client-only modules fail to import in this process (Engine.IO then leaves them out); call first."""
    for name in CLIENT_ONLY_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def stop_tracking_greenlet_tree() -> None:
    """gevent records each new greenlet's spawning stack (for debugging); a few kB per connection, and slower spawns."""
    from gevent import config

    config.track_greenlet_tree = False


def freeze_startup_objects() -> None:
    """Move everything alive after start-up (modules, app, agenda) out of the collector's reach; call once, last.

    A full collection otherwise walks them every time: with 1000 screens connected one took up to 124 ms
    here (45 ms with them frozen), and one that lands during a push delays every screen by as much.
    """
    gc.collect()
    gc.freeze()


def heap_trimmer() -> Callable[[], None] | None:
    """glibc's malloc_trim(0), or None where the C library has none."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        return None
    if trim is None:
        return None
    return lambda: trim(0)


def trim_forever(sleep: Callable[[float], None], interval: float = TRIM_INTERVAL_SECONDS) -> None:
    """Trim the heap every `interval` seconds; `sleep` is the server's cooperative sleep."""
    trim = heap_trimmer()
    if trim is None:
        return
    while True:
        sleep(interval)
        trim()
