"""What an agenda upload would change, compared block by block (by id): changed, added, removed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runofshow.agenda.model import Event
from runofshow.agenda.document import block_to_dict

IGNORED_KEYS = frozenset({"end"})  # follows from start and duration


@dataclass(frozen=True)
class BlockChange:
    """One block that is in both agendas but differs, with the fields that differ."""

    block_id: str
    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class AgendaDiff:
    """Blocks changed, added and removed (ids and titles), and whether the event's own frame changed."""

    changed: tuple[BlockChange, ...]
    added: tuple[tuple[str, str], ...]
    removed: tuple[tuple[str, str], ...]
    event_fields: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True when nothing would change."""
        return not (self.changed or self.added or self.removed or self.event_fields)


def _blocks(event: Event) -> dict[str, dict[str, Any]]:
    """Every block's document by id, with its stage id."""
    return {block.id: {**block_to_dict(block), "stage": stage.id}
            for stage in event.stages for block in stage.blocks}


def diff_events(old: Event | None, new: Event) -> AgendaDiff:
    """How `new` differs from `old` (None: nothing stored, every block is added)."""
    before = _blocks(old) if old is not None else {}
    after = _blocks(new)
    changed = []
    for block_id, document in after.items():
        previous = before.get(block_id)
        if previous is None:
            continue
        fields = tuple(sorted(key for key in document.keys() | previous.keys()
                              if key not in IGNORED_KEYS and document.get(key) != previous.get(key)))
        if fields:
            changed.append(BlockChange(block_id, document["title"], fields))
    added = tuple((block_id, document["title"]) for block_id, document in after.items() if block_id not in before)
    removed = tuple((block_id, document["title"]) for block_id, document in before.items() if block_id not in after)
    event_fields: tuple[str, ...] = ()
    if old is not None:
        frame = ("title", "days", "timezone", "venue", "rooms")
        event_fields = tuple(name for name in frame if getattr(old, name) != getattr(new, name))
        if [(s.id, s.name) for s in old.stages] != [(s.id, s.name) for s in new.stages]:
            event_fields += ("stages",)
    return AgendaDiff(tuple(changed), added, removed, event_fields)


def diff_to_dict(diff: AgendaDiff) -> dict[str, Any]:
    """The diff as JSON-ready data for the upload preview."""
    return {
        "changed": [{"id": item.block_id, "title": item.title, "fields": list(item.fields)} for item in diff.changed],
        "added": [{"id": block_id, "title": title} for block_id, title in diff.added],
        "removed": [{"id": block_id, "title": title} for block_id, title in diff.removed],
        "event_fields": list(diff.event_fields),
        "counts": {"changed": len(diff.changed), "added": len(diff.added), "removed": len(diff.removed)},
        "empty": diff.empty,
    }


__all__ = ["AgendaDiff", "BlockChange", "diff_events", "diff_to_dict"]
