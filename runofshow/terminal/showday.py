"""Commands around the show day: `backup` and `restore` of the store before the doors open, the run `report` after."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from runofshow.live.backup import BackupRefused, backup, check_store_file, restore, sqlite_file
from runofshow.live.service import NoAgenda, UnknownStage
from runofshow.live.store import Store, StoreUnavailable, database_url
from runofshow.terminal.common import database_option, fail

REPORT_FORMATS = ("csv", "html")

@click.command("backup")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@database_option
def backup_command(file: Path, database: str | None) -> None:
    """Copy the store (agenda, live state, journal, passphrases) to FILE; safe while the server runs."""
    try:
        backup(database or database_url(), file)
    except BackupRefused as error:
        fail(str(error))
    click.echo(f"Backed up the store to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace a store that holds a show without asking.")
@database_option
def restore_command(file: Path, yes: bool, database: str | None) -> None:
    """Replace the store with the backup FILE. Stop the server first; start it again after."""
    url = database or database_url()
    try:
        store_file = sqlite_file(url)
        check_store_file(file)
        if store_file.is_file() and not yes:
            click.confirm(f"Replace the show stored in {store_file} with {file}? (Stop the server first.)", abort=True)
        restore(file, url)
    except BackupRefused as error:
        fail(str(error))
    click.echo(f"Restored the store from {file}. Start the server (again) to run it.")


@click.command("report")
@click.option("--stage", "stage_id", default=None, help="Stage id (default: the first stage).")
@click.option("--format", "report_format", type=click.Choice(REPORT_FORMATS), default="html", show_default=True,
              help="A printable page or a spreadsheet's CSV.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Output file ('-': standard output).")
@click.option("--lang", default=None, help="Language of the page: en, or a shipped catalogue's (nb); default: "
                                         "RUNOFSHOW_LANGUAGE.")
@database_option
def report_command(stage_id: str | None, report_format: str, output: Path, lang: str | None,
                   database: str | None) -> None:
    """Write a stage's run report (planned against actual, stream windows, journal) from the store; the server
    need not run."""
    try:
        data = run_report(database or database_url(), stage_id, report_format, lang)
    except (NoAgenda, StoreUnavailable) as error:
        fail(str(error))
    except UnknownStage as error:
        fail(f"no stage {error} in the stored event")
    except LookupError as error:
        fail(str(error))
    if str(output) == "-":
        click.echo(data.decode("utf-8-sig"), nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        fail(f"{output}: cannot write ({error.strerror or error})")
    click.echo(f"Wrote the run report ({report_format}) to {output}.", err=True)


def run_report(url: str, stage_id: str | None, report_format: str, lang: str | None = None) -> bytes:
    """The run report of a stage (the first when None) of the store at `url`, as CSV or a self-contained page in
    `lang` (None: the configured language)."""
    from flask import g

    from runofshow.engine import stage_or_first
    from runofshow.i18n import LANGUAGES, pick_language
    from runofshow.live.report import report_csv
    from runofshow.web import asset_dir, create_app, service_of
    from runofshow.web.reports import render_report, stage_report

    if lang is not None and lang not in LANGUAGES:
        raise LookupError(f"no language {lang!r}: the shipped ones are {', '.join(LANGUAGES)}")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_file():
        raise StoreUnavailable(f"no store at {parsed.database}: nothing ran there")
    Store(url).close()  # a store that cannot be opened is refused before the app is built
    app = create_app({"DATABASE_URL": url, "SEED_REFERENCE_AGENDA": False, "SCHEDULER": False, "MESSAGE_QUEUE": ""})
    service = service_of(app)
    try:
        report = stage_report(service, stage_or_first(service.event(), stage_id))
        if report_format == "csv":
            return report_csv(report)
        with app.test_request_context(f"/report/{report.stage_id}"):
            g.lang = pick_language(lang, default=app.config["RUNOFSHOW"]["LANGUAGE"])
            css = (asset_dir("static") / "css" / "screens.css").read_text(encoding="utf-8")
            return render_report(report, inline_css=css).encode("utf-8")
    finally:
        service.store.close()


SHOWDAY_COMMANDS = (backup_command, restore_command, report_command)
