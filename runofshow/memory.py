"""Give freed heap back to the operating system (glibc only), so a storm of connects does not stay in RSS."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

TRIM_INTERVAL_SECONDS = 30.0


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
