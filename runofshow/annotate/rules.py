"""The annotator's rules as data: patterns per language, the value each implies, and cue words.

Every rule has a stable id (``<kind>.<lang>.<name>``) that is stored with each inferred fact, so
the crew can see which rule fired on which sentence. Patterns are case-insensitive unless they
contain a person's name (names are recognised by their capital letters); those scope the
case-insensitive parts with ``(?i:...)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runofshow.agenda.model import Category, Presence, RecordPlan, StreamPlan


@dataclass(frozen=True)
class Rule:
    """A pattern in one language (nb, en or * for both) and the value a match implies."""

    id: str
    lang: str
    pattern: re.Pattern[str]
    value: str = ""


def rule(rule_id: str, pattern: str, value: str = "", *, ci: bool = True) -> Rule:
    """A rule whose language is the middle part of its id."""
    lang = rule_id.split(".")[1] if rule_id.count(".") >= 2 else "*"
    return Rule(rule_id, lang, re.compile(pattern, re.IGNORECASE if ci else 0), value)


# ---------------------------------------------------------------- names

_UPPER = "A-ZÆØÅÄÖÜÉÈÁÓÍÚ"
_LOWER = "a-zæøåäöüéèáóíúñçë'’"
NAME_WORD = rf"(?:[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?|[{_UPPER}]\.)"
PARTICLE = r"(?:von|van|der|de|af|la|le|di|da)"
# One person's name: 1-4 capitalised words, with particles such as "van" allowed in between.
NAME = rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)?{NAME_WORD}){{0,3}}"
# A title before a name ("Dr. Kari Nordmann", "Professor Lise Berg"): not part of the name.
HONORIFIC = r"(?:(?:Dr|Prof|Mr|Mrs|Ms|Mx)\.?|Professor|Doktor|Direktør|Director|Ordfører|Statsråd|Minister)\s+"
# Several names: "Anette og Mona", "Anette Bærheim, Mona Nilsen and Per".
NAMES = rf"{NAME}(?:\s*(?:,|&|\+|\s(?i:og|and)\s)\s*{NAME})*"
NAME_SEPARATORS = re.compile(r"\s*(?:,|&|\+|\b(?:og|and)\b)\s*", re.IGNORECASE)

# Capitalised words that are not people (lowercase here). Sentence-initial capitals make every
# first word look like a name, so this list and NOT_NAME_SUFFIXES keep the detector conservative.
NOT_NAMES = frozenset(
    """
    vi jeg du dere de han hun den det dette disse alle noen hver ingen man meg oss
    we i you they he she it this that these those everyone someone somebody each every all
    the a an our their my your his her its
    gruppen gruppene gruppa grupper gruppe arbeidsgruppen arbeidsgruppe styret nettverket
    sekretariatet teamet kommunen kommunene fylkeskommunen fylkeskommunene leder lederen
    moderator moderatoren referent referenten ordstyrer ordstyreren deltakerne deltakere
    group groups team chair host moderator participants speaker speakers panel
    teams zoom mentimeter menti kahoot slido padlet powerpoint youtube vimeo
    streames strømmes streamet strømmet streamed streaming livestream live stream
    husk remember note obs nb tbd tba info informasjon mer more ja nei yes no ok okay
    pause kaffepause lunsj lunch middag dinner frokost breakfast workshop diskusjon
    discussion paneldebatt panel innlegg foredrag keynote talk presentasjon plenum
    program agenda velkommen welcome takk thanks oppsummering summary avslutning slutt
    innledning intro introduksjon spørsmål questions q&a mingling registrering kaffe
    del part dag day kl og and eller or men but om about for fra from med with til to
    trenger needs kommer deltar fasiliteres facilitated hvor hva hvem hvorfor hvordan
    when where what who why how is er blir will
    """.split()
)
NOT_NAME_SUFFIXES = ("ene", "ing", "sjon", "tion", "het", "else", "ment", "ness", "skap", "ologi")
# Words that make a capitalised phrase an organisation or a place rather than a person.
ORGANISATION_WORDS = frozenset(
    """
    as asa sa ltd inc kommune fylkeskommune universitet university høgskole college hotel
    hotell senter center centre forum expo konferanse conference nettverk network
    forskning research institutt institute direktoratet departement ministry
    """.split()
)


# ---------------------------------------------------------------- negation and condition cues

NEGATION_CUES: tuple[Rule, ...] = (
    rule("neg.nb.ikke", r"\b(?:ikke|ingen|intet|uten|aldri|verken)\b"),
    rule("neg.en.not", r"\b(?:not|no|without|never|nothing|none|neither)\b|n['’]t\b"),
)

CONDITION_CUES: tuple[Rule, ...] = (
    rule("cond.nb.ved_behov", r"\bved\s+behov\b"),
    rule("cond.nb.kan_ordnes", r"\bkan\s+(?:ordnes|arrangeres|fikses|settes\s+opp)\b"),
    rule("cond.nb.hvis_onskelig", r"\b(?:hvis|om|dersom)\s+(?:det\s+er\s+)?(?:ønskelig|nødvendig|behov)\b"),
    rule("cond.nb.foresporsel", r"\b(?:på|ved|etter)\s+(?:forespørsel|avtale|ønske)\b"),
    rule("cond.nb.noen_onsker", r"\b(?:hvis|om|dersom)\s+noen\s+(?:ønsker|ber\s+om|trenger)\b"),
    rule("cond.en.on_request", r"\b(?:on|upon|by)\s+(?:request|demand)\b"),
    rule("cond.en.if_needed", r"\bif\s+(?:needed|required|requested|desired|necessary|wanted|anyone\s+asks)\b"),
    rule("cond.en.when_needed", r"\b(?:when|as)\s+needed\b"),
    rule("cond.en.can_be_arranged", r"\b(?:can|could|may)\s+be\s+(?:arranged|organi[sz]ed|set\s+up)\b"),
)

# Clause boundaries: negation only counts inside the clause it is in ("Streames, men ikke Q&A").
CLAUSE_BOUNDARY = re.compile(r"\s*(?:[,;–—]|\s-\s|\b(?:men|but|except|unntatt|bortsett\s+fra)\b)\s*", re.IGNORECASE)


# ---------------------------------------------------------------- stream plan

# Checked in order; the first rule that matches a sentence decides, then cues adjust the value:
# a condition cue anywhere in the sentence makes it on_request, a negation in the clause makes it off.
STREAM_RULES: tuple[Rule, ...] = (
    rule(
        "stream.*.field_no",
        r"\b(?:stream(?:ing|es)?|strømming|strømmes|livestream|direktesending)\s*[:=]\s*(?:nei|no)\b",
        StreamPlan.OFF,
    ),
    rule(
        "stream.*.field_yes",
        r"\b(?:stream(?:ing|es)?|strømming|strømmes|livestream|direktesending)\s*[:=]\s*(?:ja|yes)\b",
        StreamPlan.LIVE,
    ),
    rule("stream.nb.verb", r"\b(?:live)?(?:stream(?:es|et|e|er)|strøm(?:mes|met|me))\b", StreamPlan.LIVE),
    rule("stream.nb.direct", r"\b(?:sendes\s+(?:direkte|live)|direktesend\w*|overføres\s+direkte|direkteoverfør\w*)", StreamPlan.LIVE),
    rule("stream.en.verb", r"\b(?:live[- ]?)?streamed\b", StreamPlan.LIVE),
    rule("stream.en.live", r"\blive[- ]?stream(?:ing|s)?\b", StreamPlan.LIVE),
    rule("stream.en.broadcast", r"\b(?:broadcast|aired|goes\s+out|go\s+out|sent\s+out)\s+live\b", StreamPlan.LIVE),
    rule("stream.*.noun", r"\b(?:streaming|strømming)\b", StreamPlan.LIVE),
)


# Recording plan: a speaker's opt-out or a note that the block is (not) recorded. The first rule that
# matches a sentence decides; the negative ones come first ("not recorded" also holds "recorded").
RECORD_RULES: tuple[Rule, ...] = (
    # "tas (ikke) opp" is left out: it also means a topic is (not) raised.
    rule("record.nb.no", r"\b(?:ikke|ingen|uten)\s+(?:\w+\s+){0,2}?opptak\b|\bopptak\s*[:=]\s*nei\b",
         RecordPlan.DO_NOT_RECORD),
    rule("record.en.no", r"\b(?:no|without)\s+recordings?\b|\bnot\s+(?:be\s+)?recorded\b|\bdo\s+not\s+record\b"
         r"|\bdon'?t\s+record\b|\brecording\s*[:=]\s*no\b|\bopt(?:s|ed)?\s+out\s+of\s+(?:the\s+)?recording\b",
         RecordPlan.DO_NOT_RECORD),
    rule("record.nb.yes", r"\b(?:gjøres|lages|blir\s+det)\s+(?:et\s+)?opptak\b|\bopptak\s*[:=]\s*ja\b",
         RecordPlan.RECORD),
    rule("record.en.yes", r"\b(?:will\s+be|is|gets)\s+recorded\b|\brecording\s*[:=]\s*yes\b", RecordPlan.RECORD),
)


# ---------------------------------------------------------------- breakouts and groups

TEAMS_ROOM_RULES: tuple[Rule, ...] = (
    rule("breakout.*.rooms", r"\bbreak[- ]?out[- ]?(?:rooms?|rom(?:mene|mer|met)?)\b"),
    rule("breakout.nb.grupperom", r"\bgrupperom(?:mene)?\s+(?:i|på)\s+(?:teams|zoom)\b|\b(?:teams|zoom)[- ]grupperom\w*"),
    rule("breakout.en.teams_breakouts", r"\b(?:teams|zoom)\s+breakouts?\b"),
)

_NUM_NB = r"\d+|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti"
_NUM_EN = r"\d+|two|three|four|five|six|seven|eight|nine|ten"
NUMBER_WORDS: dict[str, int] = {
    "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip

# Named groups: min, max and upto ("up to 5" has no minimum).
GROUP_SIZE_RULES: tuple[Rule, ...] = (
    rule(
        "groups.nb.size",
        rf"\b(?:små)?grupper?\s+(?:på|av|med|à)\s+(?:ca\.?\s+|cirka\s+|omtrent\s+|rundt\s+)?(?P<upto>opptil\s+|inntil\s+)?"
        rf"(?P<min>{_NUM_NB})(?:\s*(?:-|–|—|til|eller)\s*(?P<max>{_NUM_NB}))?\b",
    ),
    rule(
        "groups.nb.per_group",
        rf"\b(?P<min>{_NUM_NB})\s*(?:-|–|—|til)\s*(?P<max>{_NUM_NB})\s+(?:personer|deltakere|deltagere|stk\.?)\s+"
        rf"(?:per|pr\.?|i\s+hver)\s+gruppe",
    ),
    rule(
        "groups.en.size",
        rf"\b(?:small\s+)?groups?\s+of\s+(?:about\s+|around\s+|roughly\s+|approx\.?\s+)?(?P<upto>up\s+to\s+)?"
        rf"(?P<min>{_NUM_EN})(?:\s*(?:-|–|—|to|or)\s*(?P<max>{_NUM_EN}))?\b",
    ),
    rule(
        "groups.en.per_group",
        rf"\b(?P<min>{_NUM_EN})\s*(?:-|–|—|to)\s*(?P<max>{_NUM_EN})\s+(?:people|persons|participants)\s+"
        rf"(?:per|in\s+each|each)\s+group",
    ),
)

GROUP_FORMING_RULES: tuple[Rule, ...] = (
    rule(
        "groups.nb.form",
        r"\b(?:dann(?:e|es|er)|lag(?:e|es)|del(?:e|es|er)?(?:\s+\w+)?\s+inn\s+i|går\s+sammen\s+i|sett(?:e|es)\s+sammen)"
        r"\s+(?:små)?grupper\b",
    ),
    rule("groups.nb.in_groups", r"\bi\s+(?:små)?grupper\b"),
    rule(
        "groups.en.form",
        r"\b(?:split|divide|break|form|forms|formed|organi[sz]ed?|work|discuss|sit)\s+(?:\w+\s+)?(?:into|in)\s+"
        r"(?:small\s+)?groups\b|\bform\s+(?:small\s+)?groups\b",
    ),
)

# A group rule such as "max. 2 fra hver kommune i samme gruppe"; only in a sentence about groups.
GROUP_LIMIT = rule(
    "groups.*.limit",
    r"\b(?:max\.?|maks\.?|maksimalt|maximum|høyst|ikke\s+(?:mer|flere)\s+enn|at\s+most|no\s+more\s+than|"
    r"not\s+more\s+than|minst|at\s+least)\s*\d+\b[^.;()]*",
)
GROUP_WORD = re.compile(r"grupp|group", re.IGNORECASE)


# ---------------------------------------------------------------- duties

# Role ids from the words that name the job, checked in order (the first match wins).
ROLES: tuple[Rule, ...] = (
    rule(
        "role.*.digital_group_lead",
        r"\b(?:digital\w*|remote|online|hybrid|teams|zoom|nett)\b.*\b(?:lead\w*|leder\w*|ledelse|host|vert|"
        r"fasilitator\w*|facilitator\w*|moderator\w*|ansvarlig|responsible)\b|"
        r"\b(?:lead\w*|leder\w*|host|vert|fasilitator\w*|facilitator\w*|moderator\w*|ansvarlig|someone|noen|"
        r"run|kjøre|ordne|styre|handle|manage|open|åpne)\b.*\b(?:digital\w*|remote|online|teams|zoom|breakout\w*)\b",
        "digital_group_lead",
    ),
    rule(
        "role.*.note_taker",
        r"\b(?:notere\w*|noterer|referent\w*|referat\w*|sekretær\w*|notat\w*|note[- ]?takers?|notes|minutes|scribe)\b",
        "note_taker",
    ),
    rule(
        "role.*.timekeeper",
        r"\b(?:tidtak\w*|holde\s+(?:styr\s+på\s+)?tid(?:en)?|time[- ]?keep\w*|keep\w*\s+(?:the\s+)?time)\b",
        "timekeeper",
    ),
    rule("role.*.moderator", r"\b(?:moderator\w*|ordstyrer\w*|chair(?:person)?|møteleder\w*|konferansier)\b", "moderator"),
    rule("role.*.technician", r"\b(?:tekniker\w*|teknikk\w*|technician\w*|lyd|sound|mikrofon\w*|microphones?)\b", "technician"),
    rule("role.*.photographer", r"\b(?:fotograf\w*|photographer\w*|ta\s+bilder|take\s+(?:photos|pictures))\b", "photographer"),
    rule("role.*.reporter", r"\b(?:rapportør\w*|reporter|report\s+back|legge\s+fram|presentere\s+i\s+plenum)\b", "reporter"),
    rule("role.*.host", r"\b(?:vert(?:skap)?|host\w*)\b", "host"),
    rule("role.*.group_lead", r"\b(?:leder\w*|lead(?:er)?s?|gruppeleder\w*)\b", "group_lead"),
    rule("role.*.facilitator", r"\b(?:fasilit\w*|facilitat\w*)\b", "facilitator"),
)
# Role for "we need someone to ..." when no other role word matches.
HELPER_ROLE = "helper"

# "Trenger en leder for ..." / "We need someone to ...": the phrase names the role; "who" marks
# an explicit "someone", which makes even an unknown job a duty.
OPEN_DUTY_RULES: tuple[Rule, ...] = (
    rule(
        "duty.nb.need",
        r"\b(?:trenger|trengs|behøver|behøves|søker|ønsker\s+oss)\s+(?:vi\s+|det\s+)?"
        r"(?:(?P<who>noen|en\s+frivillig|frivillige)\s+|(?:en|ei|et|én|1)\s+)(?P<phrase>.+)",
    ),
    rule("duty.nb.missing", r"\bmangler\s+(?:vi\s+|det\s+)?(?:en\s+|ei\s+|et\s+)?(?P<phrase>.+)"),
    rule(
        "duty.en.need",
        r"\b(?:needs?|needed|requires?|looking\s+for)\s*:?\s+(?:(?P<who>someone|somebody|a\s+volunteer|"
        r"volunteers|one\s+person)\s+|(?:a|an|one)\s+)(?P<phrase>.+)",
    ),
    rule("duty.en.missing", r"\b(?:missing|still\s+open)\s*:?\s+(?:an?\s+)?(?P<phrase>.+)"),
    rule("duty.nb.who", r"^\s*hvem\s+(?:kan|vil|skal|tar)\s+(?P<phrase>.+)"),
    rule("duty.en.who", r"^\s*who\s+(?:can|will|takes|is\s+going\s+to)\s+(?P<phrase>.+)"),
)
# The role word must come this early in the phrase ("en leder for ...", not "mer tid for ledere").
ROLE_HEAD_WORDS = 4

# Someone named does a job: value is the role, names are in the "names" group.
ASSIGNED_DUTY_RULES: tuple[Rule, ...] = (
    rule(
        "duty.nb.notes",
        rf"^(?P<names>{NAMES})\s+(?i:noterer|tar\s+notater|skriver\s+(?:ned|referat|notater)|er\s+referent|tar\s+referat)\b",
        "note_taker",
        ci=False,
    ),
    rule(
        "duty.en.notes",
        rf"^(?P<names>{NAMES})\s+(?i:(?:takes|will\s+take|is\s+taking|is\s+going\s+to\s+take)\s+(?:the\s+)?(?:notes|minutes)|"
        rf"is\s+(?:the\s+)?note[- ]?taker)\b",
        "note_taker",
        ci=False,
    ),
    rule(
        "duty.nb.digital",
        rf"^(?P<names>{NAMES})\s+(?i:leder|har|tar|ordner|styrer|drifter|kjører)\s+(?i:den\s+)?"
        rf"(?i:digitale\s+gruppen|teams(?:-rommet|-gruppen)?\b|breakout[- ]?(?:rooms?|rommene))",
        "digital_group_lead",
        ci=False,
    ),
    rule(
        "duty.en.digital",
        rf"^(?P<names>{NAMES})\s+(?i:leads|runs|hosts|handles|will\s+(?:lead|run|host|handle)|takes\s+care\s+of|"
        rf"looks\s+after)\s+(?i:the\s+)?(?i:(?:remote|digital|online|teams)\s+(?:group|room|participants|side)|breakout\s+rooms)",
        "digital_group_lead",
        ci=False,
    ),
    rule(
        "duty.nb.time",
        rf"^(?P<names>{NAMES})\s+(?i:holder\s+(?:styr\s+på\s+)?tiden|er\s+tidtaker)",
        "timekeeper",
        ci=False,
    ),
    rule(
        "duty.en.time",
        rf"^(?P<names>{NAMES})\s+(?i:keeps\s+(?:the\s+)?time|is\s+(?:the\s+)?time[- ]?keeper)",
        "timekeeper",
        ci=False,
    ),
    rule("duty.nb.facilitated", rf"(?i:fasiliteres|fasilitert|ledes|ledet)\s+(?i:av)\s+(?P<names>{NAMES})", "facilitator", ci=False),
    rule("duty.nb.moderated", rf"(?i:modereres|moderert)\s+(?i:av)\s+(?P<names>{NAMES})", "moderator", ci=False),
    rule("duty.en.facilitated", rf"(?i:facilitated|led|hosted)\s+(?i:by)\s+(?P<names>{NAMES})", "facilitator", ci=False),
    rule("duty.en.moderated", rf"(?i:moderated|chaired)\s+(?i:by)\s+(?P<names>{NAMES})", "moderator", ci=False),
)

# "Referent: Andreas", "Note-taker: TBD": the key names the role (through ROLES).
DUTY_FIELD = rule(
    "duty.*.field",
    r"^(?P<key>referent|notater|note[- ]?taker|ordstyrer|moderator|tidtaker|time[- ]?keeper|chair|tekniker|"
    r"technician|fotograf|photographer|digital\s+vert|teams[- ]vert|remote\s+host|digital\s+leder|"
    r"leder\s+(?:for\s+)?(?:den\s+)?digitale\s+gruppen?|(?:digital|remote)\s+group\s+lead(?:er)?|"
    r"fasilitator(?:er)?|facilitators?)\s*:\s*(?P<names>.+)$",
)
# Values of a duty field that mean nobody has taken it.
UNASSIGNED = frozenset({"tbd", "tba", "?", "??", "ledig", "åpen", "open", "ingen", "none", "n/a", "-", "ukjent", "unknown"})

PER_GROUP_RULES: tuple[Rule, ...] = (
    rule(
        "duty.nb.per_group",
        r"\b(?:velger|utnevner|utpeker|finner|bestemmer|peker\s+ut)\s+selv\b|"
        r"\bhver\s+gruppe\s+(?:velger|utnevner|utpeker|har|finner|trenger)\b|\bgruppene\s+(?:velger|utnevner|utpeker)\b",
    ),
    rule(
        "duty.en.per_group",
        r"\b(?:each|every)\s+group\s+(?:chooses|picks|appoints|selects|names|has|needs|elects)\b|"
        r"\bgroups\s+(?:choose|pick|appoint|select|elect)\s+(?:their\s+own|a|an)\b",
    ),
)
PER_GROUP_ROLES: tuple[Rule, ...] = (
    rule("role.*.group_lead", r"\b(?:leder|ordstyrer|lead|leader|chair|fasilitator|facilitator)\b", "group_lead"),
    rule(
        "role.*.note_taker",
        r"\b(?:notere|noterer|referent|sekretær|note[- ]?taker|takes?\s+notes|notes|scribe)\b",
        "note_taker",
    ),
    rule("role.*.timekeeper", r"\b(?:tidtaker|holder\s+tiden|time[- ]?keeper|keeps?\s+time)\b", "timekeeper"),
    rule("role.*.reporter", r"\b(?:rapportør|reporter|report\s+back|legger\s+fram|presenterer\s+i\s+plenum)\b", "reporter"),
)


# ---------------------------------------------------------------- reminders

REMINDER_RULES: tuple[Rule, ...] = (
    rule("reminder.nb.husk", r"^(?:(?:nb|obs)\s*[:!]?\s*)?(?:husk|ikke\s+glem|glem\s+ikke|påminnelse\s*:)(?=\W)"),
    rule("reminder.nb.ma_huske", r"\b(?:må|skal|bør)\s+(?:\w+\s+)?huske\b"),
    rule(
        "reminder.en.remember",
        r"^(?:(?:nb|note|reminder)\s*[:!]\s*)?(?:remember|don['’]?t\s+forget|do\s+not\s+forget|make\s+sure)(?=\W)",
    ),
    rule("reminder.en.must_remember", r"\b(?:must|should|need\s+to|have\s+to)\s+remember\b"),
    rule("reminder.*.label", r"^(?:reminder|påminnelse)\s*:"),
)


# ---------------------------------------------------------------- how much a block may give

FLEX_RULES: tuple[Rule, ...] = (
    rule("flex.nb.protected", r"\b(?:må|skal)\s+ikke\s+(?:kortes|forkortes|kuttes)\b|\bbeskyttet\b|\bikke\s+kutt", "protected"),
    rule("flex.en.protected", r"\b(?:must|may|should)\s+not\s+be\s+(?:shortened|cut)\b|\bprotected\b|\bdo\s+not\s+cut\b",
         "protected"),
    rule("flex.nb.optional", r"\bvalgfri(?:tt)?\b|\bkan\s+(?:droppes|sløyfes|utgå|kuttes\s+helt)\b", "optional"),
    rule("flex.en.optional", r"\boptional\b|\bcan\s+be\s+(?:dropped|skipped)\b", "optional"),
    rule("flex.nb.shortenable", r"\bkan\s+(?:kortes|forkortes)(?:\s+ned)?(?:\s+ved\s+behov)?\b", "shortenable"),
    rule("flex.en.shortenable", r"\bcan\s+be\s+(?:shortened|cut\s+short|trimmed)\b", "shortenable"),
)
"""Notes that say a block is protected (never cut), optional (may be dropped) or may be shortened; the first wins."""


# ---------------------------------------------------------------- presence

PRESENCE_RULES: tuple[Rule, ...] = (
    rule(
        "presence.nb.fysisk",
        r"\b(?:kommer|deltar|er|blir|møter|presenterer|stiller)\s+(?:\w+\s+)?(?:fysisk|på\s+stedet|i\s+salen)\b|"
        r"\bfysisk\s+(?:til\s+stede|oppmøte)\b|\ber\s+til\s+stede\b|\ber\s+på\s+plass\b",
        Presence.ON_SITE,
    ),
    rule(
        "presence.en.in_person",
        r"\b(?:in\s+person|on[- ]?site|in\s+the\s+room|physically\s+present|at\s+the\s+venue)\b",
        Presence.ON_SITE,
    ),
    rule(
        "presence.nb.digitalt",
        r"\b(?:deltar|kommer|presenterer|er\s+med|holder\s+innlegg(?:et)?|snakker|er|blir\s+med)\s+(?:\w+\s+)?"
        r"(?:digitalt|på\s+nett|på\s+video|via\s+video|på\s+skjerm)\b|\b(?:på|via)\s+(?:teams|zoom)\b",
        Presence.REMOTE,
    ),
    rule(
        "presence.en.remote",
        r"\b(?:remotely|online|via\s+(?:teams|zoom|video)|on\s+(?:teams|zoom)|by\s+video|over\s+video)\b|"
        r"\b(?:joins?|attends?|presents?|speaks?)\s+(?:\w+\s+)?remote\b",
        Presence.REMOTE,
    ),
)
# Words that may stand next to a presence cue in a sentence about the previous person
# ("Kommer fysisk.", "She joins remotely.").
PRESENCE_FILLER = frozenset(
    """
    hun han de kommer deltar vil skal blir er også presenterer snakker holder innlegg innlegget med
    she he they will join joins attend attends attending joining be is are also present presents
    presenting speaks speaking participate participates participating
    """.split()
)

# "Anne Romsaas går igjennom ...", "Aase Kristine Lundberg fra Nordlandsforskning presenterer ...".
SPEAKER_VERB = rule(
    "speaker.*.verb",
    rf"^(?P<name>{NAME})(?:\s+(?i:fra|from)\s+(?P<aff>[{_UPPER}][\w&-]*(?:\s+(?:[{_UPPER}][\w&-]*|"
    rf"(?i:kommune|fylkeskommune|of|og|for|and|universitet)))*))?\s+"
    r"(?i:presenterer|presents|will\s+present|holder\s+(?:et\s+)?innlegg|går\s+(?:i)?gjennom|innleder|snakker|"
    r"talks|speaks|forteller|introduces|gives\s+a\s+talk)\b",
    ci=False,
)


# ---------------------------------------------------------------- working groups

WORKING_GROUP_RULES: tuple[Rule, ...] = (
    rule("wg.nb.arbeidsgruppe", r"\barbeidsgrupp(?:e|ene|a)\s+(?P<nums>\d+(?:\s*(?:,|og|&)\s*\d+)*)\b", "Arbeidsgruppe {n}"),
    rule("wg.en.working_group", r"\bworking\s+groups?\s+(?P<nums>\d+(?:\s*(?:,|and|&)\s*\d+)*)\b", "Working group {n}"),
    rule("wg.en.abbreviation", r"\bWG\s?(?P<nums>\d+)\b", "Working group {n}", ci=False),
)


# ---------------------------------------------------------------- contacts

EMAIL = rule("contact.*.email", r"(?<![\w.+/:-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b", "email")
PHONE_RULES: tuple[Rule, ...] = (
    rule("contact.*.phone_international", r"(?<![\w+])\+\d{1,3}(?:[ -]?\(?\d{1,4}\)?){2,6}(?![\w])", "phone"),
    rule(
        "contact.nb.phone",
        r"(?<![\w+.,:/-])(?:[2-9]\d{7}|[2-9]\d(?: \d{2}){3}|[2-9]\d{2} \d{2} \d{3}|[2-9]\d{3} \d{4})(?![\w]|[.,:/-]\d)",
        "phone",
    ),
)
PHONE_DIGITS = (7, 15)


# ---------------------------------------------------------------- categories

# Checked in order for each position; the earliest word in the title decides, then the description.
CATEGORY_WORDS: tuple[tuple[Category, tuple[str, ...]], ...] = (
    (Category.BREAK, ("kaffepause", "coffee break", "pause", "break")),
    (Category.MEAL, ("lunsj", "lunch", "middag", "dinner", "frokost", "breakfast")),
    (Category.WORKSHOP, ("workshop",)),
    (Category.DISCUSSION, ("gruppediskusjon", "paneldebatt", "diskusjon", "discussion", "panel")),
    (Category.TALK, ("innlegg", "foredrag", "keynote", "talk", "presentasjon", "informerer")),
)
# Inflections allowed after a category word ("Pausen", "gruppediskusjonene", "Workshops").
CATEGORY_SUFFIX = r"(?:ene|en|er|et|es|a|n|s)?"


# ---------------------------------------------------------------- conference types

# Event types of conference tools (frab, pretalx, C3VOC schedule 2) to categories. The word that
# comes first in the type decides ("Talk 30 min + 10min Q&A" is a talk, "Q&A session" a discussion);
# at the same position the earlier row wins. Each row's id is kept as the fact's rule.
CONFERENCE_TYPE_RULES: tuple[tuple[str, Category, tuple[str, ...]], ...] = (
    ("type.meal", Category.MEAL,
     ("lunch", "dinner", "breakfast", "meal", "lunsj", "middag", "frokost", "mittag", "abendessen")),
    ("type.break", Category.BREAK, ("break", "pause", "coffee", "kaffe", "intermission")),
    ("type.lightning", Category.TALK, ("lightning", "lyntale", "blitz")),
    ("type.workshop", Category.WORKSHOP,
     ("workshop", "hands-on", "hands on", "tutorial", "training", "lab", "verkstad", "verksted")),
    ("type.panel", Category.DISCUSSION,
     ("panel", "podium", "roundtable", "round table", "fireside", "debate", "debatt", "discussion", "diskusjon",
      "diskussion", "samtale", "meeting", "bof", "q&a")),
    ("type.talk", Category.TALK,
     ("talk", "lecture", "keynote", "presentation", "vortrag", "foredrag", "innlegg", "session")),
    ("type.meta", Category.MILESTONE, ("milestone", "doors", "opening", "closing", "meta")),
)
