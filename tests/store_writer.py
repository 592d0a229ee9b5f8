"""Test helper: a separate process that advances one stage's counter with compare-and-set, as fast as it can."""

from __future__ import annotations

import argparse
import json
import sys
import time

from runofshow.live.clocks import SystemClock
from runofshow.live.store import Store

PAYLOAD = "run-of-show " * 20


def main(argv: list[str] | None = None) -> int:
    """Loop compare-and-set increments until stopped, --count wins or the stage reaches --until."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--stage", default="main")
    parser.add_argument("--actor", default="writer")
    parser.add_argument("--count", type=int, default=None, help="stop after this many stored increments")
    parser.add_argument("--until", type=int, default=None, help="stop once the stage is at this revision")
    parser.add_argument("--start-at", type=float, default=None, help="wait until this time.time() to start")
    options = parser.parse_args(argv)

    store = Store(options.url)
    wins = 0
    losses = 0
    print("ready", flush=True)
    if options.start_at is not None:
        time.sleep(max(0.0, options.start_at - time.time()))
    try:
        while options.count is None or wins < options.count:
            stored = store.load_state(options.stage)
            if stored is None:
                print(f"no stage {options.stage!r}", file=sys.stderr)
                return 2
            if options.until is not None and stored.rev >= options.until:
                break
            counter = stored.state["counter"] + 1
            if store.compare_and_set(
                options.stage,
                stored.rev,
                stored.rev + 1,
                {"counter": counter, "payload": PAYLOAD, "writer": options.actor},
                actor=options.actor,
                at=SystemClock().now(),
                command="increment",
                args={"counter": counter},
            ):
                wins += 1
            else:
                losses += 1
    finally:
        store.close()
    print(json.dumps({"wins": wins, "losses": losses}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
