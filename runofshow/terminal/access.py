"""`runofshow token` and `runofshow links`: personal tokens and share links, listed, made and revoked."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click

from runofshow.live.clocks import wall_now
from runofshow.live.store import Store, database_url
from runofshow.terminal.common import database_option, fail, friendly_errors

CREW_ROLE_NAMES = ["moderator", "stream", "facilitator", "screen"]
DURATION = re.compile(r"^(\d+)([dhm])$")
DURATION_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
DEFAULT_PORT = 5000


class Expiry(click.ParamType):
    """When something stops working: a duration from now (30d, 12h, 90m), a date (through that day) or a date and time."""

    name = "expiry"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        """The aware instant `value` stands for; dates and times without a zone are in RUNOFSHOW_TIMEZONE."""
        if isinstance(value, datetime):
            return value
        from runofshow import settings

        text = str(value).strip()
        zone = ZoneInfo(settings.from_environment()["TIMEZONE"])
        duration = DURATION.match(text)
        if duration:
            return wall_now() + timedelta(**{DURATION_UNITS[duration[2]]: int(duration[1])})
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r}: expected a duration (30d, 12h, 90m), a date (2026-05-06) or a date and time "
                      "(2026-05-06T18:00)", param, ctx)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _when(moment: datetime | None, empty: str = "-") -> str:
    """An instant as local `YYYY-MM-DD HH:MM`, or `empty`."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else empty


def _store(database: str | None) -> Store:
    """The configured store."""
    return Store(database or database_url())


@click.group()
def token() -> None:
    """Personal bearer tokens for the API and crew screens."""


@token.command("create")
@click.option("--role", type=click.Choice(CREW_ROLE_NAMES), required=True)
@click.option("--name", default="", help="Whose token it is (shown in the journal and in `token list`).")
@click.option("--expires", type=Expiry(), default=None,
              help="When it stops working: 30d, 12h, 90m from now, a date (works through that day) or a date and "
                   "time (default: until revoked).")
@database_option
@friendly_errors
def token_create(role: str, name: str, expires: datetime | None, database: str | None) -> None:
    """Create a token and print it once; only its digest is stored."""
    from runofshow.web.auth import Role, create_token

    click.echo(create_token(_store(database), Role(role), name, expires))


@token.command("list")
@database_option
@friendly_errors
def token_list(database: str | None) -> None:
    """Every token: id, role, name, created, last used and expiry (never the token itself)."""
    from runofshow.web.auth import list_tokens

    rows = [(info.id, info.role.value, info.name or "-", _when(info.created), _when(info.last_used, "never"),
             _when(info.expires, "never")) for info in list_tokens(_store(database))]
    _table(("id", "role", "name", "created", "last used", "expires"), rows, "No tokens.")


@token.command("revoke")
@click.argument("token_id", metavar="ID")
@database_option
@friendly_errors
def token_revoke(token_id: str, database: str | None) -> None:
    """Revoke a token by the ID `token list` shows: it stops working at once, open screens within a second."""
    from runofshow.web.auth import revoke_token

    if not revoke_token(_store(database), token_id):
        fail(f"no token with id {token_id!r} (see `runofshow token list`)")
    click.echo(f"Token {token_id} revoked.")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], empty: str) -> None:
    """Print rows as aligned columns under a header, or `empty`."""
    if not rows:
        click.echo(empty)
        return
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]
    for row in (header, *rows):
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@click.group(invoke_without_command=True)
@click.option("--url", "base_url", default=None,
              help=f"Address the screens reach the server at (default: http://<this machine's address>:{DEFAULT_PORT}).")
@click.option("--rotate", is_flag=True, help="Revoke every link first and print new ones (the old ones stop working).")
@click.option("--qr/--no-qr", default=True, show_default=True, help="Draw a QR code under each link.")
@database_option
@click.pass_context
@friendly_errors
def links(ctx: click.Context, base_url: str | None, rotate: bool, qr: bool, database: str | None) -> None:
    """Print every screen's link (the ones the setup page and the demo show), with a QR code to open it on a phone.

    A link keeps working until it expires or is revoked, so a printed sheet stays valid; --rotate makes new ones.
    """
    ctx.ensure_object(dict)["database"] = database
    if ctx.invoked_subcommand is not None:
        return
    from runofshow.web import create_app, service_of
    from runofshow.web.addresses import interface_addresses, reachable
    from runofshow.web.banner import qr_lines
    from runofshow.web.links import rotate_links, screen_links, wall_now

    app = create_app({"SCHEDULER": False, "SEED_REFERENCE_AGENDA": False,
                      **({"DATABASE_URL": database} if database else {})})
    try:
        service = service_of(app)
        service.event()  # no agenda: say so before making links
        if rotate:
            rotate_links(service.store, wall_now())
            click.echo("Every earlier link is revoked; these are the new ones.")
        base_url = base_url or reachable("0.0.0.0", DEFAULT_PORT, interface_addresses()).urls[0][0]
        for label, url in screen_links(app, base_url):
            click.echo(f"{label}\n  {url}")
            if qr:
                click.echo("\n".join(qr_lines(url)))
    finally:
        service_of(app).store.close()


@links.command("list")
@click.pass_context
@friendly_errors
def links_list(ctx: click.Context) -> None:
    """Every link made so far: id, label, role, expiry and whether it works."""
    from runofshow.web.links import list_links, wall_now

    now = wall_now()
    rows = [(link.id, link.label, link.role.value, _when(link.expires, "never"),
             "revoked" if link.revoked else ("works" if link.valid_at(now) else "expired"))
            for link in list_links(_store(ctx.obj["database"]))]
    _table(("id", "label", "role", "expires", "state"), rows, "No links yet: `runofshow links` makes them.")


@links.command("revoke")
@click.argument("link_id", metavar="ID")
@click.pass_context
@friendly_errors
def links_revoke(ctx: click.Context, link_id: str) -> None:
    """Revoke one link by the ID `links list` shows: it and the screens it signed in stop working."""
    from runofshow.web.links import revoke_link

    if not revoke_link(_store(ctx.obj["database"]), link_id):
        fail(f"no link with id {link_id!r} (see `runofshow links list`)")
    click.echo(f"Link {link_id} revoked.")
