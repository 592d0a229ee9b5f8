"""Benchmark of the importers: a 1,000-event conference schedule, 20,000 rows with one title, hostile nesting.

Prints one JSON object. Targets (issue 14): the 1,000-event schedule.json imports in under 1 s; a file nested
100,000 deep (JSON, YAML, XML) is refused in well under a second.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runofshow.importers import ImportProblem, parse_agenda

EVENTS = 1000
DAYS = 4
ROOMS = 10
TALK_MINUTES = 25
DEEP = 100_000


def conference_schedule(events: int = EVENTS, days: int = DAYS, rooms: int = ROOMS) -> bytes:
    """A C3VOC schedule.json of `events` talks spread over `days` days and `rooms` rooms, two speakers each."""
    zone = ZoneInfo("Europe/Berlin")
    names = [f"Hall {chr(65 + index)}" for index in range(rooms)]
    per_room_day = -(-events // (days * rooms))
    talks, serial = [], 0
    schedule_days = []
    for day in range(days):
        first = datetime(2024, 12, 27 + day, 9, 0, tzinfo=zone)
        day_rooms: dict[str, list[dict[str, Any]]] = {}
        for room in names:
            day_rooms[room] = []
            for slot in range(per_room_day):
                if serial == events:
                    break
                serial += 1
                talk = {
                    "guid": f"00000000-0000-4000-8000-{serial:012d}", "id": serial,
                    "date": (first + timedelta(minutes=30 * slot)).isoformat(),
                    "duration": f"0:{TALK_MINUTES:02d}", "room": room, "title": f"Talk number {serial}",
                    "subtitle": "", "type": "Talk", "language": "en", "abstract": "An abstract. " * 20,
                    "description": "A longer description of what the talk is about. " * 10,
                    "do_not_record": serial % 7 == 0,
                    "persons": [{"public_name": f"Speaker {serial}"}, {"public_name": f"Co-speaker {serial}"}],
                }
                day_rooms[room].append(talk)
                talks.append(talk)
        schedule_days.append({"index": day + 1, "date": first.date().isoformat(),
                              "day_start": first.replace(hour=4).isoformat(),
                              "day_end": (first + timedelta(hours=19)).isoformat(), "rooms": day_rooms})
    document = {"schedule": {"version": "bench", "conference": {
        "acronym": "bench", "title": "Bench Conference", "time_zone_name": "Europe/Berlin",
        "rooms": [{"name": room, "guid": f"10000000-0000-4000-8000-{index:012d}", "type": "lecturehall"}
                  for index, room in enumerate(names)],
        "days": schedule_days}}}
    return json.dumps(document).encode()


def one_title_csv(rows: int = 20_000) -> bytes:
    """A CSV of `rows` back-to-back blocks that all have the same title."""
    lines = ["title,start,duration_minutes,stage"]
    start = datetime(2024, 5, 6, 0, 0)
    for index in range(rows):
        lines.append(f"Same,{(start + timedelta(minutes=index)).strftime('%Y-%m-%d %H:%M')},1,s{index // 1000}")
    return "\n".join(lines).encode()


def timed(func: Callable[[], Any], repeat: int) -> dict[str, float]:
    """Median and best wall time of `func` in milliseconds over `repeat` runs."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(samples), 1), "best_ms": round(min(samples), 1), "runs": repeat}


def refused(data: bytes, path: str) -> Callable[[], None]:
    """A function that imports `data` and insists it is refused."""
    def run() -> None:
        try:
            parse_agenda(data, path=path)
        except ImportProblem:
            return
        raise AssertionError(f"{path} was imported")
    return run


def main() -> None:
    """Run the benchmarks and print the results as JSON."""
    schedule = conference_schedule()
    event = parse_agenda(schedule, path="bench.json")
    blocks = sum(len(stage.blocks) for stage in event.stages)
    same = one_title_csv()
    hostile = {
        "json": b"[" * DEEP + b"]" * DEEP,
        "yaml": b"stages: " + b"[" * DEEP + b"]" * DEEP + b"\n",
        "xml": b"<schedule>" + b"<a>" * DEEP + b"</a>" * DEEP + b"</schedule>",
    }
    result = {
        "conference_schedule": {"events": EVENTS, "blocks": blocks, "stages": len(event.stages),
                                "bytes": len(schedule), "target_ms": 1000,
                                **timed(lambda: parse_agenda(schedule, path="bench.json"), 5)},
        "one_title_20000_rows": {"bytes": len(same), "limits": "RUNOFSHOW_MAX_BLOCKS_PER_* raised to 20000",
                                 **_with_limits(lambda: timed(lambda: parse_agenda(same, path="same.csv"), 1))},
        "refused_nested_100000_deep": {kind: timed(refused(data, f"deep.{kind}"), 3)
                                       for kind, data in hostile.items()},
    }
    print(json.dumps(result, indent=2))


def _with_limits(func: Callable[[], dict[str, float]]) -> dict[str, float]:
    """Run `func` with the block limits raised to 20,000 (the default refuses 20,000 rows)."""
    names = ("RUNOFSHOW_MAX_BLOCKS_PER_STAGE", "RUNOFSHOW_MAX_BLOCKS_PER_EVENT")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, "20000"))
    try:
        return func()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


if __name__ == "__main__":
    main()
