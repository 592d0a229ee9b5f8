"""Agendas from the wild (issue 16): conference types, dates in summaries, assumed zones, recording plans."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runofshow.agenda.model import Category
from runofshow.annotate import classify_conference_type
from runofshow.importers import parse_agenda


def schedule(events: list[dict[str, Any]], *, zone: str | None = "Europe/Berlin",
             offset: str = "+01:00") -> bytes:
    """A small C3VOC schedule.json with one room; events given as (title, type, start clock, extra keys)."""
    rows = []
    for number, item in enumerate(events, start=1):
        day = item.get("day", "2025-03-01")
        rows.append({"id": number, "guid": f"00000000-0000-4000-8000-{number:012d}", "logo": None,
                     "date": f"{day}T{item.get('start', '10:00')}:00{offset}", "start": item.get("start", "10:00"),
                     "duration": item.get("duration", "00:30"), "room": item.get("room", "Hall"), "slug": f"e{number}",
                     "url": f"https://example.org/e{number}", "title": item["title"], "subtitle": "",
                     "track": None, "type": item.get("type", "Talk"), "language": "en", "abstract": "",
                     "description": item.get("description", ""), "recording_license": "",
                     "do_not_record": item.get("do_not_record", False), "persons": [], "links": [],
                     "attachments": [], **item.get("extra", {})})
    days = sorted({row["date"][:10] for row in rows})
    conference: dict[str, Any] = {
        "acronym": "wild25", "title": "Wild Con", "start": days[0], "end": days[-1], "daysCount": len(days),
        "timeslot_duration": "00:05", "rooms": [{"name": "Hall", "guid": "00000000-0000-4000-8000-00000000aaaa"}],
        "days": [{"index": index, "date": day, "day_start": f"{day}T04:00:00{offset}",
                  "day_end": f"{day}T23:59:00{offset}",
                  "rooms": {"Hall": [row for row in rows if row["date"][:10] == day]}}
                 for index, day in enumerate(days, start=1)]}
    if zone is not None:
        conference["time_zone_name"] = zone
    return json.dumps({"schedule": {"version": "1.0", "base_url": "https://example.org/",
                                    "conference": conference}}).encode("utf-8")


@pytest.mark.parametrize(("label", "category", "rule"), [
    ("Talk 30 min + 10min Q&A", Category.TALK, "type.talk"),
    ("Vortrag (45 Minuten) mit Q&A", Category.TALK, "type.talk"),
    ("Lightning Talk", Category.TALK, "type.lightning"),
    ("LIGHTNING_TALK", Category.TALK, "type.lightning"),
    ("Panel discussion", Category.DISCUSSION, "type.panel"),
    ("Q&A session", Category.DISCUSSION, "type.panel"),
    ("Workshop (2h, bring a laptop)", Category.WORKSHOP, "type.workshop"),
    ("HANDS-ON", Category.WORKSHOP, "type.workshop"),
    ("META", Category.MILESTONE, "type.meta"),
    ("Lunch break", Category.MEAL, "type.meal"),
    ("Coffee", Category.BREAK, "type.break"),
])
def test_conference_types_map_by_their_first_word_with_the_rule_kept(label: str, category: Category,
                                                                      rule: str) -> None:
    found, fact = classify_conference_type(label, 40)
    assert found is category
    assert fact is not None and (fact.kind, fact.value, fact.rule, fact.source) == (
        "category", category.value, rule, f"type: {label}")


def test_an_unknown_type_is_other_without_a_fact_and_a_zero_length_one_a_milestone() -> None:
    assert classify_conference_type("Performance", 60) == (Category.OTHER, None)
    category, fact = classify_conference_type("Performance", 0)
    assert category is Category.MILESTONE and fact is not None and fact.rule == "type.no-length"


def test_imported_talks_with_q_and_a_are_talks_and_carry_the_rule_that_fired() -> None:
    event = parse_agenda(schedule([
        {"title": "One", "type": "Talk 30 min + 10min Q&A", "start": "10:00"},
        {"title": "Two", "type": "Talk 20 min + 5 min Q&A", "start": "10:40"},
        {"title": "Three", "type": "Panel", "start": "11:20"},
    ]), path="types.json")
    blocks = {block.title: block for block in event.all_blocks()}
    assert [blocks[t].category for t in ("One", "Two", "Three")] == [Category.TALK, Category.TALK,
                                                                    Category.DISCUSSION]
    assert blocks["One"].category_label == "Talk 30 min + 10min Q&A"
    assert [(f.kind, f.rule) for f in blocks["Two"].facts] == [("category", "type.talk")]


def test_a_multi_day_summary_shows_each_days_date_and_a_single_day_none() -> None:
    from runofshow.terminal.summary import event_summary

    three_days = parse_agenda(schedule([
        {"title": "Opening talk", "day": "2025-03-01", "start": "10:00"},
        {"title": "Second morning", "day": "2025-03-02", "start": "09:00"},
        {"title": "Late show", "day": "2025-03-02", "start": "23:30"},
        {"title": "Closing talk", "day": "2025-03-03", "start": "11:00"},
    ]), path="days.json")
    lines = event_summary(three_days).splitlines()
    headings = [line.strip() for line in lines if line.strip().endswith(("2025-03-01", "2025-03-02", "2025-03-03"))
                and not line.startswith("2025")]
    assert headings == ["Saturday 2025-03-01", "Sunday 2025-03-02", "Monday 2025-03-03"]
    assert lines.index("  Sunday 2025-03-02") < next(i for i, l in enumerate(lines) if "Second morning" in l)
    # a new day is a heading, not a gap of many hours; a gap within a day stays
    assert [line.strip() for line in lines if "gap" in line] == ["↓ gap 14h 00m"]
    one_day = parse_agenda(schedule([{"title": "Only", "start": "10:00"}]), path="one.json")
    assert "Saturday" not in event_summary(one_day)


def test_an_import_without_a_zone_says_which_it_assumed_and_the_export_does_not_claim_it() -> None:
    from runofshow.exporters.c3voc import to_schedule_dict, to_schedule_xml
    from runofshow.terminal.summary import event_summary

    data = schedule([{"title": "Talk", "start": "10:00"}], zone=None)
    event = parse_agenda(data, path="nozone.json")
    assert (event.timezone, event.timezone_assumed) == ("Europe/Oslo", True)
    text = event_summary(event)
    assert "Time zone Europe/Oslo assumed" in text and "--timezone" in text
    assert "time_zone_name" not in to_schedule_dict(event)["schedule"]["conference"]
    assert "time_zone_name" not in to_schedule_xml(event)
    chosen = parse_agenda(data, path="nozone.json", timezone="Europe/Oslo")
    assert not chosen.timezone_assumed and "assumed" not in event_summary(chosen)
    assert to_schedule_dict(chosen)["schedule"]["conference"]["time_zone_name"] == "Europe/Oslo"
    declared = parse_agenda(schedule([{"title": "Talk"}], zone="Europe/Berlin"), path="berlin.json")
    assert (declared.timezone, declared.timezone_assumed) == ("Europe/Berlin", False)


def test_a_spreadsheet_without_a_zone_column_is_assumed_and_with_one_is_not() -> None:
    header = "title,start,duration_minutes"
    plain = parse_agenda(f"{header}\nWelcome,2025-03-01 10:00,30\n".encode(), path="plain.csv")
    assert plain.timezone_assumed
    zoned = parse_agenda(f"{header},event_timezone\nWelcome,2025-03-01 10:00,30,Europe/Berlin\n".encode(),
                         path="zoned.csv")
    assert (zoned.timezone, zoned.timezone_assumed) == ("Europe/Berlin", False)


def test_cli_dry_run_names_the_assumed_zone_and_the_option(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from runofshow.terminal.cli import main

    path = tmp_path / "nozone.json"
    path.write_bytes(schedule([{"title": "Talk"}], zone=None))
    result = CliRunner().invoke(main, ["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Europe/Oslo assumed" in result.output and "--timezone" in result.output
    chosen = CliRunner().invoke(main, ["import", str(path), "--dry-run", "--timezone", "Europe/Paris"])
    assert "(Europe/Paris)" in chosen.output and "assumed" not in chosen.output


def _preview(client, data: bytes, name: str, **form: str):  # type: ignore[no-untyped-def]
    """The JSON answer of an upload preview."""
    import io

    return client.post("/import/preview", data={"file": (io.BytesIO(data), name), **form},
                       content_type="multipart/form-data").get_json()


def test_the_upload_preview_says_which_zone_it_assumed_and_takes_a_chosen_one(app, moderator) -> None:  # type: ignore[no-untyped-def]
    data = "title,start,duration_minutes\nWelcome,2025-03-01 10:00,30\n".encode()
    assumed = _preview(moderator, data, "plain.csv")
    assert assumed["ok"] and assumed["timezone"] == "Europe/Oslo" and assumed["timezone_assumed"] is True
    assert "Europe/Oslo" in assumed["timezone_note"] and "Time zone" in assumed["timezone_note"]
    chosen = _preview(moderator, data, "plain.csv", timezone="Europe/Berlin")
    assert (chosen["timezone"], chosen["timezone_assumed"], chosen["timezone_note"]) == ("Europe/Berlin", False, "")
    wrong = _preview(moderator, data, "plain.csv", timezone="Mars/Olympus")
    assert wrong["ok"] is False and wrong["field"] == "timezone" and "Mars/Olympus" in wrong["message"]


# ---------------------------------------------------------------- C3VOC schedule 2

def schedule2(events: list[dict[str, Any]], *, zone: str | None = "Europe/Berlin") -> dict[str, Any]:
    """A small schedule 2 document with two rooms over two days (events given in full by the test)."""
    conference: dict[str, Any] = {
        "acronym": "hub_2025", "title": "Hub Con", "start": "2025-12-27T10:00:00+01:00",
        "end": "2025-12-28T20:00:00+01:00",
        "rooms": [{"name": "Saal 1", "guid": "11111111-1111-4111-8111-111111111111", "type": "LECTURE_HALL"},
                  {"name": "Workshop B", "guid": "22222222-2222-4222-8222-222222222222", "type": "WORKSHOP"}],
        "days": [{"index": 1, "date": "2025-12-27", "start": "2025-12-27T04:00:00+01:00",
                  "end": "2025-12-28T03:59:00+01:00"},
                 {"index": 2, "date": "2025-12-28", "start": "2025-12-28T04:00:00+01:00",
                  "end": "2025-12-29T03:59:00+01:00"}]}
    if zone:
        conference["time_zone_name"] = zone
    return {"$schema": "https://c3voc.de/schema/schedule2", "schedule": {"version": "v1", "conference": conference,
                                                                        "events": events}}


def s2_event(title: str, start: str, end: str, room_guid: str, kind: str = "TALK", **extra: Any) -> dict[str, Any]:
    """A schedule 2 event with every required key."""
    import uuid

    return {"guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"test:{title}")),
            "start": start, "end": end, "room": {"guid": room_guid}, "slug": "hub-1-x", "url": "https://hub.example/x",
            "title": title, "subtitle": None, "track": {"slug": "main"}, "type": kind, "language": "de",
            "abstract": None, "participants": [], "links": [], **extra}


SAAL, WORKSHOP_ROOM = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


@pytest.fixture(scope="module")
def schema2_validator():  # type: ignore[no-untyped-def]
    """The shared schedule 2 JSON Schema."""
    import jsonschema

    from tests.conftest import SHARED

    schema = json.loads((SHARED / "formats" / "c3voc-schedule" / "schema2.json").read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)


def test_schedule2_is_detected_by_content_and_imports_rooms_people_and_meta_events(schema2_validator) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from runofshow.importers import detect_format

    document = schedule2([
        s2_event("Opening keynote", "2025-12-27T11:00:00+01:00", "2025-12-27T11:45:00+01:00", SAAL,
                 participants=[{"name": "Ada", "guid": "33333333-3333-4333-8333-333333333333", "role": "SPEAKER"},
                               {"name": "Host Person", "guid": "44444444-4444-4444-8444-444444444444",
                                "role": "HOST"}]),
        {"type": "BREAK", "title": "Mate refill", "start": "2025-12-27T11:45:00+01:00",
         "end": "2025-12-27T12:00:00+01:00", "room": {"guid": SAAL}},
        s2_event("Solder it", "2025-12-28T14:00:00+01:00", "2025-12-28T16:00:00+01:00", WORKSHOP_ROOM, "HANDS-ON"),
        s2_event("Quick ones", "2025-12-28T18:00:00+01:00", "2025-12-28T18:30:00+01:00", SAAL, "LIGHTNING_TALK"),
        {"type": "META", "title": "Doors", "start": "2025-12-28T09:00:00+01:00", "end": "2025-12-28T09:00:00+01:00",
         "room": {"guid": SAAL}},
    ])
    assert not [e.message for e in schema2_validator.iter_errors(document)]  # the test's input is itself valid
    text = json.dumps(document)
    assert detect_format(text) == "c3voc2-json"
    event = parse_agenda(text.encode(), path="hub-schedule")  # no suffix: found by content
    assert (event.title, event.timezone, [d.isoformat() for d in event.days]) == (
        "Hub Con", "Europe/Berlin", ["2025-12-27", "2025-12-28"])
    assert [room.name for room in event.rooms] == ["Saal 1", "Workshop B"]
    blocks = {block.title: block for block in event.all_blocks()}
    assert [s.name for s in blocks["Opening keynote"].speakers] == ["Ada"]  # the host is not a speaker
    assert blocks["Opening keynote"].planned_duration == timedelta(minutes=45)
    assert [(t, blocks[t].category) for t in ("Mate refill", "Solder it", "Quick ones", "Doors")] == [
        ("Mate refill", Category.BREAK), ("Solder it", Category.WORKSHOP), ("Quick ones", Category.TALK),
        ("Doors", Category.MILESTONE)]
    assert blocks["Solder it"].rooms == ("workshop-b",)


def test_schedule2_export_is_schema_valid_and_reads_back_the_same(schema2_validator) -> None:  # type: ignore[no-untyped-def]
    from runofshow.exporters.c3voc2 import to_schedule2_dict

    source = parse_agenda(schedule([
        {"title": "Morning talk", "type": "Talk 30 min + 10min Q&A", "start": "09:00", "duration": "00:40"},
        {"title": "Coffee", "type": "break", "start": "09:40", "duration": "00:20"},
        {"title": "Hack the planet", "type": "Workshop", "start": "10:00", "duration": "02:00", "day": "2025-03-02"},
        {"title": "Sparks", "type": "Lightning talk", "start": "13:00", "duration": "00:05", "day": "2025-03-02"},
    ]), path="one.json")
    document = to_schedule2_dict(source)
    assert not [f"{e.json_path}: {e.message}" for e in schema2_validator.iter_errors(document)]
    events = {item["title"]: item for item in document["schedule"]["events"]}
    assert [events[t]["type"] for t in ("Morning talk", "Coffee", "Hack the planet", "Sparks")] == [
        "TALK", "BREAK", "WORKSHOP", "LIGHTNING_TALK"]
    back = parse_agenda(json.dumps(document).encode(), path="back.json")
    assert sorted((b.title, b.planned_start, b.planned_duration, b.category) for b in back.all_blocks()) == sorted(
        (b.title, b.planned_start, b.planned_duration, b.category) for b in source.all_blocks())


def test_a_schedule2_error_names_the_event_in_the_flat_array() -> None:
    from runofshow.importers import ImportProblem

    document = schedule2([
        s2_event("Fine", "2025-12-27T11:00:00+01:00", "2025-12-27T11:45:00+01:00", SAAL),
        s2_event("", "2025-12-27T12:00:00+01:00", "2025-12-27T12:45:00+01:00", SAAL),
    ])
    with pytest.raises(ImportProblem) as caught:
        parse_agenda(json.dumps(document).encode(), path="broken.json")
    assert caught.value.field == "schedule.events[1].title"
    document["schedule"]["events"][1].update(title="Bad start", start="tomorrow")
    with pytest.raises(ImportProblem) as caught:
        parse_agenda(json.dumps(document).encode(), path="broken.json")
    assert caught.value.field == "schedule.events[1].start" and "tomorrow" in str(caught.value)


# ---------------------------------------------------------------- recording plan

@pytest.mark.parametrize(("text", "plan", "rule"), [
    ("Foredragsholder ønsker ikke opptak av innlegget.", "do_not_record", "record.nb.no"),
    ("Det blir ingen opptak av denne økta.", "do_not_record", "record.nb.no"),
    ("Opptak: nei", "do_not_record", "record.nb.no"),
    ("Please note: no recording during the Q&A.", "do_not_record", "record.en.no"),
    ("This session will not be recorded.", "do_not_record", "record.en.no"),
    ("The speaker opted out of the recording.", "do_not_record", "record.en.no"),
    ("Det gjøres opptak som legges ut etterpå.", "record", "record.nb.yes"),
    ("The keynote will be recorded for the archive.", "record", "record.en.yes"),
])
def test_free_text_sets_the_recording_plan_with_its_sentence(text: str, plan: str, rule: str) -> None:
    from runofshow.annotate import annotate

    found = annotate(f"Velkommen til økta. {text}", "")
    assert (found.record.value, found.record_source) == (plan, text)
    assert [(f.kind, f.value, f.rule) for f in found.facts if f.kind == "record"] == [("record", plan, rule)]


def test_questions_and_unrelated_text_leave_the_recording_plan_unspecified() -> None:
    from runofshow.annotate import annotate

    for text in ("Skal vi ha opptak?", "Saken tas opp i plenum.", "We record attendance at the door."):
        assert annotate(text, "").record.value == "unspecified", text


def test_notes_decide_over_the_description() -> None:
    from runofshow.annotate import annotate

    found = annotate("The talk will be recorded.", "Update: speaker asked, not recorded after all.")
    assert found.record.value == "do_not_record" and "not recorded" in found.record_source


def test_do_not_record_imports_and_exports_back_in_json_and_xml() -> None:
    from runofshow.exporters.c3voc import to_schedule_dict, to_schedule_xml
    from runofshow.importers.c3voc import parse_c3voc_xml

    event = parse_agenda(schedule([
        {"title": "Opted out", "start": "10:00", "do_not_record": True},
        {"title": "Fine to record", "start": "10:30", "do_not_record": False},
        {"title": "Nobody asked", "start": "11:00", "do_not_record": None},
    ]), path="rec.json")
    blocks = {block.title: block for block in event.all_blocks()}
    assert (blocks["Opted out"].record.value, blocks["Opted out"].record_source) == ("do_not_record",
                                                                                    "do_not_record: true")
    assert blocks["Fine to record"].record.value == "record"
    assert blocks["Nobody asked"].record.value == "unspecified"
    from runofshow.terminal.summary import block_flags

    assert "DO NOT RECORD" in block_flags(blocks["Opted out"]) and "record" not in block_flags(blocks["Nobody asked"])
    exported = to_schedule_dict(event)["schedule"]["conference"]["days"][0]["rooms"]["Hall"]
    assert [item.get("do_not_record", "absent") for item in exported] == [True, False, None]  # the source's null kept
    back = {b.title: b.record.value for b in parse_c3voc_xml(to_schedule_xml(event), path="rec.xml").all_blocks()}
    assert back == {"Opted out": "do_not_record", "Fine to record": "record", "Nobody asked": "unspecified"}


def test_the_recording_plan_survives_native_and_spreadsheet_round_trips() -> None:
    from runofshow.agenda.document import event_from_dict, event_to_dict
    from runofshow.exporters.spreadsheet import to_csv
    from runofshow.importers.spreadsheet import parse_csv

    event = parse_agenda(schedule([{"title": "Opted out", "do_not_record": True}]), path="rec.json")
    assert event_from_dict(event_to_dict(event)).all_blocks()[0].record.value == "do_not_record"
    again = parse_csv(to_csv(event), path="rec.csv").all_blocks()[0]
    assert (again.record.value, again.record_source) == ("do_not_record", "do_not_record: true")


# ---------------------------------------------------------------- session-plan presence cues

SESSION_PLAN = """# Fagdag 3. mars 2025

KL.\tLENGDE\tTITTEL\tBESKRIVELSE
09:00\t45m\tInnlegg om havbruk\t
09:45\t30m\tPanel om energi\t
10:15\t15m\tOppsummering\t

# Fagdag 3. mars 2025 - block details

## Innlegg om havbruk

09:00 | 45m

ASSIGNED TO Trine Vik

Dr. Marit Sæther deltar digitalt fra Tromsø. Trine Vik kommer fysisk og leder økta.

### ADDITIONAL INFORMATION

Prof. Henrik Dahl er på plass i salen.

## Panel om energi

09:45 | 30m

ASSIGNED TO Trine Vik

Dr. Grace Okafor joins remotely via Teams. Tom Berge will be there in person.

### ADDITIONAL INFORMATION

Trine Vik joins remotely via Teams for this one.

## Oppsummering

10:15 | 15m
"""


@pytest.mark.parametrize(("sentence", "name", "presence"), [
    ("Dr. Marit Sæther deltar digitalt fra Tromsø.", "Marit Sæther", "remote"),
    ("Prof. Henrik Dahl kommer fysisk.", "Henrik Dahl", "on_site"),
    ("Professor Ingrid Lunde er med på Teams.", "Ingrid Lunde", "remote"),
    ("Dr. Grace Okafor joins remotely via Teams.", "Grace Okafor", "remote"),
    ("Dr. Samuel Reed will attend in person.", "Samuel Reed", "on_site"),
    ("Ms. Alice Park is joining online.", "Alice Park", "remote"),
])
def test_a_titled_person_with_a_presence_cue_is_a_speaker_without_the_title(sentence: str, name: str,
                                                                            presence: str) -> None:
    from runofshow.annotate import annotate

    found = annotate(sentence, "", facilitators=("Trine Vik",))
    assert [(s.name, s.presence.value) for s in found.speakers] == [(name, presence)]


@pytest.mark.parametrize("sentence", ["Trine Vik kommer fysisk.", "Trine joins remotely via Teams.",
                                      "Trine Vik er på plass i salen."])
def test_a_facilitator_with_a_presence_cue_is_not_made_a_speaker(sentence: str) -> None:
    from runofshow.annotate import annotate

    found = annotate(sentence, "", facilitators=("Trine Vik",))
    assert found.speakers == ()
    assert [f.rule.endswith("+facilitator") for f in found.facts if f.kind == "presence"] == [True]


def test_a_session_plan_export_names_speakers_from_description_and_notes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from runofshow.importers import load_agenda

    path = tmp_path / "fagdag.txt"
    path.write_text(SESSION_PLAN, encoding="utf-8")
    blocks = {block.title: block for block in load_agenda(path).all_blocks()}
    talk, panel = blocks["Innlegg om havbruk"], blocks["Panel om energi"]
    assert talk.facilitators == ("Trine Vik",) and panel.facilitators == ("Trine Vik",)
    assert [(s.name, s.presence.value) for s in talk.speakers] == [("Marit Sæther", "remote"),
                                                                   ("Henrik Dahl", "on_site")]
    assert [(s.name, s.presence.value) for s in panel.speakers] == [("Grace Okafor", "remote"),
                                                                    ("Tom Berge", "on_site")]
    assert blocks["Oppsummering"].speakers == ()


# ---------------------------------------------------------------- spreadsheets from other tools

def conference_workbook(rows: list[list[Any]], sheet_title: str = "Programm") -> bytes:
    """An XLSX workbook whose first sheet holds these rows as given (title row, header, data)."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_german_template_with_a_title_row_and_numbered_speakers_imports() -> None:
    from datetime import date, datetime, time, timedelta

    from runofshow.terminal.summary import event_summary

    data = conference_workbook([
        ["Tagung Nachhaltigkeit 2025"],
        [],
        ["Ort", "Datum", "Zeit", "Titel", "Untertitel", "Beschreibung", "Sprecher 1", "Sprecher 2", "Sprecher 3"],
        ["Saal A", date(2025, 4, 2), time(9, 0), "Begrüßung", "", "Kurz und knapp", "Eva Braun", None, None],
        ["Saal A", date(2025, 4, 2), time(9, 20), "Energie im Quartier", "Ein Überblick", "Lang", "Jonas Weber",
         "Mia Roth", "Lea Fuchs"],
        ["Raum 2", date(2025, 4, 2), time(9, 0), "Werkstatt Wärme", "", "", None, None, None],
        ["Saal A", datetime(2025, 4, 3), "10:00", "Tag zwei", "", "", "", "", ""],
    ])
    event = parse_agenda(data, path="tagung.xlsx", timezone="Europe/Berlin")
    assert [stage.name for stage in event.stages] == ["Saal A", "Raum 2"]
    blocks = {block.title: block for block in event.all_blocks()}
    assert blocks["Begrüßung"].planned_duration == timedelta(minutes=20)  # until the next start in Saal A
    assert blocks["Energie im Quartier"].planned_duration == timedelta(minutes=30)  # last of its day: the default
    assert blocks["Werkstatt Wärme"].planned_duration == timedelta(minutes=30)  # another room: its own last
    assert [s.name for s in blocks["Energie im Quartier"].speakers] == ["Jonas Weber", "Mia Roth", "Lea Fuchs"]
    assert blocks["Energie im Quartier"].description == "Ein Überblick\n\nLang"
    assert blocks["Tag zwei"].planned_start.isoformat() == "2025-04-03T10:00:00+02:00"
    assert [(f.kind, f.rule) for f in blocks["Begrüßung"].facts] == [("length", "spreadsheet.next-start")]
    assert [(f.kind, f.rule) for f in blocks["Tag zwei"].facts] == [("length", "spreadsheet.last-of-day")]
    text = event_summary(event)
    assert "until the next start in the same place" in text and "gets 30 minutes" in text


def test_a_norwegian_csv_with_its_header_on_row_three_is_found_by_content() -> None:
    from datetime import timedelta

    text = ("Program for fagdagen;;;;\n;;;;\nSted;Dato;Tid;Tittel;Foredragsholder 1;Foredragsholder 2;Lengde;Type\n"
            "Storsalen;03.03.2025;09:00;Velkommen;Kari Nord;;15;\n"
            "Storsalen;03.03.2025;09:15;Havbruk i nord;Per Sør;Lise Vest;45;Foredrag 30 min + 15 min Q&A\n")
    event = parse_agenda(text.encode("utf-8"), path="fagdag.csv")
    blocks = {block.title: block for block in event.all_blocks()}
    assert blocks["Havbruk i nord"].planned_start.isoformat() == "2025-03-03T09:15:00+01:00"
    assert blocks["Havbruk i nord"].planned_duration == timedelta(minutes=45)
    assert [s.name for s in blocks["Havbruk i nord"].speakers] == ["Per Sør", "Lise Vest"]
    assert blocks["Velkommen"].facts == ()  # a length column: nothing assumed
    assert blocks["Havbruk i nord"].category is Category.TALK
    assert [(f.kind, f.rule) for f in blocks["Havbruk i nord"].facts] == [("category", "type.talk")]


def test_spreadsheet_errors_name_file_sheet_row_and_column_and_the_layouts_understood() -> None:
    from datetime import date

    from runofshow.importers import ImportProblem

    bad_time = conference_workbook([
        ["Programme"],
        ["Place", "Date", "Time", "Title"],
        ["Hall", date(2025, 5, 1), "9 o'clock", "Opening"],
    ], sheet_title="Day one")
    with pytest.raises(ImportProblem) as caught:
        parse_agenda(bad_time, path="conf.xlsx")
    message = str(caught.value)
    assert message.startswith("conf.xlsx:3: sheet 'Day one', C3 (start)") and "9 o'clock" in message
    unknown = conference_workbook([["Name", "When"], ["Opening", "09:00"]], sheet_title="Sheet X")
    with pytest.raises(ImportProblem) as caught:
        parse_agenda(unknown, path="odd.xlsx")
    message = str(caught.value)
    assert "sheet 'Sheet X'" in message and "Understood layouts" in message and "speaker 1 to 5" in message


# ---------------------------------------------------------------- URLs

def send_answer(handler: Any, status: int, content: bytes, kind: str, **headers: str) -> None:
    """Send one HTTP answer from an http.server handler."""
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(content)))
    handler.end_headers()
    handler.wfile.write(content)


@pytest.fixture(scope="module")
def schedule_server():  # type: ignore[no-untyped-def]
    """A local HTTP server: /schedule.json, a redirect to it, an HTML page, a 404, a slow and a huge answer;
    fetching from this machine is allowed while it runs."""
    import os
    import threading
    import time as clock
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from runofshow.agenda.text import MAX_BYTES

    body = schedule([{"title": "Fetched talk", "type": "Talk", "start": "10:00"}])
    versions = [body, schedule([{"title": "Fetched talk", "type": "Talk", "start": "10:30"},
                                {"title": "Late addition", "type": "Talk", "start": "11:30"}])]
    served = {"/versions.json": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            """Quiet."""

        def answer(self, status: int, content: bytes, kind: str, **headers: str) -> None:
            send_answer(self, status, content, kind, **headers)

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            if self.path == "/versions.json":  # the first read gets version 1, every later one version 2
                served[self.path] += 1
                self.answer(200, versions[min(served[self.path], 2) - 1], "application/json")
                return
            routes = {
                "/conf/schedule.json": lambda: self.answer(200, body, "application/json"),
                "/moved": lambda: self.answer(302, b"", "text/plain", Location="/conf/schedule.json"),
                "/loop": lambda: self.answer(302, b"", "text/plain", Location="/loop"),
                "/page": lambda: self.answer(200, b"<!DOCTYPE html><html><body>Hi</body></html>", "text/html"),
                "/huge.json": lambda: self.answer(200, b" " * (MAX_BYTES + 10), "application/json"),
                "/slow": lambda: (clock.sleep(1.5), self.answer(200, body, "application/json")),
            }
            routes.get(self.path, lambda: self.answer(404, b"nope", "text/plain"))()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    allowed = os.environ.get("RUNOFSHOW_IMPORT_ALLOW_PRIVATE")
    os.environ["RUNOFSHOW_IMPORT_ALLOW_PRIVATE"] = "1"
    yield f"http://127.0.0.1:{server.server_address[1]}"
    if allowed is None:
        os.environ.pop("RUNOFSHOW_IMPORT_ALLOW_PRIVATE")
    else:
        os.environ["RUNOFSHOW_IMPORT_ALLOW_PRIVATE"] = allowed
    server.shutdown()
    server.server_close()


def test_import_reads_a_schedule_from_an_address_and_follows_redirects(schedule_server: str) -> None:
    from runofshow.importers import load_agenda

    for path in ("/conf/schedule.json", "/moved"):
        event = load_agenda(f"{schedule_server}{path}")
        assert [block.title for block in event.all_blocks()] == ["Fetched talk"]
        assert event.source == f"{schedule_server}{path}"


@pytest.mark.parametrize(("path", "words"), [
    ("/missing.json", "answered 404"),
    ("/page", "web page, not a schedule"),
    ("/huge.json", "KB an agenda may have"),
    ("/loop", "too many redirects"),
])
def test_an_address_that_is_no_schedule_gives_a_clear_error(schedule_server: str, path: str, words: str) -> None:
    from runofshow.importers import ImportProblem, load_agenda

    with pytest.raises(ImportProblem) as caught:
        load_agenda(f"{schedule_server}{path}")
    assert words in str(caught.value) and str(caught.value).startswith(f"{schedule_server}{path}")


def test_a_slow_server_times_out_and_a_closed_port_is_unreachable(schedule_server: str) -> None:
    import socket

    from runofshow.importers import ImportProblem
    from runofshow.importers.remote import fetch

    with pytest.raises(ImportProblem, match="no answer within 0.3 seconds"):
        fetch(f"{schedule_server}/slow", timeout=0.3)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(ImportProblem, match="could not be reached"):
        fetch(f"http://127.0.0.1:{closed}/schedule.json", timeout=2)
    with pytest.raises(ImportProblem, match="not an http"):
        fetch("ftp://example.org/schedule.json")


def test_cli_import_takes_an_address_unmangled(schedule_server: str) -> None:
    from click.testing import CliRunner

    from runofshow.terminal.cli import main

    result = CliRunner().invoke(main, ["import", f"{schedule_server}/conf/schedule.json", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Fetched talk" in result.output
    missing = CliRunner().invoke(main, ["import", f"{schedule_server}/missing.json", "--dry-run"])
    assert missing.exit_code != 0 and "answered 404" in missing.output


def test_the_upload_page_previews_an_address(schedule_server: str, app, moderator) -> None:  # type: ignore[no-untyped-def]
    preview = moderator.post("/import/preview", data={"url": f"{schedule_server}/moved"},
                             content_type="multipart/form-data").get_json()
    assert preview["ok"] and preview["title"] == "Wild Con"
    assert [item["title"] for item in preview["diff"]["added"]] == ["Fetched talk"]
    page = moderator.post("/import/preview", data={"url": f"{schedule_server}/page"},
                          content_type="multipart/form-data").get_json()
    assert page["ok"] is False and page["field"] == "url" and "web page" in page["message"]
    neither = moderator.post("/import/preview", data={}, content_type="multipart/form-data").get_json()
    assert neither["ok"] is False and neither["field"] == "file"


# ---------------------------------------------------------------- lossless pass-through

def real_examples() -> list[Any]:
    """Every schedule document among the shared real examples (schemas and the refused example left out)."""
    from tests.conftest import SHARED

    folder = SHARED / "formats"
    found = sorted(path for path in folder.rglob("*.json")
                   if not path.name.startswith(("schema", "invalid")))
    return found or [pytest.param(None, marks=pytest.mark.skip(reason=f"no examples in {folder}"))]


def event_changes(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The keys whose values differ between two versions of an event."""
    return {key for key in set(before) | set(after) if before.get(key, "<absent>") != after.get(key, "<absent>")}


def events_by_guid(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every event of a schedule.json, by guid."""
    return {item["guid"]: item for day in document["schedule"]["conference"]["days"]
            for items in day["rooms"].values() for item in items}


# The differences runofshow makes on purpose on an unedited import (docs/formats.md, "Pass-through"):
# a `generator` of its own, and values schema.json refuses (acronym, slug, duration, keys it does not allow).
SCHEMA_REPAIRS = {"slug", "duration", "id", "persons"}


@pytest.mark.parametrize("path", real_examples(), ids=lambda path: getattr(path, "name", "none"))
def test_every_real_example_round_trips_with_only_documented_differences(path) -> None:  # type: ignore[no-untyped-def]
    import re

    from runofshow.exporters.c3voc import to_schedule_dict
    from runofshow.importers import load_agenda

    source = json.loads(path.read_text(encoding="utf-8"))
    exported = to_schedule_dict(load_agenda(path))
    assert set(exported) - set(source) <= {"generator", "$schema"}
    assert {k: v for k, v in exported["schedule"].items() if k != "conference"} == {
        k: v for k, v in source["schedule"].items() if k != "conference"}
    before, after = source["schedule"]["conference"], exported["schedule"]["conference"]
    differing = event_changes({k: v for k, v in before.items() if k != "days"},
                              {k: v for k, v in after.items() if k != "days"})
    assert differing <= {"acronym"}, differing
    if differing:
        assert not re.match(r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$", before["acronym"])
    assert [{k: v for k, v in day.items() if k != "rooms"} for day in before["days"]] == [
        {k: v for k, v in day.items() if k != "rooms"} for day in after["days"]]
    old, new = events_by_guid(source), events_by_guid(exported)
    assert set(old) == set(new)
    for guid, item in old.items():
        changes = event_changes(item, new[guid])
        assert changes <= SCHEMA_REPAIRS, (guid, changes)
        if "slug" in changes:
            assert not re.match(r"^[a-z0-9_-]+[a-z0-9]$", item["slug"])


def test_an_edited_time_changes_only_that_events_times() -> None:
    from dataclasses import replace
    from datetime import timedelta

    from runofshow.exporters.c3voc import to_schedule_dict

    source = schedule([
        {"title": "Moved", "start": "10:00", "extra": {"track": "Main", "language": "de", "recording_license": "CC0",
                                                      "links": [{"url": "https://x.example", "title": "Slides"}]}},
        {"title": "Kept", "start": "11:00", "extra": {"track": "Side"}},
    ])
    event = parse_agenda(source, path="edit.json")
    stage = event.stages[0]
    moved = replace(stage.blocks[0], planned_start=stage.blocks[0].planned_start + timedelta(minutes=15))
    edited = replace(event, stages=(replace(stage, blocks=(moved, *stage.blocks[1:])),))
    old = events_by_guid(json.loads(source))
    new = events_by_guid(to_schedule_dict(edited))
    first, second = sorted(old)
    assert event_changes(old[first], new[first]) == {"date", "start"}
    assert new[first]["start"] == "10:15" and new[first]["track"] == "Main" and new[first]["links"] == old[first]["links"]
    assert event_changes(old[second], new[second]) == set()
    renamed = replace(edited, stages=(replace(edited.stages[0], blocks=(replace(moved, title="New name"),
                                                                        *stage.blocks[1:])),))
    assert event_changes(old[first], events_by_guid(to_schedule_dict(renamed))[first]) == {"date", "start", "title"}


def test_following_an_address_shows_the_change_and_applies_it_only_when_told(schedule_server: str,
                                                                               tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from runofshow.live.clocks import SystemClock
    from runofshow.live.service import ShowService
    from runofshow.live.store import Store
    from runofshow.terminal.cli import main

    database = f"sqlite:///{tmp_path / 'follow.db'}"
    result = CliRunner().invoke(main, ["import", f"{schedule_server}/versions.json", "--follow", "0",
                                       "--follow-rounds", "2", "--database", database], input="y\n")
    assert result.exit_code == 0, result.output
    assert "1 changed, 1 added, 0 removed" in result.output and "added:   Late addition" in result.output
    assert "Apply these changes?" in result.output and "Applied." in result.output
    assert result.output.rstrip().endswith("No change.")  # the second read: nothing new
    store = Store(database)
    try:
        titles = [block.title for block in ShowService(store, SystemClock()).event().all_blocks()]
    finally:
        store.close()
    assert titles == ["Fetched talk", "Late addition"]
    refused = CliRunner().invoke(main, ["import", "agenda.csv", "--follow", "5"])
    assert refused.exit_code != 0 and "--follow needs the http(s) address" in refused.output


def test_following_never_applies_without_a_yes_nor_during_a_running_show() -> None:
    from runofshow.live.service import ShowInProgress
    from runofshow.terminal.follow import follow

    old = parse_agenda(schedule([{"title": "A"}]), path="a.json")
    new = parse_agenda(schedule([{"title": "A"}, {"title": "B", "start": "11:00"}]), path="a.json")

    class Running:
        applied: list[Any] = []

        def event(self) -> Any:
            return old

        def replace_event(self, event: Any, *, actor: str, replace_running: bool = False) -> None:
            if not replace_running:
                raise ShowInProgress("a show is in progress")
            self.applied.append(event)

    said: list[str] = []
    service = Running()
    follow(service, lambda: new, rounds=1, wait=lambda: None, confirm=lambda _: False,  # type: ignore[arg-type]
           echo=said.append)
    assert said[-1] == "Not applied." and service.applied == []
    follow(service, lambda: new, rounds=1, wait=lambda: None, confirm=lambda _: True,  # type: ignore[arg-type]
           echo=said.append)
    assert said[-1].startswith("Not applied: a show is in progress") and service.applied == []
    follow(service, lambda: new, rounds=1, wait=lambda: None, confirm=lambda _: True,  # type: ignore[arg-type]
           echo=said.append, replace_running=True)
    assert said[-1] == "Applied." and service.applied == [new]


# ---------------------------------------------------------------- pass-through: schedule.xml

XSD_EVENT_TAGS = ("room", "title", "subtitle", "type", "date", "start", "duration", "abstract", "slug", "track", "logo",
                  "language", "description", "url")


def as_schedule_xml(document: dict[str, Any]) -> bytes:
    """A schedule.json as the schedule.xml frab and pretalx publish beside it (every element the XSD knows)."""
    from xml.etree import ElementTree as ET

    schedule, conference = document["schedule"], document["schedule"]["conference"]
    root = ET.Element("schedule")
    for key in ("version", "base_url"):
        if key in schedule:
            ET.SubElement(root, "url" if key == "base_url" else key).text = str(schedule[key])
    info = ET.SubElement(root, "conference")
    for key, value in conference.items():
        if isinstance(value, (str, int)):
            ET.SubElement(info, {"daysCount": "days"}.get(key, key)).text = str(value)
    guids = {room.get("name"): room.get("guid") for room in conference.get("rooms") or []}
    for day in conference["days"]:
        day_element = ET.SubElement(root, "day", {"index": str(day["index"]), "date": day["date"],
                                                  "start": day["day_start"], "end": day["day_end"]})
        for name, items in day["rooms"].items():
            room = ET.SubElement(day_element, "room", {"name": name, **({"guid": guids[name]} if guids.get(name) else {})})
            for item in items:
                element = ET.SubElement(room, "event", {"guid": item["guid"], "id": str(item["id"])})
                for key in XSD_EVENT_TAGS:
                    if key in item:
                        ET.SubElement(element, key).text = "" if item[key] is None else str(item[key])
                persons = ET.SubElement(element, "persons")
                for person in item["persons"]:
                    ids = {"id": str(person["id"])} if "id" in person else {}
                    ET.SubElement(persons, "person", ids).text = person.get("public_name") or person["name"]
                links = ET.SubElement(element, "links")
                for link in item.get("links") or []:
                    ET.SubElement(links, "link", {"href": link["url"]}).text = link["title"]
                if "do_not_record" in item:
                    recording = ET.SubElement(element, "recording")
                    ET.SubElement(recording, "license").text = item.get("recording_license") or ""
                    ET.SubElement(recording, "optout").text = str(item["do_not_record"]).lower()
    return ET.tostring(root, encoding="utf-8")


def tree_differences(before: Any, after: Any, where: str = "") -> list[tuple[str, str, str]]:
    """Where two XML trees differ, element by element: (path, the source's value, the export's value)."""
    path = f"{where}/{before.tag}" + (f"[{before.get('guid')}]" if before.get("guid") else "")
    found = []
    if before.attrib != after.attrib:
        found.append((path + "@", str(sorted(before.attrib.items())), str(sorted(after.attrib.items()))))
    if (before.text or "").strip() != (after.text or "").strip():
        found.append((path, (before.text or "").strip(), (after.text or "").strip()))
    tags = [child.tag for child in before], [child.tag for child in after]
    if tags[0] != tags[1]:
        return [*found, (path + "/*", str(tags[0]), str(tags[1]))]
    for old, new in zip(before, after):
        found.extend(tree_differences(old, new, path))
    return found


@pytest.mark.parametrize("path", real_examples(), ids=lambda path: getattr(path, "name", "none"))
def test_every_real_example_round_trips_through_xml_with_only_documented_differences(path) -> None:  # type: ignore[no-untyped-def]
    import re
    from xml.etree import ElementTree as ET

    from runofshow.exporters.c3voc import to_schedule_xml

    source = as_schedule_xml(json.loads(path.read_text(encoding="utf-8")))
    exported = to_schedule_xml(parse_agenda(source, path="schedule.xml"))
    before, after = ET.fromstring(source), ET.fromstring(exported)
    assert before.find("generator") is None and after.find("generator") is not None  # added on purpose
    after.remove(after.find("generator"))
    # schedule.xml.xsd's patterns: a source value that breaks them is replaced (docs/formats.md).
    refused = {"slug": r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}", "acronym": r"[a-z0-9_-]{4,}"}
    for where, old, new in tree_differences(before, after):
        tag = where.rsplit("/", 1)[-1]
        assert tag in refused and not re.fullmatch(refused[tag], old) and re.fullmatch(refused[tag], new), (where, old, new)
    assert len(after.findall("day/room/event")) == len(before.findall("day/room/event")) > 0


def test_an_edited_xml_event_changes_only_what_was_edited_and_keeps_the_rest() -> None:
    from dataclasses import replace
    from datetime import timedelta
    from xml.etree import ElementTree as ET

    from runofshow.agenda.model import Speaker
    from runofshow.exporters.c3voc import to_schedule_xml

    document = json.loads(schedule([
        {"title": "Moved", "start": "10:00",
         "extra": {"persons": [{"id": 7, "public_name": "Ada"}, {"id": 8, "public_name": "Bo"}], "slug": "wild-moved",
                   "track": "Main", "language": "de", "url": "https://x.example/1", "do_not_record": True,
                   "links": [{"url": "https://x.example/slides", "title": "Slides"}]}},
        {"title": "Kept", "start": "11:00", "extra": {"track": "Side", "language": "nb", "slug": "wild-kept"}},
    ]))
    source = as_schedule_xml(document)
    event = parse_agenda(source, path="edit.xml")
    stage = event.stages[0]
    moved = replace(stage.blocks[0], planned_start=stage.blocks[0].planned_start + timedelta(minutes=15),
                    speakers=(Speaker(name="Bo"), Speaker(name="Cy")))
    edited = replace(event, stages=(replace(stage, blocks=(moved, *stage.blocks[1:])),))
    before, after = ET.fromstring(source), ET.fromstring(to_schedule_xml(edited))
    after.remove(after.find("generator"))
    changed = {(where.rsplit("/", 1)[-1], new) for where, _, new in tree_differences(before, after)}
    assert ("start", "10:15") in changed and {tag.rstrip("@") for tag, _ in changed} == {"date", "start", "person"}
    moved_element = next(item for item in after.iter("event") if item.findtext("title") == "Moved")
    assert [(p.get("id"), p.text) for p in moved_element.iterfind("persons/person")] == [("8", "Bo"), (None, "Cy")]
    assert moved_element.findtext("track") == "Main" and moved_element.findtext("recording/optout") == "true"
    assert moved_element.find("links/link").get("href") == "https://x.example/slides"


# ---------------------------------------------------------------- pass-through: schedule 2

def as_schedule2(document: dict[str, Any]) -> dict[str, Any]:
    """A schedule.json in the schedule 2 layout, with the fields runofshow does not model (room types, biographies)."""
    import uuid
    from datetime import datetime, timedelta

    schedule, conference = document["schedule"], document["schedule"]["conference"]
    days = conference["days"]
    listed = {room["name"]: room for room in conference.get("rooms") or []}
    names = dict.fromkeys(name for day in days for name in day["rooms"])
    rooms: list[dict[str, Any]] = []
    for number, name in enumerate(names):  # schedule 2 refers to rooms by guid: one guid per room
        guid = listed.get(name, {}).get("guid")
        if not guid or guid in {room["guid"] for room in rooms}:
            guid = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        rooms.append({"name": name, "guid": guid, "type": "LECTURE_HALL", "capacity": 100 + number})
    guids = {room["name"]: room["guid"] for room in rooms}
    events = []
    for day in days:
        for name, items in day["rooms"].items():
            for item in items:
                start = datetime.fromisoformat(item["date"])
                hours, minutes = (int(part) for part in item["duration"].split(":")[:2])
                events.append({
                    "guid": item["guid"], "start": start.isoformat(),
                    "end": (start + timedelta(hours=hours, minutes=minutes)).isoformat(),
                    "duration": f"PT{hours}H{minutes}M", "room": {"name": name, "guid": guids[name]},
                    "slug": item["slug"], "url": item["url"], "title": item["title"], "subtitle": item["subtitle"],
                    "track": {"name": item["track"]} if item["track"] else None, "type": item["type"],
                    "language": item["language"], "abstract": item["abstract"], "description": item["description"],
                    "participants": [{"name": person.get("public_name") or person.get("name"), "role": "SPEAKER",
                                      "biography": person.get("biography")} for person in item["persons"]],
                    "links": item["links"], "attachments": item["attachments"]})
    return {"$schema": "https://c3voc.de/schema/schedule2", "schedule": {
        "version": schedule["version"], "base_url": schedule.get("base_url"),
        "conference": {"acronym": conference["acronym"], "title": conference["title"],
                       "start": days[0]["day_start"], "end": days[-1]["day_end"],
                       "time_zone_name": conference.get("time_zone_name"), "rooms": rooms,
                       "days": [{"index": day["index"], "date": day["date"], "start": day["day_start"],
                                 "end": day["day_end"]} for day in days]},
        "events": events}}


@pytest.mark.parametrize("path", real_examples(), ids=lambda path: getattr(path, "name", "none"))
def test_every_real_example_round_trips_through_schedule2_unchanged_but_for_the_generator(path) -> None:  # type: ignore[no-untyped-def]
    from runofshow.exporters.c3voc2 import to_schedule2_dict

    source = as_schedule2(json.loads(path.read_text(encoding="utf-8")))
    exported = to_schedule2_dict(parse_agenda(json.dumps(source).encode(), path="hub.json"))
    assert exported.pop("generator") and exported["$schema"] == source["$schema"]
    before, after = source["schedule"], exported["schedule"]
    assert {k: v for k, v in after.items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}
    assert {item["guid"]: item for item in after["events"]} == {item["guid"]: item for item in before["events"]}


def test_an_edited_schedule2_event_changes_its_times_and_speakers_and_keeps_the_host() -> None:
    from dataclasses import replace
    from datetime import timedelta

    from runofshow.agenda.model import Speaker
    from runofshow.exporters.c3voc2 import to_schedule2_dict

    host = {"name": "Host Person", "role": "HOST", "guid": "44444444-4444-4444-8444-444444444444"}
    ada = {"name": "Ada", "role": "SPEAKER", "biography": "Writes engines."}
    source = schedule2([
        {**s2_event("Keynote", "2025-12-27T11:00:00+01:00", "2025-12-27T11:45:00+01:00", SAAL,
                    participants=[ada, host]), "language": "de", "track": {"name": "Hardware"}},
        s2_event("Other", "2025-12-27T12:00:00+01:00", "2025-12-27T12:30:00+01:00", SAAL),
    ])
    event = parse_agenda(json.dumps(source).encode(), path="hub.json")
    stage = event.stages[0]
    first = next(block for block in stage.blocks if block.title == "Keynote")
    moved = replace(first, planned_start=first.planned_start + timedelta(minutes=10),
                    speakers=(Speaker(name="Ada"), Speaker(name="Bo")))
    edited = replace(event, stages=(replace(stage, blocks=tuple(moved if b is first else b for b in stage.blocks)),))
    old = {item["title"]: item for item in source["schedule"]["events"]}
    new = {item["title"]: item for item in to_schedule2_dict(edited)["schedule"]["events"]}
    assert event_changes(old["Keynote"], new["Keynote"]) == {"start", "end", "participants"}
    assert new["Keynote"]["start"] == "2025-12-27T11:10:00+01:00" and new["Keynote"]["track"] == {"name": "Hardware"}
    assert [p["name"] for p in new["Keynote"]["participants"]] == ["Host Person", "Ada", "Bo"]
    assert new["Keynote"]["participants"][1] == ada
    assert event_changes(old["Other"], new["Other"]) == set()
