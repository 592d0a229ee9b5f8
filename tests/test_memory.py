"""The heap trimmer: found on glibc, and it runs on the given sleep."""

from __future__ import annotations

import platform

import pytest

from runofshow.memory import heap_trimmer, trim_forever


@pytest.mark.skipif(platform.system() != "Linux", reason="malloc_trim is glibc's")
def test_trimmer_calls_malloc_trim_on_each_interval() -> None:
    assert heap_trimmer() is not None
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            raise StopIteration

    with pytest.raises(StopIteration):
        trim_forever(sleep, interval=7.0)
    assert slept == [7.0, 7.0, 7.0]
