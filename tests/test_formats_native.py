"""Native YAML and JSON: every field round-trips, hand-written files import, faults name the field and line."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runofshow.agenda.model import (
    AdvanceRule,
    AgendaError,
    Breakout,
    Category,
    Contact,
    Duty,
    Event,
    Fact,
    Presence,
    Reminder,
    Speaker,
    StartRule,
    StreamPlan,
    validate,
)
from runofshow.agenda.document import event_from_dict, event_to_dict
from runofshow.exporters.native import to_json, to_yaml
from runofshow.importers import ImportProblem, detect_format, load_agenda
from runofshow.importers.native import parse_native_json, parse_native_yaml

DATA = Path(__file__).resolve().parent / "data" / "formats"


def everything_set(event: Event) -> Event:
    """The reference with its first block carrying every field, including the crew's overrides."""
    first = event.stages[0].blocks[0]
    rich = replace(
        first,
        category=Category.WORKSHOP,
        category_label="Verksted",
        description="Line one\n\n  indented line\ntrailing space \n",
        facilitators=("Ola", "Kari"),
        speakers=(Speaker("Ada", Presence.REMOTE, "Analytical Engines"), Speaker("off", Presence.ON_SITE)),
        notes="yes\nno\n09:00\n- not a list\n# not a comment\n",
        contacts=(Contact("email", "ada@example.org", "Ada: ada@example.org"),),
        stream=StreamPlan.OFF,
        stream_source="overridden by the crew",
        breakout=Breakout(True, True, 3, 5, ("mix regions",), ("Groups of 3-5",)),
        duties=(Duty("timekeeper", None, "Who keeps time?"), Duty("notes", "Per", "Per writes", True, "in Teams")),
        reminders=(Reminder("Mute the room", "Husk å mute"),),
        working_groups=("AG Klima",),
        start_rule=StartRule.SOFT,
        advance=AdvanceRule.AUTO,
        warning_before=timedelta(minutes=7.5),
        danger_before=timedelta(minutes=2),
        facts=(Fact("stream", "off", "Streames ikke", "manual"), Fact("speaker", "Ada", "Ada (remote)")),
    )
    stage = replace(event.stages[0], blocks=(rich, *event.stages[0].blocks[1:]))
    return replace(event, venue="Hotel Victoria: «Salen»", stages=(stage,))


def test_reference_survives_yaml_unchanged(reference: Event) -> None:
    again = parse_native_yaml(to_yaml(reference))
    assert event_to_dict(again) == event_to_dict(reference)


def test_reference_survives_json_unchanged(reference: Event) -> None:
    assert event_to_dict(parse_native_json(to_json(reference))) == event_to_dict(reference)


def test_every_field_and_override_round_trips(reference: Event) -> None:
    rich = everything_set(reference)
    for text, parse in ((to_yaml(rich), parse_native_yaml), (to_json(rich), parse_native_json)):
        assert event_to_dict(parse(text)) == event_to_dict(rich)
    first = parse_native_yaml(to_yaml(rich)).stages[0].blocks[0]
    assert first.stream is StreamPlan.OFF and first.stream_source == "overridden by the crew"
    assert first.warning_before == timedelta(minutes=7.5) and first.duties[0].assignee is None


def test_yaml_export_is_readable(reference: Event) -> None:
    text = to_yaml(everything_set(reference))
    assert text.startswith("# runofshow agenda")
    assert "title: Nettverkssamling 6. mai 2024\n" in text  # unicode and plain scalars, no escapes
    assert "    notes: |\n      yes\n      no\n" in text  # multi-line text as a literal block


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_text_round_trips_through_yaml(reference: Event, text: str) -> None:  # type: ignore[no-untyped-def]
    if not text.strip():
        text = "x" + text
    block = replace(reference.stages[0].blocks[0], title=text, notes=text, description=text)
    event = replace(reference, stages=(replace(reference.stages[0], blocks=(block,)),))
    assert event_to_dict(parse_native_yaml(to_yaml(event))) == event_to_dict(event)


def test_hand_written_yaml_imports() -> None:
    event = load_agenda(DATA / "handwritten.yaml")
    assert (event.title, event.venue, event.timezone) == ("Styremøte", "Rådhuset", "Europe/Oslo")
    assert [day.isoformat() for day in event.days] == ["2024-09-12"]
    welcome, budget, lunch = event.stages[0].blocks
    assert welcome.stream is StreamPlan.OFF  # `off` is a string, not YAML 1.1's false
    assert welcome.planned_start.isoformat() == "2024-09-12T09:00:00+02:00"
    assert welcome.advance is AdvanceRule.AUTO
    assert budget.planned_duration == timedelta(minutes=75)  # from its end
    assert budget.speakers == (Speaker("Kari Nordmann", Presence.REMOTE),)
    assert budget.notes == "Ring Kari 5 min før.\nHusk lysbildene.\n"
    assert budget.warning_before == timedelta(minutes=10)
    assert budget.facts == (Fact("speaker", "Kari Nordmann", "Kari Nordmann, på Teams", "manual"),)
    assert lunch.category is Category.MEAL and lunch.start_rule is StartRule.HARD


def test_detection_tells_yaml_from_json() -> None:
    assert detect_format((DATA / "handwritten.yaml").read_text(encoding="utf-8")) == "yaml"
    assert detect_format('{"format": "runofshow", "title": "x"}') == "json"


def write(tmp_path: Path, name: str, text: str) -> Path:
    """A file with that text."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


YAML_HEAD = "title: T\ntimezone: Europe/Oslo\nstages:\n  - id: main\n    name: Main\n    blocks:\n"


@pytest.mark.parametrize("block, field, line, words", [
    ("      - id: a\n        title: A\n        start: 2024-09-12 09:00\n        duration_minutes: long\n",
     "stages[0].blocks[0].duration_minutes", 10, "expected an integer or a number, got str"),
    ("      - id: a\n        title: A\n        start: tomorrow\n        duration_minutes: 5\n",
     "stages[0].blocks[0].start", 9, "is not an ISO 8601 date and time"),
    ("      - id: a\n        title: A\n        start: 2024-09-12 09:00\n        duration_minutes: 5\n"
     "        stream: maybe\n", "stages[0].blocks[0].stream", 11, "is not one of live, off, on_request"),
    ("      - id: a\n        start: 2024-09-12 09:00\n        duration_minutes: 5\n",
     "stages[0].blocks[0].title", 7, "missing"),
    ("      - id: a\n        title: A\n        start: 2024-09-12 09:00\n        duration_minutes: 5\n"
     "        speakers:\n          - presence: remote\n", "stages[0].blocks[0].speakers[0].name", 12, "missing"),
    ("      - id: a\n        title: A\n        start: 2024-09-12 09:00\n        end: 2024-09-12 10:00\n"
     "        duration_minutes: 30\n", "stages[0].blocks[0].end", 10, "60 minutes after the start"),
])
def test_yaml_faults_name_field_and_line(tmp_path: Path, block: str, field: str, line: int, words: str) -> None:
    with pytest.raises(ImportProblem) as caught:
        load_agenda(write(tmp_path, "bad.yaml", YAML_HEAD + block))
    assert caught.value.field == field
    assert caught.value.line == line
    assert words in caught.value.problem


def test_overlap_names_the_block(tmp_path: Path) -> None:
    blocks = ("      - {id: a, title: A, start: '2024-09-12 09:00', duration_minutes: 30}\n"
              "      - {id: b, title: B, start: '2024-09-12 09:15', duration_minutes: 30}\n")
    with pytest.raises(ImportProblem) as caught:
        load_agenda(write(tmp_path, "overlap.yaml", YAML_HEAD + blocks))
    assert caught.value.field == "stages[0].blocks[1]" and caught.value.line == 8
    assert "overlapping 'A'" in caught.value.problem
    assert (caught.value.stage_id, caught.value.block_id) == ("main", "b")


def test_the_model_says_where_in_fields_not_only_in_words(reference: Event) -> None:
    stage = reference.stages[0]
    first, second = stage.blocks[:2]
    late = replace(first, planned_start=second.planned_start + timedelta(minutes=5))
    with pytest.raises(AgendaError) as caught:
        validate(replace(reference, stages=(replace(stage, blocks=(late, second, *stage.blocks[2:])),)))
    error = caught.value
    assert (error.stage_id, error.block_id, error.field) == ("plenary", second.id, "start")
    assert str(error) == f"{error.where}: {error.problem}"
    assert error.where == f"stage 'plenary', block {second.id!r} ({second.title!r})"
    with pytest.raises(AgendaError) as caught:
        validate(replace(reference, timezone="Mars/Olympus"))
    assert (caught.value.field, caught.value.block_id, str(caught.value)) == (
        "timezone", None, "event: unknown time zone 'Mars/Olympus'")
    document = event_to_dict(reference)
    document["stages"][0]["blocks"][2]["start"] = "soon"
    with pytest.raises(AgendaError) as caught:
        event_from_dict(document)
    assert caught.value.field == "stages[0].blocks[2].start"
    assert str(caught.value) == "agenda.stages[0].blocks[2].start: 'soon' is not an ISO 8601 date and time"


def test_json_faults_name_the_field(tmp_path: Path, reference: Event) -> None:
    text = to_json(reference).replace('"duration_minutes": 120', '"duration_minutes": "120"', 1)
    with pytest.raises(ImportProblem) as caught:
        load_agenda(write(tmp_path, "bad.json", text))
    assert caught.value.field == "stages[0].blocks[0].duration_minutes"
    assert caught.value.problem == "stages[0].blocks[0].duration_minutes: expected an integer or a number, got str"


def test_broken_json_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ImportProblem) as caught:
        load_agenda(write(tmp_path, "broken.json", '{"format": "runofshow",\n "title": "x",\n "stages": [\n'))
    assert caught.value.line == 4 and "not valid JSON" in caught.value.problem


def test_broken_yaml_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ImportProblem) as caught:
        load_agenda(write(tmp_path, "broken.yaml", YAML_HEAD + "      - id: [a\n"))
    assert caught.value.line == 8 and "not valid YAML" in caught.value.problem


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["format: runofshow", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    lines += ["stages:", "  - *h"] * 1
    text = "\n".join(lines[:2]) + "\n" + "\n".join(lines[2:]) + "\n" + "\n".join(f"z{i}: *a" for i in range(1000))
    with pytest.raises(ImportProblem, match="aliases"):
        load_agenda(write(tmp_path, "bomb.yaml", text))


def test_other_format_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportProblem) as caught:
        parse_native_yaml("format: somethingelse\nstages: []\n", path="x.yaml")
    assert caught.value.field == "format" and caught.value.line == 1
    assert "format is 'somethingelse'" in caught.value.problem


def test_top_level_list_is_refused() -> None:
    with pytest.raises(ImportProblem, match="expected a mapping"):
        parse_native_yaml("- a\n- b\n", path="x.yaml")


def test_json_that_is_no_agenda_says_so(tmp_path: Path) -> None:
    with pytest.raises(ImportProblem) as caught:
        load_agenda(write(tmp_path, "other.json", '{"hello": "world"}'))
    assert caught.value.field == "stages"
    assert "neither a runofshow agenda" in caught.value.problem and "nor a C3VOC schedule" in caught.value.problem
