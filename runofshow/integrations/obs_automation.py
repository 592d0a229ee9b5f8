"""OBS automation, opt-in per stage: at a stream transition of the plan switch the OBS scene (a block may name its
own, or want no automation), start or stop the stream and the recording, keep the break slate's text ("We are on a
break. Back at 13:15: <title>") current in a named OBS text source, and stop the recording while a block whose
speaker opted out of it runs.

Pure planning: from a stage's state it says which OBS requests are due; the OBS link sends them and journals
each result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Block, RecordPlan, Stage, StreamPlan
from runofshow.engine.snapshot import snapshot
from runofshow.engine.state import StageState
from runofshow.engine.stream import StreamTransition
from runofshow.i18n import translations

# The stream view's own sentences, so the slate reads the same in OBS as on the stream operator's screen.
SLATE_BREAK = "We are on a break. Back at %(time)s: %(title)s"
SLATE_OVER = "The stream is over for today. Thank you for watching!"


@dataclass(frozen=True)
class ObsAutomation:
    """What to do in OBS at the plan's stream transitions (an empty name: leave that alone)."""

    live_scene: str = ""
    break_scene: str = ""
    slate_source: str = ""
    start_stream: bool = False
    stop_stream: bool = False
    record: bool = False
    honour_opt_out: bool = True

    @property
    def enabled(self) -> bool:
        """Whether anything is to be done at all."""
        return bool(self.live_scene or self.break_scene or self.slate_source or self.start_stream
                    or self.stop_stream or self.record or self.honour_opt_out)


@dataclass(frozen=True)
class ObsAction:
    """One request to OBS and how the journal names it."""

    request_type: str
    data: Mapping[str, Any]
    description: str


def switch_scene(scene: str) -> ObsAction:
    """Switch OBS's program to `scene`."""
    return ObsAction("SetCurrentProgramScene", {"sceneName": scene}, f"scene {scene}")


def output(request_type: str, description: str) -> ObsAction:
    """Start or stop the stream or the recording (a request without data)."""
    return ObsAction(request_type, {}, description)


def write_slate(source: str, text: str) -> ObsAction:
    """Write `text` into the OBS text source `source`."""
    return ObsAction("SetInputSettings", {"inputName": source, "inputSettings": {"text": text}},
                     f"slate {source}: {text}")


def slate_text(stage: Stage, transition: StreamTransition | None, zone: ZoneInfo, language: str) -> str:
    """What the break slate says: when the stream resumes (the plan's next transition) and with what, or that it is over."""
    translate = translations(language).gettext
    if transition is None or transition.to_plan is not StreamPlan.LIVE:
        return translate(SLATE_OVER)
    title = next(block.title for block in stage.blocks if block.id == transition.block_id)
    return translate(SLATE_BREAK) % {"time": transition.at.astimezone(zone).strftime("%H:%M"), "title": title}


def may_automate(block: Block | None) -> bool:
    """Whether runofshow may drive OBS while this block runs (no block running: yes)."""
    return block is None or block.obs_automation


def block_id(block: Block | None) -> str | None:
    """The block's id (None: none running)."""
    return block.id if block is not None else None


def opted_out(block: Block | None) -> bool:
    """Whether this block's speaker said no to the recording."""
    return block is not None and block.record is RecordPlan.DO_NOT_RECORD


@dataclass
class AutomationPlanner:
    """Remembers what OBS was last told for one stage and says what is due after each change of the show."""

    automation: ObsAutomation
    zone: ZoneInfo
    language: str
    on_air: bool | None = None
    slate: str = ""
    block: Block | None = None
    # The recording was stopped for a speaker's opt-out: start it again once a block that may be recorded runs.
    held: bool = False

    def due(self, stage: Stage, state: StageState, now: datetime, recording: bool | None = None) -> list[ObsAction]:
        """The actions due after the stage changed (`recording`: whether OBS records, as the link last heard)."""
        snap = snapshot(stage, state, now)
        on_air = snap.stream_plan is StreamPlan.LIVE
        block = stage.block(snap.current.block_id) if snap.current is not None else None
        flipped = self.on_air is not None and on_air != self.on_air
        moved = block_id(block) != block_id(self.block)
        previous = self.block
        self.on_air, self.block = on_air, block
        actions = self._record(block, on_air, flipped, moved, recording)
        if not may_automate(block):
            return actions
        return self._scene(block, previous, on_air, flipped, moved) + self._stream(on_air, flipped) + actions + \
            self._slate(stage, snap.next_stream_transition, on_air)

    def _scene(self, block: Block | None, previous: Block | None, on_air: bool, flipped: bool,
               moved: bool) -> list[ObsAction]:
        """A block's own scene when it starts; the plan's scene at a transition or after a block that overrode it."""
        plan_scene = self.automation.live_scene if on_air else self.automation.break_scene
        own = block.obs_scene if block is not None else None
        overridden = previous is not None and (previous.obs_scene is not None or not previous.obs_automation)
        scene = own or plan_scene
        if scene and (flipped or (moved and (own is not None or overridden))):
            return [switch_scene(scene)]
        return []

    def _stream(self, on_air: bool, flipped: bool) -> list[ObsAction]:
        """Start or stop the stream with the plan, when asked to."""
        if flipped and on_air and self.automation.start_stream:
            return [output("StartStream", "stream start")]
        if flipped and not on_air and self.automation.stop_stream:
            return [output("StopStream", "stream stop")]
        return []

    def _record(self, block: Block | None, on_air: bool, flipped: bool, moved: bool,
                recording: bool | None) -> list[ObsAction]:
        """Record with the plan when asked to; stop for a speaker's opt-out and start again after it."""
        honour = self.automation.honour_opt_out
        if honour and opted_out(block):
            if moved and (recording or (flipped and on_air and self.automation.record)):
                self.held = True
                return [output("StopRecord", "recording stop (the speaker opted out)")]
            return []
        if self.held and moved:
            self.held = False
            if not (self.automation.record and not on_air):
                return [output("StartRecord", "recording start (after an opt-out)")]
        if flipped and self.automation.record and may_automate(block):
            return [output("StartRecord" if on_air else "StopRecord", "recording " + ("start" if on_air else "stop"))]
        return []

    def _slate(self, stage: Stage, transition: StreamTransition | None, on_air: bool) -> list[ObsAction]:
        """The slate's text when the plan is off air and the text moved."""
        if not self.automation.slate_source or on_air:
            return []
        text = slate_text(stage, transition, self.zone, self.language)
        if text == self.slate:
            return []
        self.slate = text
        return [write_slate(self.automation.slate_source, text)]
