"""docs/glossary.md is the one list of words: the Norwegian catalogue follows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "docs" / "glossary.md"
CATALOGUE = REPO / "runofshow" / "translations" / "nb" / "LC_MESSAGES" / "messages.po"


def glossary_rows() -> list[dict[str, str]]:
    """The glossary table as dicts keyed by its header (English, Norsk (bokmål), nb stem, avoid, what it is)."""
    lines = [line.strip() for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
            for line in lines[2:]]


def translated() -> list[tuple[str, list[str]]]:
    """Every translated message of the nb catalogue: its English text and its Norwegian forms."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    pairs = []
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        english = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        forms = [form for form in (message.string if isinstance(message.string, tuple) else (message.string,)) if form]
        if forms:
            pairs.append((english, forms))
    return pairs


ROWS = glossary_rows()


def test_the_glossary_names_the_roles_and_the_words_of_the_day() -> None:
    english = {row["English"] for row in ROWS}
    assert {"moderator", "facilitator", "stream operator", "on air", "off air", "stream", "run of show"} <= english
    on_air = next(row for row in ROWS if row["English"] == "on air")
    assert on_air["Norsk (bokmål)"] == "på lufta" and "PÅ LUFTEN" in on_air["avoid"]


@pytest.mark.parametrize("row", ROWS, ids=[row["English"] for row in ROWS])
def test_the_catalogue_says_each_term_as_the_glossary_does(row: dict[str, str]) -> None:
    term = re.compile(rf"\b{re.escape(row['English'])}s?\b", re.IGNORECASE)
    stem = row["nb stem"].lower()
    wrong = [(english, forms) for english, forms in translated()
             if term.search(english) and not all(stem in form.lower() for form in forms)]
    assert not wrong, f"{row['English']!r} should be {row['Norsk (bokmål)']!r} (docs/glossary.md): {wrong}"


@pytest.mark.parametrize("row", [row for row in ROWS if row["avoid"]], ids=lambda row: row["English"])
def test_the_catalogue_never_uses_a_word_the_glossary_avoids(row: dict[str, str]) -> None:
    avoided = [word.strip() for word in row["avoid"].split(",") if word.strip()]
    pattern = re.compile("|".join(rf"\b{re.escape(word)}\b" for word in avoided), re.IGNORECASE)
    found = [(english, form) for english, forms in translated() for form in forms if pattern.search(form)]
    assert not found, f"use {row['Norsk (bokmål)']!r}, not {avoided} (docs/glossary.md): {found}"
