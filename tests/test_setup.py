"""Venue day one: where `runofshow serve` says to go, and the crew lead's setup page (passphrases, links, presence)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runofshow.web.addresses import Interface, base_url, from_ip_json, reachable
from runofshow.web.banner import public_screens, qr_lines, screen_lines, serve_banner
from runofshow.web.presence import Presence

VENUE = [Interface("127.0.0.1", "lo"), Interface("::1", "lo"), Interface("10.1.2.3", "wlan0"),
         Interface("fe80::1", "wlan0"), Interface("fd00::7", "eth0"), Interface("192.168.0.9", "eth0")]


# ---- addresses ------------------------------------------------------------------------------------


def test_every_interface_for_a_wildcard_host_and_never_the_wildcard() -> None:
    where = reachable("0.0.0.0", 5000, VENUE)
    assert where.urls == (("http://10.1.2.3:5000", "wlan0"), ("http://192.168.0.9:5000", "eth0"),
                          ("http://127.0.0.1:5000", "lo"))
    assert not where.local_only
    assert all("0.0.0.0" not in url for url, _ in where.urls)


def test_ipv6_wildcard_adds_ipv6_addresses_in_brackets_but_no_link_local() -> None:
    urls = [url for url, _ in reachable("::", 8080, VENUE).urls]
    assert urls == ["http://10.1.2.3:8080", "http://192.168.0.9:8080", "http://[fd00::7]:8080",
                    "http://127.0.0.1:8080", "http://[::1]:8080"]


def test_loopback_host_is_this_machine_only() -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        where = reachable(host, 5000, VENUE)
        assert where.local_only, host
        assert len(where.urls) == 1
    assert reachable("localhost", 5000, VENUE).urls[0][0] == "http://127.0.0.1:5000"


def test_one_address_is_named_with_its_interface() -> None:
    assert reachable("192.168.0.9", 80, VENUE).urls == (("http://192.168.0.9:80", "eth0"),)
    assert reachable("show.example.org", 80, VENUE).urls == (("http://show.example.org:80", ""),)


def test_a_wildcard_on_a_machine_with_no_network_falls_back_to_loopback() -> None:
    where = reachable("0.0.0.0", 5000, [Interface("127.0.0.1", "lo")])
    assert where.local_only and where.urls == (("http://127.0.0.1:5000", "lo"),)
    assert reachable("0.0.0.0", 5000, []).urls == (("http://127.0.0.1:5000", "loopback"),)


def test_interfaces_from_ip_json_skip_links_that_are_down() -> None:
    text = json.dumps([
        {"ifname": "lo", "flags": ["LOOPBACK", "UP"], "addr_info": [{"family": "inet", "local": "127.0.0.1"}]},
        {"ifname": "eth0", "flags": ["BROADCAST", "UP", "LOWER_UP"],
         "addr_info": [{"family": "inet", "local": "10.0.0.5"}, {"family": "inet6", "local": "fd00::5"}]},
        {"ifname": "wlan0", "flags": ["BROADCAST"], "addr_info": [{"family": "inet", "local": "10.9.9.9"}]},
    ])
    assert from_ip_json(text) == [Interface("127.0.0.1", "lo"), Interface("10.0.0.5", "eth0"),
                                  Interface("fd00::5", "eth0")]
    assert base_url("fd00::5", 1) == "http://[fd00::5]:1"


# ---- the serve banner -------------------------------------------------------------------------------


def test_banner_names_addresses_setup_link_screens_and_roles_without_passphrase(reference: Any) -> None:
    from runofshow.engine import Role

    lines = serve_banner(reachable("0.0.0.0", 5000, VENUE), 5000, reference, "http://10.1.2.3:5000/join/abc",
                         [Role.STREAM, Role.SCREEN])
    text = "\n".join(lines)
    assert "0.0.0.0" not in text
    assert "  http://10.1.2.3:5000/  (wlan0)" in lines and "  http://192.168.0.9:5000/  (eth0)" in lines
    assert "  http://10.1.2.3:5000/join/abc" in lines
    assert "Only this machine" not in text
    for screen in ("stage screen (Plenum)", "studio clock (Plenum)", "room screen (Teams)", "public agenda"):
        assert screen in text
    assert "http://10.1.2.3:5000/stage/plenary" in text and "http://10.1.2.3:5000/room/teams" in text
    assert "Crew sign in at http://10.1.2.3:5000/signin" in text
    assert "No passphrase yet for: stream, screen." in text
    assert not any(set(line) & set("█▀▄") for line in lines)


def test_banner_on_loopback_says_how_to_open_it_up_and_draws_a_qr_code(reference: Any) -> None:
    lines = serve_banner(reachable("127.0.0.1", 5055, VENUE), 5055, reference, "http://127.0.0.1:5055/join/x", [],
                         qr=True)
    text = "\n".join(lines)
    assert "Only this machine can open these addresses" in text
    assert "--host 0.0.0.0" in text and "TCP port 5055" in text
    assert "No passphrase yet" not in text
    drawn = [line for line in lines if line and set(line) <= set("█▀▄ ")]
    assert drawn == qr_lines("http://127.0.0.1:5055/join/x") and len(drawn) > 10


def test_screen_lines_are_aligned() -> None:
    lines = screen_lines([("a", "http://x/1"), ("longer name", "http://x/2")])
    assert lines == ["  a            http://x/1", "  longer name  http://x/2"]
    assert public_screens.__doc__


def test_serve_prints_the_banner_before_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from runofshow.terminal.cli import main
    from runofshow.web import server

    served: list[tuple[Any, str, int]] = []
    monkeypatch.setenv("RUNOFSHOW_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("RUNOFSHOW_DATABASE_URL", raising=False)
    monkeypatch.setattr(server, "run", lambda app, host, port: served.append((app, host, port)))
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "5123", "--qr"])
    assert result.exit_code == 0, result.output
    assert "0.0.0.0" not in result.output
    assert re.search(r"http://127\.0\.0\.1:5123/", result.output)
    setup = re.search(r"(http://\S+:5123)/join/(\S+)", result.output)
    assert setup is not None
    assert "█" in result.output
    assert "stage screen (Plenum)" in result.output and "No passphrase yet for: moderator" in result.output
    app, host, port = served[0]
    assert (host, port) == ("0.0.0.0", 5123)
    client = app.test_client()
    opened = client.get(f"/join/{setup.group(2)}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/setup")
    assert client.get("/setup").status_code == 200
    from runofshow.web import service_of

    service_of(app).store.close()


# ---- presence ------------------------------------------------------------------------------------------


def test_presence_counts_connections_and_remembers_when_each_screen_was_last_seen() -> None:
    now = [1000.0]
    presence = Presence(lambda: now[0])
    presence.joined("a", "stage", "plenary")
    presence.joined("b", "stage", "plenary")
    presence.joined("c", "console", "*")
    now[0] = 1010.0
    presence.heard("a")
    presence.left("b")
    now[0] = 1070.0
    report = {(p.audience, p.target): p for p in presence.report([("stage", "plenary"), ("room", "teams")])}
    assert report["stage", "plenary"].connected == 1 and report["stage", "plenary"].seconds_ago == 0
    assert report["room", "teams"].connected == 0 and report["room", "teams"].seconds_ago is None
    assert report["console", "*"].connected == 1
    presence.left("a")
    now[0] = 1100.0
    gone = presence.report([])[0]
    assert (gone.audience, gone.connected, gone.seconds_ago) == ("stage", 0, 30.0)


def test_setup_presence_follows_socket_joins_and_disconnects(moderator: Any, socket_client: Any) -> None:
    def row(name: str) -> dict[str, Any]:
        body = moderator.get("/setup/presence").get_json()
        return next(screen for screen in body["screens"] if screen["screen"] == name)

    assert row("Stage screen: Plenum") == {"screen": "Stage screen: Plenum", "audience": "stage", "connected": 0,
                                           "seconds_ago": None}
    stage = socket_client()
    assert stage.emit("join", {"audience": "stage", "stage": "plenary"}, callback=True)["ok"]
    room = socket_client()
    assert room.emit("join", {"audience": "room", "room": "teams"}, callback=True)["ok"]
    assert row("Stage screen: Plenum")["connected"] == 1
    assert row("Room screen: Teams")["connected"] == 1
    stage.disconnect()
    gone = row("Stage screen: Plenum")
    assert gone["connected"] == 0 and gone["seconds_ago"] is not None
    assert row("Stream operator: Plenum")["seconds_ago"] is None


# ---- the setup page -----------------------------------------------------------------------------------


def test_setup_page_is_for_the_moderator_only(client: Any) -> None:
    assert client.get("/setup").status_code == 302
    assert client.get("/setup/sheet").status_code == 302
    assert client.get("/setup/presence").status_code == 401
    assert client.post("/setup/passphrase", data={"role": "stream", "passphrase": "x" * 12,
                                                  "confirm": "x" * 12}).status_code == 302
    for role in ("screen", "facilitator", "stream"):
        with client.session_transaction() as session:
            session["role"] = role
        assert client.get("/setup").status_code == 403
        assert client.get("/setup/sheet").status_code == 403
        assert client.get("/setup/presence").status_code == 403
        assert client.post("/setup/links/rotate").status_code == 403
    from runofshow.web.auth import Role, check_passphrase
    from runofshow.web.adapter import current_service

    with client.application.app_context():
        assert not check_passphrase(current_service().store, Role.STREAM, "x" * 12)


def test_setup_page_shows_agenda_passphrases_links_and_presence(moderator: Any) -> None:
    page = moderator.get("/setup").get_data(as_text=True)
    for part in ('id="agenda-section"', 'href="/import"', 'id="passphrases"', 'id="links"', 'id="connected"',
                 "/setup/sheet?base=", 'id="presence-data"', 'id="rotate-links"'):
        assert part in page, part
    assert page.count('class="passphrase-form"') == 4
    assert page.count("not set") >= 4
    assert "<script>" not in page and 'style="' not in page and "onclick" not in page


def test_passphrase_is_set_only_when_typed_twice_alike_and_long_enough(app: Any, moderator: Any) -> None:
    from runofshow.web import service_of
    from runofshow.web.auth import Role, check_passphrase

    store = service_of(app).store
    moderator.post("/setup/passphrase", data={"role": "stream", "passphrase": "short", "confirm": "short"})
    moderator.post("/setup/passphrase", data={"role": "stream", "passphrase": "streaming-2024",
                                              "confirm": "streaming-2025"})
    moderator.post("/setup/passphrase", data={"role": "public", "passphrase": "streaming-2024",
                                              "confirm": "streaming-2024"})
    assert not check_passphrase(store, Role.STREAM, "streaming-2024")
    page = moderator.get("/setup").get_data(as_text=True)
    assert "The two passphrases differ" in page
    answer = moderator.post("/setup/passphrase", data={"role": "stream", "passphrase": "streaming-2024",
                                                       "confirm": "streaming-2024"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/setup#passphrases")
    assert check_passphrase(store, Role.STREAM, "streaming-2024")
    assert "The passphrase for stream operator is set" in moderator.get("/setup").get_data(as_text=True)
    signin = app.test_client().post("/signin", data={"role": "stream", "passphrase": "streaming-2024"})
    assert signin.status_code == 302


def test_passphrase_form_needs_its_csrf_token(tmp_path: Path, clock: Any) -> None:
    from runofshow.web import create_app, service_of
    from runofshow.web.auth import Role, check_passphrase

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"), "SCHEDULER": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'csrf.sqlite3'}"}, clock=clock)
    client = app.test_client()
    with client.session_transaction() as session:
        session["role"] = "moderator"
    data = {"role": "facilitator", "passphrase": "facilitate-it", "confirm": "facilitate-it"}
    client.post("/setup/passphrase", data=data)
    assert not check_passphrase(service_of(app).store, Role.FACILITATOR, "facilitate-it")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/setup").get_data(as_text=True))
    assert token is not None
    client.post("/setup/passphrase", data={**data, "csrf_token": token.group(1)})
    assert check_passphrase(service_of(app).store, Role.FACILITATOR, "facilitate-it")
    service_of(app).store.close()


def _screen_row(page: str, target: str, role: str) -> str:
    """The links table's row of one screen."""
    match = re.search(rf'<tr data-target="{re.escape(target)}" data-role="{role}">(.*?)</tr>', page, re.S)
    assert match is not None, target
    return match.group(1)


def test_links_per_screen_new_revoke_and_rotate(app: Any, moderator: Any) -> None:
    from runofshow.web import service_of
    from runofshow.web.links import list_links, read_link, wall_now

    store = service_of(app).store
    context = app.app_context()
    context.push()
    page = moderator.get("/setup").get_data(as_text=True)
    assert "none yet" in _screen_row(page, "/console/plenary", "facilitator")
    moderator.post("/setup/links/new", data={"role": "facilitator", "target": "/console/plenary"})
    row = _screen_row(moderator.get("/setup").get_data(as_text=True), "/console/plenary", "facilitator")
    first = re.search(r'href="http://localhost/join/([^"]+)"', row)
    assert first is not None and "Revoke" in row
    assert read_link(store, first.group(1), wall_now()).target == "/console/plenary"
    # A new link for the same screen: the old one stops working.
    moderator.post("/setup/links/new", data={"role": "facilitator", "target": "/console/plenary"})
    assert read_link(store, first.group(1), wall_now()) is None
    second = re.search(r'/join/([^"]+)"', _screen_row(moderator.get("/setup").get_data(as_text=True),
                                                       "/console/plenary", "facilitator")).group(1)
    link_id = read_link(store, second, wall_now()).id
    moderator.post(f"/setup/links/{link_id}/revoke")
    assert read_link(store, second, wall_now()) is None
    # Only the event's screens get links from the page.
    moderator.post("/setup/links/new", data={"role": "moderator", "target": "https://evil.example/"})
    assert "No such screen" in moderator.get("/setup").get_data(as_text=True)
    assert not any(link.target.startswith("https:") for link in list_links(store))
    # Rotate: every working link is revoked and each screen has a new one.
    moderator.get("/setup/sheet")
    before = {link.id for link in list_links(store) if link.valid_at(wall_now())}
    assert before
    moderator.post("/setup/links/rotate")
    after = {link.id for link in list_links(store) if link.valid_at(wall_now())}
    assert after and not before & after
    context.pop()


def test_sheet_has_every_screen_with_its_url_and_a_qr_code(moderator: Any) -> None:
    page = moderator.get("/setup/sheet").get_data(as_text=True)
    names = re.findall(r'<h2 class="sheet-name">([^<]+)</h2>', page)
    assert "Stage screen: Plenum" in names and "Room screen: Teams" in names and "Production desk" in names
    urls = re.findall(r'<a class="sheet-url" href="([^"]+)">', page)
    assert len(urls) == len(names) == page.count("<svg")
    assert all(url.startswith("http://localhost/join/") for url in urls)
    # The same links on a second print: a taped sheet stays valid until the links are rotated.
    assert re.findall(r'<a class="sheet-url" href="([^"]+)">', moderator.get("/setup/sheet").get_data(as_text=True)) \
        == urls
    assert 'style="' not in page and "<script>" not in page
    assert moderator.get("/setup/sheet?base=http://evil.example").get_data(as_text=True).count("evil.example") == 0


def test_rotating_keeps_the_crew_lead_signed_in_with_the_setup_link(app: Any, client: Any) -> None:
    from runofshow.web.setup import setup_link

    link = setup_link(app, "http://localhost")
    assert setup_link(app, "http://localhost") == link, "a working setup link is reused, not issued again"
    assert client.get(link.removeprefix("http://localhost")).headers["Location"].endswith("/setup")
    client.get("/setup/sheet")
    client.post("/setup/links/rotate")
    page = client.get("/setup")
    assert page.status_code == 200 and "the one you signed in with still does" in page.get_data(as_text=True)
