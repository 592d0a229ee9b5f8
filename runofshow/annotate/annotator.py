"""Applies the rules in `rules.py` to a block's free text: one pass over its sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from runofshow.agenda.model import (
    Breakout,
    Category,
    Contact,
    Duty,
    Fact,
    Presence,
    RecordPlan,
    Reminder,
    Speaker,
    StreamPlan,
    default_minimum,
)
from runofshow.annotate import rules
from runofshow.annotate.rules import Rule


@dataclass(frozen=True)
class Annotations:
    """Everything inferred from one block's text, each fact with its source sentence."""

    stream: StreamPlan = StreamPlan.UNSPECIFIED
    stream_source: str = ""
    record: RecordPlan = RecordPlan.UNSPECIFIED
    record_source: str = ""
    breakout: Breakout | None = None
    duties: tuple[Duty, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    working_groups: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    facts: tuple[Fact, ...] = ()
    flex: str = ""

    def flex_fields(self, planned: timedelta) -> dict[str, Any]:
        """The block fields the notes decide about giving time: protected, optional, or a lower minimum."""
        if self.flex == "shortenable":
            return {"min_duration": default_minimum(Category.DISCUSSION, planned)}
        return {"protected": self.flex == "protected", "optional": self.flex == "optional"}


# ---------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    "dr mr mrs ms prof ca bl.a f.eks e.g i.e nr st kl jf jfr evt inkl vs max maks min approx ref tlf tel mob".split()
)
_CANDIDATE_END = re.compile(r"[.!?]+[\"'”’)\]]*[ \t]+(?=[\"'“(\[]*[A-ZÆØÅÄÖÜÉ])")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class _Sentence:
    """One sentence: its text (a substring of the input) and its paragraph number."""

    text: str
    paragraph: int


def _is_abbreviation(line: str, end: int) -> bool:
    """True when the full stop at `end` belongs to an abbreviation or an initial ("max.", "K.")."""
    word = re.search(r"(\S+)\.$", line[max(0, end - 16) : end + 1])
    if word is None:
        return False
    token = word.group(1).lstrip("(\"'")
    return token.lower() in _ABBREVIATIONS or bool(re.fullmatch(r"[A-ZÆØÅ]", token))


def _split_line(line: str) -> Iterator[str]:
    """Sentences of one line, stripped."""
    start = 0
    for match in _CANDIDATE_END.finditer(line):
        stop = match.start()
        if line[stop] == "." and _is_abbreviation(line, stop):
            continue
        yield line[start : match.end()].strip()
        start = match.end()
    yield line[start:].strip()


def _sentences(text: str, first_paragraph: int = 0) -> list[_Sentence]:
    """The sentences of a text with their paragraph numbers (counted from `first_paragraph`)."""
    found: list[_Sentence] = []
    for number, paragraph in enumerate(_PARAGRAPH_BREAK.split(text), start=first_paragraph):
        for line in paragraph.splitlines():
            # The overview table joins paragraphs with two spaces: treat that as a line break.
            for piece in re.split(r"(?<=[.!?:])[ \t]{2,}", line):
                found.extend(_Sentence(s, number) for s in _split_line(piece) if s)
    return found


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of free text, stripped, in order."""
    return [sentence.text for sentence in _sentences(text)]


# ---------------------------------------------------------------- helpers


def _first(rule_set: Sequence[Rule], text: str) -> tuple[Rule, re.Match[str]] | None:
    """The first rule in `rule_set` that matches `text`, with its match."""
    for candidate in rule_set:
        match = candidate.pattern.search(text)
        if match:
            return candidate, match
    return None


def _clause_at(text: str, position: int) -> str:
    """The clause of `text` (between commas, "men", "but"...) that contains `position`."""
    start = 0
    for boundary in rules.CLAUSE_BOUNDARY.finditer(text):
        if boundary.start() > position:
            return text[start : boundary.start()]
        if boundary.end() > position:
            return text[start : boundary.end()]
        start = boundary.end()
    return text[start:]


def _negated(clause: str) -> Rule | None:
    """The negation cue in a clause, if any."""
    hit = _first(rules.NEGATION_CUES, clause)
    return hit[0] if hit else None


def _is_question(sentence: str) -> bool:
    """True for a question: a plan stated as a question is not a plan."""
    return sentence.rstrip().endswith("?")


def _tidy(text: str) -> str:
    """Text without surrounding spaces and trailing full stops or commas."""
    return text.strip().rstrip(".,;:!").strip()


def _looks_like_name(candidate: str, known: frozenset[str]) -> bool:
    """True when a capitalised phrase is plausibly a person (not a keyword, group or organisation)."""
    candidate = _tidy(candidate)
    if candidate in known:
        return True
    if not re.fullmatch(rules.NAME, candidate):
        return False
    words = [w for w in candidate.split() if not re.fullmatch(rules.PARTICLE, w)]
    lowered = [w.lower().rstrip(".") for w in words]
    stop = rules.NOT_NAMES | rules.ORGANISATION_WORDS | rules.PRESENCE_FILLER
    if any(w in stop for w in lowered):
        return False
    if any(w.endswith(rules.NOT_NAME_SUFFIXES) for w in lowered if len(w) > 4):
        return False
    return not all(len(w) <= 2 for w in lowered)


def _split_names(names: str, known: frozenset[str]) -> list[str]:
    """The people in "Anette og Mona" / "Anette Bærheim, Mona Nilsen and Per"."""
    return [_tidy(n) for n in rules.NAME_SEPARATORS.split(names) if n.strip() and _looks_like_name(n, known)]


# ---------------------------------------------------------------- the collector


@dataclass
class _Collector:
    """Mutable state while reading one block's sentences; `result()` freezes it."""

    known_names: frozenset[str]
    stream: StreamPlan = StreamPlan.UNSPECIFIED
    stream_source: str = ""
    record: RecordPlan = RecordPlan.UNSPECIFIED
    record_source: str = ""
    teams_rooms: bool = False
    physical_groups: bool = False
    group_size: tuple[int | None, int | None] = (None, None)
    group_rules: list[str] = field(default_factory=list)
    breakout_sources: list[str] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    speakers: dict[str, Speaker] = field(default_factory=dict)
    working_groups: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    flex: str = ""
    # The last person mentioned, and in which paragraph, for "Kommer fysisk." on its own.
    last_person: tuple[str, int] | None = None

    def fact(self, kind: str, value: str, source: str, rule_id: str) -> None:
        """Record one inferred fact (once)."""
        item = Fact(kind, value, source, rule_id)
        if item not in self.facts:
            self.facts.append(item)

    def breakout_source(self, source: str) -> None:
        """Remember a sentence that says something about breakouts."""
        if source not in self.breakout_sources:
            self.breakout_sources.append(source)

    def add_duty(self, duty: Duty, rule_id: str) -> None:
        """Add a duty unless the same role and assignee are already there."""
        if any((d.role, d.assignee, d.per_group) == (duty.role, duty.assignee, duty.per_group) for d in self.duties):
            return
        self.duties.append(duty)
        who = "per group" if duty.per_group else (duty.assignee or "open")
        self.fact("duty", f"{duty.role}: {who}", duty.source, rule_id)

    def add_speaker(self, name: str, presence: Presence, affiliation: str, source: str, rule_id: str) -> None:
        """Add a speaker, or fill in presence and affiliation of one already known."""
        old = self.speakers.get(name)
        if old is None:
            self.speakers[name] = Speaker(name, presence, affiliation)
            self.fact("speaker", name, source, rule_id)
        else:
            self.speakers[name] = replace(
                old,
                presence=presence if presence is not Presence.UNKNOWN else old.presence,
                affiliation=old.affiliation or affiliation,
            )
        if presence is not Presence.UNKNOWN:
            self.fact("presence", f"{name}: {presence.value}", source, rule_id)
        if affiliation:
            self.fact("affiliation", f"{name}: {affiliation}", source, rule_id)

    def result(self) -> Annotations:
        """The frozen annotations."""
        breakout = None
        if self.teams_rooms or self.physical_groups or self.group_rules:
            breakout = Breakout(
                teams_rooms=self.teams_rooms,
                physical_groups=self.physical_groups,
                group_size_min=self.group_size[0],
                group_size_max=self.group_size[1],
                rules=tuple(self.group_rules),
                sources=tuple(self.breakout_sources),
            )
        return Annotations(
            stream=self.stream,
            stream_source=self.stream_source,
            record=self.record,
            record_source=self.record_source,
            breakout=breakout,
            duties=tuple(self.duties),
            reminders=tuple(self.reminders),
            speakers=tuple(self.speakers.values()),
            working_groups=tuple(self.working_groups),
            contacts=tuple(self.contacts),
            facts=tuple(self.facts),
            flex=self.flex,
        )


# ---------------------------------------------------------------- stream


def _stream_in(sentence: str, following: str | None) -> tuple[StreamPlan, str, str] | None:
    """The stream plan one sentence states, the text it rests on and the rule ids, or None."""
    hit = _first(rules.STREAM_RULES, sentence)
    if hit is None or _is_question(sentence):
        return None
    found, match = hit
    value = StreamPlan(found.value)
    rule_id = found.id
    source = sentence
    condition = _first(rules.CONDITION_CUES, sentence)
    if value is StreamPlan.LIVE and (negation := _negated(_clause_at(sentence, match.start()))):
        value, rule_id = StreamPlan.OFF, f"{rule_id}+{negation.id}"
    # "Not streamed by default. Can be arranged on request." states the condition in a second sentence.
    if condition is None and value is StreamPlan.OFF and following and len(following.split()) <= 8:
        next_condition = _first(rules.CONDITION_CUES, following)
        if next_condition and _first(rules.STREAM_RULES, following) is None:
            condition, source = next_condition, f"{sentence} {following}"
    if condition is not None:
        value, rule_id = StreamPlan.ON_REQUEST, f"{rule_id}+{condition[0].id}"
    return value, source, rule_id


def _record(collector: _Collector, sentence: str) -> None:
    """A recording statement: a fact each time; the last one (notes come after the description) decides."""
    hit = _first(rules.RECORD_RULES, sentence)
    if hit is None or _is_question(sentence):
        return
    found, _ = hit
    collector.record, collector.record_source = RecordPlan(found.value), sentence
    collector.fact("record", found.value, sentence, found.id)


# ---------------------------------------------------------------- breakouts and groups


def _number(word: str | None) -> int | None:
    """An integer from digits or a number word."""
    if word is None:
        return None
    return int(word) if word.isdigit() else rules.NUMBER_WORDS.get(word.lower())


def _groups(collector: _Collector, sentence: str) -> None:
    """Teams breakout rooms, physical groups, their size and their rules."""
    room = _first(rules.TEAMS_ROOM_RULES, sentence)
    if room and not _negated(_clause_at(sentence, room[1].start())):
        collector.teams_rooms = True
        collector.breakout_source(sentence)
        collector.fact("breakout", "teams_rooms", sentence, room[0].id)
    size = _first(rules.GROUP_SIZE_RULES, sentence)
    forming = _first(rules.GROUP_FORMING_RULES, sentence)
    if size and collector.group_size == (None, None):
        low, high = _number(size[1].group("min")), _number(size[1].group("max"))
        upto = "upto" in size[1].groupdict() and size[1].group("upto")
        collector.group_size = (None, low) if upto else (low, high if high is not None else low)
        shown = "-".join(str(n) for n in collector.group_size if n is not None)
        collector.fact("breakout", f"groups of {shown}", sentence, size[0].id)
    formed = size or forming
    if formed:
        if not collector.physical_groups:
            collector.physical_groups = True
            collector.fact("breakout", "physical_groups", sentence, formed[0].id)
        collector.breakout_source(sentence)
    if rules.GROUP_WORD.search(sentence):
        _group_rules(collector, sentence)


def _group_rules(collector: _Collector, sentence: str) -> None:
    """Rules for composing groups: a bracketed limit, or a limit clause in the sentence."""
    found: list[str] = []
    for bracket in re.findall(r"\(([^()]+)\)", sentence):
        if rules.GROUP_LIMIT.pattern.search(bracket):
            found.append(_tidy(bracket))
    if not found:
        found = [_tidy(m.group(0)) for m in rules.GROUP_LIMIT.pattern.finditer(sentence)]
    for text in found:
        if text and text not in collector.group_rules:
            collector.group_rules.append(text)
            collector.breakout_source(sentence)
            collector.fact("group_rule", text, sentence, rules.GROUP_LIMIT.id)


# ---------------------------------------------------------------- duties


def _role_of(phrase: str) -> Rule | None:
    """The role a phrase names ("leder for den digitale gruppen" -> digital_group_lead)."""
    hit = _first(rules.ROLES, phrase)
    return hit[0] if hit else None


def _open_duty(collector: _Collector, sentence: str) -> None:
    """"Trenger en leder for ...", "We need someone to ...": a duty nobody has taken yet."""
    hit = _first(rules.OPEN_DUTY_RULES, sentence)
    if hit is None:
        return
    found, match = hit
    if _negated(_clause_at(sentence, match.start())) and not found.id.endswith(".who"):
        return
    phrase = _tidy(match.group("phrase").rstrip("?"))
    someone = bool(match.groupdict().get("who")) or found.id.endswith(".who")
    head = " ".join(phrase.split()[: rules.ROLE_HEAD_WORDS])
    if _role_of(head) is None and not someone:
        return
    role = _role_of(phrase)
    role_id = role.value if role else rules.HELPER_ROLE
    collector.add_duty(Duty(role_id, None, sentence, detail=phrase), found.id)


def _assigned_duties(collector: _Collector, sentence: str) -> None:
    """"Andreas noterer ned innspillene", "Fasiliteres av Anette og Mona": duties with a name."""
    for found in rules.ASSIGNED_DUTY_RULES:
        match = found.pattern.search(sentence)
        if match is None:
            continue
        for name in _split_names(match.group("names"), collector.known_names):
            collector.add_duty(Duty(found.value, name, sentence), found.id)
    field_match = rules.DUTY_FIELD.pattern.search(sentence)
    if field_match is None:
        return
    role = _role_of(field_match.group("key"))
    role_id = role.value if role else "facilitator"
    value = _tidy(field_match.group("names"))
    if value.lower() in rules.UNASSIGNED:
        collector.add_duty(Duty(role_id, None, sentence, detail=_tidy(field_match.group("key"))), rules.DUTY_FIELD.id)
        return
    for name in _split_names(value, collector.known_names):
        collector.add_duty(Duty(role_id, name, sentence), rules.DUTY_FIELD.id)


def _per_group_duties(collector: _Collector, sentence: str) -> None:
    """"Gruppene velger selv en leder og en som skal notere": duties each group fills itself."""
    hit = _first(rules.PER_GROUP_RULES, sentence)
    if hit is None:
        return
    tail = sentence[hit[1].start() :]
    roles = sorted(
        (match.start(), found.value) for found in rules.PER_GROUP_ROLES if (match := found.pattern.search(tail))
    )
    for _, role_id in roles:
        collector.add_duty(Duty(role_id, None, sentence, per_group=True), hit[0].id)


# ---------------------------------------------------------------- reminders and working groups


def _reminder(collector: _Collector, sentence: str) -> None:
    """"Husk også innspill fra Teams", "Don't forget ...": something to remember."""
    hit = _first(rules.REMINDER_RULES, sentence)
    if hit is None or _is_question(sentence):
        return
    text = _tidy(sentence)
    if all(r.text != text for r in collector.reminders):
        collector.reminders.append(Reminder(text, sentence))
        collector.fact("reminder", text, sentence, hit[0].id)


def _flex(collector: _Collector, sentence: str) -> None:
    """"Kan kortes ved behov", "optional", "må ikke kortes": how much the block may give; the first statement decides."""
    hit = _first(rules.FLEX_RULES, sentence)
    if hit is None or _is_question(sentence):
        return
    collector.fact("flex", hit[0].value, sentence, hit[0].id)
    collector.flex = collector.flex or hit[0].value


def _working_groups(collector: _Collector, sentence: str) -> None:
    """"Arbeidsgruppe 2 Kompetanse", "working groups 1 and 3": normalised, once each."""
    for found in rules.WORKING_GROUP_RULES:
        for match in found.pattern.finditer(sentence):
            for number in re.findall(r"\d+", match.group("nums")):
                name = found.value.format(n=int(number))
                if name not in collector.working_groups:
                    collector.working_groups.append(name)
                    collector.fact("working_group", name, sentence, found.id)


# ---------------------------------------------------------------- contacts


def _contacts(collector: _Collector, sentence: str) -> None:
    """E-mail addresses and phone numbers (private: crew only)."""
    found: list[tuple[int, str, str, str]] = []
    for match in rules.EMAIL.pattern.finditer(sentence):
        found.append((match.start(), rules.EMAIL.value, match.group(0), rules.EMAIL.id))
    for phone_rule in rules.PHONE_RULES:
        for match in phone_rule.pattern.finditer(sentence):
            if _plausible_phone(match.group(0)) and not any(s <= match.start() < s + len(v) for s, _, v, _ in found):
                found.append((match.start(), phone_rule.value, match.group(0).strip(), phone_rule.id))
    for _, kind, value, rule_id in sorted(found):
        if all(c.value != value for c in collector.contacts):
            collector.contacts.append(Contact(kind, value, sentence))
            collector.fact("contact", f"{kind}: {value}", sentence, rule_id)


def _plausible_phone(text: str) -> bool:
    """True for a digit count a phone number can have, and not a date written as digits."""
    digits = re.sub(r"\D", "", text)
    low, high = rules.PHONE_DIGITS
    if not low <= len(digits) <= high:
        return False
    return not re.fullmatch(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])", digits)


# ---------------------------------------------------------------- people and presence


def _presence_in(text: str) -> tuple[Presence, re.Match[str], Rule] | None:
    """A presence cue that is not negated in its clause."""
    for found in rules.PRESENCE_RULES:
        for match in found.pattern.finditer(text):
            if not _negated(_clause_at(text, match.start())):
                return Presence(found.value), match, found
    return None


def _person_line(collector: _Collector, sentence: _Sentence, title: str) -> bool:
    """"Aase Kristine Lundberg, Nordlandsforskning." / "Jane Doe (NTNU), joins remotely.": a person."""
    text = re.sub(r"\s*\(([^()]+)\)", r", \1", _tidy(sentence.text))
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not _looks_like_name(parts[0], collector.known_names):
        return False
    if len(parts) == 1:
        return _name_only(collector, sentence, parts[0], title)
    name, affiliation, presence, rule_id = parts[0], "", Presence.UNKNOWN, "speaker.*.line"
    if len(name.split()) < 2 and name not in collector.known_names:
        return False
    for part in parts[1:]:
        cue = _presence_in(part)
        if cue and _only_filler(part, cue[1]):
            presence, rule_id = cue[0], cue[2].id
        elif not affiliation and re.match(r"[A-ZÆØÅ0-9]", part) and len(part.split()) <= 6:
            affiliation = part
        else:
            return False
    collector.add_speaker(name, presence, affiliation, sentence.text, rule_id)
    collector.last_person = (name, sentence.paragraph)
    return True


def _name_only(collector: _Collector, sentence: _Sentence, name: str, title: str) -> bool:
    """A sentence or paragraph that is only a person's name ("Anne Romsaas", "Andreas")."""
    ends_sentence = sentence.text.rstrip().endswith((".", "!", "?", ":"))
    if ends_sentence and len(name.split()) < 2:
        return False
    if (title and name.lower() in title.lower()) or _mentions_anything(name):
        return False
    collector.add_speaker(name, Presence.UNKNOWN, "", sentence.text, "speaker.*.name_paragraph")
    collector.last_person = (name, sentence.paragraph)
    return True


def _only_filler(text: str, cue: re.Match[str]) -> bool:
    """True when a sentence says nothing but the presence cue ("Kommer fysisk.", "Joins remotely.")."""
    rest = (text[: cue.start()] + " " + text[cue.end() :]).lower()
    return all(word in rules.PRESENCE_FILLER for word in re.findall(r"[\wæøå]+", rest))


def _presence(collector: _Collector, sentence: _Sentence, paragraph_start: bool) -> None:
    """Presence for a person named in the sentence, or for the person just mentioned."""
    cue = _presence_in(sentence.text)
    if cue is None:
        return
    presence, match, found = cue
    name_match = re.match(rf"(?:{rules.HONORIFIC})?(?P<name>{rules.NAME})\s", sentence.text)
    if name_match and _looks_like_name(name_match.group("name"), collector.known_names):
        name = name_match.group("name")
        between = sentence.text[name_match.end() : match.start()].lower().split()
        if len(name.split()) >= 2 or name in collector.known_names or set(between) <= rules.PRESENCE_FILLER:
            _present(collector, name, presence, sentence.text, found.id)
            collector.last_person = (name, sentence.paragraph)
            return
    if not _only_filler(sentence.text, match) or collector.last_person is None:
        return
    name, paragraph = collector.last_person
    # A bare "Kommer fysisk." belongs to the person in its paragraph, or in the one just before.
    if paragraph == sentence.paragraph or (paragraph_start and paragraph == sentence.paragraph - 1):
        _present(collector, name, presence, sentence.text, found.id)


def _present(collector: _Collector, name: str, presence: Presence, source: str, rule_id: str) -> None:
    """A person said to be there (or remote) becomes a speaker, unless they facilitate the block."""
    if name in collector.known_names:  # a facilitator's presence is a fact, not a reason to list them as speaker
        collector.fact("presence", f"{name}: {presence.value}", source, f"{rule_id}+facilitator")
        return
    collector.add_speaker(name, presence, "", source, rule_id)


def _speaker_verb(collector: _Collector, sentence: str, paragraph: int) -> None:
    """"Anne Romsaas går igjennom ...": a named person presenting."""
    match = rules.SPEAKER_VERB.pattern.match(sentence)
    if match is None:
        return
    name = match.group("name")
    if not _looks_like_name(name, collector.known_names):
        return
    if len(name.split()) < 2 and name not in collector.known_names:
        return
    collector.add_speaker(name, Presence.UNKNOWN, _tidy(match.group("aff") or ""), sentence, rules.SPEAKER_VERB.id)
    collector.last_person = (name, paragraph)


def _mentions_anything(text: str) -> bool:
    """True when a text triggers one of the other rules (so it is not just a name)."""
    rule_sets = (rules.STREAM_RULES, rules.REMINDER_RULES, rules.WORKING_GROUP_RULES, rules.TEAMS_ROOM_RULES)
    return any(_first(rule_set, text) for rule_set in rule_sets)


# ---------------------------------------------------------------- annotate


def _known_names(facilitators: Sequence[str]) -> frozenset[str]:
    """Facilitators' full names and first names: names the detector accepts without doubt."""
    names: set[str] = set()
    for person in facilitators:
        person = person.strip()
        if person:
            names.add(person)
            names.add(person.split()[0])
    return frozenset(names)


def annotate(description: str, notes: str, *, title: str = "", facilitators: Sequence[str] = ()) -> Annotations:
    """Infer facts from a block's description and private notes."""
    description_sentences = _sentences(description or "")
    first_notes_paragraph = (description_sentences[-1].paragraph + 2) if description_sentences else 0
    sentences = description_sentences + _sentences(notes or "", first_notes_paragraph)
    collector = _Collector(known_names=_known_names(facilitators))
    stream_found: list[tuple[StreamPlan, str, str]] = []
    for index, sentence in enumerate(sentences):
        following = sentences[index + 1] if index + 1 < len(sentences) else None
        same_paragraph = following is not None and following.paragraph == sentence.paragraph
        paragraph_start = index == 0 or sentences[index - 1].paragraph != sentence.paragraph
        stream = _stream_in(sentence.text, following.text if same_paragraph and following else None)
        if stream:
            stream_found.append(stream)
        _record(collector, sentence.text)
        _groups(collector, sentence.text)
        _open_duty(collector, sentence.text)
        _assigned_duties(collector, sentence.text)
        _per_group_duties(collector, sentence.text)
        _reminder(collector, sentence.text)
        _flex(collector, sentence.text)
        _working_groups(collector, sentence.text)
        _contacts(collector, sentence.text)
        if not _person_line(collector, sentence, title):
            _speaker_verb(collector, sentence.text, sentence.paragraph)
            _presence(collector, sentence, paragraph_start)
    _decide_stream(collector, stream_found, description, notes)
    return collector.result()


def _decide_stream(collector: _Collector, found: list[tuple[StreamPlan, str, str]], *texts: str) -> None:
    """Every stream statement is a fact; the last one (notes come after the description) decides."""
    for value, source, rule_id in found:
        collector.fact("stream", value.value, _as_written(source, texts), rule_id)
    if found:
        value, source, _ = found[-1]
        collector.stream, collector.stream_source = value, _as_written(source, texts)


def _as_written(source: str, texts: Sequence[str]) -> str:
    """The source as it stands in the input (two joined sentences may have had a line break between)."""
    pattern = r"\s+".join(re.escape(word) for word in source.split())
    for text in texts:
        match = re.search(pattern, text)
        if match:
            return match.group(0)
    return source


# ---------------------------------------------------------------- categories


def _category_word(text: str) -> tuple[Category, str] | None:
    """The earliest category word in a text, with the text as written."""
    best: tuple[int, int, Category, str] | None = None
    for priority, (category, words) in enumerate(rules.CATEGORY_WORDS):
        for word in words:
            spaced = r"\s+".join(re.escape(part) for part in word.split())
            pattern = rf"(?<![\wæøå]){spaced}{rules.CATEGORY_SUFFIX}(?![\wæøå])"
            match = re.search(pattern, text, re.IGNORECASE)
            if match and (best is None or (match.start(), priority) < best[:2]):
                best = (match.start(), priority, category, match.group(0))
    return (best[2], best[3]) if best else None


def classify_conference_type(label: str, length_minutes: float) -> tuple[Category, Fact | None]:
    """The category a conference tool's event type names, with the rule that fired as a fact (None: no rule)."""
    words = re.sub(r"[_\s]+", " ", label.lower())
    best: tuple[int, int, str, Category] | None = None
    for priority, (rule_id, category, keys) in enumerate(rules.CONFERENCE_TYPE_RULES):
        for key in keys:
            match = re.search(rf"(?<![a-z]){re.escape(key)}", words)
            if match and (best is None or (match.start(), priority) < best[:2]):
                best = (match.start(), priority, rule_id, category)
    if best is not None:
        return best[3], Fact("category", best[3].value, f"type: {label}", best[2])
    if length_minutes == 0:
        return Category.MILESTONE, Fact("category", Category.MILESTONE.value, f"type: {label}", "type.no-length")
    return Category.OTHER, None


def classify_category(title: str, description: str, duration_minutes: float) -> tuple[Category, str]:
    """The category of a block from its title and text, with the word that decided it."""
    if duration_minutes == 0:
        return Category.MILESTONE, ""
    plain_title = re.sub(r"<[^>]+>", " ", title or "")
    for text in (plain_title, description or ""):
        found = _category_word(text)
        if found:
            return found
    return Category.OTHER, ""
