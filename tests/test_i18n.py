"""Translations: complete gettext catalogues for every shipped language, the same catalogue in the browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from runofshow.i18n import (LANGUAGES, PLURAL_TABLE_SIZE, SOURCE_LANGUAGE, TRANSLATIONS_DIR, browser_catalogue, language_name,
                            pick_language)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
Key = tuple[str | None, str]  # (context, msgid)


def po_file(language: str) -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"


def keys(catalogue: Catalog) -> dict[Key, Message]:
    """The catalogue's messages by context and (singular) msgid, the header left out."""
    return {(message.context, message.id[0] if message.pluralizable else message.id): message
            for message in catalogue if message.id}


def texts(catalogue: Catalog) -> dict[Key, str | tuple[str, ...]]:
    """The catalogue's translations by key, plural forms as a tuple."""
    return {key: tuple(message.string) if message.pluralizable else message.string for key, message in keys(catalogue).items()}


@pytest.fixture(scope="module")
def used(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """Every message the package, the templates and the screens' scripts use, as `pybabel extract` finds them."""
    output = tmp_path_factory.mktemp("extract") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(output), str(ROOT)])
    with output.open("rb") as handle:
        return read_po(handle)


def test_nb_is_shipped() -> None:
    assert LANGUAGES[0] == SOURCE_LANGUAGE and "nb" in TRANSLATED


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation(language: str) -> None:
    with po_file(language).open("rb") as handle:
        catalogue = read_po(handle)
    assert catalogue.num_plurals >= 1 and catalogue.plural_expr
    missing = []
    for key, message in keys(catalogue).items():
        forms = message.string if message.pluralizable else (message.string,)
        if "fuzzy" in message.flags or not all(forms) or (message.pluralizable and len(forms) != catalogue.num_plurals):
            missing.append(key)
    assert missing == [], f"{language}: untranslated, fuzzy or short of plural forms"
    assert not catalogue.obsolete, f"{language}: obsolete entries left behind by `pybabel update`"
    problems = {message.id: [str(error) for error in errors] for message, errors in catalogue.check()}
    assert problems == {}, f"{language}: placeholders do not match"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_holds_exactly_what_the_code_uses(language: str, used: Catalog) -> None:
    with po_file(language).open("rb") as handle:
        catalogue = read_po(handle)
    assert set(keys(catalogue)) == set(keys(used)), "run `make translations` and translate what is new"


def test_template_is_current(used: Catalog) -> None:
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    assert set(keys(template)) == set(keys(used)), "run `make translations`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    with po_file(language).open("rb") as handle:
        source = read_po(handle)
    with po_file(language).with_suffix(".mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert texts(compiled) == texts(source), "run `make translations` to compile"
    assert compiled.plural_expr == source.plural_expr


@pytest.mark.parametrize("language", TRANSLATED)
def test_browser_catalogue_has_every_message_the_scripts_use(language: str, used: Catalog) -> None:
    scripts = {key: message for key, message in keys(used).items()
               if any(Path(path).parent == ROOT / "static" / "js" for path, _ in message.locations)}
    handed = browser_catalogue(language)
    with po_file(language).open("rb") as handle:
        plurals = read_po(handle).num_plurals
    assert handed["plural"] and len(scripts) > 100
    for (context, msgid), message in scripts.items():
        assert context is None, "the scripts have no pgettext"
        text = handed["messages"].get(msgid)
        if message.pluralizable:
            assert isinstance(text, list) and len(text) == plurals and all(text), msgid
        else:
            assert isinstance(text, str) and text, msgid


def test_source_language_hands_an_empty_catalogue() -> None:
    assert browser_catalogue(SOURCE_LANGUAGE) == {"plural": None, "messages": {}}


def test_each_language_names_itself() -> None:
    assert language_name("en") == "English" and language_name("nb") == "Norsk"


@pytest.mark.parametrize(("requested", "header", "default", "expected"), [
    ("nb", "en-GB,en;q=0.8", "en", "nb"),
    (None, "nb-NO,nb;q=0.9", "en", "nb"),
    (None, "no", "en", "nb"),
    (None, "nn-NO", "en", "nb"),
    (None, "de-DE,en;q=0.5", "nb", "en"),
    (None, "de-DE", "nb", "nb"),
    ("xx", "", "xx", "en"),
])
def test_pick_language(requested: str | None, header: str, default: str, expected: str) -> None:
    assert pick_language(requested, header, default) == expected


def page_catalogue(html: str) -> dict:
    return json.loads(re.search(r'<script id="catalogue" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_pages_use_the_catalogue_and_hand_it_on(app) -> None:  # type: ignore[no-untyped-def]
    norwegian = app.test_client().get("/agenda?lang=nb").get_data(as_text=True)
    assert "Hopp til innholdet" in norwegian and ">English</a>" in norwegian
    handed = page_catalogue(norwegian)
    assert handed["messages"]["Reconnecting…"] == "Kobler til igjen…"
    assert handed["messages"]["Running %(num)s min late"] == ["%(num)s min forsinket"] * 2
    english = app.test_client().get("/agenda", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Skip to content" in english and ">Norsk</a>" in english and page_catalogue(english)["messages"] == {}


def test_plural_forms_in_templates(app, token_for) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    console = client.get("/console/plenary?lang=nb", headers=headers).get_data(as_text=True)
    assert ">+1 min</button>" in console and ">+5 min</button>" in console and ">−1 min</button>" in console
    upload = client.get("/import?lang=nb", headers=headers).get_data(as_text=True)
    assert "Høyst 1024 KB." in upload


def swedish(folder: Path) -> None:
    """A Swedish catalogue with two messages, compiled as a translator would with `pybabel compile`."""
    catalogue = Catalog(locale="sv")
    catalogue.add("English", "Svenska", context="language name")
    catalogue.add("Skip to content", "Hoppa till innehållet")
    catalogue.add(("Running %(num)s min late", "Running %(num)s min late"), ("%(num)s min sen", "%(num)s min sena"))
    target = folder / "sv" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalogue)


@pytest.mark.slow
def test_a_new_language_needs_no_code_change(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "runofshow", tmp_path / "runofshow", ignore=shutil.ignore_patterns("__pycache__"))
    for assets in ("templates", "static"):
        (tmp_path / assets).symlink_to(ROOT / assets)
    swedish(tmp_path / "runofshow" / "translations")
    script = f"""
import json
import os
from runofshow.web import create_app
app = create_app({{"TESTING": True, "INSTANCE_PATH": {str(tmp_path / 'instance')!r}, "SCHEDULER": False}})
client = app.test_client()
print(json.dumps([client.get("/agenda", headers={{"Accept-Language": "sv-SE,sv"}}).get_data(as_text=True),
                  client.get("/agenda?lang=en").get_data(as_text=True)]))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)},
                            capture_output=True, text=True, timeout=120, check=True)
    swedish_page, english_page = json.loads(result.stdout.splitlines()[-1])
    assert '<html lang="sv">' in swedish_page and "Hoppa till innehållet" in swedish_page
    assert page_catalogue(swedish_page)["messages"]["Running %(num)s min late"] == ["%(num)s min sen", "%(num)s min sena"]
    assert ">Norsk</a>" in english_page and ">Svenska</a>" in english_page


@pytest.mark.parametrize("expression", [
    "(n != 1)",
    "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
    "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
    "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
    "(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3)",
    "(n==1 ? 0 : n==2 ? 1 : n<7 ? 2 : n<11 ? 3 : 4)",
])
def test_the_browser_plural_table_holds_for_every_count(expression: str) -> None:
    """The browser looks a count's form up in the first 200 and repeats 100-199 beyond: true for real rules."""
    import gettext

    rule = gettext.c2py(expression)
    table = [rule(n) for n in range(PLURAL_TABLE_SIZE)]
    assert all(rule(n) == table[n if n < PLURAL_TABLE_SIZE else 100 + n % 100] for n in range(20_000))
