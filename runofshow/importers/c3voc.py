"""Importer for the C3VOC schedule exchange format (frab, pretalx): schedule.json and schedule.xml.

Mapping (docs/formats.md has the full table):

* every room becomes a stage and a room of the same id; events that overlap in one room go to a
  parallel stage `<room>-2` (still in that room), since a stage runs one block at a time;
* an event's absolute `date` is its start (its `start` clock time only when `date` is missing,
  then on its day, after midnight when earlier than the day's `day_start`); `duration` (`0:30`,
  `00:30`, `0:30:00`) or else `end` gives its length;
* `type` gives the category by annotate/rules.py's CONFERENCE_TYPE_RULES (label in category_label, rule
  in a `category` fact); `do_not_stream` the stream plan
  (true: off, false: live, absent or null: unspecified); persons the speakers (pretalx `name`,
  frab `public_name`; nameless persons are skipped); subtitle, abstract and description the
  description (HTML markup removed);
* the conference days are Event.days; the zone is `time_zone_name` when the events' offsets agree
  with it, else the importer's zone when they do, else a fixed-offset `Etc/GMT±N` zone.

The importer is liberal where real exports differ (missing optional keys, extra keys, slugs and
acronyms outside the schema's patterns) and strict about the types the schema gives: a string
where the schema has an integer is refused with the field's path. XML is parsed with defusedxml:
DTD entities (an entity-expansion bomb) and external references are refused.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from copy import deepcopy
from xml.etree.ElementTree import Element, ParseError, tostring
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from runofshow.agenda.model import (
    AdvanceRule,
    AgendaError,
    Block,
    Category,
    Event,
    Fact,
    RecordPlan,
    Room,
    RoomKind,
    Speaker,
    Stage,
    StartRule,
    StreamPlan,
    validate,
)
from runofshow.agenda.days import calendar_day
from runofshow.annotate import classify_conference_type
from runofshow.agenda.text import TakenIds, parse_duration, slugify, strip_html, unique_id
from runofshow.importers.errors import ImportProblem
from runofshow.importers.limits import check_json_depth, check_xml_depth

JSON_FORMAT = "c3voc-json"
XML_FORMAT = "c3voc-xml"

Namer = Callable[[int, str, int, str], str]
# Keys under which a non-JSON source hands its own element or object along, for the pass-through.
XML_SOURCE = "_xml"
SCHEDULE2_SOURCE = "_schedule2"

_NULLABLE_STRING = {"type": ["string", "null"]}
_PERSON = {
    "type": ["object", "string"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": ["string", "null"]}, "public_name": {"type": ["string", "null"]},
        "guid": {"type": "string"}, "code": {"type": "string"},
    },
}
_EVENT = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "id": {"type": "integer"}, "guid": {"type": "string"}, "date": {"type": "string"}, "start": {"type": "string"},
        "end": {"type": "string"}, "duration": {"type": "string"}, "room": {"type": "string"},
        "title": {"type": "string"}, "subtitle": _NULLABLE_STRING, "track": _NULLABLE_STRING,
        "type": _NULLABLE_STRING, "language": _NULLABLE_STRING, "abstract": _NULLABLE_STRING,
        "description": _NULLABLE_STRING, "slug": {"type": "string"}, "do_not_record": {"type": ["boolean", "null"]},
        "do_not_stream": {"type": ["boolean", "string", "null"]}, "persons": {"type": "array", "items": _PERSON},
        "links": {"type": "array"}, "attachments": {"type": "array"},
    },
}
_DAY = {
    "type": "object",
    "required": ["rooms"],
    "properties": {
        "index": {"type": "integer"}, "date": {"type": "string"}, "day_start": {"type": "string"},
        "day_end": {"type": "string"},
        "rooms": {"type": "object", "additionalProperties": {"type": "array", "items": _EVENT}},
    },
}
TYPES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schedule"],
    "properties": {
        "schedule": {
            "type": "object",
            "required": ["conference"],
            "properties": {
                "conference": {
                    "type": "object",
                    "required": ["days"],
                    "properties": {
                        "title": {"type": "string"}, "acronym": {"type": "string"},
                        "time_zone_name": _NULLABLE_STRING, "daysCount": {"type": "integer"},
                        "rooms": {"type": "array", "items": {"type": "object", "properties": {
                            "name": {"type": "string"}, "type": {"type": "string"},
                        }}},
                        "meta": {"type": "object"},
                        "days": {"type": "array", "items": _DAY},
                    },
                },
            },
        },
    },
}
"""The schema's types for every key the importer reads; patterns, formats and extra keys are not checked."""


@cache
def type_checker() -> Any:
    """The JSON Schema validator, built on first use (jsonschema is slow to import; servers rarely need it)."""
    import jsonschema

    return jsonschema.Draft7Validator(TYPES_SCHEMA)

_ROOM_KINDS = {"lecturehall": RoomKind.PLENARY, "stage": RoomKind.PLENARY, "workshop": RoomKind.BREAKOUT,
               "online": RoomKind.REMOTE, "bbb": RoomKind.REMOTE, "virtual": RoomKind.REMOTE}
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_TRUE = {"true", "yes", "1", "y", "ja", "on"}
_FALSE = {"false", "no", "0", "n", "nei", "nein", "off"}


@dataclass(frozen=True)
class _Talk:
    """One schedule event, read and checked, before it becomes a block."""

    room: str
    block_id: str
    title: str
    start: datetime
    length: timedelta
    label: str
    description: str
    speakers: tuple[Speaker, ...]
    stream: StreamPlan
    stream_source: str
    record: RecordPlan = RecordPlan.UNSPECIFIED
    record_source: str = ""
    original: str = ""  # the source event as JSON text ({"event": ...} or {"xml": ...}), kept for the export


def looks_like_c3voc_json(text: str) -> bool:
    """True for a schedule.json: an object with `schedule` and `conference` keys."""
    head = text.lstrip("\ufeff \t\r\n")[:8192]
    return head.startswith("{") and '"schedule"' in head and '"conference"' in text[:65536]


def looks_like_c3voc_xml(text: str) -> bool:
    """True for a schedule.xml: a `<schedule>` root element."""
    head = text.lstrip("\ufeff \t\r\n")[:8192]
    return head.startswith("<") and re.search(r"<schedule[\s>]", head) is not None


def parse_c3voc_json(text: str, *, path: str = "<text>", timezone: str = "Europe/Oslo") -> Event:
    """An event from a schedule.json; ImportProblem names the line or the field path at fault."""
    check_json_depth(text, path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(path, error.lineno, f"not valid JSON: {error.msg} (column {error.colno})") from None
    check_types(data, path)
    return schedule_to_event(data["schedule"], path, timezone, json_field)


def check_types(data: Any, path: str) -> None:
    """Refuse values whose type differs from the schema's, naming the first one's path."""
    error = next(iter(type_checker().iter_errors(data)), None)
    if error is None:
        return
    field = json_path(error.absolute_path)
    if error.validator == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        name = next((key for key in error.validator_value if key not in present), "a required key")
        full = f"{field}.{name}" if field else name
        raise ImportProblem(path, None, f"{full}: missing (not a C3VOC schedule?)", field=full)
    expected = " or ".join(_type_list(error.validator_value))
    raise ImportProblem(
        path, None, f"{field or 'the document'}: expected {expected}, got {_described(error.instance)}", field=field or None
    )


def _type_list(value: Any) -> list[str]:
    """JSON type names as words."""
    words = {"integer": "an integer", "string": "a string", "object": "an object", "array": "a list",
             "boolean": "true or false", "null": "null", "number": "a number"}
    names = value if isinstance(value, list) else [value]
    return [words.get(name, str(name)) for name in names]


def _described(value: Any) -> str:
    """A value as a person would read it in an error: its JSON type and a short excerpt."""
    kinds = {str: "the string", bool: "the boolean", int: "the integer", float: "the number", type(None): "null"}
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    excerpt = json.dumps(value, ensure_ascii=False)
    return f"{kinds.get(type(value), type(value).__name__)} {excerpt[:60]}" if value is not None else "null"


def json_path(parts: Any) -> str:
    """A JSON path like `schedule.conference.days[0].rooms.Curie[2].id`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def json_field(day: int, room: str, index: int, key: str) -> str:
    """The JSON path of an event's key."""
    return f"schedule.conference.days[{day}].rooms.{room}[{index}]" + (f".{key}" if key else "")


def xml_field(day: int, room: str, index: int, key: str) -> str:
    """The XML path of an event's element."""
    return f"schedule/day[{day + 1}]/room[@name='{room}']/event[{index + 1}]" + (f"/{key}" if key else "")


# ---------------------------------------------------------------- XML


def parse_c3voc_xml(text: str, *, path: str = "<text>", timezone: str = "Europe/Oslo") -> Event:
    """An event from a schedule.xml, parsed safely; ImportProblem names the line or element at fault."""
    check_xml_depth(text, path)
    try:
        root = safe_xml.fromstring(text.lstrip("\ufeff"), forbid_dtd=False, forbid_entities=True,
                                   forbid_external=True)
    except DefusedXmlException as error:
        raise ImportProblem(
            path, None, f"refused: the XML declares entities or external references ({type(error).__name__}); "
            "a schedule.xml needs neither (an entity-expansion bomb?)",
        ) from None
    except ParseError as error:
        line = error.position[0] if error.position else None
        raise ImportProblem(path, line, f"not well-formed XML: {error}") from None
    if root.tag != "schedule":
        raise ImportProblem(path, None, f"the root element is <{root.tag}>, expected <schedule>", field="schedule")
    return schedule_to_event(xml_schedule(root), path, timezone, xml_field)


def xml_schedule(root: Element) -> dict[str, Any]:
    """A schedule.xml tree as the dict schedule.json would have."""
    conference = root.find("conference")
    info = {child.tag: (child.text or "").strip() for child in conference} if conference is not None else {}
    days = [
        {
            "index": day.get("index"),
            "date": day.get("date"),
            "day_start": day.get("start"),
            "day_end": day.get("end"),
            "rooms": {room.get("name", ""): [xml_event(event) for event in room.findall("event")]
                      for room in day.findall("room")},
        }
        for day in root.findall("day")
    ]
    return {"conference": {"title": info.get("title"), "acronym": info.get("acronym"),
                           "time_zone_name": info.get("time_zone_name") or None, "days": days},
            XML_SOURCE: without_events(root)}


def without_events(root: Element) -> str:
    """The schedule.xml text with every <event> left out: what the export keeps of the document itself."""
    kept = deepcopy(root)
    for room in kept.iterfind("day/room"):
        for item in room.findall("event"):
            room.remove(item)
    return to_text(kept)


def to_text(element: Element) -> str:
    """An element as XML text."""
    return tostring(element, encoding="unicode")


def xml_event(element: Element) -> dict[str, Any]:
    """One <event> as the dict schedule.json would have."""
    event: dict[str, Any] = {child.tag: child.text or "" for child in element if len(child) == 0}
    event["guid"] = element.get("guid") or event.get("guid")
    event["persons"] = [
        {"name": (person.text or "").strip()} for person in element.findall("persons/person")
    ]
    if "do_not_stream" in event:
        event["do_not_stream"] = event["do_not_stream"].strip() or None
    event[XML_SOURCE] = to_text(element)
    optout = (element.findtext("recording/optout") or "").strip().lower()
    if optout in ("true", "1", "false", "0"):
        event["do_not_record"] = optout in ("true", "1")
    return event


# ---------------------------------------------------------------- schedule -> event


def schedule_to_event(schedule: dict[str, Any], path: str, timezone: str, namer: Namer) -> Event:
    """The validated event: a stage and a room per schedule room, a block per schedule event."""
    conference = schedule.get("conference") or {}
    days_data = [day for day in conference.get("days") or [] if isinstance(day, dict)]
    talks = [
        read_talk(event, room, day, d, e, path, namer)
        for d, day in enumerate(days_data)
        for room, events in (day.get("rooms") or {}).items()
        for e, event in enumerate(events or [])
    ]
    if not talks:
        raise ImportProblem(path, None, "no events in any room of any day", field="schedule.conference.days")
    zone_name = chosen_zone(conference.get("time_zone_name"), timezone, [talk.start for talk in talks])
    zone = ZoneInfo(zone_name)
    talks = [replace(talk, start=talk.start.astimezone(zone)) for talk in talks]
    rooms = room_list(conference, talks)
    stages = build_stages(rooms, unique_block_ids(talks))
    event = Event(
        title=str(conference.get("title") or conference.get("acronym") or "Schedule").strip() or "Schedule",
        days=conference_days(days_data, talks, zone),
        timezone=zone_name,
        venue=str((conference.get("meta") or {}).get("venue") or "") if isinstance(conference.get("meta"), dict) else "",
        stages=stages,
        rooms=tuple(rooms.values()),
        source=path,
        # The fallback named the zone: the file gave none, or one its own offsets contradict.
        passthrough=schedule_passthrough(schedule, conference, days_data, namer),
        timezone_assumed=zone_name == timezone and zone_name != str(conference.get("time_zone_name") or "").strip(),
    )
    try:
        return validate(event)
    except AgendaError as error:
        raise ImportProblem.from_agenda_error(error, path, None) from None


def read_talk(event: dict[str, Any], room: str, day: dict[str, Any], d: int, e: int, path: str, namer: Namer) -> _Talk:
    """One schedule event read into a _Talk; ImportProblem names its field when a value cannot be used."""
    room_name = (room or str(event.get("room") or "")).strip() or "Room"
    where = f"{room_name}"

    def fail(key: str, problem: str) -> ImportProblem:
        field = namer(d, where, e, key)
        title = str(event.get("title") or "").strip()
        return ImportProblem(path, None, f"{field}: {problem}" + (f" (event {title!r})" if title else ""), field=field)

    title = str(event.get("title") or "").strip()
    if not title:
        raise fail("title", "missing or empty")
    start = event_start(event, day, fail)
    return _Talk(
        room=room_name,
        block_id=str(event.get("guid") or event.get("slug") or event.get("id") or "").strip() or slugify(title),
        title=title,
        start=start,
        length=event_length(event, start, fail),
        label=str(event.get("type") or "").strip(),
        description=description_of(event),
        speakers=speakers_of(event.get("persons") or []),
        stream=stream_plan(event.get("do_not_stream")),
        stream_source=stream_source(event),
        **record_plan(event.get("do_not_record")),
        original=kept_source(event, namer),
    )


def event_start(event: dict[str, Any], day: dict[str, Any], fail: Callable[[str, str], ImportProblem]) -> datetime:
    """The absolute start: `date`, else the day's date with `start` (after midnight when before day_start)."""
    raw = event.get("date")
    if raw:
        value = iso_datetime(str(raw))
        if value is None:
            raise fail("date", f"{raw!r} is not an ISO 8601 date and time")
        if value.tzinfo is None:
            raise fail("date", f"{raw!r} has no UTC offset")
        return value
    clock = _CLOCK.match(str(event.get("start") or ""))
    day_start = iso_datetime(str(day.get("day_start") or ""))
    day_date = iso_date(str(day.get("date") or "")) or (day_start.date() if day_start else None)
    if not clock or day_date is None or day_start is None or day_start.tzinfo is None:
        raise fail("date", "missing (and no `start` with a day `date` and `day_start` to place it)")
    local = datetime.combine(day_date, time(int(clock[1]), int(clock[2])), tzinfo=day_start.tzinfo)
    return local + timedelta(days=1) if local < day_start else local


def event_length(event: dict[str, Any], start: datetime, fail: Callable[[str, str], ImportProblem]) -> timedelta:
    """The length from `duration` (`0:30`, `00:30`, `0:30:00`, `1:00:30:00`), else from `end`."""
    raw = event.get("duration")
    if raw not in (None, ""):
        try:
            length = parse_duration(str(raw))
        except ValueError:
            length = None
        if length is None:
            raise fail("duration", f"{raw!r} is not a duration like '00:30' or '0:30:00'")
        return length
    end = iso_datetime(str(event.get("end") or ""))
    if end is not None and end.tzinfo is not None and end >= start:
        return end - start
    raise fail("duration", "missing (and no `end` after the start)")


def iso_datetime(raw: str) -> datetime | None:
    """An ISO 8601 date and time (a trailing Z allowed), or None."""
    try:
        return datetime.fromisoformat(raw.strip().replace("Z", "+00:00")) if raw.strip() else None
    except ValueError:
        return None


def iso_date(raw: str) -> date | None:
    """An ISO 8601 date (or the date of a date and time), or None."""
    value = iso_datetime(raw)
    if value is not None:
        return value.date()
    try:
        return date.fromisoformat(raw.strip()[:10]) if raw.strip() else None
    except ValueError:
        return None


def description_of(event: dict[str, Any]) -> str:
    """Subtitle, abstract and description, each once, as paragraphs without HTML markup."""
    parts: list[str] = []
    for key in ("subtitle", "abstract", "description"):
        text = plain(event.get(key))
        if text and text not in parts:
            parts.append(text)
    return "\n\n".join(parts)


def plain(value: Any) -> str:
    """Text with HTML markup removed when it has any, trimmed."""
    if not isinstance(value, str):
        return ""
    text = strip_html(value) if re.search(r"</?[A-Za-z][^<>]*>|&[a-z]+;|&#\d+;", value) else value
    return text.replace("\r\n", "\n").strip()


def speakers_of(persons: list[Any]) -> tuple[Speaker, ...]:
    """Speakers from pretalx (`name`) or frab (`public_name`) persons; nameless ones skipped."""
    names: list[str] = []
    for person in persons:
        raw = person if isinstance(person, str) else (
            (person.get("name") or person.get("public_name") or person.get("full_name") or "")
            if isinstance(person, dict) else ""
        )
        name = " ".join(str(raw).split())
        if name and name not in names:
            names.append(name)
    return tuple(Speaker(name=name) for name in names)


def stream_plan(value: Any) -> StreamPlan:
    """`do_not_stream`: true is off, false is live, absent or unclear is unspecified."""
    if isinstance(value, bool):
        return StreamPlan.OFF if value else StreamPlan.LIVE
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if text in _TRUE:
        return StreamPlan.OFF
    if text in _FALSE:
        return StreamPlan.LIVE
    return StreamPlan.ON_REQUEST if text == "on_request" else StreamPlan.UNSPECIFIED


def record_plan(value: Any) -> dict[str, Any]:
    """`do_not_record` as the _Talk's recording plan: true is do not record, false is record, else unspecified."""
    plan = {True: RecordPlan.DO_NOT_RECORD, False: RecordPlan.RECORD}.get(value) if isinstance(value, bool) else None
    if plan is None:
        return {}
    return {"record": plan, "record_source": f"do_not_record: {json.dumps(value)}"}


def stream_source(event: dict[str, Any]) -> str:
    """Where the stream plan came from: `do_not_stream: <value>`, or nothing."""
    value = event.get("do_not_stream")
    if value is None or value == "":
        return ""
    return f"do_not_stream: {json.dumps(value) if isinstance(value, bool) else value}"


def category_of(label: str, length: timedelta) -> tuple[Category, tuple[Fact, ...]]:
    """The category a source's type label names (annotate/rules.py's table), with the rule that fired as a fact."""
    category, fact = classify_conference_type(label, length / timedelta(minutes=1))
    return category, (fact,) if fact is not None else ()


def chosen_zone(declared: Any, fallback: str, starts: list[datetime]) -> str:
    """The declared zone when the events' offsets agree, else the fallback's, else a fixed-offset zone."""
    for name in (declared, fallback):
        zone = known_zone(name)
        if zone is not None and all(start.utcoffset() == start.astimezone(zone).utcoffset() for start in starts):
            return str(name)
    offsets = {start.utcoffset() for start in starts}
    if len(offsets) == 1:
        hours = next(iter(offsets)).total_seconds() / 3600  # type: ignore[union-attr]
        if hours == int(hours):
            return "UTC" if hours == 0 else f"Etc/GMT{-int(hours):+d}"
    return str(declared) if known_zone(declared) else (fallback if known_zone(fallback) else "UTC")


def known_zone(name: Any) -> ZoneInfo | None:
    """The zone of that IANA name, or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def room_list(conference: dict[str, Any], talks: list[_Talk]) -> dict[str, Room]:
    """A Room per room name, in the conference's room order then order of first use, with unique ids."""
    kinds: dict[str, RoomKind] = {}
    for room in conference.get("rooms") or []:
        if isinstance(room, dict) and isinstance(room.get("name"), str) and room["name"].strip():
            kinds[room["name"].strip()] = _ROOM_KINDS.get(str(room.get("type") or ""), RoomKind.OTHER)
    used = dict.fromkeys(talk.room for talk in talks)
    names = [name for name in kinds if name in used] + [name for name in used if name not in kinds]
    rooms: dict[str, Room] = {}
    taken = TakenIds()
    for name in names:
        room_id = unique_id(room_slug(name), taken)
        rooms[name] = Room(id=room_id, name=name, kind=kinds.get(name, RoomKind.OTHER))
    return rooms


def room_slug(name: str) -> str:
    """An ASCII id for a room name; a name with no ASCII letters gets `room`."""
    slug = slugify(name, 40)
    return "room" if slug == "block" and "block" not in name.lower() else slug


def unique_block_ids(talks: list[_Talk]) -> list[_Talk]:
    """Talks with block ids made unique (a pretalx submission can have several slots)."""
    taken = TakenIds()
    return [replace(talk, block_id=unique_id(talk.block_id, taken)) for talk in talks]


def build_stages(rooms: dict[str, Room], talks: list[_Talk]) -> tuple[Stage, ...]:
    """A stage per room (and a parallel one per overlapping lane), blocks in time order."""
    stages: list[Stage] = []
    for name, room in rooms.items():
        ordered = sorted((talk for talk in talks if talk.room == name), key=lambda talk: (talk.start, talk.length))
        for lane, lane_talks in enumerate(lanes(ordered)):
            stage_id = room.id if lane == 0 else f"{room.id}-{lane + 1}"
            stage_name = name if lane == 0 else f"{name} ({lane + 1})"
            stages.append(Stage(id=stage_id, name=stage_name, blocks=blocks_of(lane_talks, room.id)))
    return tuple(stages)


def lanes(talks: list[_Talk]) -> list[list[_Talk]]:
    """Talks split into sequences without overlap: each goes to the first lane that is free."""
    result: list[list[_Talk]] = []
    for talk in talks:
        for lane in result:
            if lane[-1].start + lane[-1].length <= talk.start:
                lane.append(talk)
                break
        else:
            result.append([talk])
    return result


def blocks_of(talks: list[_Talk], room_id: str) -> tuple[Block, ...]:
    """Blocks of one stage: hard start for the first, after a gap and for meals; breaks advance by themselves."""
    blocks: list[Block] = []
    for index, talk in enumerate(talks):
        category, facts = category_of(talk.label, talk.length)
        previous = talks[index - 1] if index else None
        hard = previous is None or talk.start > previous.start + previous.length or category is Category.MEAL
        auto = category in (Category.BREAK, Category.MEAL, Category.MILESTONE)
        blocks.append(Block(
            id=talk.block_id, title=talk.title, planned_start=talk.start, planned_duration=talk.length,
            category=category, category_label=talk.label, description=talk.description, speakers=talk.speakers,
            stream=talk.stream, stream_source=talk.stream_source, record=talk.record, record_source=talk.record_source,
            rooms=(room_id,),
            start_rule=StartRule.HARD if hard else StartRule.SOFT,
            advance=AdvanceRule.AUTO if auto else AdvanceRule.MANUAL, facts=facts,
        ))
        if talk.original:
            kept = {**json.loads(talk.original), "imported": modelled_values(blocks[-1])}
            blocks[-1] = replace(blocks[-1], passthrough=json.dumps(kept, ensure_ascii=False))
    return tuple(blocks)


def modelled_values(block: Block) -> dict[str, Any]:
    """What runofshow made of a source event, to tell on export which fields a person changed since the import."""
    return {"title": block.title, "start": block.planned_start.timestamp(),
            "minutes": block.planned_duration / timedelta(minutes=1), "description": block.description,
            "speakers": [speaker.name for speaker in block.speakers], "label": block.category_label,
            "stream": block.stream.value, "record": block.record.value}


def kept_source(event: dict[str, Any], namer: Namer) -> str:
    """What the export writes back of a source event: its schedule.xml element, schedule 2 or schedule.json object."""
    for key, name in ((XML_SOURCE, "xml"), (SCHEDULE2_SOURCE, "event2")):
        if key in event:
            return json.dumps({name: event[key]}, ensure_ascii=False)
    return json.dumps({"event": event}, ensure_ascii=False) if namer is json_field else ""


def schedule_passthrough(schedule: dict[str, Any], conference: dict[str, Any], days: list[dict[str, Any]],
                         namer: Namer) -> str:
    """The schedule's, conference's and days' own fields (everything but the events) as JSON text."""
    for key, name in ((XML_SOURCE, "xml"), (SCHEDULE2_SOURCE, "schedule2")):
        if key in schedule:
            return json.dumps({name: schedule[key]}, ensure_ascii=False)
    if namer is not json_field:
        return ""
    return json.dumps({"schedule": {key: value for key, value in schedule.items() if key != "conference"},
                       "conference": {key: value for key, value in conference.items() if key != "days"},
                       "days": [{key: value for key, value in day.items() if key != "rooms"} for day in days]},
                      ensure_ascii=False)


def conference_days(days: list[dict[str, Any]], talks: list[_Talk], zone: ZoneInfo) -> tuple[date, ...]:
    """The conference's days in order; from the events' dates (day change at 04:00) when it lists none."""
    listed = {iso_date(str(day.get("date") or day.get("day_start") or "")) for day in days}
    found = sorted(day for day in listed if day is not None)
    if found:
        return tuple(found)
    return tuple(sorted({calendar_day(talk.start, zone) for talk in talks}))


def guid_for(block_id: str, event: Event) -> str:
    """The block's guid: its id when that is a UUID, else a UUID5 stable for the event and block."""
    try:
        return str(uuid.UUID(block_id))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"runofshow:{event.title}:{event.date.isoformat()}:{block_id}"))


__all__ = [
    "JSON_FORMAT",
    "XML_FORMAT",
    "XML_SOURCE",
    "SCHEDULE2_SOURCE",
    "category_of",
    "guid_for",
    "modelled_values",
    "looks_like_c3voc_json",
    "looks_like_c3voc_xml",
    "parse_c3voc_json",
    "parse_c3voc_xml",
]
