"""The free-text annotator: stream plan, breakouts, duties, reminders, presence, groups, contacts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runofshow.agenda.model import Breakout, Category, Contact, Duty, Presence, Reminder, Speaker, StreamPlan
from runofshow.annotate import Annotations, annotate, classify_category, split_sentences
from runofshow.annotate import rules
from runofshow.agenda.reference import REFERENCE_AGENDA

REFERENCE = REFERENCE_AGENDA


def notes(text: str, description: str = "", **kwargs: object) -> Annotations:
    """Annotate private notes (and optionally a description)."""
    return annotate(description, text, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the reference agenda


def _reference_blocks() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Block title -> (description, notes, facilitators) from the reference export's details."""
    details = REFERENCE.read_text(encoding="utf-8").split(" - block details", 1)[1]
    blocks: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for chunk in re.split(r"^## ", details, flags=re.MULTILINE)[1:]:
        heading, _, body = chunk.partition("\n")
        title = heading.strip().strip("*")
        body = re.sub(r"^---$|^\d\d:\d\d \|.*$", "", body, flags=re.MULTILINE)
        assigned = re.search(r"^ASSIGNED TO (.*)$", body, flags=re.MULTILINE)
        facilitators = tuple(n.strip() for n in assigned.group(1).split(",")) if assigned else ()
        body = re.sub(r"^ASSIGNED TO .*$", "", body, flags=re.MULTILINE)
        parts = re.split(r"^#*\s*ADDITIONAL INFORMATION\s*$", body, maxsplit=1, flags=re.MULTILINE)
        description, private = parts[0], parts[1] if len(parts) > 1 else ""
        blocks[title] = (description.strip(), private.strip(), facilitators)
    return blocks


@pytest.fixture(scope="module")
def reference() -> dict[str, Annotations]:
    """Annotations of every block in the reference agenda, by title."""
    return {
        title: annotate(description, private, title=title, facilitators=facilitators)
        for title, (description, private, facilitators) in _reference_blocks().items()
    }


def ref(reference: dict[str, Annotations], start: str) -> Annotations:
    """The annotations of the reference block whose title starts with `start`."""
    matches = [a for title, a in reference.items() if title.startswith(start)]
    assert len(matches) == 1, start
    return matches[0]


def test_reference_parses_into_blocks() -> None:
    blocks = _reference_blocks()
    assert len(blocks) == 14
    assert blocks["Deling i plenum fra gruppediskusjonene"][1] == (
        "Husk også innspill fra Teams\n\nAndreas noterer ned innspillene"
    )


def test_reference_fylkeskommunenes_samling_is_on_request(reference: dict[str, Annotations]) -> None:
    block = ref(reference, "Fylkeskommunenes samling")
    assert block.stream is StreamPlan.ON_REQUEST
    assert block.stream_source == "Streames i utgangspunktet ikke, men kan ordnes ved behov."


@pytest.mark.parametrize(
    "title",
    ["Åpning og velkommen", '4 år siden "Strekk i laget"', "KS informerer", "Måling og rapportering", "Avrundning"],
)
def test_reference_streames_is_live(reference: dict[str, Annotations], title: str) -> None:
    block = ref(reference, title)
    assert block.stream is StreamPlan.LIVE
    assert block.stream_source == "Streames"


def test_reference_forankring_bolken_stroemmes(reference: dict[str, Annotations]) -> None:
    block = ref(reference, "Forankring")
    assert (block.stream, block.stream_source) == (StreamPlan.LIVE, "Bolken strømmes.")
    assert block.working_groups == ("Arbeidsgruppe 1",)
    assert [(d.role, d.assignee, d.per_group) for d in block.duties] == [
        ("group_lead", None, True),
        ("note_taker", None, True),
    ]
    assert block.speakers == ()


def test_reference_blocks_without_stream_words_stay_unspecified(reference: dict[str, Annotations]) -> None:
    for title in ("Lunsj", "Målkonflikter", "Pause", "Hvor er gullet", "Deling i plenum", "Slutt", "Middag"):
        assert ref(reference, title).stream is StreamPlan.UNSPECIFIED, title


def test_reference_malkonflikter(reference: dict[str, Annotations]) -> None:
    block = ref(reference, "Målkonflikter")
    open_duties = [d for d in block.duties if d.is_open]
    assert len(open_duties) == 1
    lead = open_duties[0]
    assert lead.role == "digital_group_lead"
    assert lead.source == "Trenger en leder for den digitale gruppen (ordne breakout rooms etc)"
    assert "breakout rooms" in lead.detail
    assert block.working_groups == ("Arbeidsgruppe 2", "Arbeidsgruppe 4")
    facilitators = [(d.assignee, d.source) for d in block.duties if d.role == "facilitator"]
    assert facilitators == [("Anette", "Fasiliteres av Anette og Mona"), ("Mona", "Fasiliteres av Anette og Mona")]
    assert block.breakout is not None and block.breakout.teams_rooms
    assert block.speakers == ()


def test_reference_hvor_er_gullet(reference: dict[str, Annotations]) -> None:
    block = ref(reference, "Hvor er gullet")
    assert block.breakout == Breakout(
        teams_rooms=True,
        physical_groups=True,
        group_size_min=3,
        group_size_max=4,
        rules=("max. 2 fra hver kommune i samme gruppe",),
        sources=(
            "Danne grupper på 3-4 personer (max. 2 fra hver kommune i samme gruppe)",
            "Teams: Breakout rooms, diskusjon",
        ),
    )
    assert block.speakers == ()
    assert block.duties == ()


def test_reference_deling_i_plenum(reference: dict[str, Annotations]) -> None:
    block = ref(reference, "Deling i plenum")
    assert block.duties == (Duty("note_taker", "Andreas", "Andreas noterer ned innspillene"),)
    assert block.reminders == (Reminder("Husk også innspill fra Teams", "Husk også innspill fra Teams"),)
    assert block.speakers == ()


def test_reference_strekk_i_laget_speaker_and_contact(reference: dict[str, Annotations]) -> None:
    block = ref(reference, '4 år siden "Strekk i laget"')
    assert block.speakers == (Speaker("Aase Kristine Lundberg", Presence.ON_SITE, "Nordlandsforskning"),)
    assert block.contacts == (Contact("email", "akl@nforsk.no", "akl@nforsk.no"),)
    presence = [f for f in block.facts if f.kind == "presence"]
    assert [(f.value, f.source) for f in presence] == [("Aase Kristine Lundberg: on_site", "Kommer fysisk.")]


def test_reference_name_paragraphs(reference: dict[str, Annotations]) -> None:
    assert ref(reference, "Åpning").speakers == (Speaker("Andreas"),)
    assert ref(reference, "Avrundning").speakers == (Speaker("Andreas"),)
    assert ref(reference, "KS informerer").speakers == (Speaker("Anne Romsaas"),)
    assert ref(reference, "Måling og rapportering").speakers == ()
    assert ref(reference, "Måling og rapportering").working_groups == ("Arbeidsgruppe 3",)


def test_reference_every_fact_has_its_source_in_the_text(reference: dict[str, Annotations]) -> None:
    blocks = _reference_blocks()
    for title, annotations in reference.items():
        description, private, _ = blocks[title]
        for fact in annotations.facts:
            assert fact.source and (fact.source in description or fact.source in private), (title, fact)
            assert fact.rule


# ---------------------------------------------------------------- stream plan


@pytest.mark.parametrize(
    "text",
    [
        "Streames",
        "Bolken strømmes.",
        "Streamed",
        "Strømmes",
        "Livestreames på nettsiden.",
        "Sendes direkte",
        "This session is streamed.",
        "The keynote will be live-streamed to members.",
        "Streaming: ja",
        "Bolken strømmes, men ikke gruppearbeidet etterpå.",
    ],
)
def test_stream_live(text: str) -> None:
    result = notes(text)
    assert result.stream is StreamPlan.LIVE
    assert result.stream_source == text
    assert any(f.kind == "stream" and f.value == "live" and f.source == text for f in result.facts)


@pytest.mark.parametrize(
    "text",
    ["Not streamed", "Strømmes ikke", "Streames ikke.", "Ikke streamet", "This part is not streamed.", "Streaming: nei"],
)
def test_stream_off(text: str) -> None:
    result = notes(text)
    assert (result.stream, result.stream_source) == (StreamPlan.OFF, text)


@pytest.mark.parametrize(
    "text",
    [
        "Streames i utgangspunktet ikke, men kan ordnes ved behov",
        "Not streamed by default, can be arranged on request",
        "Streamed on request.",
        "Strømmes hvis ønskelig.",
        "Livestreames ved behov.",
        "Kan streames på forespørsel.",
        "Only streamed if needed.",
    ],
)
def test_stream_on_request_is_not_live(text: str) -> None:
    result = notes(text)
    assert result.stream is StreamPlan.ON_REQUEST
    assert result.stream_source == text
    (fact,) = [f for f in result.facts if f.kind == "stream"]
    assert fact.value == "on_request" and "cond." in fact.rule


def test_stream_condition_in_the_next_sentence() -> None:
    result = notes("Not streamed by default.\nCan be arranged on request.")
    assert result.stream is StreamPlan.ON_REQUEST
    assert result.stream_source == "Not streamed by default.\nCan be arranged on request."


@pytest.mark.parametrize(
    "text",
    [
        "Skal dette streames?",
        "Strømbrudd i salen i fjor, sjekk aggregatet.",
        "Folk strømmer til når kaffen er klar.",
        "A stream of ideas from the floor.",
        "Mer informasjon kommer snart.",
        "",
    ],
)
def test_stream_not_fired(text: str) -> None:
    result = notes(text)
    assert (result.stream, result.stream_source) == (StreamPlan.UNSPECIFIED, "")


def test_stream_later_statement_in_the_notes_wins() -> None:
    result = annotate("Åpningen streames.", "Streames ikke likevel.")
    assert (result.stream, result.stream_source) == (StreamPlan.OFF, "Streames ikke likevel.")
    assert [f.value for f in result.facts if f.kind == "stream"] == ["live", "off"]


# ---------------------------------------------------------------- breakouts and groups


@pytest.mark.parametrize(
    "text",
    ["Teams: Breakout rooms", "Husk å ordne breakout rooms før pausen.", "Vi bruker breakout-rom i Teams.", "Open the Zoom breakouts."],
)
def test_teams_breakout_rooms(text: str) -> None:
    breakout = notes(text).breakout
    assert breakout is not None
    assert breakout.teams_rooms is True
    assert breakout.physical_groups is False
    assert breakout.sources == (text,)


def test_physical_groups_norwegian() -> None:
    text = "Danne grupper på 3-4 personer (max. 2 fra hver kommune i samme gruppe)"
    result = annotate(text, "")
    assert result.breakout == Breakout(
        physical_groups=True, group_size_min=3, group_size_max=4, rules=("max. 2 fra hver kommune i samme gruppe",), sources=(text,)
    )


def test_physical_groups_english() -> None:
    text = "Form groups of 3-4 people (at most 2 from the same municipality)."
    breakout = notes(text).breakout
    assert breakout is not None
    assert (breakout.physical_groups, breakout.group_size_min, breakout.group_size_max) == (True, 3, 4)
    assert breakout.rules == ("at most 2 from the same municipality",)
    assert breakout.teams_rooms is False


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("Deltakerne deles inn i grupper på fem.", (5, 5)),
        ("Vi jobber i grupper på tre til fire.", (3, 4)),
        ("Split into small groups of about 6.", (6, 6)),
        ("4-5 personer per gruppe, maks 2 fra samme kommune.", (4, 5)),
        ("Discuss in groups of two or three.", (2, 3)),
    ],
)
def test_group_sizes(text: str, size: tuple[int, int]) -> None:
    breakout = notes(text).breakout
    assert breakout is not None and breakout.physical_groups
    assert (breakout.group_size_min, breakout.group_size_max) == size


def test_group_rule_in_a_separate_sentence() -> None:
    breakout = notes("Del dere inn i grupper. Maks 2 fra hver kommune per gruppe.").breakout
    assert breakout is not None
    assert breakout.rules == ("Maks 2 fra hver kommune per gruppe",)


@pytest.mark.parametrize(
    "text",
    [
        "Ingen breakout rooms i denne bolken.",
        "No breakout rooms this time.",
        "Maks 2 minutter per innlegg.",
        "Det blir også gruppearbeid.",
        "Arbeidsgruppe 3",
    ],
)
def test_breakout_not_fired(text: str) -> None:
    assert notes(text).breakout is None


# ---------------------------------------------------------------- duties


def test_open_digital_group_lead_norwegian() -> None:
    text = "Trenger en leder for den digitale gruppen (ordne breakout rooms etc)"
    result = notes(text)
    assert result.duties == (
        Duty("digital_group_lead", None, text, detail="leder for den digitale gruppen (ordne breakout rooms etc)"),
    )
    assert result.duties[0].is_open
    assert result.breakout is not None and result.breakout.teams_rooms


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Needs a lead for the remote group.", "digital_group_lead"),
        ("Needs a lead for the digital group", "digital_group_lead"),
        ("We need someone to run the breakout rooms.", "digital_group_lead"),
        ("Needs a host for the online group.", "digital_group_lead"),
        ("We need someone to take notes.", "note_taker"),
        ("Vi trenger noen som kan notere.", "note_taker"),
        ("Det trengs en tidtaker.", "timekeeper"),
        ("We need someone to carry the roaming microphone.", "technician"),
        ("We need someone to greet people at the door.", "helper"),
        ("Referent: TBD", "note_taker"),
    ],
)
def test_open_duties(text: str, role: str) -> None:
    (duty,) = notes(text).duties
    assert (duty.role, duty.assignee, duty.is_open, duty.source) == (role, None, True, text)


@pytest.mark.parametrize(
    ("text", "role", "name"),
    [
        ("Andreas noterer ned innspillene", "note_taker", "Andreas"),
        ("Andreas takes notes.", "note_taker", "Andreas"),
        ("Kari Nordmann tar referat.", "note_taker", "Kari Nordmann"),
        ("Mona leder den digitale gruppen.", "digital_group_lead", "Mona"),
        ("Per Hansen runs the remote group.", "digital_group_lead", "Per Hansen"),
        ("Ordstyrer: Kari", "moderator", "Kari"),
        ("Lise holder tiden.", "timekeeper", "Lise"),
    ],
)
def test_assigned_duties(text: str, role: str, name: str) -> None:
    assert notes(text).duties == (Duty(role, name, text),)


@pytest.mark.parametrize(
    "text",
    [
        "Fasiliteres av Anette og Mona",
        "Facilitated by Anette and Mona.",
        "Ledes av Anette, Mona",
    ],
)
def test_facilitated_by(text: str) -> None:
    result = notes(text)
    assert [(d.role, d.assignee) for d in result.duties] == [("facilitator", "Anette"), ("facilitator", "Mona")]
    assert [f.value for f in result.facts if f.kind == "duty"] == ["facilitator: Anette", "facilitator: Mona"]


@pytest.mark.parametrize(
    "text",
    [
        "Gruppene velger selv en leder og en som skal notere.",
        "Each group chooses a lead and a note-taker.",
        "Hver gruppe velger en leder og en referent.",
    ],
)
def test_per_group_duties(text: str) -> None:
    result = notes(text)
    assert result.duties == (
        Duty("group_lead", None, text, per_group=True),
        Duty("note_taker", None, text, per_group=True),
    )
    assert not any(d.is_open for d in result.duties)


@pytest.mark.parametrize(
    "text",
    [
        "Trenger ikke en referent denne gangen.",
        "Dette trenger mer tid.",
        "We don't need a note-taker.",
        "Gruppen noterer ned innspillene.",
        "The room needs to be ready by nine.",
        "Nettverket har mye utviklingsarbeid knyttet til målkonflikter.",
    ],
)
def test_duties_not_fired(text: str) -> None:
    assert notes(text).duties == ()


def test_open_duty_without_article_or_as_a_question() -> None:
    assert [(d.role, d.assignee) for d in notes("Mangler referent.").duties] == [("note_taker", None)]
    assert [(d.role, d.assignee) for d in notes("Hvem tar notater?").duties] == [("note_taker", None)]
    assert [(d.role, d.assignee) for d in notes("Who can lead the Teams group?").duties] == [("digital_group_lead", None)]


@pytest.mark.parametrize(
    "text",
    [
        "Vi trenger flere ledere i kommunene.",
        "Man trenger indre motivasjon for at endringen skal feste seg.",
        "Hva trenger vi for å oppnå målene om 6 år?",
        "Kommunene trenger mer tid og flere verktøy før ledermøtet.",
    ],
)
def test_description_prose_is_not_an_open_duty(text: str) -> None:
    assert annotate(text, "").duties == ()


def test_several_note_takers() -> None:
    text = "Andreas og Kari noterer."
    assert [(d.role, d.assignee) for d in notes(text).duties] == [("note_taker", "Andreas"), ("note_taker", "Kari")]


# ---------------------------------------------------------------- reminders


@pytest.mark.parametrize(
    "text",
    [
        "Husk også innspill fra Teams",
        "Remember to collect input from Teams.",
        "Don't forget the remote participants!",
        "Ikke glem å dele lysarkene i chatten.",
        "NB: husk mikrofon til spørsmål.",
        "Vi må huske å ta bilder.",
    ],
)
def test_reminders(text: str) -> None:
    result = notes(text)
    expected = text.rstrip(".!")
    assert result.reminders == (Reminder(expected, text),)
    assert any(f.kind == "reminder" and f.source == text for f in result.facts)


@pytest.mark.parametrize("text", ["Husker du hva vi gjorde i fjor?", "Vi husker fortsatt forrige samling.", "Remembrance day."])
def test_reminders_not_fired(text: str) -> None:
    assert notes(text).reminders == ()


# ---------------------------------------------------------------- presence and people


def test_person_line_with_presence_on_site() -> None:
    result = notes("Aase Kristine Lundberg, Nordlandsforskning. Kommer fysisk.")
    assert result.speakers == (Speaker("Aase Kristine Lundberg", Presence.ON_SITE, "Nordlandsforskning"),)


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Kari Nordmann, Stavanger kommune, deltar digitalt.", Speaker("Kari Nordmann", Presence.REMOTE, "Stavanger kommune")),
        ("Jane Doe (University of Oslo). Joins remotely.", Speaker("Jane Doe", Presence.REMOTE, "University of Oslo")),
        ("Per Hansen på Teams", Speaker("Per Hansen", Presence.REMOTE)),
        ("John Smith attends in person.", Speaker("John Smith", Presence.ON_SITE)),
        ("Ola Nordmann er på stedet.", Speaker("Ola Nordmann", Presence.ON_SITE)),
        ("Anne Romsaas\n\nDeltar digitalt.", Speaker("Anne Romsaas", Presence.REMOTE)),
        ("Jane Doe, NTNU, on site.", Speaker("Jane Doe", Presence.ON_SITE, "NTNU")),
    ],
)
def test_presence(text: str, speaker: Speaker) -> None:
    assert notes(text).speakers == (speaker,)


@pytest.mark.parametrize(
    ("text", "presence"),
    [("Andreas joins remotely.", Presence.REMOTE), ("Andreas deltar digitalt.", Presence.REMOTE), ("Mona kommer fysisk.", Presence.ON_SITE)],
)
def test_presence_of_a_first_name(text: str, presence: Presence) -> None:
    (speaker,) = notes(text).speakers
    assert (speaker.name, speaker.presence) == (text.split()[0], presence)


def test_presence_flips_to_the_unnegated_clause() -> None:
    result = notes("Kari Nordmann kommer ikke fysisk, men deltar på Teams.")
    assert result.speakers == (Speaker("Kari Nordmann", Presence.REMOTE),)


def test_name_paragraphs_are_people_once() -> None:
    result = notes("Anne Romsaas\n\nAndreas\n\nStreames\n\nAndreas")
    assert result.speakers == (Speaker("Anne Romsaas"), Speaker("Andreas"))


def test_speaker_named_in_description_merges_with_notes() -> None:
    result = annotate(
        "Anne Romsaas går igjennom dagsaktuelle nyheter.", "Anne Romsaas\n\nKommer fysisk.", title="KS informerer"
    )
    assert result.speakers == (Speaker("Anne Romsaas", Presence.ON_SITE),)


@pytest.mark.parametrize(
    "text",
    [
        "Mer informasjon kommer snart.",
        "Arbeidsgruppe 3",
        "Walk and talk eller sofagruppediskusjoner",
        "Streames",
        "Teams",
        "Oppsummering",
        "Pause",
        "TBD",
        "akl@nforsk.no",
        "Gruppene, både de som er samlet i Stavanger og de som deltar digitalt, velger selv en leder.",
        "Breakout rooms på Teams",
        "Nordic Edge Expo",
        "Arbeidsgruppe 1 presenterer status for arbeidet.",
    ],
)
def test_not_people(text: str) -> None:
    assert notes(text).speakers == ()


def test_presence_sentence_without_a_person_is_ignored() -> None:
    assert notes("Kommer fysisk.").speakers == ()


def test_negated_presence_is_not_presence() -> None:
    assert notes("Kari Nordmann kommer ikke fysisk.").speakers == ()


def test_title_paragraph_is_not_a_person() -> None:
    assert notes("Avrundning", title="Avrundning").speakers == ()
    assert notes("Kick Off", title="Kick Off").speakers == ()


# ---------------------------------------------------------------- working groups


def test_working_groups_normalised_unique_in_order() -> None:
    result = notes(
        "Arbeidsgruppe 4 Arrangementer og kommunikasjon\n\narbeidsgruppe 2 Kompetanse\n\nArbeidsgruppe 2.\n\nArbeidsgruppe 4"
    )
    assert result.working_groups == ("Arbeidsgruppe 4", "Arbeidsgruppe 2")
    assert [f.source for f in result.facts if f.kind == "working_group"] == [
        "Arbeidsgruppe 4 Arrangementer og kommunikasjon",
        "arbeidsgruppe 2 Kompetanse",
    ]


def test_working_groups_english_and_lists() -> None:
    assert notes("Working group 3 presents.").working_groups == ("Working group 3",)
    assert notes("Arbeidsgruppene 1 og 3 samarbeider.").working_groups == ("Arbeidsgruppe 1", "Arbeidsgruppe 3")
    assert notes("Input from working groups 2 and 5.").working_groups == ("Working group 2", "Working group 5")


def test_working_groups_not_fired() -> None:
    assert notes("Innspill til arbeidsgruppens arbeid.").working_groups == ()
    assert notes("Arbeidsgruppen møtes i juni.").working_groups == ()


# ---------------------------------------------------------------- contacts


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("akl@nforsk.no", "email", "akl@nforsk.no"),
        ("Kontakt: kari.nordmann@stavanger.kommune.no ved spørsmål.", "email", "kari.nordmann@stavanger.kommune.no"),
        ("Mobil 412 34 567", "phone", "412 34 567"),
        ("Tlf. 41234567", "phone", "41234567"),
        ("Ring 22 33 44 55 ved forsinkelse.", "phone", "22 33 44 55"),
        ("Call +47 412 34 567 if late.", "phone", "+47 412 34 567"),
        ("Phone: +44 20 7946 0958", "phone", "+44 20 7946 0958"),
    ],
)
def test_contacts(text: str, kind: str, value: str) -> None:
    result = notes(text)
    assert result.contacts == (Contact(kind, value, text),)
    assert result.speakers == ()


@pytest.mark.parametrize(
    "text",
    ["Kl. 11:15 starter vi.", "Dato 06.05.2024", "Verdenspremiere den 8. mai 2024.", "Org.nr. 987 654 321", "Rom 2-4"],
)
def test_contacts_not_fired(text: str) -> None:
    assert notes(text).contacts == ()


# ---------------------------------------------------------------- facts


def test_every_inferred_item_is_also_a_fact() -> None:
    text = (
        "Kari Nordmann, NTNU. Deltar digitalt.\n\nkari@ntnu.no\n\nStreames\n\nHusk chatten.\n\n"
        "Trenger en leder for den digitale gruppen.\n\nArbeidsgruppe 2\n\nDanne grupper på 3-4 personer."
    )
    result = notes(text)
    kinds = {f.kind for f in result.facts}
    assert {"speaker", "presence", "contact", "stream", "reminder", "duty", "working_group", "breakout"} <= kinds
    for fact in result.facts:
        assert fact.source in text and fact.rule


def test_rules_are_data_with_unique_ids() -> None:
    every = [
        *rules.STREAM_RULES,
        *rules.NEGATION_CUES,
        *rules.CONDITION_CUES,
        *rules.TEAMS_ROOM_RULES,
        *rules.GROUP_SIZE_RULES,
        *rules.GROUP_FORMING_RULES,
        *rules.OPEN_DUTY_RULES,
        *rules.ASSIGNED_DUTY_RULES,
        *rules.PER_GROUP_RULES,
        *rules.REMINDER_RULES,
        *rules.PRESENCE_RULES,
        *rules.WORKING_GROUP_RULES,
    ]
    ids = [r.id for r in every]
    assert len(ids) == len(set(ids))
    assert all(r.lang in {"nb", "en", "*"} for r in every)


# ---------------------------------------------------------------- sentences and categories


def test_split_sentences() -> None:
    text = "Del 1: Vi jakter. Bli med!\n\nmax. 2 fra hver kommune. Dr. Hansen kommer. Aase K. Lundberg presenterer."
    assert split_sentences(text) == [
        "Del 1: Vi jakter.",
        "Bli med!",
        "max. 2 fra hver kommune.",
        "Dr. Hansen kommer.",
        "Aase K. Lundberg presenterer.",
    ]
    assert split_sentences("") == []
    assert split_sentences("Spørsmål:  Hva er forskjellen?") == ["Spørsmål:", "Hva er forskjellen?"]


@pytest.mark.parametrize(
    ("title", "description", "minutes", "expected"),
    [
        ("Slutt", "", 0, (Category.MILESTONE, "")),
        ("<b>Pause</b>", "", 15, (Category.BREAK, "Pause")),
        ("Kaffepause", "", 15, (Category.BREAK, "Kaffepause")),
        ("Coffee break", "", 15, (Category.BREAK, "Coffee break")),
        ("Lunsj", "", 45, (Category.MEAL, "Lunsj")),
        ("<b>Middag på Hotel Victoria</b>", "", 120, (Category.MEAL, "Middag")),
        ("Breakfast", "", 30, (Category.MEAL, "Breakfast")),
        ("Workshop: målkonflikter", "", 60, (Category.WORKSHOP, "Workshop")),
        ("Deling i plenum fra gruppediskusjonene", "", 20, (Category.DISCUSSION, "gruppediskusjonene")),
        ("Paneldebatt", "", 45, (Category.DISCUSSION, "Paneldebatt")),
        ("KS informerer", "", 30, (Category.TALK, "informerer")),
        ("Keynote", "", 30, (Category.TALK, "Keynote")),
        ("Åpning", "Et innlegg om status.", 15, (Category.TALK, "innlegg")),
        ("Målkonflikter", "Kreativ miniworkshop og diskusjonsverktøy.", 120, (Category.OTHER, "")),
        ("Breakout", "", 30, (Category.OTHER, "")),
        ("Avrundning", "Tilbakemeldinger på dagen.", 10, (Category.OTHER, "")),
    ],
)
def test_classify_category(title: str, description: str, minutes: float, expected: tuple[Category, str]) -> None:
    assert classify_category(title, description, minutes) == expected


def test_classify_category_title_wins_over_description() -> None:
    assert classify_category("Lunsj", "Diskusjon over maten", 45) == (Category.MEAL, "Lunsj")


# ---------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(), st.text(max_size=40), st.lists(st.text(max_size=20), max_size=3))
def test_annotate_never_raises_and_sources_are_in_the_input(
    description: str, private: str, title: str, facilitators: list[str]
) -> None:
    result = annotate(description, private, title=title, facilitators=facilitators)
    for fact in result.facts:
        assert fact.source in description or fact.source in private
    assert result.stream_source == "" or result.stream_source in description or result.stream_source in private


_WORDS = st.sampled_from(
    "Streames ikke men kan ordnes ved behov Husk Trenger en leder for den digitale gruppen Andreas noterer "
    "Kari Nordmann Kommer fysisk deltar digitalt Arbeidsgruppe 2 grupper på 3-4 personer (max. 2) breakout rooms "
    "akl@nforsk.no +47 412 34 567 . , \n \n\n Not streamed on request Fasiliteres av Anette og Mona ? !".split(" ")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.lists(_WORDS, max_size=40))
def test_annotate_on_keyword_soup(description: list[str], private: list[str]) -> None:
    description_text, private_text = " ".join(description), " ".join(private)
    result = annotate(description_text, private_text)
    for fact in result.facts:
        assert fact.source in description_text or fact.source in private_text
    assert [d for d in result.duties if d.source not in description_text + private_text] == []


def test_an_address_inside_a_url_is_not_a_contact() -> None:
    assert annotate("", "Se https://kari@host.no/side for mer.").contacts == ()


def test_er_pa_plass_means_on_site() -> None:
    speakers = annotate("", "Andreas Stangenes, Nordlandsforskning. Er på plass.").speakers
    assert [(s.name, s.presence) for s in speakers] == [("Andreas Stangenes", Presence.ON_SITE)]
