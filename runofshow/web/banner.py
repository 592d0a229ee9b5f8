"""What `runofshow serve` and `runofshow demo` print: where to open the server, each screen, how crew sign in."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import segno

from runofshow.agenda.model import Event
from runofshow.engine import Role
from runofshow.web.addresses import Reachable
from runofshow.web.links import screens

SETUP_PATH = "/setup"
Echo = Callable[[str], None]


def echo_now(line: str) -> None:
    """Print one line at once (a supervisor's log shows it before the first request)."""
    print(line, flush=True)


def screen_lines(links: Sequence[tuple[str, str]]) -> list[str]:
    """One aligned line per screen: its name, then its URL."""
    width = max((len(label) for label, _ in links), default=0)
    return [f"  {label:<{width}}  {url}" for label, url in links]


def print_screens(links: Sequence[tuple[str, str]], echo: Echo = echo_now) -> None:
    """Print every screen's name and URL (the demo's links and the serve banner's screens)."""
    for line in screen_lines(links):
        echo(line)


def public_screens(event: Event, base: str) -> list[tuple[str, str]]:
    """The screens anyone may open, by name and URL: each stage's screen and clock, each room, the agenda."""
    return [(label, f"{base}{path}") for label, role, path in screens(event) if role is Role.PUBLIC]


def qr_lines(url: str) -> list[str]:
    """A QR code of `url` drawn with block characters, two rows of modules per line."""
    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue().rstrip("\n").splitlines()


def serve_banner(where: Reachable, port: int, event: Event | None, setup_link: str,
                 without_passphrase: Sequence[Role], qr: bool = False) -> list[str]:
    """The lines `runofshow serve` prints: addresses, how to open them up, the setup page, screens, sign-in."""
    base = where.urls[0][0]
    lines = ["Open runofshow at:"]
    lines += [f"  {url}/" + (f"  ({name})" if name else "") for url, name in where.urls]
    if where.local_only:
        lines += ["Only this machine can open these addresses. To let the screens and phones on the venue network in,",
                  f"start it with --host 0.0.0.0 (and let TCP port {port} through this machine's firewall)."]
    lines += ["", "Crew lead: the setup page imports the agenda, sets the crew's passphrases and prints the screen sheet.",
              "This link signs its browser in as moderator; keep it to yourself:", f"  {setup_link}"]
    if qr:
        lines += qr_lines(setup_link)
    if event is not None:
        lines += ["", f"Screens of {event.title} (crew screens: sign in, or use the links on the setup page's sheet):"]
        lines += screen_lines(public_screens(event, base))
    lines += ["", f"Crew sign in at {base}/signin with their role's passphrase."]
    if without_passphrase:
        roles = ", ".join(role.value for role in without_passphrase)
        lines.append(f"No passphrase yet for: {roles}. Set them on the setup page or with "
                     "`runofshow passphrase --role ROLE`.")
    return lines
