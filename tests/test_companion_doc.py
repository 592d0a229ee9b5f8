"""docs/companion.md against the running app: every button's URI and body, every OSC path and value, every
variable, setting and link it names exists and does what the page says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from runofshow.engine import COMMANDS, Role
from runofshow.engine.timing import Level
from runofshow.integrations.osc import PREFIX, TICKING, OscIn, osc_arguments
from runofshow.integrations.variables import STREAM_ACTUAL
from runofshow.settings import ENV_PREFIX, setting
from runofshow.web import service_of
from runofshow.web.auth import create_token
from runofshow.web.presses import PRESS_WINDOW_SECONDS

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGE = (DOCS / "companion.md").read_text(encoding="utf-8")
STAGE = "plenary"
BASE = f"/api/stages/{STAGE}/"


def section(heading: str) -> str:
    """The text of the page's section whose heading starts with `heading`, up to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(heading)}.*?$(.*?)(?=^#+ |\Z)", PAGE, re.M | re.S)
    assert match, heading
    return match.group(1)


def table(text: str) -> list[list[str]]:
    """The cells of a Markdown table's body rows."""
    rows = [line.strip().strip("|").split("|") for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def code(cell: str) -> list[str]:
    """The `code` spans of a cell."""
    return re.findall(r"`([^`]*)`", cell)


def http_buttons() -> list[tuple[str, str, dict[str, Any]]]:
    """(button, URI, first body) of every row of the buttons table."""
    return [(row[0], code(row[1])[0], json.loads(code(row[2])[0])) for row in table(section("3. The buttons"))]


def osc_buttons() -> list[tuple[str, str, str, str]]:
    """(button, action, path, value) of every row of the OSC table."""
    return [(row[0], row[1], code(row[2])[0], (code(row[3]) or [""])[0]) for row in table(section("OSC instead of HTTP"))]


def test_the_page_names_what_the_code_has() -> None:
    assert BASE in PAGE
    assert f"**{PRESS_WINDOW_SECONDS:g} s**" in PAGE
    for name in re.findall(r"RUNOFSHOW_[A-Z_]+", PAGE):
        assert setting(name.removeprefix(ENV_PREFIX)) is not None, name
    for page, anchor in re.findall(r"\]\((\w+\.md)#([\w-]+)\)", PAGE):
        headings = re.findall(r"^#+ (.+)$", (DOCS / page).read_text(encoding="utf-8"), re.M)
        slugs = {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}
        assert anchor in slugs, f"{page}#{anchor}"
    examples = re.findall(r"`(\w+)` with `(\{[^`]*\})`", section("3. The buttons"))
    assert examples
    for command, body in examples:
        names = {argument.wire_name for argument in COMMANDS[command].arguments}
        assert set(json.loads(body)) - {"press"} <= names, command


def test_every_button_of_the_page_works_over_http_in_order(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token_for('moderator')}"}
    buttons = http_buttons()
    assert [uri for _, uri, _ in buttons] == ["start", "next", "previous", "add_time", "pause", "resume", "message",
                                              "message"]
    for button, uri, body in buttons:
        assert uri in COMMANDS, button
        answer = client.post(BASE + uri, json=body, headers=headers)
        assert answer.status_code == 200, (button, answer.get_json())
    # Next with the block the Stream Deck last polled, as step 5 sets it up, from a second deck (the first one's
    # Next above is still inside its repeat window).
    store = service_of(app).store
    variables = client.get(BASE + "variables").get_json()
    body = json.loads(re.search(r'`(\{"expected_block": "\$\(custom:ros_block\)"\})`', PAGE).group(1)
                      .replace("$(custom:ros_block)", variables["block_id"]))
    deck = {"Authorization": f"Bearer {create_token(store, Role.MODERATOR, 'second-deck')}"}
    moved = client.post(BASE + "next", json=body, headers=deck)
    assert moved.status_code == 200 and "repeated" not in moved.get_json()
    assert client.get(BASE + "variables").get_json()["block_id"] != variables["block_id"]
    again = client.post(BASE + "next", json=body, headers=deck)  # a double press: counted once
    assert again.status_code == 200 and again.get_json()["repeated"] is True
    late = {"Authorization": f"Bearer {create_token(store, Role.MODERATOR, 'third-deck')}"}
    assert client.post(BASE + "next", json=body, headers=late).status_code == 409  # that block is gone


def test_every_variable_the_page_reads_is_polled_without_a_token(app, client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(BASE + "variables")
    assert answer.status_code == 200
    variables = answer.get_json()
    listing = section("4. Poll the show's state").split("1. **Variables")[0]
    named = set(code(re.sub(r"\([^)]*\)", "", listing)))  # the keys, without the example values in brackets
    read = set(re.findall(r"'\$\.(\w+)'", PAGE))
    keys = {name for name in named | read if re.fullmatch(r"[a-z_]+", name)}
    assert {"title", "remaining_text", "level", "next_title", "block_id", "paused", "stream_actual"} <= keys
    assert keys <= set(variables), keys - set(variables)
    levels = set(re.findall(r"'\$\.level'\) == '(\w+)'", PAGE)) | set(code(listing.split("`level` (")[1].split(")")[0]))
    assert levels == {level.value for level in Level}
    actual = set(code(listing.split("`stream_actual` (")[1].split(")")[0]))
    assert actual == set(STREAM_ACTUAL.values())


@pytest.fixture
def listener(app):  # type: ignore[no-untyped-def]
    """OSC in on the app, as the page's settings start it (any free port, from this machine)."""
    osc = OscIn(app, ("127.0.0.1", 0), "127.0.0.1", Role("moderator"))
    yield osc
    osc.sock.close()


def test_every_osc_button_of_the_page_works_in_order(app, listener) -> None:  # type: ignore[no-untyped-def]
    service = service_of(app)
    rows = osc_buttons()
    assert [path.rsplit("/", 1)[1] for _, _, path, _ in rows] == ["start", "next", "previous", "add_time", "pause",
                                                                   "message"]
    for button, action, path, value in rows:
        assert path.startswith(f"{PREFIX}/{STAGE}/"), button
        values: list[Any] = [int(value)] if action == "Send integer" else [value] if action == "Send string" else []
        command = path.rsplit("/", 1)[1]
        assert osc_arguments(command, values) is not None
        journal = len(service.store.journal())
        listener.apply(path, values, "127.0.0.1")
        entries = service.store.journal()[journal:]
        assert [entry.command for entry in entries][-1:] == [command], (button, entries)
        assert entries[-1].actor.endswith("osc:127.0.0.1")
    assert service.state(STAGE).message == "Please wrap up"
    # The OSC out section names variables that go out once a second: those are the ticking ones.
    ticking = set(re.findall(r"`(\w+)`", PAGE.split("once a second while a block runs")[0].rsplit("on each change", 1)[1]))
    assert ticking == set(TICKING)
