"""Venue day one in a real browser: from a fresh instance through the setup page to screens opened from the sheet.

The crew lead follows the setup link `runofshow serve` printed, imports the reference agenda with its preview, sets
every crew passphrase, prints the screen sheet as a PDF with Chromium, and opens a stage, a room and a console screen
from the links on that sheet; the setup page then shows them connected.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from runofshow.agenda.reference import REFERENCE_AGENDA
from tests.support.browser import DESKTOP, LiveServer, shoot, wait_live, wait_until

pytestmark = pytest.mark.slow

PASSPHRASES = {"moderator": "moderate-the-day", "stream": "stream-it-all", "facilitator": "facilitate-well",
               "screen": "screens-on-walls"}
PDFTOTEXT = shutil.which("pdftotext")


def setup_link(server: LiveServer) -> str:
    """The link to the setup page that `runofshow serve` printed for the crew lead."""
    lines = server.process.log().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("This link signs its browser in as moderator"))
    return lines[at + 1].strip()


def sheet_text(pdf: bytes, folder: Path) -> str:
    """The text of a PDF in the order it was drawn, so each screen's name and URL lines stay together."""
    path = folder / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run([str(PDFTOTEXT), "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_fresh_instance_to_screens_opened_from_the_printed_sheet(server: LiveServer, open_page: Any,
                                                                  tmp_path: Path) -> None:
    log = server.process.log()
    assert "Only this machine can open these addresses" in log and "0.0.0.0:" not in log.split("Werkzeug")[0]
    setup = open_page(setup_link(server))
    assert setup.url.endswith("/setup")
    assert "not set" in setup.locator("#passphrase-moderator").inner_text()

    # Import the reference agenda through the existing upload with its preview.
    setup.click("#import-link")
    setup.wait_for_load_state("load")  # import.js handles the form: before it runs, a click would post it plainly
    setup.set_input_files("#file", str(REFERENCE_AGENDA))
    setup.click("#preview-button")
    setup.wait_for_function("!document.getElementById('apply-button').hidden || document.getElementById('feedback')"
                            ".textContent")
    assert setup.locator("#apply-button").is_visible(), setup.locator("#feedback").inner_text()
    setup.click("#apply-button")
    setup.wait_for_function("document.getElementById('feedback').textContent.includes('applied')")
    setup.click("text=Setup")
    assert "2024-05-06" in setup.locator("#agenda-summary").inner_text()

    # Every crew passphrase, typed twice.
    for role, passphrase in PASSPHRASES.items():
        setup.fill(f"#passphrase-{role}-new", passphrase)
        setup.fill(f"#passphrase-{role}-confirm", passphrase)
        setup.locator(f"#passphrase-{role} button").click()
        setup.wait_for_selector(f"#passphrase-{role} .badge.set")
    assert setup.locator("#passphrases .badge.set").count() == 4
    signin = open_page(f"{server.url}/signin")
    signin.select_option("#role", "facilitator")
    signin.fill("#passphrase", PASSPHRASES["facilitator"])
    signin.click("button[type=submit]")
    assert signin.locator("text=Sign out").count() == 1

    # The screen sheet: one printed page with every screen's name and link.
    setup.locator(".sheet-link").first.click()
    setup.wait_for_selector("#sheet")
    names = [name.strip() for name in setup.locator(".sheet-name").all_inner_texts()]
    urls = setup.eval_on_selector_all(".sheet-url", "links => links.map(a => a.href)")
    assert len(names) == len(urls) == setup.locator(".sheet-qr svg").count() >= 10
    setup.emulate_media(media="print")
    setup.screenshot(path=str(tmp_path / "sheet-print.png"), full_page=True)
    pdf = setup.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the sheet does not fit on one page"
    setup.emulate_media(media="screen")

    # Open a stage, a room and a console screen from the sheet's links: each joins and shows the day live.
    by_name = dict(zip(names, urls))
    stage = open_page(by_name["Stage screen: Plenum"], viewport={"width": 1920, "height": 1080}, wait=True)
    room = open_page(by_name["Room screen: Teams"], wait=True)
    console = open_page(by_name["Facilitator console: Plenum"], wait=True)
    assert stage.url.endswith("/stage/plenary") and room.url.endswith("/room/teams")
    assert console.url.endswith("/console/plenary")
    assert console.locator("#main").get_attribute("data-may"), "the console link did not sign in as crew"
    assert stage.locator("#now-title").count() == 1

    # The setup page sees them connected (its table refreshes every few seconds).
    setup.goto(f"{server.url}/setup")
    for screen in ("Stage screen: Plenum", "Room screen: Teams", "Console: Plenum"):
        wait_until(lambda screen=screen: setup.locator("#presence tr", has_text=screen).locator("td").first
                   .inner_text() == "1", timeout=12)
    assert "never" in setup.locator("#presence tr", has_text="Stream operator: Plenum").inner_text()
    setup.set_viewport_size({"width": DESKTOP["width"], "height": 2350})
    shoot(setup, "setup")
    console.close()
    wait_until(lambda: setup.locator("#presence tr", has_text="Console: Plenum").locator("td").first
               .inner_text() == "0", timeout=12)


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (Debian's poppler-utils) is not installed")
def test_printed_sheet_has_every_screen_name_and_link(server: LiveServer, open_page: Any, tmp_path: Path) -> None:
    sheet = open_page(server.share_link("moderator", "/setup/sheet"))
    names = [name.strip() for name in sheet.locator(".sheet-name").all_inner_texts()]
    urls = sheet.eval_on_selector_all(".sheet-url", "links => links.map(a => a.href)")
    assert "Stage screen: Plenum" in names and len(urls) == len(names)
    sheet.emulate_media(media="print")
    joined = re.sub(r"\s+", "", sheet_text(sheet.pdf(format="A4"), tmp_path))
    for name, url in zip(names, urls):
        assert re.sub(r"\s+", "", name) in joined and url in joined, name
