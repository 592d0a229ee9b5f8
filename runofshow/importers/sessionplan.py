"""Importer for the session-planning tool's text export: an overview table, then block details.

The export has two halves, both optional:

* an overview table under a header (`KL. LENGDE TITTEL BESKRIVELSE` or `TIME LENGTH TITLE
  DESCRIPTION`, tab-separated; columns are found by name, so their order may vary); gap lines
  (`↓ 1t 30m`) sit between rows; a line that starts with tabs continues the cell above it (a
  paragraph broken across a page break);
* block details, after a `# <title> - block details` heading (or any `##`-or-deeper heading once
  the table has ended): a heading per block, a `HH:MM | 2h 00m` time line, `ASSIGNED TO` /
  `TILDELT` facilitators, description paragraphs, then an ADDITIONAL INFORMATION section whose
  text becomes the block's private notes, verbatim.

Details are matched to overview rows by time and normalised title (then by title alone, then by
time and a similar title). Details win where they differ; a row without details keeps its
overview data; details without a row become blocks of their own, placed by time.

Decisions the export leaves open:

* An empty length means 0 minutes (the tool prints `0m` for it in the details).
* Times may be `09:00`, `9.00` or `9:00 AM`; lengths `2h 00m`, `2t 30m`, `45m`, `1 t 30 min` or `1:30`.
* A truncated file imports what is there: rows up to the cut, and details up to the cut (a last
  heading with nothing under it is where the file was cut and is ignored). A value cut in half
  (`12:45<TAB>3`, `13:1`) is a bad length or time, reported with its line.
* A gap line in the details (`↓ 45m` between two blocks) marks the next block as after a gap.
* The overview flattens paragraphs into one cell with two spaces between them; those become
  blank-line paragraph breaks again when the overview's description is the one used.
* A "gap" is a gap line or a hole between the previous block's end and the next start; the block
  after one keeps its clock time (`start_rule=hard`), as do the first block of each day and meals.
* Times are local wall-clock times in `timezone`, past midnight by the shared rule
  (`agenda.text.past_midnight`): a time earlier than the previous block's (or a range's end earlier
  than its start) continues into the next day when that puts it less than 12 hours after it;
  otherwise it stays on its day and validation reports it as out of order.
* Each `# ` heading with a date starts a day; blocks under it belong to that day. The `day`
  argument replaces the first date found and moves any later ones by the same number of days.
* Rooms: every block is in "plenary". A block uses Teams, and is in the "teams" room
  (RoomKind.REMOTE) as well, when its title, description or notes mention Teams (capitalised:
  "work in teams" is not it) or the digital participants, or the annotator finds Teams breakout
  rooms, a remote speaker or a duty for the digital group. The "teams" room exists exactly when
  some block uses it. Streaming is a separate matter (Block.stream): a streamed block is not in
  "teams" for that alone.
* category_label is only a label the export itself gives (a CATEGORY/KATEGORI/TYPE column or
  line); the colour legend is lost in the text export, so it is usually empty.
* Language ("Plenum" or "Plenary" for the stage and plenary room): the table header's, else the
  month name in the title's date, else whichever language's common words are more frequent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from difflib import SequenceMatcher
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runofshow.agenda.model import (
    AdvanceRule,
    AgendaError,
    Block,
    Category,
    Event,
    Presence,
    Room,
    RoomKind,
    Stage,
    StartRule,
    validate,
)
from runofshow.agenda.text import (
    TakenIds,
    MAX_BYTES,
    ascii_fold,
    parse_duration,
    past_midnight,
    slugify,
    split_names,
    strip_html,
    unique_id,
)
from runofshow.annotate import Annotations, annotate, classify_category
from runofshow.importers.common import read_limited
from runofshow.importers.errors import ImportProblem

FORMAT_NAME = "sessionplan"

BLOCK_ROOMS: dict[bool, tuple[str, ...]] = {False: ("plenary",), True: ("plenary", "teams")}

_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*?)\s*#*\s*$")
_SEPARATOR = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_BOLD = re.compile(r"\*\*|__")
_HEADER_WORD = re.compile(r"[A-ZÆØÅÄÖÜ][A-ZÆØÅÄÖÜ./: -]*")
_HEADER_WORD_ANY_CASE = re.compile(r"[^\W\d_][^\W\d_./: -]*(?:[./: -]+[^\W\d_]*)*\.?")
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?:\s*(?P<half>[AaPp])\.?\s*[Mm]\.?)?$")
_AM_PM = r"(?:\s*[AaPp]\.?\s*[Mm]\.?)?"
_TIME_BAR_LINE = re.compile(
    rf"^(?P<start>\d[^\s|–-]*{_AM_PM})\s*(?:[-–]\s*(?P<end>\d[^\s|]*{_AM_PM})\s*)?\|\s*(?P<length>.*?)\s*$"
)
_CLOCK_TEXT = rf"\d{{1,2}}[:.]\d{{2}}{_AM_PM}"
_TIME_ONLY_LINE = re.compile(rf"^(?P<start>{_CLOCK_TEXT})(?:\s*[-–]\s*(?P<end>{_CLOCK_TEXT}))?$")
_TIME_ATTEMPT = re.compile(r"^\d{1,2}(?:[:.]\d{0,2}\s*(?:[-–|].*)?|\s*\|.*)?$")  # a time line cut short or mistyped
_GAP_CELL = re.compile(r"^\s*[↓⬇⇩]\s*(?P<length>.*)$")
_PAGE_FOOTER = re.compile(r"^\s*(?:(?:side|page|s\.)\s*)?\d+\s*(?:/|av|of)\s*\d+\s*$", re.IGNORECASE)
_LEGEND = re.compile(r"^\s*(?:[■□▪◼●◆]\s*[^■□▪◼●◆]+){2,}$")  # the colour legend, repeated on a new page
_DETAILS_HEADING = re.compile(
    r"(?:^|[-–—:]\s*)(?:(?:block|session|item|blokk|økt|program|post)\s*-?\s*)?(?:details?|detaljer|detaljar)\s*$"
    r"|\b(?:block|session)\s+details\b|\bblokkdetalj",
    re.IGNORECASE,
)
_DETAILS_SUFFIX = re.compile(
    r"\s*[-–—:]\s*(?:(?:block|session|item|blokk|økt|program|post)\s*-?\s*)?(?:details?|detaljer|detaljar)\s*$",
    re.IGNORECASE,
)
_ASSIGNED_UPPER = re.compile(
    r"^(?:ASSIGNED TO|ASSIGNED|TILDELT TIL|TILDELT|TILORDNET|ANSVARLIG|FACILITATORS?|FASILITATORER?)(?=\s|:|$):?\s*(?P<names>.*)$"
)
_ASSIGNED_COLON = re.compile(
    r"^(?:assigned to|tildelt(?: til)?|ansvarlig|facilitators?|fasilitatorer?)\s*:\s*(?P<names>.*)$", re.IGNORECASE
)
_CATEGORY_LINE = re.compile(r"^(?:CATEGORY|KATEGORI|TYPE)(?=\s|:)\s*:?\s*(?P<label>\S.*)$")
_MENTIONS_TEAMS = re.compile(r"\bTeams\b|\bTEAMS\b")  # capitalised: "work in teams" is not the Teams room
_MENTIONS_REMOTE = re.compile(
    r"\b(?:deltar digitalt|digitale deltakere|den digitale gruppen|digital gruppe|"
    r"remote participants?|online participants?|participants online|joining online)\b",
    re.IGNORECASE,
)
_DIGITAL_DUTY = re.compile(r"digital|remote|teams|breakout|online|fjern", re.IGNORECASE)

_NOTES_LABELS = frozenset({
    "additional information", "additional info", "other information", "further information",
    "internal notes", "notes", "tilleggsinformasjon", "tilleggsinfo", "tilleggsopplysninger",
    "ytterligere informasjon", "utfyllende informasjon", "annen informasjon", "interne notater", "notater",
})
_LOOSE_NOTES_LABELS = frozenset({"notes", "notater"})
_DESCRIPTION_LABELS = frozenset({"description", "beskrivelse"})

# header word -> (column role, language it belongs to; "" when both use it)
_COLUMNS: dict[str, tuple[str, str]] = {
    "KL": ("time", "nb"), "KLOKKA": ("time", "nb"), "KLOKKESLETT": ("time", "nb"), "TID": ("time", "nb"),
    "TIDSPUNKT": ("time", "nb"), "TIME": ("time", "en"), "START": ("time", ""),
    "LENGDE": ("length", "nb"), "VARIGHET": ("length", "nb"), "LENGTH": ("length", "en"),
    "DURATION": ("length", "en"),
    "TITTEL": ("title", "nb"), "TITLE": ("title", "en"),
    "BESKRIVELSE": ("description", "nb"), "DESCRIPTION": ("description", "en"),
    "KATEGORI": ("category", "nb"), "CATEGORY": ("category", "en"), "TYPE": ("category", ""),
}
_DEFAULT_COLUMNS = ("time", "length", "title", "description")
_EXPECTED_HEADERS = "KL. LENGDE TITTEL BESKRIVELSE or TIME LENGTH TITLE DESCRIPTION"

_MONTHS: dict[str, tuple[int, str]] = {
    "januar": (1, "nb"), "january": (1, "en"), "jan": (1, ""),
    "februar": (2, "nb"), "february": (2, "en"), "feb": (2, ""),
    "mars": (3, "nb"), "march": (3, "en"), "mar": (3, ""),
    "april": (4, ""), "apr": (4, ""),
    "mai": (5, "nb"), "may": (5, "en"),
    "juni": (6, "nb"), "june": (6, "en"), "jun": (6, ""),
    "juli": (7, "nb"), "july": (7, "en"), "jul": (7, ""),
    "august": (8, ""), "aug": (8, ""),
    "september": (9, ""), "sept": (9, ""), "sep": (9, ""),
    "oktober": (10, "nb"), "october": (10, "en"), "okt": (10, "nb"), "oct": (10, "en"),
    "november": (11, ""), "nov": (11, ""),
    "desember": (12, "nb"), "december": (12, "en"), "des": (12, "nb"), "dec": (12, "en"),
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
_DATE_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DATE_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")

_NORWEGIAN_WORDS = re.compile(r"\b(?:og|er|på|for å|til|med|vi|det|som|ikke)\b", re.IGNORECASE)
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|is|to|with|we|of|for|not|this)\b", re.IGNORECASE)


# ---------------------------------------------------------------- text helpers


def normalised_title(title: str) -> str:
    """A title reduced to lowercase ASCII words, for matching details to overview rows."""
    return " ".join(re.findall(r"[a-z0-9]+", ascii_fold(clean_title(title)).lower()))


def clean_title(raw: str) -> str:
    """A title without HTML tags, markdown bold or extra whitespace."""
    return " ".join(_BOLD.sub("", strip_html(raw)).split())


def clean_cell_text(raw: str) -> str:
    """An overview description: HTML stripped, runs of 2+ spaces taken as paragraph breaks."""
    text = strip_html(raw).replace("\xa0", " ")
    paragraphs = (" ".join(part.split()) for part in re.split(r"\n\s*\n|\s{2,}", text))
    return "\n\n".join(p for p in paragraphs if p)


def names_in(text: str) -> list[str]:
    """Names from an ASSIGNED TO line, markup removed."""
    return split_names(clean_title(text))


# ---------------------------------------------------------------- values


def length_at(raw: str, *, path: str, line: int) -> timedelta | None:
    """A length (`agenda.text.parse_duration`), None for an empty cell; ImportProblem at its line when it is none."""
    try:
        return parse_duration(raw)
    except ValueError as error:
        raise ImportProblem(path, line, str(error), field="duration") from None


def parse_clock(raw: str, *, path: str = "<text>", line: int | None = None) -> time:
    """`09:00` (or `9.00`, `9:00 AM`, `1:30 pm`) as a time of day."""
    text = raw.strip()
    match = _CLOCK.match(text)
    hour = int(match[1]) if match else -1
    if match and match["half"]:
        hour = hour % 12 + (12 if match["half"] in "Pp" else 0) if 1 <= hour <= 12 else -1
    if match is None or not 0 <= hour <= 23 or int(match[2]) > 59:
        raise ImportProblem(path, line, f"time {text!r} is not a time of day (expected HH:MM, e.g. 09:00)", field="time")
    return time(hour, int(match[2]))


def find_date(text: str) -> tuple[date, str] | None:
    """The first date written in text ("6. mai 2024", "May 6, 2024", "2024-05-06"), with its language."""
    found: list[tuple[int, int, int, int, str]] = []  # position, year, month, day, language
    for match in _DATE_DAY_MONTH.finditer(text):
        month, language = _MONTHS[match[2].lower()]
        found.append((match.start(), int(match[3]), month, int(match[1]), language))
    for match in _DATE_MONTH_DAY.finditer(text):
        month, language = _MONTHS[match[1].lower()]
        found.append((match.start(), int(match[3]), month, int(match[2]), language))
    for match in _DATE_ISO.finditer(text):
        found.append((match.start(), int(match[1]), int(match[2]), int(match[3]), ""))
    for match in _DATE_DOTTED.finditer(text):
        found.append((match.start(), int(match[3]), int(match[2]), int(match[1]), ""))
    if not found:
        return None
    _, year, month, day, language = min(found)
    return date(year, month, day), language


# ---------------------------------------------------------------- scanned document


@dataclass
class _Heading:
    """A `# ` heading: the event title, a day, or the start of the block details."""

    line: int
    title: str
    is_details: bool
    day: date | None
    day_language: str


@dataclass
class _Row:
    """One row of the overview table."""

    line: int
    cells: dict[str, str]
    heading: int
    gap_before: bool
    pending_text: list[str] = field(default_factory=list)


@dataclass
class _Chunk:
    """A heading in the details half and the lines under it, before deciding what it is."""

    line: int
    level: int
    title: str
    heading: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    gap_before: bool = False


@dataclass
class _Document:
    """What a first pass over the lines found."""

    headings: list[_Heading] = field(default_factory=list)
    header_line: int | None = None
    columns: tuple[str, ...] | None = None
    header_language: str = ""
    rows: list[_Row] = field(default_factory=list)
    chunks: list[_Chunk] = field(default_factory=list)
    gap_pending: bool = False


@dataclass
class _Detail:
    """One block's details, parsed."""

    line: int
    title: str
    heading: int
    clock: time | None = None
    clock_line: int | None = None
    length: timedelta | None = None
    facilitators: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    label: str = ""
    gap_before: bool = False


@dataclass
class _Item:
    """A block being assembled from a row and/or details, with naive local wall-clock times."""

    line: int
    title: str
    start: datetime
    length: timedelta
    day: date
    description: str = ""
    facilitators: tuple[str, ...] = ()
    notes: str = ""
    label: str = ""
    gap_before: bool = False
    from_row: bool = False
    matched: bool = False


# ---------------------------------------------------------------- first pass: lines


def split_cells(line: str) -> list[str]:
    """Cells of a table line: tab-separated, or separated by runs of 2+ spaces."""
    if "\t" in line:
        return line.split("\t")
    return re.split(r" {2,}", line)


def header_words(line: str, *, any_case: bool = False) -> list[str] | None:
    """The column words of a line that looks like a table header (2+ upper-case words), else None."""
    cells = [cell.strip() for cell in split_cells(line.strip()) if cell.strip()]
    if len(cells) == 1:
        cells = cells[0].split()
    pattern = _HEADER_WORD_ANY_CASE if any_case else _HEADER_WORD
    if len(cells) < 2 or not all(pattern.fullmatch(cell) for cell in cells):
        return None
    return cells


def column_roles(words: list[str]) -> tuple[tuple[str, ...], str, list[str]]:
    """Roles of header words, the header's language and the words not understood."""
    roles: list[str] = []
    unknown: list[str] = []
    votes = {"nb": 0, "en": 0}
    for word in words:
        role, language = _COLUMNS.get(word.upper().rstrip(".:").strip(), ("", ""))
        if not role:
            unknown.append(word)
        if language:
            votes[language] += 1
        roles.append(role or "ignored")
    language = "" if votes["nb"] == votes["en"] else max(votes, key=lambda key: votes[key])
    return tuple(roles), language, unknown


def looks_like_row(line: str) -> bool:
    """True for a table row: not indented, tab-separated, first cell a short time-like value."""
    if line[:1].isspace():
        return False
    cells = split_cells(line)
    first = cells[0].strip()
    return len(cells) >= 2 and first[:1].isdigit() and len(first) <= 10


def gap_length(line: str) -> str | None:
    """The length written in a gap line (`↓ 1t 30m`), or None if the line is no gap."""
    for cell in split_cells(line):
        match = _GAP_CELL.match(cell)
        if match:
            return match["length"]
    return None


def is_time_line(text: str) -> bool:
    """True for a block's time line: `09:00 | 2h 00m`, `09:00 - 10:00` or a bare `09:00`."""
    return bool(_TIME_BAR_LINE.match(text) or _TIME_ONLY_LINE.match(text))


def next_content_line(lines: list[str], index: int) -> str:
    """The next line after position index that is neither blank nor a separator."""
    for line in lines[index + 1:]:
        if line.strip() and not _SEPARATOR.match(line):
            return line
    return ""


def heading_has_time_line(lines: list[str], index: int) -> bool:
    """True when a time line follows the heading at position index before the next heading."""
    for line in lines[index + 1:]:
        if _HEADING.match(line):
            return False
        if is_time_line(line.strip()):
            return True
    return False


def is_label(text: str, labels: frozenset[str]) -> bool:
    """True when a line or heading is one of the section labels (ADDITIONAL INFORMATION...)."""
    return clean_title(text).rstrip(":").strip().casefold() in labels


def inline_notes(text: str) -> str | None:
    """The text after an inline label (`ADDITIONAL INFORMATION: Streamed.`), else None."""
    label, colon, rest = text.partition(":")
    if not colon or not rest.strip() or not is_label(label, _NOTES_LABELS):
        return None
    if label.strip().casefold() in _LOOSE_NOTES_LABELS and not label.isupper():
        return None  # "Notes: ..." in running text is not the tool's section label
    return rest.strip()


def is_block_heading_text(title: str) -> bool:
    """True for a level 2+ heading that may name a block (not a label inside a block)."""
    return not (
        _DETAILS_HEADING.search(clean_title(title))
        or is_label(title, _NOTES_LABELS)
        or is_label(title, _DESCRIPTION_LABELS)
        or _ASSIGNED_UPPER.match(clean_title(title))
    )


def scan(lines: list[str], path: str) -> _Document:
    """First pass: headings, the overview header and rows, and the raw details chunks."""
    doc = _Document()
    in_details = False
    last_row: _Row | None = None
    gap_pending = False
    for index, raw in enumerate(lines):
        number = index + 1
        line = raw.replace("\xa0", " ").rstrip()
        heading = _HEADING.match(line)
        if heading and (len(heading[1]) == 1 or _DETAILS_HEADING.search(clean_title(heading[2]))):
            doc.headings.append(read_heading(number, heading[2], path))
            in_details = doc.headings[-1].is_details
            last_row, gap_pending = None, False
            continue
        if not in_details and heading and is_block_heading_text(heading[2]):
            if doc.rows or heading_has_time_line(lines, index):
                in_details = True
            else:
                continue
        if in_details:
            add_details_line(doc, number, line, heading, path)
            continue
        if not line.strip() or _SEPARATOR.match(line):
            continue
        gap = gap_length(line)
        if gap is not None:
            length_at(gap, path=path, line=number)
            last_row, gap_pending = None, True
            continue
        if line[:1].isspace():
            if last_row is not None:
                continue_row(last_row, split_cells(line), doc.columns or _DEFAULT_COLUMNS)
            continue
        if looks_like_row(line):
            if last_row is not None and last_row.pending_text:
                continue_description(last_row, last_row.pending_text)
            last_row = read_row(doc, number, line, gap_pending, path)
            gap_pending = False
            continue
        words = header_words(line)
        if words is None and "\t" in line and looks_like_row(next_content_line(lines, index)):
            words = header_words(line, any_case=True)
        if words and ("\t" in line or looks_like_row(next_content_line(lines, index))):
            read_header(doc, number, words, line, path)
            continue
        if last_row is not None and not (_PAGE_FOOTER.match(line) or _LEGEND.match(line)):
            last_row.pending_text.append(line.strip())
    return doc


def read_heading(number: int, raw_title: str, path: str) -> _Heading:
    """A `# ` heading: its title without markup, whether it opens the details, and its date."""
    title = clean_title(raw_title)
    is_details = bool(_DETAILS_HEADING.search(title))
    if is_details:
        title = _DETAILS_SUFFIX.sub("", title).strip()
    try:
        found = find_date(title)
    except ValueError as error:
        raise ImportProblem(path, number, f"the date in {title!r} is not a real date ({error})", field="date") from None
    return _Heading(number, title, is_details, found[0] if found else None, found[1] if found else "")


def read_header(doc: _Document, number: int, words: list[str], line: str, path: str) -> None:
    """Take the overview header's columns, or refuse a header this importer does not know."""
    roles, language, unknown = column_roles(words)
    if "time" not in roles or "title" not in roles:
        shown = " ".join(line.split())
        raise ImportProblem(
            path, number,
            f"unknown overview header {shown!r} (columns not understood: {', '.join(unknown) or 'none'}; "
            f"expected {_EXPECTED_HEADERS})",
            field="header",
        )
    doc.header_line, doc.columns, doc.header_language = number, roles, language


def cell_at(cells: list[str], position: int, *, last: bool) -> str:
    """The stripped cell at position; the last column also takes any cells after it."""
    if last:
        return "\t".join(cells[position:]).strip()
    return cells[position].strip() if position < len(cells) else ""


def read_row(doc: _Document, number: int, line: str, gap_before: bool, path: str) -> _Row:
    """One overview row, its cells keyed by column role; the last column takes any extra cells."""
    columns = doc.columns or _DEFAULT_COLUMNS
    cells = split_cells(line)
    values: dict[str, str] = {}
    for position, role in enumerate(columns):
        if role != "ignored":
            values[role] = cell_at(cells, position, last=position == len(columns) - 1)
    parse_clock(values.get("time", ""), path=path, line=number)
    length_at(values.get("length", ""), path=path, line=number)
    if not clean_title(values.get("title", "")):
        raise ImportProblem(path, number, "overview row has no title", field="title")
    row = _Row(number, values, len(doc.headings) - 1, gap_before)
    doc.rows.append(row)
    return row


def continue_row(row: _Row, cells: list[str], columns: tuple[str, ...]) -> None:
    """Append an indented continuation line (a page break inside a cell) to the cells above it."""
    for position, cell in enumerate(cells):
        if not cell.strip():
            continue
        role = columns[min(position, len(columns) - 1)]
        if role not in ("title", "description", "category"):
            role = "description"  # space-indented text has no reliable column position
        row.cells[role] = f"{row.cells.get(role, '')} {cell.strip()}".strip()


def continue_description(row: _Row, texts: list[str]) -> None:
    """Append plain lines that sat between two rows to the first row's description."""
    row.cells["description"] = " ".join([row.cells.get("description", ""), *texts]).strip()
    texts.clear()


def add_details_line(doc: _Document, number: int, line: str, heading: re.Match[str] | None, path: str) -> None:
    """Start a new chunk at a block heading; note a gap line; otherwise add the line to the current chunk."""
    gap = None if heading else gap_length(line)
    if gap is not None:
        length_at(gap, path=path, line=number)
        doc.gap_pending = True
    elif heading and is_block_heading_text(heading[2]):
        level, title = len(heading[1]), clean_title(heading[2])
        doc.chunks.append(_Chunk(number, level, title, len(doc.headings) - 1, gap_before=doc.gap_pending))
        doc.gap_pending = False
    elif doc.chunks:
        doc.chunks[-1].lines.append((number, line))


# ---------------------------------------------------------------- details


def chunk_has_time_line(chunk: _Chunk) -> bool:
    """True when the chunk's first content line (after ASSIGNED TO) is a time line."""
    for _, line in chunk.lines:
        text = line.strip()
        if not text or _SEPARATOR.match(text) or _ASSIGNED_UPPER.match(text):
            continue
        return is_time_line(text)
    return False


def block_chunks(chunks: list[_Chunk], row_titles: set[str]) -> list[_Chunk]:
    """Chunks that are blocks; a sub-heading that is not a block is folded into the block above."""
    timed_levels = [chunk.level for chunk in chunks if chunk_has_time_line(chunk)]
    block_level = min(timed_levels) if timed_levels else 6
    blocks: list[_Chunk] = []
    for chunk in chunks:
        is_block = (
            chunk_has_time_line(chunk)
            or normalised_title(chunk.title) in row_titles
            or chunk.level <= block_level
        )
        if is_block or not blocks:
            blocks.append(replace(chunk, lines=list(chunk.lines)))
        else:
            blocks[-1].lines.append((chunk.line, chunk.title))
            blocks[-1].lines.extend(chunk.lines)
    return blocks


def read_detail(chunk: _Chunk, path: str) -> _Detail:
    """One block's details: time line, facilitators, description and notes paragraphs."""
    detail = _Detail(chunk.line, chunk.title, chunk.heading, gap_before=chunk.gap_before)
    section = detail.description
    paragraph: list[str] = []
    names_follow = False

    def flush() -> None:
        if paragraph:
            section.append("\n".join(paragraph))
            paragraph.clear()

    for number, line in chunk.lines:
        text = line.strip()
        if not text or _SEPARATOR.match(text):
            flush()
            continue
        heading = _HEADING.match(text)
        label = heading[2] if heading else text
        if is_label(label, _NOTES_LABELS) and (heading or section is detail.description):
            flush()
            section = detail.notes
            continue
        inline = inline_notes(text) if section is detail.description and not heading else None
        if inline is not None:
            flush()
            section = detail.notes
            paragraph.append(inline)
            continue
        if section is detail.notes:
            if heading and is_label(label, _DESCRIPTION_LABELS):
                flush()
                section = detail.description
            else:
                paragraph.append(text)
            continue
        if is_label(label, _DESCRIPTION_LABELS):
            flush()
            continue
        if detail.clock is None and not detail.description and not paragraph and is_time_line(text):
            read_time_line(detail, number, text, path)
            continue
        if detail.clock is None and not detail.description and not paragraph and _TIME_ATTEMPT.match(text):
            parse_clock(re.split(r"\s*[-–|]", text)[0], path=path, line=number)
        assigned = _ASSIGNED_UPPER.match(clean_title(label)) or _ASSIGNED_COLON.match(text)
        if assigned:
            flush()
            detail.facilitators.extend(names_in(assigned["names"]))
            names_follow = not assigned["names"].strip()
            continue
        if names_follow:
            detail.facilitators.extend(names_in(text))
            names_follow = False
            continue
        category = _CATEGORY_LINE.match(text)
        if category and not detail.label:
            detail.label = clean_title(category["label"])
            continue
        paragraph.append(clean_title(label) if heading else text)
    flush()
    return detail


def read_time_line(detail: _Detail, number: int, text: str, path: str) -> None:
    """`09:00 | 2h 00m` (or `09:00 - 11:00`) into the detail's start and length."""
    match = _TIME_BAR_LINE.match(text) or _TIME_ONLY_LINE.match(text)
    assert match is not None
    detail.clock = parse_clock(match["start"], path=path, line=number)
    detail.clock_line = number
    length = length_at(match.groupdict().get("length") or "", path=path, line=number)
    if length is None and match["end"]:
        start = datetime.combine(date.min, detail.clock)
        end = datetime.combine(date.min, parse_clock(match["end"], path=path, line=number))
        length = past_midnight(end, start) - start
        if length < timedelta(0):
            raise ImportProblem(path, number, f"time range {text!r} ends before it starts", field="time")
    detail.length = length


# ---------------------------------------------------------------- days


def heading_days(doc: _Document, day: date | None, path: str) -> list[date]:
    """The day of each `# ` heading: its own date, else the one before; `day` moves them all."""
    found = [heading.day for heading in doc.headings if heading.day is not None]
    if day is None and not found:
        line = doc.headings[0].line if doc.headings else 1
        raise ImportProblem(
            path, line,
            "no date: the title does not say which day (e.g. '6. mai 2024', 'May 6, 2024', '2024-05-06'); "
            "give the date explicitly",
            field="date",
        )
    shift = (day - found[0]) if (day is not None and found) else timedelta(0)
    first = day if day is not None else found[0]
    days: list[date] = []
    for heading in doc.headings:
        days.append(heading.day + shift if heading.day is not None else (days[-1] if days else first))
    return days


def day_of(heading: int, days: list[date], fallback: date) -> date:
    """The day under heading number `heading` (-1 when no heading came before)."""
    return days[heading] if 0 <= heading < len(days) else fallback


def placed(clock: time, day: date, previous: datetime | None) -> datetime:
    """Wall-clock time on day, moved past midnight when it goes backwards just after a late block."""
    return past_midnight(datetime.combine(day, clock), previous)


# ---------------------------------------------------------------- merging rows and details


def items_from_rows(rows: list[_Row], days: list[date], first_day: date, path: str) -> list[_Item]:
    """Overview rows as items, placed on their day (past midnight when times go backwards)."""
    items: list[_Item] = []
    previous: datetime | None = None
    previous_day: date | None = None
    for row in rows:
        day = day_of(row.heading, days, first_day)
        if day != previous_day:
            previous = None
        start = placed(parse_clock(row.cells["time"], path=path, line=row.line), day, previous)
        items.append(_Item(
            line=row.line,
            title=clean_title(row.cells["title"]),
            start=start,
            length=length_at(row.cells.get("length", ""), path=path, line=row.line) or timedelta(0),
            day=day,
            description=clean_cell_text(row.cells.get("description", "")),
            label=clean_title(row.cells.get("category", "")),
            gap_before=row.gap_before,
            from_row=True,
        ))
        previous, previous_day = start, day
    return items


def similar_titles(a: str, b: str) -> bool:
    """True when two normalised titles are close enough to be the same block renamed."""
    return bool(a and b) and (a in b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.6)


def matching_item(items: list[_Item], detail: _Detail, after: int) -> int | None:
    """Index of the unmatched row item these details belong to, preferring rows after `after`."""
    title = normalised_title(detail.title)
    candidates = [(i, item) for i, item in enumerate(items) if item.from_row and not item.matched]
    tests = (
        lambda item: item.start.time() == detail.clock and normalised_title(item.title) == title,
        lambda item: normalised_title(item.title) == title,
        lambda item: item.start.time() == detail.clock and similar_titles(normalised_title(item.title), title),
    )
    for test in tests:
        hits = [i for i, item in candidates if test(item)]
        if hits:
            return next((i for i in hits if i >= after), hits[0])
    return None


def apply_detail(item: _Item, detail: _Detail, previous: datetime | None) -> None:
    """Details win over the overview row where they say something."""
    item.matched = True
    item.title = detail.title or item.title
    if detail.clock is not None and detail.clock != item.start.time():
        item.start = placed(detail.clock, item.start.date(), previous)
        item.line = detail.clock_line or item.line
    if detail.length is not None:
        item.length = detail.length
    if detail.description:
        item.description = "\n\n".join(detail.description)
    item.facilitators = tuple(detail.facilitators) or item.facilitators
    item.notes = "\n\n".join(detail.notes)
    item.label = detail.label or item.label
    item.gap_before = item.gap_before or detail.gap_before


def item_from_detail(detail: _Detail, day: date, previous: _Item | None, path: str) -> _Item:
    """A block that only the details mention, on `day` or just after the block before it."""
    if detail.clock is None:
        raise ImportProblem(
            path, detail.line,
            f"block {detail.title!r} has no time and no row in the overview (expected a line like '09:00 | 45m')",
            field="time",
        )
    return _Item(
        line=detail.clock_line or detail.line,
        title=detail.title,
        start=placed(detail.clock, previous.start.date() if previous else day, previous.start if previous else None),
        length=detail.length or timedelta(0),
        day=day,
        description="\n\n".join(detail.description),
        facilitators=tuple(detail.facilitators),
        notes="\n\n".join(detail.notes),
        label=detail.label,
        gap_before=detail.gap_before,
    )


def without_truncated_tail(details: list[_Detail]) -> list[_Detail]:
    """Details without a last heading that has nothing under it: where a truncated file was cut."""
    if details:
        last = details[-1]
        if last.clock is None and not (last.description or last.notes or last.facilitators or last.label):
            return details[:-1]
    return details


def insert_by_time(items: list[_Item], item: _Item) -> int:
    """Insert item before the first later-starting item; return its index."""
    index = next((i for i, other in enumerate(items) if other.start > item.start), len(items))
    items.insert(index, item)
    return index


def merge(items: list[_Item], details: list[_Detail], days: list[date], first_day: date, path: str) -> list[_Item]:
    """Overview items with every block's details merged in or added."""
    last_index = -1
    previous: _Item | None = None
    for detail in details:
        index = matching_item(items, detail, last_index + 1)
        if index is not None:
            apply_detail(items[index], detail, previous.start if previous else None)
        else:
            day = day_of(detail.heading, days, first_day)
            if previous is not None and previous.day >= day:
                day = previous.day
            else:
                previous = None
            index = insert_by_time(items, item_from_detail(detail, day, previous, path))
        last_index = index
        previous = items[index]
    return items


# ---------------------------------------------------------------- blocks and the event


def category_of(item: _Item) -> Category:
    """The category from the classifier (falling back to the export's own label); 0 minutes is a milestone."""
    minutes = item.length.total_seconds() / 60
    if minutes == 0:
        return Category.MILESTONE
    category, _ = classify_category(item.title, item.description, minutes)
    if category is Category.OTHER and item.label:
        category, _ = classify_category(item.label, "", minutes)
    return category


def has_digital_duty(notes: Annotations) -> bool:
    """True when one of the block's duties is for the digital (Teams) group."""
    return any(_DIGITAL_DUTY.search(f"{duty.role} {duty.detail} {duty.source}") for duty in notes.duties)


def uses_teams(item: _Item, notes: Annotations) -> bool:
    """True when the block involves the Teams group: mentioned, breakout rooms, remote speaker, digital duty."""
    text = f"{item.title}\n{item.description}\n{item.notes}"
    return bool(
        _MENTIONS_TEAMS.search(text)
        or _MENTIONS_REMOTE.search(text)
        or (notes.breakout is not None and notes.breakout.teams_rooms)
        or has_digital_duty(notes)
        or any(speaker.presence is Presence.REMOTE for speaker in notes.speakers)
    )


def starts_fixed(item: _Item, previous: _Item | None, category: Category) -> bool:
    """Hard start: first block of a day, the block after a gap, or a meal."""
    if previous is None or previous.day != item.day or item.gap_before or category is Category.MEAL:
        return True
    return item.start > previous.start + previous.length


def unique_ids(titles: Iterable[str]) -> list[str]:
    """Slugs of the titles, made unique with -2, -3 in order."""
    taken = TakenIds()
    return [unique_id(slugify(title), taken) for title in titles]


def build_block(
    item: _Item, block_id: str, previous: _Item | None, notes: Annotations, zone: ZoneInfo, rooms: tuple[str, ...]
) -> Block:
    """The finished block: merged data, inferred facts, start and advance rules, rooms."""
    category = category_of(item)
    auto = category in (Category.BREAK, Category.MEAL, Category.MILESTONE)
    return Block(
        id=block_id,
        title=item.title,
        planned_start=item.start.replace(tzinfo=zone),
        planned_duration=item.length,
        category=category,
        category_label=item.label,
        description=item.description,
        facilitators=item.facilitators,
        speakers=notes.speakers,
        notes=item.notes,
        contacts=notes.contacts,
        stream=notes.stream,
        stream_source=notes.stream_source,
        record=notes.record,
        record_source=notes.record_source,
        breakout=notes.breakout,
        duties=notes.duties,
        reminders=notes.reminders,
        working_groups=notes.working_groups,
        start_rule=StartRule.HARD if starts_fixed(item, previous, category) else StartRule.SOFT,
        advance=AdvanceRule.AUTO if auto else AdvanceRule.MANUAL,
        rooms=rooms,
        facts=notes.facts,
        **notes.flex_fields(item.length),
    )


def export_language(doc: _Document, text: str) -> str:
    """"nb" or "en": from the table header, else the month name, else the words used."""
    if doc.header_language:
        return doc.header_language
    for heading in doc.headings:
        if heading.day_language:
            return heading.day_language
    norwegian, english = len(_NORWEGIAN_WORDS.findall(text)), len(_ENGLISH_WORDS.findall(text))
    return "en" if english > norwegian else "nb"


def event_title(doc: _Document, path: str) -> str:
    """The first `# ` heading (without a details suffix)."""
    for heading in doc.headings:
        if heading.title:
            return heading.title
    raise ImportProblem(path, 1, "no title: expected a first heading like '# Nettverkssamling 6. mai 2024'", field="title")


def checked_zone(timezone: str, path: str) -> ZoneInfo:
    """The zone, or ImportProblem for a name zoneinfo does not know."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportProblem(path, None, f"unknown time zone {timezone!r}", field="timezone") from None


def validated(event: Event, lines_by_id: dict[str, int], path: str) -> Event:
    """The event checked by the agenda model; its complaint becomes an ImportProblem at the block's line."""
    try:
        return validate(event)
    except AgendaError as error:
        line = lines_by_id.get(error.block_id) if error.block_id else None
        raise ImportProblem.from_agenda_error(error, path, line) from None


def split_lines(text: str) -> list[str]:
    """Lines of text, whatever the newline convention, without a byte-order mark."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_sessionplan(
    text: str, *, path: str = "<text>", timezone: str = "Europe/Oslo", day: date | None = None, venue: str = ""
) -> Event:
    """An event from the text of a session-plan export; ImportProblem names the file and line of any fault."""
    if not text.strip():
        raise ImportProblem(path, 1, "the file is empty")
    zone = checked_zone(timezone, path)
    if isinstance(day, datetime):
        day = day.date()
    lines = split_lines(text)
    doc = scan(lines, path)
    title = event_title(doc, path)
    days = heading_days(doc, day, path)
    first_day = days[0] if days else day
    assert first_day is not None
    row_titles = {normalised_title(row.cells["title"]) for row in doc.rows}
    details = without_truncated_tail([read_detail(chunk, path) for chunk in block_chunks(doc.chunks, row_titles)])
    items = merge(items_from_rows(doc.rows, days, first_day, path), details, days, first_day, path)
    if not items:
        line = doc.header_line or len(lines)
        raise ImportProblem(
            path, line, f"no blocks: expected overview rows under {_EXPECTED_HEADERS}, or block details"
        )
    return assemble_event(doc, items, title, zone, timezone, venue, path, export_language(doc, text))


def assemble_event(
    doc: _Document, items: list[_Item], title: str, zone: ZoneInfo, timezone: str, venue: str, path: str, language: str
) -> Event:
    """The validated event: one stage, the plenary room and, when needed, the Teams room."""
    annotations = [
        annotate(item.description, item.notes, title=item.title, facilitators=item.facilitators) for item in items
    ]
    ids = unique_ids(item.title for item in items)
    teams = [uses_teams(item, notes) for item, notes in zip(items, annotations)]
    blocks = tuple(
        build_block(item, block_id, items[i - 1] if i else None, notes, zone, BLOCK_ROOMS[in_teams])
        for i, (item, block_id, notes, in_teams) in enumerate(zip(items, ids, annotations, teams))
    )
    plenary = "Plenum" if language == "nb" else "Plenary"
    rooms = [Room("plenary", plenary, RoomKind.PLENARY)]
    if any(teams):
        rooms.append(Room("teams", "Teams", RoomKind.REMOTE))
    event = Event(
        title=title,
        days=tuple(dict.fromkeys(item.day for item in items)),
        timezone=timezone,
        venue=venue,
        stages=(Stage(id="plenary", name=plenary, blocks=blocks),),
        rooms=tuple(rooms),
        source=path,
        timezone_assumed=True,  # the export never says its zone; parse_agenda clears this when a person chose one
    )
    return validated(event, dict(zip(ids, (item.line for item in items))), path)


# ---------------------------------------------------------------- files


def line_at(data: bytes, offset: int) -> int:
    """The 1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def read_export(path: Path | str) -> str:
    """The text of an export file; ImportProblem for a missing, huge, empty or binary file."""
    data, size = read_limited(path)
    return decoded(data, str(path), size)


def decoded(data: bytes, name: str, size: int | None = None) -> str:
    """UTF-8 text (with or without a byte-order mark), refusing empty, oversized and binary content."""
    size = max(len(data), size or 0)
    if size > MAX_BYTES:
        raise ImportProblem(
            name, line_at(data, MAX_BYTES),
            f"the file is {size / 1024 / 1024:.1f} MB, more than the 5 MB limit (passed on this line)",
        )
    if not data.strip():
        raise ImportProblem(name, 1, "the file is empty")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise ImportProblem(name, line_at(data, offset), f"binary content (a NUL byte at byte {offset}), not a text export")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblem(
            name, line_at(data, error.start),
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at byte {error.start}); save the export as UTF-8",
        ) from None


def load_sessionplan(
    path: Path | str, *, timezone: str = "Europe/Oslo", day: date | None = None, venue: str = ""
) -> Event:
    """An event from a session-plan export file (keywords as for `parse_sessionplan`)."""
    return parse_sessionplan(read_export(path), path=str(path), timezone=timezone, day=day, venue=venue)


def looks_like_sessionplan(text: str) -> bool:
    """True when text looks like the session-planning tool's export (overview table or block details)."""
    lines = split_lines(text)
    has_title = any((m := _HEADING.match(line)) and len(m[1]) == 1 for line in lines)
    for line in lines:
        words = header_words(line) if "\t" in line else None
        if words and not column_roles(words)[2]:
            return True
        heading = _HEADING.match(line)
        if heading and _DETAILS_HEADING.search(clean_title(heading[2])):
            return True
    has_rows = any(looks_like_row(line) and "\t" in line for line in lines)
    has_time_lines = any(_TIME_BAR_LINE.match(line.strip()) for line in lines)
    return has_title and (has_rows or has_time_lines)


__all__ = [
    "FORMAT_NAME",
    "load_sessionplan",
    "looks_like_sessionplan",
    "parse_sessionplan",
    "read_export",
]
