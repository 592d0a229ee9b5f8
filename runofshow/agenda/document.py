"""The native JSON document of an agenda: `event_to_dict` and its inverse `event_from_dict`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from runofshow.agenda.model import (
    AdvanceRule,
    AgendaError,
    Block,
    Breakout,
    Category,
    Contact,
    Duty,
    Event,
    Fact,
    Presence,
    RecordPlan,
    Reminder,
    Room,
    RoomKind,
    Speaker,
    Stage,
    StartRule,
    StreamPlan,
    validate,
)

FORMAT_VERSION = 1
ROOT = "agenda"


def field_error(path: str, problem: str) -> AgendaError:
    """An AgendaError about the value at a document path; its field is the path below the root (`stages[0].title`)."""
    field = path.removeprefix(ROOT).removeprefix(".") if path.startswith(ROOT) else path
    return AgendaError(problem, where=path, field=field or None)


def _minutes(value: timedelta | None) -> float | int | None:
    """A duration as minutes, an int when whole."""
    if value is None:
        return None
    minutes = value.total_seconds() / 60
    return int(minutes) if minutes == int(minutes) else minutes


def block_to_dict(block: Block) -> dict[str, Any]:
    """One block as a JSON-ready dict."""
    return {
        "id": block.id,
        "title": block.title,
        "start": block.planned_start.isoformat(),
        "end": block.planned_end.isoformat(),
        "duration_minutes": _minutes(block.planned_duration),
        "category": block.category.value,
        "category_label": block.category_label,
        "stream": block.stream.value,
        "stream_source": block.stream_source,
        "record": block.record.value,
        "record_source": block.record_source,
        **({"obs_scene": block.obs_scene} if block.obs_scene is not None else {}),
        **({"obs_automation": False} if not block.obs_automation else {}),
        **({"passthrough": block.passthrough} if block.passthrough else {}),
        "start_rule": block.start_rule.value,
        "advance": block.advance.value,
        "description": block.description,
        "facilitators": list(block.facilitators),
        "speakers": [
            {"name": s.name, "presence": s.presence.value, "affiliation": s.affiliation} for s in block.speakers
        ],
        "notes": block.notes,
        "contacts": [{"kind": c.kind, "value": c.value, "source": c.source} for c in block.contacts],
        "breakout": None
        if block.breakout is None
        else {
            "teams_rooms": block.breakout.teams_rooms,
            "physical_groups": block.breakout.physical_groups,
            "group_size_min": block.breakout.group_size_min,
            "group_size_max": block.breakout.group_size_max,
            "rules": list(block.breakout.rules),
            "sources": list(block.breakout.sources),
        },
        "duties": [
            {"role": d.role, "assignee": d.assignee, "source": d.source, "per_group": d.per_group, "detail": d.detail}
            for d in block.duties
        ],
        "reminders": [{"text": r.text, "source": r.source} for r in block.reminders],
        "working_groups": list(block.working_groups),
        "rooms": list(block.rooms),
        "warning_minutes": _minutes(block.warning_before),
        "danger_minutes": _minutes(block.danger_before),
        "facts": [{"kind": f.kind, "value": f.value, "source": f.source, "rule": f.rule} for f in block.facts],
        "min_minutes": _minutes(block.min_duration),
        "protected": block.protected,
        "optional": block.optional,
    }


def event_to_dict(event: Event) -> dict[str, Any]:
    """The whole event as the native JSON document."""
    return {
        "format": "runofshow",
        "version": FORMAT_VERSION,
        "title": event.title,
        "date": event.date.isoformat(),
        "days": [day.isoformat() for day in event.days],
        "timezone": event.timezone,
        "venue": event.venue,
        "stages": [
            {"id": stage.id, "name": stage.name, "blocks": [block_to_dict(block) for block in stage.blocks]}
            for stage in event.stages
        ],
        "rooms": [{"id": room.id, "name": room.name, "kind": room.kind.value} for room in event.rooms],
        **({"timezone_assumed": True} if event.timezone_assumed else {}),
        **({"passthrough": event.passthrough} if event.passthrough else {}),
    }


class _Reader:
    """Reads typed fields from a dict, naming the path of anything wrong."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise field_error(path, f"expected an object, got {type(data).__name__}")
        self.data = data
        self.path = path

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        """The value at key, checked against kind; default when missing (required if none)."""
        if key not in self.data or self.data[key] is None:
            if default is ...:
                raise field_error(f"{self.path}.{key}", "missing")
            return default
        value = self.data[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise field_error(f"{self.path}.{key}", "expected a number, got a boolean")
        if not isinstance(value, kind):
            raise field_error(f"{self.path}.{key}", f"expected {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def enum(self, key: str, enum_type: type, default: Any) -> Any:
        """An enum member from its string value."""
        raw = self.get(key, str, default.value)
        try:
            return enum_type(raw)
        except ValueError:
            allowed = ", ".join(member.value for member in enum_type)
            raise field_error(f"{self.path}.{key}", f"{raw!r} is not one of {allowed}") from None

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of strings."""
        values = self.get(key, list, [])
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise field_error(f"{self.path}.{key}[{index}]", "expected a string")
        return tuple(values)

    def objects(self, key: str) -> list[_Reader]:
        """A list of objects, each wrapped in a reader."""
        return [_Reader(item, f"{self.path}.{key}[{index}]") for index, item in enumerate(self.get(key, list, []))]

    def minutes(self, key: str, default: Any = ...) -> timedelta | None:
        """A duration given in minutes."""
        value = self.get(key, (int, float), default)
        return None if value is None else timedelta(minutes=value)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    """Readable name of an expected type."""
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list", dict: "an object"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _datetime(reader: _Reader, key: str) -> datetime:
    """An aware ISO 8601 instant."""
    raw = reader.get(key, str)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise field_error(f"{reader.path}.{key}", f"{raw!r} is not an ISO 8601 date and time") from None
    if value.tzinfo is None:
        raise field_error(f"{reader.path}.{key}", f"{raw!r} has no UTC offset")
    return value


def _date(raw: Any, path: str) -> date:
    """An ISO 8601 date."""
    if not isinstance(raw, str):
        raise field_error(path, "expected a date string")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise field_error(path, f"{raw!r} is not an ISO 8601 date") from None


def block_from_dict(data: Any, path: str) -> Block:
    """One block from its JSON form."""
    r = _Reader(data, path)
    breakout = None
    if r.data.get("breakout") is not None:
        b = _Reader(r.data["breakout"], f"{path}.breakout")
        breakout = Breakout(
            teams_rooms=b.get("teams_rooms", bool, False),
            physical_groups=b.get("physical_groups", bool, False),
            group_size_min=b.get("group_size_min", int, None),
            group_size_max=b.get("group_size_max", int, None),
            rules=b.strings("rules"),
            sources=b.strings("sources"),
        )
    return Block(
        id=r.get("id", str),
        title=r.get("title", str),
        planned_start=_datetime(r, "start"),
        planned_duration=r.minutes("duration_minutes"),
        category=r.enum("category", Category, Category.OTHER),
        category_label=r.get("category_label", str, ""),
        description=r.get("description", str, ""),
        facilitators=r.strings("facilitators"),
        speakers=tuple(
            Speaker(
                name=s.get("name", str),
                presence=s.enum("presence", Presence, Presence.UNKNOWN),
                affiliation=s.get("affiliation", str, ""),
            )
            for s in r.objects("speakers")
        ),
        notes=r.get("notes", str, ""),
        contacts=tuple(
            Contact(kind=c.get("kind", str, "email"), value=c.get("value", str), source=c.get("source", str, ""))
            for c in r.objects("contacts")
        ),
        stream=r.enum("stream", StreamPlan, StreamPlan.UNSPECIFIED),
        stream_source=r.get("stream_source", str, ""),
        record=r.enum("record", RecordPlan, RecordPlan.UNSPECIFIED),
        record_source=r.get("record_source", str, ""),
        obs_scene=r.get("obs_scene", str, None) or None,
        obs_automation=r.get("obs_automation", bool, True),
        passthrough=r.get("passthrough", str, ""),
        breakout=breakout,
        duties=tuple(
            Duty(
                role=d.get("role", str),
                assignee=d.get("assignee", str, None),
                source=d.get("source", str, ""),
                per_group=d.get("per_group", bool, False),
                detail=d.get("detail", str, ""),
            )
            for d in r.objects("duties")
        ),
        reminders=tuple(Reminder(text=m.get("text", str), source=m.get("source", str, "")) for m in r.objects("reminders")),
        working_groups=r.strings("working_groups"),
        start_rule=r.enum("start_rule", StartRule, StartRule.SOFT),
        advance=r.enum("advance", AdvanceRule, AdvanceRule.MANUAL),
        rooms=r.strings("rooms"),
        warning_before=r.minutes("warning_minutes", None),
        danger_before=r.minutes("danger_minutes", None),
        facts=tuple(
            Fact(kind=f.get("kind", str), value=f.get("value", str), source=f.get("source", str, ""), rule=f.get("rule", str, ""))
            for f in r.objects("facts")
        ),
        min_duration=r.minutes("min_minutes", None),
        protected=r.get("protected", bool, False),
        optional=r.get("optional", bool, False),
    )


def event_from_dict(data: Any) -> Event:
    """An event from the native JSON document, validated; AgendaError names the bad field."""
    r = _Reader(data, ROOT)
    days_raw = r.get("days", list, None)
    if days_raw is None:
        days_raw = [r.get("date", str)]
    days = tuple(_date(raw, f"{ROOT}.days[{index}]") for index, raw in enumerate(days_raw))
    stages = tuple(
        Stage(
            id=s.get("id", str),
            name=s.get("name", str),
            blocks=tuple(
                block_from_dict(item, f"{s.path}.blocks[{index}]") for index, item in enumerate(s.get("blocks", list, []))
            ),
        )
        for s in r.objects("stages")
    )
    rooms = tuple(
        Room(id=m.get("id", str), name=m.get("name", str), kind=m.enum("kind", RoomKind, RoomKind.OTHER))
        for m in r.objects("rooms")
    )
    return validate(
        Event(
            title=r.get("title", str),
            days=days,
            timezone=r.get("timezone", str),
            venue=r.get("venue", str, ""),
            stages=stages,
            rooms=rooms,
            timezone_assumed=r.get("timezone_assumed", bool, False),
            passthrough=r.get("passthrough", str, ""),
        )
    )
