"""Applies the rules in `rules.py` to a block's free text, keeping each fact's source sentence."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from runofshow.agenda import Breakout, Category, Contact, Duty, Fact, Presence, Reminder, Speaker, StreamPlan
from runofshow.annotate import rules as R


@dataclass(frozen=True)
class Annotations:
    """Everything inferred from one block's text, each fact with its source sentence."""

    stream: StreamPlan = StreamPlan.UNSPECIFIED
    stream_source: str = ""
    breakout: Breakout | None = None
    duties: tuple[Duty, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    working_groups: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class _Sentence:
    """A sentence as written (`raw`, a substring of the input) and NFC-normalised (`text`)."""

    raw: str
    text: str
    paragraph: int
    whole_line: bool
    in_notes: bool


@dataclass
class _Found:
    """Mutable collector used while one block is annotated."""

    facts: list[Fact] = field(default_factory=list)

    def add(self, kind: str, value: str, sentence: _Sentence, rule: str) -> None:
        """Record one fact, once."""
        fact = Fact(kind, value, sentence.raw, rule)
        if fact not in self.facts:
            self.facts.append(fact)


# --- sentences ----------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?]+[\"'»”)]*\s+(?=[\"'«“(]?[A-ZÆØÅÄÖÜÉ0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of free text, stripped, in order."""
    parts: list[str] = []
    for line in text.splitlines():
        parts.extend(_split_line(line))
    return parts


def _split_line(line: str) -> list[str]:
    """Split one line at sentence ends, except after known abbreviations such as "max."."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        before = line[start : match.start()].split()
        last_word = before[-1].lower().rstrip(".") if before else ""
        if match.group().startswith(".") and last_word in R.ABBREVIATIONS:
            continue
        parts.append(line[start : match.end()].strip())
        start = match.end()
    parts.append(line[start:].strip())
    return [part for part in parts if part]


def _paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines."""
    return [p for p in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")) if p.strip()]


def _sentences(description: str, notes: str) -> list[_Sentence]:
    """Every sentence of the description, then of the notes, with its paragraph number."""
    result: list[_Sentence] = []
    paragraph = 0
    for in_notes, text in ((False, description), (True, notes)):
        for para in _paragraphs(text or ""):
            paragraph += 1
            for line in para.splitlines():
                parts = _split_line(line)
                for part in parts:
                    normal = unicodedata.normalize("NFC", part)
                    result.append(_Sentence(part, normal, paragraph, len(parts) == 1, in_notes))
    return result


def _clauses(text: str) -> list[str]:
    """Parts of a sentence that a negation can govern."""
    return [c for c in R.CLAUSE_SPLIT.split(text) if c.strip()]


def _first(rules: Iterable[R.Rule], text: str) -> tuple[R.Rule, re.Match[str]] | None:
    """The first rule that matches the text, with its match."""
    for rule in rules:
        match = rule.pattern.search(text)
        if match:
            return rule, match
    return None


def _negated(text: str) -> bool:
    """True when the text holds a negation cue."""
    return _first(R.NEGATION_CUES, text) is not None


def _clause_at(text: str, position: int) -> str:
    """The clause of the text that contains the character at `position`."""
    start = 0
    for match in R.CLAUSE_SPLIT.finditer(text):
        if match.start() > position:
            return text[start : match.start()]
        start = match.end()
    return text[start:]


# --- stream -------------------------------------------------------------------------------


def _stream_of(sentence: _Sentence) -> tuple[StreamPlan, str] | None:
    """The stream plan a sentence states, with the rule id that decided it."""
    hit = _first(R.STREAM_RULES, sentence.text)
    if hit is None:
        return None
    rule, match = hit
    condition = _first(R.CONDITION_CUES, sentence.text)
    if condition is not None:
        return StreamPlan.ON_REQUEST, f"{rule.id}+{condition[0].id}"
    negation = _first(R.NEGATION_CUES, _clause_at(sentence.text, match.start()))
    if negation is not None:
        return StreamPlan.OFF, f"{rule.id}+{negation[0].id}"
    return StreamPlan(rule.value), rule.id


def _stream(sentences: Sequence[_Sentence], found: _Found) -> tuple[StreamPlan, str]:
    """The block's stream plan: the first statement in the notes, else in the description."""
    decided: dict[bool, tuple[StreamPlan, str]] = {}
    for sentence in sentences:
        result = _stream_of(sentence)
        if result is None:
            continue
        plan, rule_id = result
        found.add("stream", plan.value, sentence, rule_id)
        decided.setdefault(sentence.in_notes, (plan, sentence.raw))
    return decided.get(True) or decided.get(False) or (StreamPlan.UNSPECIFIED, "")


# --- breakouts ----------------------------------------------------------------------------


def _group_size(text: str) -> tuple[R.Rule, re.Match[str], int, int] | None:
    """The first group-size statement in the text: rule, match, min and max."""
    hit = _first(R.GROUP_SIZE_RULES, text)
    if hit is None:
        return None
    rule, match = hit
    if rule.value:
        size = int(rule.value)
        return rule, match, size, size
    low = int(match.group(1))
    high = int(match.group(2)) if match.lastindex and match.lastindex >= 2 and match.group(2) else low
    return rule, match, min(low, high), max(low, high)


def _group_constraints(text: str, after: int) -> list[str]:
    """Constraints in parentheses after a group size, e.g. "max. 2 fra hver kommune"."""
    return [
        inner.strip()
        for inner in re.findall(r"\(([^()]{3,200})\)", text[after:])
        if R.GROUP_CONSTRAINT.search(inner)
    ]


def _breakout(sentences: Sequence[_Sentence], found: _Found) -> Breakout | None:
    """Teams breakout rooms and physical groups, or None when the text mentions neither."""
    teams = physical = False
    low: int | None = None
    high: int | None = None
    constraints: list[str] = []
    sources: list[str] = []
    for sentence in sentences:
        text, used = sentence.text, False
        hit = _first(R.TEAMS_ROOM_RULES, text)
        if hit and not _negated(_clause_at(text, hit[1].start())):
            teams = used = True
            found.add("breakout.teams_rooms", "true", sentence, hit[0].id)
        size = _group_size(text)
        if size and not _negated(_clause_at(text, size[1].start())):
            rule, match, size_min, size_max = size
            physical = used = True
            if low is None:
                low, high = size_min, size_max
            found.add("breakout.group_size", f"{size_min}-{size_max}", sentence, rule.id)
            for constraint in _group_constraints(text, match.start()):
                constraints.append(constraint)
                found.add("breakout.group_rule", constraint, sentence, f"{rule.id}.constraint")
        elif R.GROUP_WORD.search(text) and R.GROUP_CONSTRAINT.search(text) and re.search(r"\d", text) and not size:
            constraint = text.strip().rstrip(".")
            constraints.append(constraint)
            used = True
            found.add("breakout.group_rule", constraint, sentence, "groups.any.constraint")
        physical_hit = _first(R.PHYSICAL_GROUP_RULES, text)
        if physical_hit and _physical(text):
            physical = used = True
            found.add("breakout.physical_groups", "true", sentence, physical_hit[0].id)
        if used and sentence.raw not in sources:
            sources.append(sentence.raw)
    if not sources:
        return None
    return Breakout(teams, physical, low, high, tuple(dict.fromkeys(constraints)), tuple(sources))


def _physical(text: str) -> bool:
    """False when a group mention is only about the remote side."""
    return bool(R.PHYSICAL_CONTEXT.search(text)) or not R.REMOTE_CONTEXT.search(text)


# --- duties -------------------------------------------------------------------------------


def _role_of(what: str) -> str | None:
    """The role id that a job description names, if any."""
    for role, patterns in R.ROLE_RULES:
        if all(p.search(what) for p in patterns):
            return role
    return None


def _open_duty(sentence: _Sentence) -> tuple[Duty, str] | None:
    """A job nobody has taken yet ("Trenger en leder for ..."), with its rule id."""
    text = sentence.text
    if text.rstrip().endswith("?"):
        return None
    hit = _first(R.OPEN_DUTY_RULES, text)
    if hit is None or _negated(_clause_at(text, hit[1].start())):
        return None
    rule, match = hit
    what = match.group("what").strip().rstrip(".!")
    role = _role_of(what)
    if role is None:
        return None
    inner = re.search(r"\(([^()]+)\)", what)
    detail = inner.group(1).strip() if inner else what
    return Duty(role, None, sentence.raw, detail=detail), rule.id


def _names(listed: str) -> list[str]:
    """Names from "A, B og C"."""
    return [name.strip() for name in R.NAME_SPLIT.split(listed) if _is_name(name.strip())]


def _assigned_duties(sentence: _Sentence) -> list[tuple[Duty, str]]:
    """Jobs given to named people in this sentence, with rule ids."""
    result: list[tuple[Duty, str]] = []
    for rule in R.ASSIGNED_DUTY_RULES:
        for match in rule.pattern.finditer(sentence.text):
            name = _trim_name(match.group("name"))
            if name and not _negated(_clause_at(sentence.text, match.start())):
                result.append((Duty(rule.value, name, sentence.raw), rule.id))
    for rule in R.LISTED_DUTY_RULES:
        match = rule.pattern.search(sentence.text)
        if match:
            result.extend((Duty(rule.value, name, sentence.raw), rule.id) for name in _names(match.group("names")))
    return result


def _per_group_duties(sentence: _Sentence) -> list[tuple[Duty, str]]:
    """Jobs each group fills itself ("velger selv en leder og en som skal notere")."""
    hit = _first(R.PER_GROUP_TRIGGERS, sentence.text)
    if hit is None:
        return []
    rule, match = hit
    rest = sentence.text[match.end() :]
    return [
        (Duty(role, None, sentence.raw, per_group=True), f"{rule.id}.{role}")
        for role, pattern in R.PER_GROUP_ROLES
        if pattern.search(rest)
    ]


def _duties(sentences: Sequence[_Sentence], found: _Found) -> tuple[Duty, ...]:
    """Every duty the text states, open, assigned or per group."""
    duties: list[Duty] = []
    for sentence in sentences:
        candidates = _assigned_duties(sentence) + _per_group_duties(sentence)
        open_duty = _open_duty(sentence)
        if open_duty is not None:
            candidates.append(open_duty)
        for duty, rule_id in candidates:
            key = (duty.role, duty.assignee, duty.per_group)
            if any((d.role, d.assignee, d.per_group) == key for d in duties):
                continue
            duties.append(duty)
            who = duty.assignee or ("each group" if duty.per_group else "open")
            found.add("duty", f"{duty.role}: {who}", sentence, rule_id)
    return tuple(duties)


# --- reminders ----------------------------------------------------------------------------


def _reminders(sentences: Sequence[_Sentence], found: _Found) -> tuple[Reminder, ...]:
    """Sentences that tell the crew to remember something."""
    reminders: list[Reminder] = []
    for sentence in sentences:
        hit = _first(R.REMINDER_RULES, sentence.text)
        if hit is None:
            continue
        reminders.append(Reminder(sentence.text.strip(), sentence.raw))
        found.add("reminder", sentence.text.strip(), sentence, hit[0].id)
    return tuple(reminders)


# --- people -------------------------------------------------------------------------------

_NAME_ONLY = re.compile(rf"^(?P<name>{R.NAME})$")
_NAME_AFFILIATION = re.compile(rf"^(?P<name>{R.NAME})\s*(?:,\s*|\(\s*)(?P<aff>[^,.;:()]{{2,80}}?)\s*\)?\s*[.]?$")
_NAME_LEAD = re.compile(rf"^(?P<name>{R.NAME})(?:\s*,\s*(?P<aff>[^,.;:()]{{2,80}}?)\s*,)?\s+(?P<rest>.+)$")
_NAME_FROM = re.compile(rf"^(?P<name>{R.NAME})\s+(?i:fra|from)\s+(?P<aff>{R.NAME_WORD}(?:\s+[\w\-]+){{0,3}}?)\s+(?P<rest>.+)$")


def _is_name(candidate: str, title: str = "") -> bool:
    """True when the capitalised words look like a person's name, not a keyword."""
    words = candidate.split()
    if not 1 <= len(words) <= 4 or candidate.strip().lower() == title.strip().lower():
        return False
    if any(w.lower().strip(".,") in R.NOT_NAME_WORDS for w in words):
        return False
    keyword_rules = (*R.STREAM_RULES, *R.WORKING_GROUP_RULES, *R.TEAMS_ROOM_RULES, *R.PHYSICAL_GROUP_RULES)
    return _first(keyword_rules, candidate) is None and not R.CATEGORY_RULES_MATCH(candidate)


def _trim_name(candidate: str) -> str:
    """The name without leading keyword words ("Husk Andreas" is not a name, "Andreas" is)."""
    words = candidate.split()
    while words and words[0].lower() in R.NOT_NAME_WORDS:
        words.pop(0)
    name = " ".join(words)
    return name if name and _is_name(name) else ""


def _presence_in(text: str) -> tuple[Presence, str] | None:
    """The presence a text states, unless negated, with the rule id."""
    hit = _first(R.PRESENCE_RULES, text)
    if hit is None or _negated(_clause_at(text, hit[1].start())):
        return None
    return Presence(hit[0].value), hit[0].id


def _person_in(sentence: _Sentence, title: str) -> tuple[str, str, str] | None:
    """A person the sentence introduces: name, affiliation and the rule id."""
    text = sentence.text.strip()
    if sentence.whole_line and (m := _NAME_ONLY.match(text.rstrip())) and _is_name(m["name"], title):
        if len(m["name"].split()) > 1 or not text.endswith("."):
            return m["name"], "", "person.name_only"
    if (m := _NAME_AFFILIATION.match(text)) and _is_name(m["name"], title):
        aff = m["aff"].strip()
        if _presence_in(aff):
            return m["name"], "", "person.name_presence"
        if len(m["name"].split()) > 1 or aff[:1].isupper():
            return m["name"], aff if aff[:1].isupper() else "", "person.name_affiliation"
    if (m := _NAME_FROM.match(text)) and _is_name(m["name"], title) and R.SPEAKER_VERBS.match(m["rest"]):
        return m["name"], m["aff"], "person.name_from_verb"
    if (m := _NAME_LEAD.match(text)) and _is_name(m["name"], title):
        rest = m["rest"]
        if R.SPEAKER_VERBS.match(rest) or (_presence_in(rest) and _first(R.PRESENCE_RULES, rest)[1].start() == 0):  # type: ignore[index]
            aff = (m["aff"] or "").strip()
            return m["name"], aff if aff[:1].isupper() else "", "person.name_verb"
    return None


@dataclass
class _Person:
    """A speaker being collected."""

    name: str
    presence: Presence = Presence.UNKNOWN
    affiliation: str = ""


def _speakers(sentences: Sequence[_Sentence], title: str, found: _Found) -> tuple[Speaker, ...]:
    """People introduced in the text, with presence and affiliation where stated."""
    people: list[_Person] = []
    current: _Person | None = None
    paragraph = -1
    for sentence in sentences:
        if sentence.paragraph != paragraph:
            current, paragraph = None, sentence.paragraph
        person = _person_in(sentence, title)
        if person is not None:
            name, aff, rule_id = person
            current = _merge_person(people, _Person(name, Presence.UNKNOWN, aff))
            found.add("speaker", name, sentence, rule_id)
            if aff:
                found.add("affiliation", f"{name}: {aff}", sentence, rule_id)
        presence = _presence_in(sentence.text)
        if presence is not None and current is not None and current.presence is Presence.UNKNOWN:
            current.presence = presence[0]
            found.add("presence", f"{current.name}: {presence[0].value}", sentence, presence[1])
    return tuple(Speaker(p.name, p.presence, p.affiliation) for p in people)


def _same_person(short: str, long: str) -> bool:
    """True when `short` is the start of `long` word by word ("Andreas" / "Andreas Stangenes")."""
    a, b = short.lower().split(), long.lower().split()
    return len(a) <= len(b) and b[: len(a)] == a


def _merge_person(people: list[_Person], new: _Person) -> _Person:
    """Add a person or merge them into one already known, keeping the longest name."""
    for known in people:
        if _same_person(new.name, known.name) or _same_person(known.name, new.name):
            if len(new.name) > len(known.name):
                known.name = new.name
            known.affiliation = known.affiliation or new.affiliation
            return known
    people.append(new)
    return new


# --- working groups and contacts ----------------------------------------------------------


def _working_groups(sentences: Sequence[_Sentence], found: _Found) -> tuple[str, ...]:
    """Working groups by number, normalised, unique, in order of appearance."""
    groups: list[str] = []
    for sentence in sentences:
        hits = [(m.start(), rule, m) for rule in R.WORKING_GROUP_RULES for m in rule.pattern.finditer(sentence.text)]
        for _, rule, match in sorted(hits, key=lambda hit: hit[0]):
            name = rule.value.format(int(match.group(1)))
            if name not in groups:
                groups.append(name)
            found.add("working_group", name, sentence, rule.id)
    return tuple(groups)


def _contacts(sentences: Sequence[_Sentence], found: _Found) -> tuple[Contact, ...]:
    """E-mail addresses and phone numbers (private to the crew)."""
    contacts: list[Contact] = []
    for sentence in sentences:
        text = R.URL.sub(lambda m: " " * len(m.group()), sentence.text)
        for match in R.EMAIL.finditer(text):
            _add_contact(contacts, Contact("email", match.group().rstrip("."), sentence.raw), sentence, found, "contact.email")
        for rule in R.PHONE_RULES:
            for match in rule.pattern.finditer(text):
                number = match.group().strip()
                if 8 <= sum(c.isdigit() for c in number) <= 15:
                    _add_contact(contacts, Contact("phone", number, sentence.raw), sentence, found, rule.id)
                    text = text.replace(match.group(), " " * len(match.group()))
    return tuple(contacts)


def _add_contact(contacts: list[Contact], contact: Contact, sentence: _Sentence, found: _Found, rule_id: str) -> None:
    """Add a contact once."""
    if any(c.kind == contact.kind and c.value == contact.value for c in contacts):
        return
    contacts.append(contact)
    found.add(f"contact.{contact.kind}", contact.value, sentence, rule_id)


# --- public -------------------------------------------------------------------------------


def annotate(description: str, notes: str, *, title: str = "", facilitators: Sequence[str] = ()) -> Annotations:
    """Infer facts from a block's description and private notes."""
    sentences = _sentences(description, notes)
    found = _Found()
    stream, stream_source = _stream(sentences, found)
    breakout = _breakout(sentences, found)
    duties = _duties(sentences, found)
    reminders = _reminders(sentences, found)
    speakers = _speakers(sentences, _strip_tags(title), found)
    working_groups = _working_groups(sentences, found)
    contacts = _contacts(sentences, found)
    return Annotations(
        stream=stream,
        stream_source=stream_source,
        breakout=breakout,
        duties=duties,
        reminders=reminders,
        speakers=speakers,
        working_groups=working_groups,
        contacts=contacts,
        facts=tuple(found.facts),
    )


def _strip_tags(text: str) -> str:
    """Text without HTML tags such as <b>."""
    return re.sub(r"<[^>]*>", "", text)


def classify_category(title: str, description: str, duration_minutes: float) -> tuple[Category, str]:
    """The category of a block from its title and text, with the word that decided it."""
    if duration_minutes == 0:
        return Category.MILESTONE, ""
    for text in (_strip_tags(title), description):
        hits = [(m.start(), order, category, m.group()) for order, (category, pattern) in enumerate(R.CATEGORY_RULES) for m in [pattern.search(text or "")] if m]
        if hits:
            _, _, category, word = min(hits)
            return category, word
    return Category.OTHER, ""
