"""Pieces every importer shares: bounded file reads and unique ids."""

from __future__ import annotations

import os
from pathlib import Path

from runofshow.importers.errors import ImportProblem

MAX_BYTES = 5 * 1024 * 1024


def read_limited(path: Path | str) -> tuple[bytes, int]:
    """At most MAX_BYTES + 1 bytes of a file and its real size; ImportProblem for a missing or unreadable file."""
    name = str(path)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)  # never more: a huge file (or /dev/zero) is refused, not read
            return data, max(len(data), os.fstat(file.fileno()).st_size)
    except FileNotFoundError:
        raise ImportProblem(name, None, "no such file") from None
    except IsADirectoryError:
        raise ImportProblem(name, None, "is a directory, not a file") from None
    except OSError as error:
        raise ImportProblem(name, None, f"cannot read the file ({error.strerror or error})") from None


def unique_id(candidate: str, taken: set[str]) -> str:
    """The candidate, or candidate-2, -3 ... when taken; the result is added to `taken`."""
    result, n = candidate, 1
    while result in taken:
        n += 1
        result = f"{candidate}-{n}"
    taken.add(result)
    return result
