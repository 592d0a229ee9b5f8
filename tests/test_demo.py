"""`runofshow demo`: offline, on the reference agenda, prints every screen's URL, and the links work."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.serverproc import base_env, free_port, http_json


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep 302s visible."""

    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.mark.slow
def test_demo_prints_every_screen_and_moves(tmp_path: Path) -> None:
    port = free_port()
    command = [str(Path(sys.executable).parent / "runofshow"), "demo", "--port", str(port), "--speed", "600"]
    process = subprocess.Popen(command, env=base_env(tmp_path), cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Press Ctrl+C"):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line.strip())
        urls = {line.split("http")[0].strip(): "http" + line.split("http", 1)[1] for line in lines if "http://" in line}
        labels = " ".join(urls)
        for screen in ("stage screen", "facilitator console", "stream operator", "agenda editor", "studio clock",
                       "room screen (Plenum)", "room screen (Teams)", "production desk", "public agenda"):
            assert screen in labels, labels
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if http_json("GET", f"http://127.0.0.1:{port}/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        console = next(url for label, url in urls.items() if label.startswith("facilitator console"))
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(console, timeout=5)
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 302 and redirect.headers["Location"].endswith("/console/plenary")
        else:
            raise AssertionError("the share link did not redirect")
        first = http_json("GET", f"http://127.0.0.1:{port}/api/stages/plenary/snapshot")[1]
        time.sleep(14)  # 2h20m of show time at x600: the first block has advanced by itself
        later = http_json("GET", f"http://127.0.0.1:{port}/api/stages/plenary/snapshot")[1]
        assert later["rev"] > first["rev"]
        assert later["current"]["block_id"] != "fylkeskommunenes-samling"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_each_console_link_signs_in_as_its_own_role(app) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import service_of
    from runofshow.web.auth import Role
    from runofshow.web.links import read_link, wall_now
    from runofshow.web.server import screen_links

    links = dict(screen_links(app, "http://demo"))
    with app.app_context():
        found = {label: read_link(service_of(app).store, url.rsplit("/join/", 1)[1], wall_now())
                 for label, url in links.items()}
    roles = {label: (link.role, link.target) for label, link in found.items() if link is not None}
    assert roles["facilitator console (Plenum)"] == (Role.FACILITATOR, "/console/plenary")
    assert roles["moderator console (Plenum)"] == (Role.MODERATOR, "/console/plenary")
    assert roles["agenda editor (Plenum)"] == (Role.MODERATOR, "/editor/plenary")
    assert roles["production desk"] == (Role.SCREEN, "/overview")
    # Public screens are links too (so they can be revoked and rotated), but they sign nobody in.
    assert roles["studio clock (Plenum)"] == (Role.PUBLIC, "/clock/plenary")
    assert roles["stage screen (Plenum)"] == (Role.PUBLIC, "/stage/plenary")
