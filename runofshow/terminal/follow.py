"""Following a published schedule: re-read it every few minutes, show what changed, apply only when a person says so."""

from __future__ import annotations

from collections.abc import Callable

from runofshow.agenda.diff import AgendaDiff, diff_events
from runofshow.agenda.model import Event
from runofshow.importers import ImportProblem
from runofshow.live.service import ShowInProgress, ShowService


def diff_summary(diff: AgendaDiff) -> str:
    """What a new version of the schedule would change, a line per block."""
    lines = [f"{len(diff.changed)} changed, {len(diff.added)} added, {len(diff.removed)} removed"]
    lines += [f"  changed: {item.title} ({', '.join(item.fields)})" for item in diff.changed]
    lines += [f"  added:   {title}" for _, title in diff.added]
    lines += [f"  removed: {title}" for _, title in diff.removed]
    if diff.event_fields:
        lines.append(f"  event:   {', '.join(diff.event_fields)}")
    return "\n".join(lines)


def follow(service: ShowService, load: Callable[[], Event], *, rounds: int | None, wait: Callable[[], None],
           confirm: Callable[[str], bool], echo: Callable[[str], None], replace_running: bool = False) -> None:
    """Re-read the schedule after each `wait`; a change is shown and applied only when `confirm` says yes.

    A show in progress is never replaced unless `replace_running`; a read that fails is reported and retried
    at the next round. `rounds` None follows until interrupted.
    """
    done = 0
    while rounds is None or done < rounds:
        done += 1
        wait()
        try:
            new = load()
        except ImportProblem as error:
            echo(f"Could not re-read the schedule (trying again next time): {error}")
            continue
        diff = diff_events(service.event(), new)
        if diff.empty:
            echo("No change.")
            continue
        echo(diff_summary(diff))
        if not confirm("Apply these changes?"):
            echo("Not applied.")
            continue
        try:
            service.replace_event(new, actor="cli", replace_running=replace_running)
        except ShowInProgress as error:
            echo(f"Not applied: {error}")
            continue
        echo("Applied.")


__all__ = ["diff_summary", "follow"]
