"""The screens in a real browser: Debian's Chromium driven by Playwright against `runofshow serve`.

One server (threading, rehearsal clock at x1 so show time starts at 08:59 on the reference day, no
scheduler) serves the whole module; tests run in file order and each sets up the show state it needs
over REST. Screenshots of every screen go to docs/screenshots/ (linked from the README).
"""

from __future__ import annotations

import re
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import (
    DESKTOP, EMAIL, SCREENSHOTS, LiveServer, parse_clock, shoot, wait_live, wait_until,
)

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent / "data" / "browser"
MARKUP_AGENDA = DATA / "markup-in-titles-2025-06-02.txt"
IMG_TITLE = "<img src=x onerror=alert(1)>"
SCRIPT_TITLE = "Workshop <script>alert(2)</script>"
# Sentences of the reference day's private notes (ADDITIONAL INFORMATION) that only crew may see.
PRIVATE = ("akl@nforsk.no", "Fylkeskommunene styrer dagsorden selv", "Kommer fysisk",
           "Trenger en leder for den digitale gruppen", "Walk and talk", "Andreas noterer ned innspillene",
           "Fasiliteres av Anette og Mona")
TV = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def text(page: Any, selector: str) -> str:
    """The rendered text of the first element matching `selector`."""
    return (page.locator(selector).first.text_content() or "").strip()


def countdown_style(page: Any) -> dict[str, str]:
    """Computed colour, background and animation of the countdown, and the body's level class."""
    return page.evaluate("""() => {
        const style = getComputedStyle(document.getElementById('countdown'));
        return {color: style.color, background: style.backgroundColor, animation: style.animationName,
                body: getComputedStyle(document.body).backgroundColor, cls: document.body.className};
    }""")


# ---- console -> stage ---------------------------------------------------------------------------


def test_next_key_in_console_changes_stage_within_500_ms(server: LiveServer, open_page: Any) -> None:
    stage = open_page(server.share_link("screen", "/stage/plenary"), viewport=TV)
    console = open_page(server.share_link("moderator", "/console/plenary"), viewport={"width": 1440, "height": 1000})
    second_console = open_page(server.share_link("moderator", "/console/plenary"))
    for page in (stage, console, second_console):
        wait_live(page)
    before = text(stage, "#now-title")
    assert server.snapshot()["status"] == "not_started"

    console.locator("body").click(position={"x": 5, "y": 5})
    started = time.monotonic()
    console.keyboard.press("ArrowRight")
    stage.wait_for_function("(old) => document.getElementById('now-title').textContent !== old", arg=before,
                            timeout=2000)
    took = time.monotonic() - started
    assert took < 0.5, f"the stage changed {took * 1000:.0f} ms after the key press"
    assert text(stage, "#now-title") == "Fylkeskommunenes samling"
    # Several consoles stay in sync.
    second_console.wait_for_function(
        "document.getElementById('now-title').textContent === 'Fylkeskommunenes samling'", timeout=2000)
    # The rest of the shortcuts: + adds a minute, p pauses and resumes, m focuses the message field.
    console.keyboard.press("+")
    wait_until(lambda: server.snapshot()["current"]["added_ms"] == 60_000)
    console.keyboard.press("p")
    wait_until(lambda: server.snapshot()["status"] == "paused")
    stage.wait_for_selector("#paused", state="visible", timeout=2000)
    shoot(stage, "stage-paused")
    console.keyboard.press("p")
    wait_until(lambda: server.snapshot()["status"] == "running")
    console.keyboard.press("-")
    wait_until(lambda: server.snapshot()["current"]["added_ms"] == 0)
    console.keyboard.press("m")
    assert console.evaluate("document.activeElement.id") == "message-text"
    console.keyboard.type("Questions from Teams, please")
    console.keyboard.press("Enter")
    stage.wait_for_function(
        "document.getElementById('message').textContent === 'Questions from Teams, please'", timeout=2000)
    assert stage.locator("#message").is_visible()
    shoot(stage, "stage")
    console.locator("#message-clear").click()
    stage.wait_for_selector("#message", state="hidden", timeout=2000)
    assert "Space" in text(console, ".shortcuts") and "←" in text(console, ".shortcuts")


def test_page_clock_seven_minutes_off_shows_server_remaining(server: LiveServer, open_page: Any) -> None:
    seven_minutes_ahead = """(() => {
        const offset = 7 * 60 * 1000, Real = Date;
        class Skewed extends Real {
            constructor(...args) { if (args.length === 0) super(Real.now() + offset); else super(...args); }
            static now() { return Real.now() + offset; }
        }
        window.Date = Skewed;
    })();"""
    stage = open_page(f"{server.url}/stage/plenary", init_script=seven_minutes_ahead)
    wait_live(stage)
    stage.wait_for_timeout(800)  # a few clock samples
    skew = stage.evaluate("Date.now() - performance.timeOrigin - performance.now()")
    assert abs(skew - 7 * 60 * 1000) < 2000, "the page's clock is not 7 minutes off"
    for _ in range(3):
        before = time.monotonic()
        snap = server.snapshot(crew=False)
        after = time.monotonic()
        shown = parse_clock(text(stage, "#countdown"))
        read = time.monotonic()
        # The server's remaining time at the moment the page was read, give or take the request.
        expected = snap["current"]["remaining_ms"] / 1000 - (read - (before + after) / 2)
        assert abs(shown - expected) <= 1.0 + (after - before), (shown, expected)
        # The stage's clock shows server time, not the page's.
        zone = ZoneInfo("Europe/Oslo")
        server_time = datetime.fromtimestamp((snap["now_ms"] / 1000) + (read - after), zone)
        page_clock = datetime.strptime(text(stage, "#clock"), "%H:%M:%S")
        seconds = page_clock.hour * 3600 + page_clock.minute * 60 + page_clock.second
        server_seconds = server_time.hour * 3600 + server_time.minute * 60 + server_time.second
        assert abs(seconds - server_seconds) <= 2, (text(stage, "#clock"), server_time)
        stage.wait_for_timeout(300)


# ---- wrap-up colours ---------------------------------------------------------------------------


def test_warning_danger_and_overtime_look_different(server: LiveServer, open_page: Any) -> None:
    stage = open_page(f"{server.url}/stage/plenary", viewport=TV)
    calm = open_page(f"{server.url}/stage/plenary", reduced_motion="reduce")
    wait_live(stage)
    wait_live(calm)
    snap = server.go_to("apning-og-velkommen")
    warning_s, danger_s = snap["current"]["warning_ms"] / 1000, snap["current"]["danger_ms"] / 1000
    stage.wait_for_function("document.body.classList.contains('level-normal')", timeout=2000)
    styles = {"normal": countdown_style(stage)}

    server.go_to("apning-og-velkommen", remaining_s=warning_s - 60)
    stage.wait_for_function("document.body.classList.contains('level-warning')", timeout=2000)
    styles["warning"] = countdown_style(stage)
    shoot(stage, "stage-warning")

    server.go_to("apning-og-velkommen", remaining_s=danger_s - 20)
    stage.wait_for_function("document.body.classList.contains('level-danger')", timeout=2000)
    styles["danger"] = countdown_style(stage)
    shoot(stage, "stage-danger")

    server.command("add_time", minutes=-5)  # cuts to now at the earliest: time is up
    stage.wait_for_function("document.body.classList.contains('level-overtime')", timeout=2000)
    stage.wait_for_timeout(1200)
    styles["overtime"] = countdown_style(stage)
    shown = text(stage, "#countdown")
    assert shown.startswith("+") and parse_clock(shown) <= -1, shown
    stage.wait_for_timeout(1100)
    assert parse_clock(text(stage, "#countdown")) < parse_clock(shown), "overtime does not count up"
    shoot(stage, "stage-overtime")

    looks = {level: (style["color"], style["background"], style["body"]) for level, style in styles.items()}
    assert len(set(looks.values())) == 4, looks
    assert styles["overtime"]["animation"] == "flash", "overtime must flash"
    calm.wait_for_function("document.body.classList.contains('level-overtime')", timeout=2000)
    assert countdown_style(calm)["animation"] == "none", "no flashing with prefers-reduced-motion"
    assert countdown_style(calm)["background"] == styles["overtime"]["background"] or \
        countdown_style(calm)["color"] == styles["overtime"]["color"]


# ---- the console's crew panels ------------------------------------------------------------------


def test_console_shows_notes_contacts_duties_and_takes_a_duty(server: LiveServer, open_page: Any) -> None:
    server.go_to("4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na")
    console = open_page(server.share_link("moderator", "/console/plenary"), viewport={"width": 1440, "height": 1500})
    other = open_page(server.share_link("facilitator", "/console/plenary"))
    wait_live(console)
    wait_live(other)
    console.wait_for_function("document.getElementById('details').textContent.includes('Kommer fysisk')", timeout=3000)
    contact = console.locator("#details button.copy")
    assert contact.inner_text() == "akl@nforsk.no"
    contact.click()
    console.wait_for_function("document.querySelector('#details button.copy').textContent.includes('Copied')",
                              timeout=2000)

    server.go_to("malkonflikter")
    console.wait_for_function("document.getElementById('now-title').textContent === 'Målkonflikter'", timeout=2000)
    open_duty = console.locator("#duties li.duty.open", has_text="digital group")
    assert open_duty.count() == 1
    assert "Open the Teams breakout rooms" in text(console, "#duties")
    red = console.evaluate("getComputedStyle(document.querySelector('#duties li.duty.open')).color")
    assert red != console.evaluate("getComputedStyle(document.querySelector('#duties li.duty:not(.open)')).color")
    console.fill("#person", "Ingrid")
    open_duty.locator("button.take").click()
    wait_until(lambda: any(d["taken"] and d["assignee"] == "Ingrid" for d in server.snapshot()["duties_due"]))
    # Every console sees it (they all receive the pushed snapshot).
    other.wait_for_function("document.getElementById('duties').textContent.includes('Ingrid')", timeout=2000)
    console.wait_for_function("document.getElementById('duties').textContent.includes('taken by Ingrid')",
                              timeout=2000)
    # Go to any block, confirmed first.
    row = console.locator("#timeline tr", has_text="Pause").first
    row.locator("button").click()
    console.locator("#confirm-yes").wait_for(state="visible")
    console.locator("#confirm button[value=no]").click()
    assert server.snapshot()["current"]["block_id"] == "malkonflikter"
    server.command("message", text="5 min igjen")
    console.wait_for_function("document.getElementById('current-message').textContent === '5 min igjen'", timeout=2000)
    console.evaluate("window.scrollTo(0, 0)")
    console.wait_for_timeout(200)
    console.screenshot(path=str(SCREENSHOTS / "console-duties.png"), full_page=True)
    server.command("message", text="")


# ---- stream operator -----------------------------------------------------------------------------


def test_stream_view_shows_plan_windows_and_mismatch(server: LiveServer, open_page: Any) -> None:
    server.go_to("ks-informerer")
    stream = open_page(server.share_link("stream", "/stream/plenary"), viewport={"width": 1280, "height": 1000})
    wait_live(stream)
    assert text(stream, "#air") == "ON AIR"
    transition = text(stream, "#transition")
    assert re.search(r"at \d\d:\d\d, Målkonflikter, in \d\d:\d\d", transition), transition
    windows = [item.inner_text() for item in stream.locator("#windows li").all()]
    assert any("Åpning og velkommen" in item and "Strekk i laget" in item for item in windows), windows
    assert any("Måling og rapportering" in item and "Avrundning" in item for item in windows), windows

    stream.locator("#toggle").click()
    wait_until(lambda: server.snapshot()["stream_on"] is True)
    stream.wait_for_function("document.getElementById('actual').textContent.includes('ON AIR')", timeout=2000)
    assert stream.locator("#mismatch").is_hidden()
    shoot(stream, "stream")

    server.go_to("lunsj")  # not a streamed block, but the stream is still on
    stream.wait_for_selector("#mismatch", state="visible", timeout=2000)
    assert "Mismatch" in text(stream, "#mismatch")
    assert text(stream, "#air") == "NOT DECIDED"
    assert "KS informerer" in text(stream, "#slate")
    shoot(stream, "stream-mismatch")
    stream.locator("#toggle").click()
    wait_until(lambda: server.snapshot()["stream_on"] is False)
    stream.wait_for_selector("#mismatch", state="hidden", timeout=2000)


# ---- public screens carry nothing private -------------------------------------------------------


def test_room_agenda_and_stage_carry_nothing_private(server: LiveServer, browser: Any) -> None:
    crew_notes = " ".join(block["notes"] for block in server.agenda()["blocks"])
    assert all(secret in crew_notes for secret in PRIVATE), "the private sentences are not in the crew's notes"
    server.go_to("4-ar-siden-strekk-i-laget-rapporten-hvor-er-vi-na")
    server.command("add_time", minutes=5)  # late: the agenda shows projected times
    pages = {"room": ("/room/plenary", TV), "room-teams": ("/room/teams", DESKTOP), "agenda": ("/agenda", PHONE),
             "stage": ("/stage/plenary", DESKTOP)}
    frames: dict[str, list[str]] = {name: [] for name in pages}
    contexts = []
    opened = {}
    for name, (path, viewport) in pages.items():
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()

        def capture(ws: Any, name: str = name) -> None:
            ws.on("framereceived", lambda payload: frames[name].append(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace")))

        page.on("websocket", capture)
        page.goto(server.url + path)
        wait_live(page)
        opened[name] = page
    try:
        server.go_to("ks-informerer")  # a push to every screen
        for name, page in opened.items():
            if name != "room-teams":  # KS informerer is not on in the Teams room
                page.wait_for_function("document.body.textContent.includes('KS informerer')", timeout=2000)
            page.wait_for_timeout(300)
            received = "\n".join(frames[name])
            assert "KS informerer" in received and "snapshot" in received, f"{name}: no payload captured"
            dom = page.content() + page.locator("body").inner_text()
            for where, content in (("socket", received), ("DOM", dom)):
                assert not EMAIL.search(content), f"{name} {where}: e-mail address {EMAIL.search(content)}"
                for secret in PRIVATE:
                    assert secret not in content, f"{name} {where}: private note {secret!r}"
        # The day's first block restarted now (show time just after 09:00) and 15 minutes added: running late.
        server.go_to("fylkeskommunenes-samling")
        server.command("add_time", minutes=15)
        room, agenda = opened["room"], opened["agenda"]
        room.wait_for_function("document.getElementById('now-title').textContent.includes('Fylkeskommunenes')",
                               timeout=2000)
        room.wait_for_timeout(300)
        assert "Åpning og velkommen" in text(room, "#next-title")
        assert re.search(r"Running \d+ min late", text(room, "#delay")), text(room, "#delay")
        assert room.locator(".room-qr img").evaluate("img => img.complete && img.naturalWidth > 0")
        shoot(room, "room")
        teams = opened["room-teams"]
        teams.wait_for_timeout(200)
        shoot(teams, "room-teams")
        console = contexts[0].browser.new_context(viewport={"width": 1440, "height": 1000})
        contexts.append(console)
        console_page = console.new_page()
        console_page.goto(server.share_link("moderator", "/console/plenary"))
        wait_live(console_page)
        console_page.wait_for_timeout(200)
        assert "Running 14 min late" in text(console_page, "#delay") or "Running 15 min late" in text(console_page, "#delay")
        shoot(console_page, "console")
        agenda.wait_for_function("document.querySelector('[aria-current]') !== null", timeout=2000)
        assert "Fylkeskommunenes" in agenda.locator("[aria-current]").inner_text()
        assert agenda.locator(".slot.upcoming .was").count() > 0, "no projected times shown although late"
        agenda.wait_for_timeout(200)
        shoot(agenda, "agenda")
        agenda.screenshot(path=str(SCREENSHOTS / "agenda-full.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()
    with urllib.request.urlopen(f"{server.url}/qr/agenda.svg") as response:
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in response.read()


# ---- languages ------------------------------------------------------------------------------------


def test_norwegian_and_english_on_every_page(server: LiveServer, browser: Any) -> None:
    expected = {
        "nb": {"/stage/plenary": ("#next .next-label", "Neste"), "/console/plenary": (".shortcuts summary", "Hurtigtaster"),
               "/stream/plenary": ("#windows-heading", "Strømmevinduer i dag"),
               "/room/plenary": (".room-qr p", "Skann for programmet"), "/agenda": (".lang-switch", "English")},
        "en": {"/stage/plenary": ("#next .next-label", "Next"), "/console/plenary": (".shortcuts summary", "Keyboard shortcuts"),
               "/stream/plenary": ("#windows-heading", "Stream windows today"),
               "/room/plenary": (".room-qr p", "Scan for the agenda"), "/agenda": (".lang-switch", "Norsk")},
    }
    # Text drawn by the scripts, too.
    scripted = {"nb": {"/console/plenary": ("#connection", "Tilkoblet"), "/stream/plenary": ("#air", "PÅ LUFTA"),
                       "/agenda": (".badge.live", "Strømmes"), "/room/plenary": ("#now-label", "Her nå")},
                "en": {"/console/plenary": ("#connection", "Connected"), "/stream/plenary": ("#air", "ON AIR"),
                       "/agenda": (".badge.live", "Streamed"), "/room/plenary": ("#now-label", "Here now")}}
    server.go_to("ks-informerer")
    for lang, checks in expected.items():
        context = browser.new_context(viewport=DESKTOP)
        try:
            page = context.new_page()
            page.goto(server.share_link("moderator", "/"))
            for path, (selector, wanted) in checks.items():
                page.goto(f"{server.url}{path}?lang={lang}")
                wait_live(page)
                assert page.evaluate("document.documentElement.lang") == lang
                assert text(page, selector) == wanted, (lang, path)
                if path in scripted[lang]:
                    sel, words = scripted[lang][path]
                    page.wait_for_function("([s, w]) => document.querySelector(s)?.textContent.trim() === w",
                                           arg=[sel, words], timeout=2000)
                if lang == "nb" and path in ("/console/plenary", "/agenda"):
                    if path == "/agenda":
                        page.set_viewport_size(PHONE)
                    page.wait_for_timeout(200)
                    shoot(page, f"{path.strip('/').split('/')[0]}-nb")
                    page.set_viewport_size(DESKTOP)
        finally:
            context.close()


# ---- losing the server ----------------------------------------------------------------------------


def test_stage_keeps_counting_while_the_server_is_down_and_resyncs(server: LiveServer, open_page: Any) -> None:
    server.go_to("ks-informerer")
    stage = open_page(f"{server.url}/stage/plenary", viewport=TV)
    wait_live(stage)
    stage.evaluate("window.__sameDocument = true")
    assert stage.locator("#connection").is_hidden()
    server.kill()
    stage.wait_for_function("document.body.dataset.connection === 'reconnecting'", timeout=5000)
    assert stage.locator("#connection").is_visible()
    assert "Reconnecting" in text(stage, "#connection")
    first = parse_clock(text(stage, "#countdown"))
    stage.wait_for_timeout(1500)
    second = parse_clock(text(stage, "#countdown"))
    assert 1 <= first - second <= 2, (first, second)
    shoot(stage, "stage-reconnecting")

    server.start()  # same port, same store
    stage.wait_for_function("document.body.dataset.connection === 'connected'", timeout=10_000)
    assert stage.locator("#connection").is_hidden()
    server.go_to("maling-og-rapportering")
    stage.wait_for_function(
        "document.getElementById('now-title').textContent === 'Måling og rapportering'", timeout=2000)
    assert stage.evaluate("window.__sameDocument === true"), "the page was reloaded"
    snap = server.snapshot(crew=False)
    assert abs(parse_clock(text(stage, "#countdown")) - snap["current"]["remaining_ms"] / 1000) <= 1.5


# ---- markup in titles -----------------------------------------------------------------------------


def test_markup_in_titles_shows_as_text_everywhere(server: LiveServer, open_page: Any) -> None:
    today = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    output = server.cli("import", str(MARKUP_AGENDA), "--replace", "--date", today)
    try:
        blocks = wait_until(lambda: (lambda found: found if found[0]["title"] == IMG_TITLE else None)(
            server.agenda()["blocks"]), timeout=5)
    except AssertionError:
        raise AssertionError(f"the server still serves {server.agenda()['blocks'][0]['title']!r}; import said: "
                             f"{output}") from None
    assert blocks[0]["title"] == IMG_TITLE and blocks[2]["title"] == SCRIPT_TITLE
    server.go_to(blocks[0]["id"])
    server.command("message", text="<b>not bold</b>")
    pages = {
        "stage": open_page(f"{server.url}/stage/plenary"),
        "console": open_page(server.share_link("moderator", "/console/plenary")),
        "stream": open_page(server.share_link("stream", "/stream/plenary")),
        "room": open_page(f"{server.url}/room/plenary"),
        "agenda": open_page(f"{server.url}/agenda", viewport=PHONE),
    }
    for name, page in pages.items():
        wait_live(page)
        page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=IMG_TITLE, timeout=3000)
        page.wait_for_timeout(200)
        assert page.locator('img[src="x"]').count() == 0, name
        assert page.evaluate("[...document.scripts].every(s => !s.textContent.includes('alert('))"), name
        if name in ("agenda", "console", "stream"):
            assert SCRIPT_TITLE in page.locator("body").inner_text(), name
        if name == "stage":
            assert text(page, "#message") == "<b>not bold</b>"
            assert page.locator("#message b").count() == 0
        if name in ("agenda", "room"):
            assert "kari.nordmann@example.org" not in page.content(), name
            assert "ferry" not in page.content(), name
    assert "kari.nordmann@example.org" in pages["console"].locator("#details").inner_text()
