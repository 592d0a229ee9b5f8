"""The recording plan on the crew screens: a speaker's opt-out is a badge on the stream view and the console."""

from __future__ import annotations

from typing import Any

from tests.support.browser import LiveServer, wait_until

AGENDA_YAML = """\
title: Opptak
timezone: Europe/Oslo
stages:
  - id: plenary
    name: Plenum
    blocks:
      - {id: open, title: Åpning, start: 2025-09-11 09:00, duration_minutes: 30, start_rule: hard, stream: live,
         record: record, record_source: "do_not_record: false"}
      - {id: private, title: Lukket innlegg, start: 2025-09-11 09:30, duration_minutes: 30, stream: live,
         record: do_not_record, record_source: "do_not_record: true"}
      - {id: plain, title: Avslutning, start: 2025-09-11 10:00, duration_minutes: 30}
"""


def badges_by_title(page: Any, title_column: int) -> dict[str, str]:
    """Each timeline row's title (before any mark) and the text of its badges."""
    rows = {}
    for row in page.locator("#timeline tr").all():
        cells = row.locator("td").all_text_contents()
        if len(cells) > title_column:
            rows[cells[title_column].split(" · ")[0].strip()] = " ".join(row.locator(".badge").all_text_contents())
    return rows


def test_stream_view_and_console_show_who_may_not_be_recorded(server: LiveServer, open_page: Any) -> None:
    stream = open_page(server.share_link("stream", "/stream/plenary?lang=en"), wait=True)
    wait_until(lambda: "Lukket innlegg" in badges_by_title(stream, 1))
    shown = badges_by_title(stream, 1)
    assert "NO RECORDING" in shown["Lukket innlegg"] and "ON AIR" in shown["Lukket innlegg"]
    assert "REC" in shown["Åpning"] and "NO RECORDING" not in shown["Åpning"]
    assert "REC" not in shown["Avslutning"]
    console = open_page(server.share_link("moderator", "/console/plenary?lang=nb"), wait=True)
    wait_until(lambda: "Lukket innlegg" in badges_by_title(console, 3))
    assert "IKKE OPPTAK" in badges_by_title(console, 3)["Lukket innlegg"]
