"""The `runofshow` command line: import, status, show controls and rehearsal against the store."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from runofshow.terminal import summary
from runofshow.agenda.document import event_to_dict
from runofshow.live.clocks import SystemClock
from runofshow.engine import COMMANDS, Argument, CommandSpec, Kind, StaleRevision, snapshot_to_dict, stage_or_first
from runofshow.exporters import BINARY_FORMATS, EXPORT_FORMATS, export_event
from runofshow.importers import FORMATS, load_agenda
from runofshow.importers.remote import is_url
from runofshow.terminal.common import database_option, fail, friendly_errors, in_vocabulary
from runofshow.terminal.follow import follow
from runofshow.live.service import ShowService
from runofshow.live.store import Store, database_url

def open_service(database: str | None) -> ShowService:
    """The service on the configured store and the system clock."""
    return ShowService(Store(database or database_url()), SystemClock())


stage_option = click.option("--stage", "stage_id", default=None, help="Stage id (default: the first stage).")
rev_option = click.option("--rev", "expected_rev", type=int, default=None,
                          help="Revision you saw; refused if the show has moved on (default: the current one).")


class Switch(click.ParamType):
    """On or off (true/false, yes/no, 1/0); null (or unknown) too where the argument allows it."""

    name = "switch"

    def __init__(self, nullable: bool) -> None:
        self.nullable = nullable

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The boolean (or None) a word stands for."""
        if self.nullable and isinstance(value, str) and value.lower() in ("null", "unknown"):
            return None
        return click.BOOL.convert(value, param, ctx)


CLI_TYPES: dict[Kind, click.ParamType] = {Kind.TEXT: click.STRING, Kind.INTEGER: click.INT, Kind.MINUTES: click.FLOAT}


def cli_type(argument: Argument) -> click.ParamType:
    """How the command line reads one argument of the table."""
    if argument.kind is Kind.BOOLEAN:
        return Switch(argument.nullable)
    if argument.kind is Kind.CHOICE:
        return click.Choice(argument.choices)
    return CLI_TYPES[argument.kind]


def _optional(spec: CommandSpec, wire_name: str) -> bool:
    """True when the command's argument of that wire name may be left out."""
    return any(argument.optional for argument in spec.arguments if argument.wire_name == wire_name)


def cli_name(command: str) -> str:
    """A command's name on the command line: `add_time` is `add-time`."""
    return command.replace("_", "-")


def control_command(spec: CommandSpec) -> click.Command:
    """The subcommand that applies `spec` to a stage: one positional argument per argument of the table."""

    def apply_command(stage_id: str | None, expected_rev: int | None, database: str | None, **values: Any) -> None:
        # An optional argument left off the command line is left out, so the table's default applies.
        given = {name: value for name, value in values.items() if value is not None or not _optional(spec, name)}
        args = spec.read(given)
        service = open_service(database)
        stage_id = stage_or_first(service.event(), stage_id)
        rev = expected_rev if expected_rev is not None else service.state(stage_id).rev
        try:
            service.command(stage_id, spec.name, rev, args, actor="cli")
        except StaleRevision as error:
            fail(f"{in_vocabulary(error)} (the show is at revision {service.state(stage_id).rev}; "
                  "check `runofshow status`)")
        click.echo(summary.snapshot_summary(service.event(), service.snapshot(stage_id)))

    callback: Callable[..., None] = friendly_errors(apply_command)
    for argument in reversed(spec.arguments):
        callback = click.argument(argument.wire_name, type=cli_type(argument), required=not argument.optional)(callback)
    callback = stage_option(rev_option(database_option(callback)))
    described = "\n\n".join(f"{argument.wire_name.upper()}: {argument.describe()}." for argument in spec.arguments)
    return click.command(cli_name(spec.name), help=f"{spec.summary}\n\n{described}".strip())(callback)


class ShowCommands(click.Group):
    """The fixed subcommands and one per command of the engine's table, read from the table when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand name, the table's included."""
        return sorted(set(super().list_commands(ctx)) | {cli_name(name) for name in COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A fixed subcommand, or the one built for a command of the table."""
        fixed = super().get_command(ctx, cmd_name)
        if fixed is not None:
            return fixed
        spec = next((spec for spec in COMMANDS.values() if cli_name(spec.name) == cmd_name), None)
        return control_command(spec) if spec is not None else None


@click.group(cls=ShowCommands)
@click.version_option(package_name="runofshow")
def main() -> None:
    """Live run-of-show dashboard for hybrid events."""


@main.command("import")
@click.argument("file", metavar="FILE_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print the agenda as the native JSON document; store nothing.")
@click.option("--dry-run", is_flag=True, help="Check and summarise the file; store nothing.")
@click.option("--replace", is_flag=True, help="Replace the agenda even while a show is in progress.")
@click.option("--timezone", default=None,
              help="Time zone of the times in the file (IANA name, e.g. Europe/Berlin). Default: the file's own zone; "
                   "a file without one is read in Europe/Oslo, and the summary says so.")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the day when the file does not say it (YYYY-MM-DD).")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default=None,
              help="Input format (default: detected from the content).")
@click.option("--follow", "follow_minutes", type=click.FloatRange(min=0), default=None, metavar="MINUTES",
              help="For an address: re-read it every MINUTES, show what changed and ask before applying it.")
@click.option("--follow-rounds", type=int, default=None, hidden=True, help="Stop following after this many reads.")
@database_option
@friendly_errors
def import_command(file: str, as_json: bool, dry_run: bool, replace: bool, timezone: str | None, day: Any,
                   file_format: str | None, follow_minutes: float | None, follow_rounds: int | None,
                   database: str | None) -> None:
    """Import an agenda file or http(s) address (a published schedule.json or schedule.xml), print a summary and
    store it as the event to run."""
    if follow_minutes is not None and (not is_url(file) or dry_run or as_json):
        fail("--follow needs the http(s) address of a schedule, and stores what it reads (no --dry-run or --json)")
    source: str | Path = file if is_url(file) else Path(file)
    event = load_agenda(source, format=file_format, timezone=timezone, day=day.date() if day else None)
    if as_json:
        click.echo(json.dumps(event_to_dict(event), ensure_ascii=False, indent=2))
        return
    click.echo(summary.event_summary(event))
    if dry_run:
        return
    service = open_service(database)
    service.replace_event(event, actor="cli", replace_running=replace)
    click.echo(f"Stored in {_safe_url(database or database_url())}.")
    if follow_minutes is not None:
        click.echo(f"Following {file} every {follow_minutes:g} minutes (Ctrl+C stops).")
        follow(service, lambda: load_agenda(file, format=file_format, timezone=timezone,
                                            day=day.date() if day else None),
               rounds=follow_rounds, wait=lambda: time.sleep(follow_minutes * 60),
               confirm=lambda question: click.confirm(question, default=False), echo=click.echo,
               replace_running=replace)


@main.command("export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option("--format", "out_format", type=click.Choice(EXPORT_FORMATS), required=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Output file ('-': standard output; xlsx needs a file).")
@click.option("--from", "in_format", type=click.Choice(FORMATS), default=None,
              help="Format of FILE (default: detected from the content).")
@click.option("--timezone", default=None,
              help="Time zone of the times in FILE (default: the file's own zone, else Europe/Oslo, assumed).")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the day when FILE does not say it (YYYY-MM-DD).")
@database_option
@friendly_errors
def export_command(file: Path | None, out_format: str, output: Path, in_format: str | None, timezone: str | None,
                   day: Any, database: str | None) -> None:
    """Convert an agenda FILE to another format, or export the stored event when no FILE is given."""
    if out_format in BINARY_FORMATS and str(output) == "-":
        fail(f"{out_format} is a binary format: give an output file with -o")
    if file is not None:
        event = load_agenda(file, format=in_format, timezone=timezone, day=day.date() if day else None)
    else:
        event = open_service(database).event()
    data = export_event(event, out_format, stamp=SystemClock().now())
    if str(output) == "-":
        click.echo(data.decode("utf-8-sig"), nl=False)
        return
    _write_atomically(output, data)
    click.echo(f"Wrote {out_format} to {output}.", err=True)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write the file in full or not at all (a temporary file renamed over it)."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        fail(f"{path}: cannot write ({error.strerror or error})")


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@stage_option
@click.option("--json", "as_json", is_flag=True, help="Print the snapshot as JSON.")
@database_option
@friendly_errors
def status(stage_id: str | None, as_json: bool, database: str | None) -> None:
    """Show where the show is now."""
    service = open_service(database)
    stage_id = stage_or_first(service.event(), stage_id)
    snap = service.snapshot(stage_id)
    if as_json:
        click.echo(json.dumps(snapshot_to_dict(snap), ensure_ascii=False, indent=2))
    else:
        click.echo(summary.snapshot_summary(service.event(), snap))


@main.command()
@click.option("--speed", type=click.FloatRange(min=0.1, max=3600), default=60, show_default=True,
              help="How many times faster than real time.")
@click.option("--start", "start_at", default=None, help="Show time to start at, HH:MM (default: the first block).")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Agenda to rehearse (default: the built-in reference agenda).")
@click.option("--moderator/--no-moderator", default=True, show_default=True,
              help="Simulate a moderator who presses Next when a manual block reaches its end.")
@click.option("--until", "until", default=None, help="Stop at this show time, HH:MM (default: the end of the day).")
@friendly_errors
def rehearse(speed: float, start_at: str | None, file: Path | None, moderator: bool, until: str | None) -> None:
    """Run the day as a rehearsal at SPEED times real time and show it move in the terminal."""
    from runofshow.terminal.rehearsal import run_in_terminal

    run_in_terminal(file=file, speed=speed, start_at=start_at, until=until, moderator=moderator)


@contextmanager
def stopped_by_ctrl_c() -> Iterator[None]:
    """Ctrl-C (SIGINT) is how a server is stopped: say so and exit 0, not "Aborted!" and 1 (the state is stored)."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


async_option = click.option("--async", "async_mode", type=click.Choice(["gevent", "threading", "eventlet"]),
                            default="gevent", show_default=True, help="Concurrency model of the web server.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--qr", is_flag=True, help="Also print the setup page's link as a QR code to scan with a phone.")
@async_option
def serve(host: str, port: int, qr: bool, async_mode: str) -> None:
    """Run the live server (on an empty store: the reference agenda, placed on today's date); prints where crew open
    it, the crew lead's setup page and every screen."""
    from runofshow.web.server import serve as run_server

    with stopped_by_ctrl_c():
        run_server(host, port, async_mode, qr=qr)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--speed", type=click.FloatRange(min=0.1, max=3600), default=60, show_default=True,
              help="Rehearsal speed: how many times faster than real time.")
@click.option("--manual", is_flag=True, help="Keep manual blocks manual: the show waits for the console's Next.")
@async_option
def demo(host: str, port: int, speed: float, manual: bool, async_mode: str) -> None:
    """Rehearse the built-in reference day, offline, and print the URL of every screen."""
    from runofshow.web.server import demo as run_demo

    with stopped_by_ctrl_c():
        run_demo(host, port, speed, async_mode, auto_advance=not manual)


@main.command()
@friendly_errors
def scheduler() -> None:
    """Run the one scheduler of a scaled-out site, no web server; web nodes run with RUNOFSHOW_SCHEDULER=off."""
    import signal
    import threading

    from runofshow.web.server import run_scheduler

    stopping = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopping.set())
    run_scheduler(stopping.is_set)


# Tokens and share links have a module of their own.
from runofshow.terminal.access import links, token  # noqa: E402

main.add_command(token)
main.add_command(links)


@main.command()
@click.option("--role", type=click.Choice(["moderator", "stream", "facilitator", "screen"]), required=True)
@click.password_option(help="The passphrase (asked for when not given).")
@database_option
@friendly_errors
def passphrase(role: str, password: str, database: str | None) -> None:
    """Set the passphrase crew type to sign in as ROLE."""
    from runofshow.web.auth import Role, set_passphrase

    try:
        set_passphrase(Store(database or database_url()), Role(role), password)
    except ValueError as error:
        fail(str(error))
    click.echo(f"Passphrase for {role} set.")


# Backup, restore and the run report (runofshow/terminal/showday.py).
from runofshow.terminal.showday import SHOWDAY_COMMANDS  # noqa: E402  (joins the group defined above)

for _command in SHOWDAY_COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
