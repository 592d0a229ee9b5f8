"""Applies the rules in `rules.py` to a block's free text (interface stub: to be replaced)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from runofshow.agenda import Breakout, Category, Contact, Duty, Fact, Reminder, Speaker, StreamPlan


@dataclass(frozen=True)
class Annotations:
    """Everything inferred from one block's text, each fact with its source sentence."""

    stream: StreamPlan = StreamPlan.UNSPECIFIED
    stream_source: str = ""
    breakout: Breakout | None = None
    duties: tuple[Duty, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    working_groups: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    facts: tuple[Fact, ...] = ()


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of free text, stripped, in order."""
    parts: list[str] = []
    for line in text.splitlines():
        parts.extend(p.strip() for p in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])", line) if p.strip())
    return parts


def annotate(description: str, notes: str, *, title: str = "", facilitators: Sequence[str] = ()) -> Annotations:
    """Infer facts from a block's description and private notes."""
    return Annotations()


def classify_category(title: str, description: str, duration_minutes: float) -> tuple[Category, str]:
    """The category of a block from its title and text, with the word that decided it."""
    if duration_minutes == 0:
        return Category.MILESTONE, ""
    return Category.OTHER, ""
