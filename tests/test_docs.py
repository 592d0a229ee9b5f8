"""Documentation stays complete: every setting and every socket event is documented."""

from __future__ import annotations

import re
from pathlib import Path

from runofshow.settings import SETTINGS, from_environment
from runofshow.web.protocol import command_rows, event_rows, events
from runofshow.web.sockets import JOIN_AUDIENCES

ROOT = Path(__file__).resolve().parent.parent


def documented_names(path: Path) -> set[str]:
    """Names in the first column of the document's tables."""
    return set(re.findall(r"^\| `([^`]+)` \|", path.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_every_setting_is_documented() -> None:
    assert documented_names(ROOT / "docs" / "settings.md") == {setting.env_var for setting in SETTINGS}


def table_rows(path: Path, heading: str) -> list[str]:
    """The body rows of the first table under a `## heading` of a document."""
    section = path.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return rows[1:]  # the header row; the |---| line does not start with "| "


def test_every_socket_event_is_documented() -> None:
    names = documented_names(ROOT / "docs" / "protocol.md")
    assert {event.name for event in events()} <= names
    assert set(JOIN_AUDIENCES) <= names


def test_protocol_rows_are_the_ones_rendered_from_the_tables() -> None:
    """The doc's event and command rows are exactly what the event list and the command table render."""
    document = ROOT / "docs" / "protocol.md"
    assert table_rows(document, "Events") == event_rows(), "\n".join(event_rows())
    assert table_rows(document, "Commands") == command_rows(), "\n".join(command_rows())


def test_the_row_check_fails_when_the_table_drifts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from runofshow.engine.commands import COMMANDS

    monkeypatch.setitem(COMMANDS, "message", replace(COMMANDS["message"], summary="Say something."))
    assert table_rows(ROOT / "docs" / "protocol.md", "Commands") != command_rows()


def test_every_registered_handler_is_declared(app) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import socketio

    handlers = set(socketio.server.handlers["/"])
    declared = {event.name for event in events() if event.direction == "client->server"}
    assert handlers == declared


def test_settings_parse_from_environment() -> None:
    values = from_environment({"RUNOFSHOW_SCHEDULER": "off", "RUNOFSHOW_HEARTBEAT_SECONDS": "5"})
    assert values["SCHEDULER"] is False and values["HEARTBEAT_SECONDS"] == 5.0
    try:
        from_environment({"RUNOFSHOW_SCHEDULER": "maybe"})
    except ValueError as error:
        assert "RUNOFSHOW_SCHEDULER" in str(error)
    else:
        raise AssertionError("a bad boolean was accepted")


def test_readme_names_every_runtime_dependency() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8").lower()
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=\[ ;]", requirement)[0].lower()
        assert f"| {name} |" in readme, name


def test_vendored_socketio_client_matches_its_declared_version() -> None:
    import json

    folder = ROOT / "static" / "vendor" / "socket.io"
    declared = json.loads((folder / "VERSION.json").read_text(encoding="utf-8"))
    head = (folder / declared["file"]).read_text(encoding="utf-8")[:200]
    assert f"Socket.IO v{declared['version']}" in head
    assert (folder / "LICENSE").exists()


def test_security_table_is_the_one_rendered_from_the_roles_and_commands() -> None:
    """docs/security.md's table of roles is exactly what AUDIENCE_ROLES and the command table render."""
    from runofshow.web.auth import AUDIENCE_ROLES, access_rows

    document = ROOT / "docs" / "security.md"
    heading = "Who can see and do what"
    assert table_rows(document, heading) == access_rows(), "\n".join(access_rows())
    header = document.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n| role |", 1)[1]
    assert header.split("\n", 1)[0] == " " + " | ".join(AUDIENCE_ROLES) + " | commands |"


def test_the_security_check_fails_when_a_role_gains_an_audience(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from runofshow.engine import Role
    from runofshow.web import auth

    monkeypatch.setitem(auth.AUDIENCE_ROLES, "console", auth.AUDIENCE_ROLES["console"] | {Role.PUBLIC})
    assert table_rows(ROOT / "docs" / "security.md", "Who can see and do what") != auth.access_rows()
