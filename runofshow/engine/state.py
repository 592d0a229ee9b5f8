"""The live state of one stage: timestamps and facts, never ticks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from enum import StrEnum
from typing import Any

from runofshow.agenda.model import Block, Stage

Adjustments = tuple[tuple[str, timedelta | None], ...]
"""Adjusted lengths by block id, sorted; None means the block is dropped."""


class Status(StrEnum):
    """Where a stage is in its run of show."""

    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    GAP = "gap"
    FINISHED = "finished"


class DisplayMode(StrEnum):
    """What the stage screen's big timer shows: time left, time run, or the time of day."""

    COUNTDOWN = "countdown"
    COUNTUP = "countup"
    CLOCK = "clock"


@dataclass(frozen=True)
class BlockRun:
    """One time a block ran: when it actually started and ended (None while it runs)."""

    block_id: str
    actual_start: datetime
    actual_end: datetime | None


class ObsLink(StrEnum):
    """How the server's link to the stage's OBS Studio stands."""

    CONNECTED = "connected"
    UNREACHABLE = "unreachable"
    WRONG_PASSWORD = "wrong_password"


@dataclass(frozen=True)
class ObsStatus:
    """What the stage's OBS Studio last reported: the link, its program scene, recording, and on air since when."""

    link: ObsLink
    scene: str = ""
    recording: bool | None = None
    on_air_since: datetime | None = None
    # The last automation action sent to OBS (switch a scene, write the slate) and whether OBS carried it out.
    action: str = ""
    action_ok: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The status as a JSON-ready dict."""
        return {"link": self.link.value, "scene": self.scene, "recording": self.recording,
                "on_air_since": _instant_to_text(self.on_air_since), "action": self.action,
                "action_ok": self.action_ok}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ObsStatus | None:
        """The status stored by `to_dict` (None stays None)."""
        if data is None:
            return None
        recording, action_ok = data.get("recording"), data.get("action_ok")
        return cls(ObsLink(data["link"]), str(data.get("scene", "")), None if recording is None else bool(recording),
                   _instant_from_text(data.get("on_air_since")), str(data.get("action", "")),
                   None if action_ok is None else bool(action_ok))


@dataclass(frozen=True)
class StageState:
    """Everything that happened on a stage, as instants and durations; times are computed from it."""

    stage_id: str
    rev: int = 0
    status: Status = Status.NOT_STARTED
    current: str | None = None
    actual_start: datetime | None = None
    added: timedelta = timedelta(0)
    paused_at: datetime | None = None
    paused_total: timedelta = timedelta(0)
    message: str = ""
    message_pinned: bool = False
    flash_at: datetime | None = None
    display_mode: DisplayMode = DisplayMode.COUNTDOWN
    blackout: bool = False
    stream_on: bool | None = None
    # Who last reported stream_on: "manual" (set_stream_state) or "obs" (obs_status); "" before any report.
    stream_source: str = ""
    obs: ObsStatus | None = None
    duty_takers: tuple[tuple[str, int, str], ...] = ()
    history: tuple[BlockRun, ...] = ()
    adjusted: Adjustments = ()
    adjusted_before: tuple[Adjustments, ...] = ()

    @cached_property
    def adjustments(self) -> dict[str, timedelta | None]:
        """The adjusted lengths by block id (None: dropped)."""
        return dict(self.adjusted)

    def length(self, block: Block) -> timedelta:
        """How long the block runs now: its adjusted length, zero when dropped, else its planned length."""
        if block.id not in self.adjustments:
            return block.planned_duration
        adjusted = self.adjustments[block.id]
        return timedelta(0) if adjusted is None else adjusted

    def dropped(self, block_id: str) -> bool:
        """True when an applied plan dropped this block."""
        return block_id in self.adjustments and self.adjustments[block_id] is None

    def to_dict(self) -> dict[str, Any]:
        """The state as a JSON-ready dict: ISO instants, durations as float seconds under *_seconds keys."""
        return {
            "stage_id": self.stage_id,
            "rev": self.rev,
            "status": self.status.value,
            "current": self.current,
            "actual_start": _instant_to_text(self.actual_start),
            "added_seconds": self.added.total_seconds(),
            "paused_at": _instant_to_text(self.paused_at),
            "paused_total_seconds": self.paused_total.total_seconds(),
            "message": self.message,
            "message_pinned": self.message_pinned,
            "flash_at": _instant_to_text(self.flash_at),
            "display_mode": self.display_mode.value,
            "blackout": self.blackout,
            "stream_on": self.stream_on,
            "stream_source": self.stream_source,
            "obs": None if self.obs is None else self.obs.to_dict(),
            "duty_takers": [
                {"block_id": block_id, "index": index, "person": person}
                for block_id, index, person in self.duty_takers
            ],
            "history": [
                {
                    "block_id": run.block_id,
                    "actual_start": _instant_to_text(run.actual_start),
                    "actual_end": _instant_to_text(run.actual_end),
                }
                for run in self.history
            ],
            "adjusted": _adjustments_to_list(self.adjusted),
            "adjusted_before": [_adjustments_to_list(layer) for layer in self.adjusted_before],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageState:
        """The state stored by `to_dict`; ValueError when the document is not one."""
        try:
            history = []
            for run in data.get("history", ()):
                start = _instant_from_text(run["actual_start"])
                if start is None:
                    raise ValueError("a history entry has no actual_start")
                history.append(BlockRun(str(run["block_id"]), start, _instant_from_text(run.get("actual_end"))))
            stream_on = data.get("stream_on")
            return cls(
                stage_id=str(data["stage_id"]),
                rev=int(data.get("rev", 0)),
                status=Status(data.get("status", Status.NOT_STARTED.value)),
                current=data.get("current"),
                actual_start=_instant_from_text(data.get("actual_start")),
                added=timedelta(seconds=float(data.get("added_seconds", 0))),
                paused_at=_instant_from_text(data.get("paused_at")),
                paused_total=timedelta(seconds=float(data.get("paused_total_seconds", 0))),
                message=str(data.get("message", "")),
                message_pinned=bool(data.get("message_pinned", False)),
                flash_at=_instant_from_text(data.get("flash_at")),
                display_mode=DisplayMode(data.get("display_mode", DisplayMode.COUNTDOWN.value)),
                blackout=bool(data.get("blackout", False)),
                stream_on=None if stream_on is None else bool(stream_on),
                stream_source=str(data.get("stream_source", "")),
                obs=ObsStatus.from_dict(data.get("obs")),
                duty_takers=tuple(
                    (str(taker["block_id"]), int(taker["index"]), str(taker["person"]))
                    for taker in data.get("duty_takers", ())
                ),
                history=tuple(history),
                adjusted=_adjustments_from_list(data.get("adjusted", ())),
                adjusted_before=tuple(_adjustments_from_list(layer) for layer in data.get("adjusted_before", ())),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a stage state document: {error!r}") from None


def initial_state(stage: Stage) -> StageState:
    """A stage before its show has started."""
    return StageState(stage_id=stage.id)


def _instant_to_text(instant: datetime | None) -> str | None:
    """An aware instant as ISO 8601 text, None stays None."""
    return None if instant is None else instant.isoformat()


def _instant_from_text(text: str | None) -> datetime | None:
    """ISO 8601 text with an offset as an aware instant; ValueError when it has none."""
    if text is None:
        return None
    instant = datetime.fromisoformat(text)
    if instant.utcoffset() is None:
        raise ValueError(f"instant {text!r} has no time zone")
    return instant


def _adjustments_to_list(adjusted: Adjustments) -> list[dict[str, Any]]:
    """Adjusted lengths as JSON: seconds, or null for a dropped block."""
    return [{"block_id": block_id, "seconds": None if length is None else length.total_seconds()}
            for block_id, length in adjusted]


def _adjustments_from_list(items: Any) -> Adjustments:
    """Adjusted lengths stored by `_adjustments_to_list`."""
    return tuple(sorted(
        (str(item["block_id"]), None if item["seconds"] is None else timedelta(seconds=float(item["seconds"])))
        for item in items
    ))
