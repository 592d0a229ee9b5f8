"""What every importer shares beyond `agenda.text`: reading a file, its faults as ImportProblem."""

from __future__ import annotations

from pathlib import Path

from runofshow.agenda.text import read_bounded
from runofshow.importers.errors import ImportProblem


def read_limited(path: Path | str) -> tuple[bytes, int]:
    """At most MAX_BYTES + 1 bytes of a file and its real size; ImportProblem for a missing or unreadable file."""
    name = str(path)
    try:
        return read_bounded(path)
    except FileNotFoundError:
        raise ImportProblem(name, None, "no such file") from None
    except IsADirectoryError:
        raise ImportProblem(name, None, "is a directory, not a file") from None
    except OSError as error:
        raise ImportProblem(name, None, f"cannot read the file ({error.strerror or error})") from None
