"""The integrations a server runs (from its settings), and what the production desk reports about them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from runofshow.integrations import status
from runofshow.integrations.osc import OscIn, OscOut, start_osc
from runofshow.integrations.watch import StageFeed
from runofshow.integrations.webhooks import Webhooks, start_webhooks

INTEGRATIONS_KEY = "runofshow.integrations"
EVENT_WIDE = ("osc in", "osc out", "webhooks")
"""The integrations of the whole event, listed as off until they report; OBS reports per stage as "obs"."""
OBS = "obs"

log = logging.getLogger(__name__)


@dataclass
class Integrations:
    """What one server started: OSC in and out, webhooks."""

    osc: list[OscIn | OscOut] = field(default_factory=list)
    webhooks: Webhooks | None = None

    def stop(self) -> None:
        """Stop every part."""
        for part in self.osc:
            part.stop()
        if self.webhooks is not None:
            self.webhooks.stop()


def start_integrations(app: Flask) -> Integrations:
    """Start the integrations the app's settings switch on (none by default); a broken one is logged, never fatal.

    OSC out and the webhooks share one feed: each change is read once, after the push, for both.
    """
    from runofshow.web import service_of

    values = app.config["RUNOFSHOW"]
    running = Integrations()
    feed = StageFeed(service_of(app))
    try:
        running.osc = start_osc(app, values, feed)
    except (OSError, ValueError) as error:
        log.error("OSC not started: %s", error)
        status.report("osc in", "", "error", f"not started: {error}")
    try:
        running.webhooks = start_webhooks(feed, values)
    except (OSError, ValueError) as error:
        log.error("webhooks not started: %s", error)
        status.report("webhooks", "", "error", f"not started: {error}")
    app.extensions[INTEGRATIONS_KEY] = running
    return running


def desk_report(app: Flask, stage_ids: list[str]) -> dict[str, Any]:
    """Every integration's status (off when it never reported) and the last webhook deliveries, newest first."""
    reported = {(item.name, item.stage): item.to_dict() for item in status.statuses()}
    defaults = [(name, "") for name in EVENT_WIDE] + [(OBS, stage_id) for stage_id in stage_ids]
    for key in defaults:
        reported.setdefault(key, {"name": key[0], "stage": key[1], "state": "off", "detail": "", "at": None})
    running: Integrations | None = app.extensions.get(INTEGRATIONS_KEY)
    hooks = running.webhooks if running is not None else None
    return {"integrations": [reported[key] for key in sorted(reported)],
            "deliveries": hooks.log_entries() if hooks is not None else []}
