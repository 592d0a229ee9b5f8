"""User-facing text as gettext catalogues: English is the source language, one .po/.mo per translation."""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# Browsers that ask for Norwegian in general, or for nynorsk, read bokmål best.
ALIASES = {"no": "nb", "nn": "nb"}


def _shipped_languages() -> tuple[str, ...]:
    """The source language, then every language with a compiled catalogue, by code."""
    compiled = sorted(path.parent.parent.name for path in TRANSLATIONS_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE_LANGUAGE, *[code for code in compiled if code != SOURCE_LANGUAGE])


LANGUAGES = _shipped_languages()


def pick_language(requested: str | None, accept_header: str = "", default: str = SOURCE_LANGUAGE) -> str:
    """The language to use: an explicit choice, else the browser's first shipped preference, else the default."""
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    for part in accept_header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        code = ALIASES.get(code, code)
        if code in LANGUAGES:
            return code
    return default if default in LANGUAGES else SOURCE_LANGUAGE


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language` (the source language's is empty: its text is the msgid)."""
    return Translations.load(str(TRANSLATIONS_DIR), [language], DOMAIN)


def language_name(language: str) -> str:
    """What a language calls itself ("Norsk" for nb), as its own catalogue says."""
    # TRANSLATORS: the name of your language, in your language (shown on the switch to it).
    return translations(language).pgettext("language name", "English")


PLURAL_TABLE_SIZE = 200


@lru_cache(maxsize=None)
def browser_catalogue(language: str) -> dict[str, Any]:
    """The catalogue the page hands to its scripts: the plural form of each count below 200, msgid -> text.

    Plural rules only compare a count with small numbers and its remainders by 10 and 100, so from 100 on
    the form repeats every 100: the browser looks counts up instead of evaluating the rule (no eval, so a
    Content-Security-Policy can forbid it).

    A message with a context is keyed "context\\x04msgid", as in a .mo file.
    """
    path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if language == SOURCE_LANGUAGE or not path.is_file():
        return {"plural": None, "messages": {}}
    with path.open("rb") as handle:
        catalogue = read_mo(handle)
    plural = gettext.c2py(catalogue.plural_expr)
    messages: dict[str, str | list[str]] = {}
    for message in catalogue:
        if not message.id or not message.string:
            continue
        msgid = message.id[0] if message.pluralizable else message.id
        key = f"{message.context}\x04{msgid}" if message.context else msgid
        messages[key] = list(message.string) if message.pluralizable else message.string
    return {"plural": [plural(n) for n in range(PLURAL_TABLE_SIZE)], "messages": messages}
