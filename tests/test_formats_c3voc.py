"""C3VOC schedule.json / schedule.xml: the shared examples import, exports validate, round trips keep every field."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from runofshow.agenda.model import Category, Event, StartRule, StreamPlan
from runofshow.agenda.document import event_to_dict
from runofshow.agenda.text import parse_duration
from runofshow.exporters.c3voc import to_schedule_dict, to_schedule_json, to_schedule_xml
from runofshow.importers import ImportProblem, load_agenda
from runofshow.importers.c3voc import parse_c3voc_json, parse_c3voc_xml
from tests.conftest import SHARED

C3VOC = SHARED / "formats" / "c3voc-schedule"
DATA = Path(__file__).resolve().parent / "data" / "formats"


@pytest.fixture(scope="module", autouse=True)
def shared_formats() -> None:
    """Fail (not skip: CI has the folder, and a skip would hide every format test) when the shared folder is missing."""
    if not (C3VOC / "schema.json").is_file():
        pytest.fail(f"{C3VOC} not found: these tests read the C3VOC examples, JSON Schema and XSD from the "
                    "project's shared/ folder; clone beside it, or set RUNOFSHOW_SHARED_DIR to it", pytrace=False)


@pytest.fixture(scope="module")
def json_validator() -> jsonschema.Draft6Validator:
    """The shared JSON Schema, formats checked where jsonschema can."""
    schema = json.loads((C3VOC / "schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def xsd() -> etree.XMLSchema:
    """The shared XSD."""
    return etree.XMLSchema(etree.parse(str(C3VOC / "schedule.xml.xsd")))


def schema_errors(validator: jsonschema.Draft6Validator, text: str) -> list[str]:
    """Every schema complaint about a schedule.json, as `path: message`."""
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(json.loads(text))]


def xsd_errors(xsd: etree.XMLSchema, text: str) -> list[str]:
    """Every XSD complaint about a schedule.xml."""
    xsd.validate(etree.fromstring(text.encode("utf-8")))
    return [str(error) for error in xsd.error_log]


def test_pretalx_example_imports_rooms_as_stages_over_three_days() -> None:
    event = load_agenda(C3VOC / "pretalx-democon.json")
    assert event.title == "DemoCon"
    assert [day.isoformat() for day in event.days] == ["2020-12-14", "2020-12-15", "2020-12-16"]
    assert [(stage.id, stage.name, len(stage.blocks)) for stage in event.stages] == [
        ("gray-room", "Gray Room", 27), ("tan-room", "Tan Room", 9)]
    assert [room.id for room in event.rooms] == ["gray-room", "tan-room"]
    first = event.stages[0].blocks[0]
    assert first.id == "8079583e-8321-506c-95af-fd2903a5f075"
    assert first.title == "Focused 5thgeneration hardware"
    assert first.planned_start == datetime.fromisoformat("2020-12-14T09:00:00+01:00")
    assert first.planned_duration == timedelta(minutes=30)
    assert (first.category, first.category_label) == (Category.TALK, "Talk")
    assert [speaker.name for speaker in first.speakers] == ["Brian Robinson"]
    assert first.stream is StreamPlan.UNSPECIFIED and first.stream_source == ""
    assert first.rooms == ("gray-room",) and first.start_rule is StartRule.HARD
    assert first.description.startswith("Brand back-end models!\n\nStation provide certain mean.")
    workshops = [b for b in event.all_blocks() if b.category_label == "Workshop"]
    assert workshops and all(b.category is Category.WORKSHOP for b in workshops)


def test_pretalx_example_declares_utc_but_its_offsets_pick_the_zone() -> None:
    # time_zone_name says UTC, every date says +01:00: the absolute instants win.
    in_oslo = load_agenda(C3VOC / "pretalx-democon.json")
    fixed = load_agenda(C3VOC / "pretalx-democon.json", timezone="UTC")
    assert in_oslo.timezone == "Europe/Oslo" and fixed.timezone == "Etc/GMT-1"
    assert in_oslo.stages[0].blocks[0].planned_start == fixed.stages[0].blocks[0].planned_start
    assert fixed.stages[0].blocks[0].planned_start.isoformat() == "2020-12-14T09:00:00+01:00"


def test_frab_example_imports_public_names_and_lecture_type() -> None:
    event = load_agenda(C3VOC / "frab-camp2019.json")
    assert event.title == "Chaos Communication Camp 2019" and event.timezone == "Europe/Berlin"
    assert len(event.days) == 5 and event.days[0].isoformat() == "2019-08-21"
    assert [stage.name for stage in event.stages] == ["Curie", "Meitner"]
    assert len(event.all_blocks()) == 79
    opening = event.stages[0].blocks[0]
    assert opening.title == "Opening Ceremony"
    assert [speaker.name for speaker in opening.speakers] == ["jinxx", "smtw"]
    assert (opening.category, opening.category_label) == (Category.TALK, "lecture")
    assert opening.planned_start.isoformat() == "2019-08-21T11:00:00+02:00"


def test_invalid_example_is_refused_naming_the_field() -> None:
    with pytest.raises(ImportProblem) as caught:
        load_agenda(C3VOC / "invalid-example.json")
    problem = caught.value
    assert problem.field == "schedule.conference.days[0].rooms.Winterchaos[0].id"
    assert problem.problem == f'{problem.field}: expected an integer, got the string "2814"'
    assert str(problem).startswith(str(C3VOC / "invalid-example.json"))


@pytest.mark.parametrize("source", ["reference", "pretalx-democon.json", "frab-camp2019.json"])
def test_exports_validate_against_the_shared_schema_and_xsd(source: str, reference: Event, json_validator,
                                                            xsd) -> None:  # type: ignore[no-untyped-def]
    event = reference if source == "reference" else load_agenda(C3VOC / source)
    assert schema_errors(json_validator, to_schedule_json(event)) == []
    assert xsd_errors(xsd, to_schedule_xml(event)) == []


def test_every_fixture_export_validates(json_validator, xsd) -> None:  # type: ignore[no-untyped-def]
    for name in ("night-schedule.xml", "liberal-schedule.json", "handwritten.yaml", "semicolon.csv"):
        event = load_agenda(DATA / name)
        assert schema_errors(json_validator, to_schedule_json(event)) == [], name
        assert xsd_errors(xsd, to_schedule_xml(event)) == [], name


def modelled(event: Event) -> dict:  # type: ignore[type-arg]
    """The native document without the source's pass-through fields (tests/test_formats_wild.py checks those
    against the source documents; a schema repair or an XML source makes them differ on purpose)."""
    document = event_to_dict(event)
    document.pop("passthrough", None)
    for stage in document["stages"]:
        for block in stage["blocks"]:
            block.pop("passthrough", None)
    return document


@pytest.mark.parametrize("source", ["pretalx-democon.json", "frab-camp2019.json", "liberal-schedule.json",
                                    "night-schedule.xml"])
def test_import_export_import_is_lossless_in_json(source: str) -> None:
    path = C3VOC / source if (C3VOC / source).exists() else DATA / source
    first = load_agenda(path)
    again = parse_c3voc_json(to_schedule_json(first))
    assert modelled(again) == modelled(first)


@pytest.mark.parametrize("source", ["pretalx-democon.json", "frab-camp2019.json", "night-schedule.xml"])
def test_import_export_import_is_lossless_in_xml_but_for_the_stream_plan(source: str) -> None:
    path = C3VOC / source if (C3VOC / source).exists() else DATA / source
    first = modelled(load_agenda(path))
    again = modelled(parse_c3voc_xml(to_schedule_xml(load_agenda(path))))
    for document in (first, again):  # the XSD has no do_not_stream
        for stage in document["stages"]:
            for block in stage["blocks"]:
                block["stream"], block["stream_source"] = "unspecified", ""
    assert again == first


def test_reference_keeps_what_the_format_carries(reference: Event) -> None:
    again = parse_c3voc_json(to_schedule_json(reference))
    assert again.title == reference.title and again.days == reference.days and again.timezone == "Europe/Oslo"
    assert [stage.name for stage in again.stages] == ["Plenum"]
    pairs = list(zip(reference.all_blocks(), again.all_blocks(), strict=True))
    for old, new in pairs:
        assert (new.title, new.planned_start, new.planned_duration) == (old.title, old.planned_start, old.planned_duration)
        assert new.stream is old.stream, old.title
        assert new.description == old.description.strip()
        assert [s.name for s in new.speakers] == [s.name for s in old.speakers]
    assert {new.stream for _, new in pairs} == {StreamPlan.LIVE, StreamPlan.ON_REQUEST, StreamPlan.UNSPECIFIED}


def test_exported_guids_are_stable_and_unique(reference: Event) -> None:
    def guids(document: dict) -> list[str]:  # type: ignore[type-arg]
        return [e["guid"] for day in document["schedule"]["conference"]["days"]
                for events in day["rooms"].values() for e in events]

    first, second = guids(to_schedule_dict(reference)), guids(to_schedule_dict(reference))
    assert first == second and len(set(first)) == len(first) == 14


def test_do_not_stream_maps_to_the_stream_plan() -> None:
    event = load_agenda(DATA / "liberal-schedule.json")
    plans = {block.title: (block.stream, block.stream_source) for block in event.all_blocks()}
    assert plans["Keynote"] == (StreamPlan.LIVE, "do_not_stream: false")
    assert plans["Overlapping talk B"] == (StreamPlan.OFF, "do_not_stream: true")
    assert plans["Overlapping talk A"] == (StreamPlan.UNSPECIFIED, "")
    assert plans["Coffee break"] == (StreamPlan.UNSPECIFIED, "")
    # Unedited, the export writes the source's own values back (issue 16); written by runofshow, the plan's.
    exported = to_schedule_dict(event)["schedule"]["conference"]["days"][0]["rooms"]["Hall ☀ One"]
    assert [e.get("do_not_stream", "absent") for e in exported] == [False, "absent", None, "true"]
    stripped = replace(event, stages=tuple(replace(stage, blocks=tuple(replace(b, passthrough="") for b in stage.blocks))
                                           for stage in event.stages))
    exported = to_schedule_dict(stripped)["schedule"]["conference"]["days"][0]["rooms"]["Hall ☀ One"]
    assert [e.get("do_not_stream", "absent") for e in exported] == [False, "absent", "absent", True]


def test_a_liberal_schedule_imports() -> None:
    event = load_agenda(DATA / "liberal-schedule.json")
    assert event.timezone == "Europe/Amsterdam"
    assert [(s.id, s.name, [b.title for b in s.blocks]) for s in event.stages] == [
        ("hall-one", "Hall ☀ One", ["Keynote", "Coffee break", "Overlapping talk A"]),
        ("hall-one-2", "Hall ☀ One (2)", ["Overlapping talk B"]),
        ("stream", "Stream", ["After-midnight stream (start only)"])]
    assert [(r.id, r.kind.value) for r in event.rooms] == [("hall-one", "plenary"), ("stream", "remote")]
    blocks = {block.title: block for block in event.all_blocks()}
    keynote = blocks["Keynote"]
    assert [s.name for s in keynote.speakers] == ["Grace Hopper", "Alan Turing"]  # nameless persons skipped
    assert keynote.planned_duration == timedelta(minutes=45)
    assert blocks["Coffee break"].planned_duration == timedelta(minutes=15)
    assert blocks["Coffee break"].category is Category.BREAK and blocks["Coffee break"].advance.value == "auto"
    assert blocks["Overlapping talk B"].rooms == ("hall-one",)  # a parallel stage, still in its room
    assert blocks["Overlapping talk B"].description == "HTML abstract"
    midnight = blocks["After-midnight stream (start only)"]
    assert midnight.planned_start.isoformat() == "2024-03-10T00:30:00+01:00"  # start before day_start: next day
    assert event.days == (datetime(2024, 3, 9).date(),)


def test_parallel_stages_export_back_into_their_room() -> None:
    event = load_agenda(DATA / "liberal-schedule.json")
    rooms = to_schedule_dict(event)["schedule"]["conference"]["days"][0]["rooms"]
    assert list(rooms) == ["Hall ☀ One", "Stream"]
    assert [e["title"] for e in rooms["Hall ☀ One"]] == ["Keynote", "Coffee break", "Overlapping talk A",
                                                        "Overlapping talk B"]


def test_xml_with_four_rooms_runs_four_stages_across_midnight() -> None:
    event = load_agenda(DATA / "night-schedule.xml")
    assert event.timezone == "Europe/Berlin"
    assert [day.isoformat() for day in event.days] == ["2024-06-01", "2024-06-02"]
    assert [room.name for room in event.rooms] == ["Saal Ümlaut", "Workshop Room", "Lounge", "Online"]
    assert [(stage.id, len(stage.blocks)) for stage in event.stages] == [
        ("saal-umlaut", 3), ("workshop-room", 1), ("lounge", 1), ("online", 1)]
    blocks = {block.title: block for block in event.all_blocks()}
    assert blocks["Opening"].planned_duration == timedelta(minutes=30)  # 0:30:00
    assert blocks["Opening"].description == "Welcome & overview"
    assert [s.name for s in blocks["Opening"].speakers] == ["Ada Lovelace"]
    assert blocks["Opening"].stream is StreamPlan.LIVE and blocks["Soldering for beginners"].stream is StreamPlan.OFF
    assert blocks["Late Night DJ"].planned_start.isoformat() == "2024-06-02T01:00:00+02:00"
    assert blocks["Midnight Lecture"].planned_end.isoformat() == "2024-06-02T00:30:00+02:00"
    assert blocks["Remote panel"].category is Category.DISCUSSION


def test_blocks_after_midnight_stay_on_their_conference_day_in_the_export() -> None:
    document = to_schedule_dict(load_agenda(DATA / "night-schedule.xml"))
    days = document["schedule"]["conference"]["days"]
    first_day_titles = [e["title"] for events in days[0]["rooms"].values() for e in events]
    assert "Late Night DJ" in first_day_titles and days[0]["day_end"] == "2024-06-02T03:59:00+02:00"
    assert [e["title"] for events in days[1]["rooms"].values() for e in events] == ["Closing"]


def test_entity_expansion_bomb_is_refused() -> None:
    with pytest.raises(ImportProblem) as caught:
        load_agenda(DATA / "entity-bomb.xml")
    assert "refused" in caught.value.problem and "entit" in caught.value.problem


def test_external_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "external.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE schedule [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                    "<schedule><conference><title>&x;</title></conference></schedule>\n", encoding="utf-8")
    with pytest.raises(ImportProblem, match="refused"):
        load_agenda(path)


def test_broken_xml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<schedule>\n  <conference>\n    <title>x</titel>\n", encoding="utf-8")
    with pytest.raises(ImportProblem) as caught:
        load_agenda(path)
    assert caught.value.line == 3 and "not well-formed" in caught.value.problem


@pytest.mark.parametrize("change, field, words", [
    ({"duration": "long"}, "duration", "is not a duration"),
    ({"duration": 30}, "duration", "expected a string, got the integer 30"),
    ({"date": "yesterday"}, "date", "is not an ISO 8601 date and time"),
    ({"title": ""}, "title", "missing or empty"),
    ({"persons": "Ada"}, "persons", "expected a list, got the string"),
    ({"do_not_stream": 1}, "do_not_stream", "expected true or false or a string or null"),
])
def test_wrong_values_name_the_event_field(tmp_path: Path, change: dict, field: str, words: str) -> None:  # type: ignore[type-arg]
    document = json.loads((DATA / "liberal-schedule.json").read_text(encoding="utf-8"))
    document["schedule"]["conference"]["days"][0]["rooms"]["Stream"][0].update(change)
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ImportProblem) as caught:
        load_agenda(path)
    assert caught.value.field == f"schedule.conference.days[0].rooms.Stream[0].{field}"
    assert words in caught.value.problem


@pytest.mark.parametrize("raw, minutes", [("00:30", 30), ("0:30", 30), ("0:30:00", 30), ("01:30", 90),
                                          ("1:30:30", 90.5), ("1:00:15:00", 1455), ("100:00", 6000)])
def test_durations_in_every_spelling(raw: str, minutes: float) -> None:
    assert parse_duration(raw) == timedelta(minutes=minutes)


@pytest.mark.parametrize("raw", ["0:75", "30", "half an hour", "1:30:99"])
def test_bad_durations(raw: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(raw)


def test_an_empty_duration_is_none() -> None:
    assert parse_duration("") is None


@pytest.mark.parametrize("document, field", [
    ({"schedule": {"version": "1"}}, "schedule.conference"),
    ({"schedule": {"conference": {"days": [{"date": "2024-06-01"}]}}}, "schedule.conference.days[0].rooms"),
])
def test_a_missing_key_is_named_by_its_path(document: dict, field: str) -> None:
    with pytest.raises(ImportProblem) as caught:
        parse_c3voc_json(json.dumps(document), path="s.json")
    assert caught.value.field == field
    assert caught.value.problem == f"{field}: missing (not a C3VOC schedule?)"
