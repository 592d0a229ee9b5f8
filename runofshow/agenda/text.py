"""Text and value helpers every importer, exporter and the editor share: ids, names, lengths, clock times."""

from __future__ import annotations

import html
import math
import os
import re
import unicodedata
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
MAX_DURATION = timedelta(days=7)
NEXT_DAY_WINDOW = timedelta(hours=12)

_ASCII_FOLD = str.maketrans({
    "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "å": "a", "Å": "A", "ß": "ss",
    "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ł": "l", "Ł": "L", "œ": "oe", "Œ": "OE",
})
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_WORDED_DURATION = re.compile(
    r"""^(?=\d)
    (?:(?P<hours>\d+(?:[.,]\d+)?)\s*(?:hours?|hrs?|timer?|time|std|h|t)\.?)?
    \s*(?:(?P<minutes>\d+)\s*(?:minutes?|minutt(?:er)?|mins?|m)\.?)?
    $""",
    re.IGNORECASE | re.VERBOSE,
)
_CLOCK_DURATION = re.compile(r"^\d+(?::\d{1,2}){1,3}$")
_NAME_SEPARATOR = re.compile(r"\s*(?:,|;|&|/|\n|\bog\b|\band\b)\s*")
CONTACT_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 8 to 12 digits, spaced or hyphenated, after an optional country code; an ISO date (2024-05-06) is not a number.
CONTACT_PHONE = re.compile(r"(?<![\w+])(?!\d{4}-\d{2}-\d{2}(?!\d))(?:\+\d{1,3}[ -]?)?(?:\d[ -]?){7,11}\d(?!\w)")
HIDDEN = "[…]"


def ascii_fold(text: str) -> str:
    """Text with Norwegian and other accented letters folded to plain ASCII (å->a, æ->ae, ø->o)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return decomposed.encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=16384)
def scrub_contacts(text: str) -> str:
    """Text with e-mail addresses and phone numbers replaced by `[…]`: the one scrubber of every public string."""
    if "@" not in text and sum(character.isdigit() for character in text) < 8:
        return text  # the common case, cheaply: nothing here can be an address or a number
    return CONTACT_PHONE.sub(HIDDEN, CONTACT_EMAIL.sub(HIDDEN, text))


def _slug(text: str, max_length: int) -> str:
    """Lowercase ASCII words of `text` joined by hyphens, cut at a word boundary when long."""
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def slugify(title: str, max_length: int = 64) -> str:
    """A lowercase, hyphenated ASCII id for a title, cut at a word boundary when long; `block` when nothing is left.

    Made from the title with contact data scrubbed: an id is public, on every screen and in every calendar.
    """
    return _slug(scrub_contacts(title), max_length) or "block"


class TakenIds(set[str]):
    """Ids taken so far, remembering the last suffix each candidate got, so that `unique_id` over n rows is linear."""

    def __init__(self) -> None:
        super().__init__()
        self.suffixes: dict[str, int] = {}


def unique_id(candidate: str, taken: set[str]) -> str:
    """The candidate, or candidate-2, -3 ... when taken; the result is added to `taken`.

    With a TakenIds, counting resumes where the same candidate's last call stopped (20,000 rows with one title
    take milliseconds, not minutes); with a plain set it starts at 2.
    """
    suffixes = taken.suffixes if isinstance(taken, TakenIds) else {}
    n = suffixes.get(candidate, 1)
    result = candidate if n == 1 else f"{candidate}-{n}"
    while result in taken:
        n += 1
        result = f"{candidate}-{n}"
    suffixes[candidate] = n
    taken.add(result)
    return result


def strip_html(text: str) -> str:
    """Text without HTML tags (line and paragraph tags become newlines), entities unescaped."""
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</p\s*>", "\n\n", text, flags=re.IGNORECASE)
    return html.unescape(_TAG.sub("", text))


def split_names(text: str) -> list[str]:
    """Names in a list written by hand: separated by `,`, `;`, `&`, `/`, line breaks, `og` or `and`; trimmed."""
    names = (" ".join(part.split()).strip(" .") for part in _NAME_SEPARATOR.split(text))
    return [name for name in names if name]


def parse_duration(raw: str, *, bare_minutes: bool = False) -> timedelta | None:
    """A length as a timedelta, None for empty text; ValueError saying why for anything else.

    Accepted: `2h 00m`, `2t 30m`, `45m`, `1 t 30 min`, `1,5 t`; clock-style `H:MM`, `HH:MM`, `H:MM:SS` and
    `D:HH:MM:SS`; with `bare_minutes`, a plain number (`45`, `7.5`) counts minutes. At most MAX_DURATION.
    """
    text = raw.strip()
    if not text:
        return None
    minutes = _worded_minutes(text)
    if minutes is None:
        minutes = _clock_minutes(text)
    if minutes is None and bare_minutes:
        try:
            minutes = float(text.replace(",", "."))
        except ValueError:
            minutes = None
    if minutes is None or math.isnan(minutes):
        raise ValueError(f"duration {text!r} is not a duration (expected e.g. 2h 00m, 45m)")
    if minutes > MAX_DURATION / timedelta(minutes=1):
        raise ValueError(f"duration {text!r} is longer than {MAX_DURATION.days} days")
    return timedelta(minutes=minutes)


def _worded_minutes(text: str) -> float | None:
    """Minutes in `2h 30m`, `45 min`, `1,5 t`, else None."""
    match = _WORDED_DURATION.match(text)
    if match is None or (match["hours"] is None and match["minutes"] is None):
        return None
    hours = float(match["hours"].replace(",", ".")) if match["hours"] else 0.0
    return hours * 60 + (int(match["minutes"]) if match["minutes"] else 0)


def _clock_minutes(text: str) -> float | None:
    """Minutes in `1:30`, `0:30:00`, `1:00:15:00` (H:MM, H:MM:SS, D:HH:MM:SS), else None."""
    if not _CLOCK_DURATION.match(text):
        return None
    parts = [int(part) for part in text.split(":")]
    days = parts.pop(0) if len(parts) == 4 else 0
    hours, minutes, seconds = (parts + [0])[:3]
    if minutes >= 60 or seconds >= 60:
        return None
    return days * 1440 + hours * 60 + minutes + seconds / 60


def past_midnight(start: datetime, previous: datetime | None) -> datetime:
    """A wall-clock start that runs past midnight: the next day when it is earlier than `previous`.

    One rule for every agenda written with clock times only: a time earlier than the previous one
    (a block's start after the block before it, an end after its start) continues into the next day
    when that puts it less than NEXT_DAY_WINDOW (12 hours) after `previous`, as an evening that runs
    past midnight does; otherwise it stays on its day, and validation reports it out of order (a
    typing error, or a new day that needs its date).
    """
    if previous is not None and start < previous:
        next_day = start + timedelta(days=1)
        if next_day - previous < NEXT_DAY_WINDOW:
            return next_day
    return start


def read_bounded(path: Path | str) -> tuple[bytes, int]:
    """At most MAX_BYTES + 1 bytes of a file and its real size; OSError when it cannot be read."""
    with open(path, "rb") as file:
        data = file.read(MAX_BYTES + 1)  # never more: a huge file (or /dev/zero) is refused, not read
        return data, max(len(data), os.fstat(file.fileno()).st_size)


__all__ = [
    "MAX_BYTES",
    "MAX_DURATION",
    "NEXT_DAY_WINDOW",
    "ascii_fold",
    "parse_duration",
    "past_midnight",
    "read_bounded",
    "scrub_contacts",
    "slugify",
    "split_names",
    "TakenIds",
    "strip_html",
    "unique_id",
]
