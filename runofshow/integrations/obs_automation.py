"""OBS automation, opt-in per stage: at a stream transition of the plan switch the OBS scene, and keep the break
slate's text ("We are on a break. Back at 13:15: <title>") current in a named OBS text source.

Pure planning: from a stage's state it says which OBS requests are due; the OBS link sends them and journals
each result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from runofshow.agenda.model import Stage, StreamPlan
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

    @property
    def enabled(self) -> bool:
        """Whether anything is to be done at all."""
        return bool(self.live_scene or self.break_scene or self.slate_source)


@dataclass(frozen=True)
class ObsAction:
    """One request to OBS and how the journal names it."""

    request_type: str
    data: Mapping[str, Any]
    description: str


def switch_scene(scene: str) -> ObsAction:
    """Switch OBS's program to `scene`."""
    return ObsAction("SetCurrentProgramScene", {"sceneName": scene}, f"scene {scene}")


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


@dataclass
class AutomationPlanner:
    """Remembers what OBS was last told for one stage and says what is due after each change of the show."""

    automation: ObsAutomation
    zone: ZoneInfo
    language: str
    on_air: bool | None = None
    slate: str = ""

    def due(self, stage: Stage, state: StageState, now: datetime) -> list[ObsAction]:
        """The actions due after the stage changed: a scene at a stream transition, the slate when its text moved."""
        actions: list[ObsAction] = []
        snap = snapshot(stage, state, now)
        on_air = snap.stream_plan is StreamPlan.LIVE
        if self.on_air is not None and on_air != self.on_air:
            scene = self.automation.live_scene if on_air else self.automation.break_scene
            if scene:
                actions.append(switch_scene(scene))
        self.on_air = on_air
        if self.automation.slate_source and not on_air:
            text = slate_text(stage, snap.next_stream_transition, self.zone, self.language)
            if text != self.slate:
                actions.append(write_slate(self.automation.slate_source, text))
                self.slate = text
        return actions
