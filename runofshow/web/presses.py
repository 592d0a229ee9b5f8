"""Button presses (Stream Deck, Companion, OSC): a press names the block it expects to leave, and the same press
repeated within a short window by the same sender counts once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from runofshow.engine import StageState, StaleRevision
from runofshow.live.service import running_block

PRESS_WINDOW_SECONDS = 1.5
"""A crew double-press lands well inside this; two deliberate presses of +1 min rarely do."""

MAX_REMEMBERED = 1024


class PressWindow:
    """Remembers each sender's last accepted press per stage, command and arguments, for PRESS_WINDOW_SECONDS."""

    def __init__(self, seconds: float = PRESS_WINDOW_SECONDS, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._monotonic = monotonic
        self._accepted: dict[tuple[str, str, str, str], float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(actor: str, stage_id: str, command: str, args: Mapping[str, Any]) -> tuple[str, str, str, str]:
        """What makes two presses the same press."""
        return actor, stage_id, command, repr(sorted(args.items()))

    def repeated(self, actor: str, stage_id: str, command: str, args: Mapping[str, Any]) -> bool:
        """True when the same sender's same press was accepted less than the window ago."""
        at = self._accepted.get(self.key(actor, stage_id, command, args))
        return at is not None and self._monotonic() - at < self.seconds

    def accepted(self, actor: str, stage_id: str, command: str, args: Mapping[str, Any]) -> None:
        """Remember an accepted press; old ones are forgotten so the memory stays small."""
        now = self._monotonic()
        with self._lock:
            if len(self._accepted) >= MAX_REMEMBERED:
                self._accepted = {k: at for k, at in self._accepted.items() if now - at < self.seconds}
            self._accepted[self.key(actor, stage_id, command, args)] = now


def press_revision(state: StageState, command: str, expected_block: str | None) -> int:
    """The revision a press acts on: the stage's own, when its block is the one the press expects to leave;
    else StaleRevision (the show moved on since the button was pressed)."""
    current = running_block(state)
    if current != expected_block:
        raise StaleRevision(f"{command}: pressed to leave block {expected_block!r}, but the stage is at "
                            f"{current!r}", current_rev=state.rev)
    return state.rev
