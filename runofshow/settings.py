"""Every setting, declared once: name, default, help. Read from RUNOFSHOW_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENV_PREFIX = "RUNOFSHOW_"


@dataclass(frozen=True)
class Setting:
    """One setting: its name (the environment variable without the prefix), default, type and help."""

    name: str
    default: Any
    help: str
    kind: type = str

    @property
    def env_var(self) -> str:
        """The environment variable that sets it."""
        return ENV_PREFIX + self.name

    def parse(self, raw: str) -> Any:
        """The typed value of a raw environment string, or ValueError naming the variable."""
        if self.kind is bool:
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"{self.env_var}={raw!r}: expected on or off")
        if self.kind in (int, float):
            try:
                return self.kind(raw)
            except ValueError:
                raise ValueError(f"{self.env_var}={raw!r}: expected a number") from None
        return raw


SETTINGS: tuple[Setting, ...] = (
    Setting("INSTANCE_PATH", "./instance", "Folder for the SQLite store, generated secrets and uploads."),
    Setting("DATABASE_URL", "", "SQLAlchemy URL of the store; empty means an SQLite file in the instance folder."),
    Setting("SECRET_KEY", "", "Key that signs session cookies and share links; empty means generated into the instance folder on first start."),
    Setting("LINK_DAYS", 1, "Share links made without an expiry stop working at midnight this many days after the event's last day (or after today, once the event is over).", int),
    Setting("SCHEDULER", True, "Run the scheduler in this process (off for extra web nodes).", bool),
    Setting("TIMEZONE", "Europe/Oslo", "Time zone assumed for imported times that carry none."),
    Setting("LANGUAGE", "en", "Default language of the screens: en, or a shipped catalogue's language (nb)."),
    Setting("HEARTBEAT_SECONDS", 10.0, "Seconds between heartbeats that let screens notice a dead link.", float),
    Setting("REHEARSAL_SPEED", 0.0, "Run the stored day as a rehearsal at this speed (0: real time).", float),
    Setting("LOGO", "", "Path of an image file (PNG, SVG, JPEG) with the event's logo, shown small in a corner of the public screens (stage, studio clock, room, agenda); empty for none."),
    Setting("OBS_URL", "", "obs-websocket URL (ws://host:4455) of the OBS Studio that streams the first stage; empty for none. A stage of its own: RUNOFSHOW_OBS_<STAGE>_URL."),
    Setting("OBS_PASSWORD", "", "obs-websocket password of that OBS (RUNOFSHOW_OBS_<STAGE>_PASSWORD for a stage's own)."),
    Setting("OBS_LIVE_SCENE", "", "Automation: the OBS scene to switch to when the plan goes on air; empty: leave the scene alone."),
    Setting("OBS_BREAK_SCENE", "", "Automation: the OBS scene to switch to when the plan goes off air (a break slate, say); empty: leave it."),
    Setting("OBS_SLATE_SOURCE", "", "Automation: the OBS text source that shows remote viewers when the stream resumes; empty: none."),
    Setting("OBS_START_STREAM", False, "Automation: start OBS's stream when the plan goes on air.", bool),
    Setting("OBS_STOP_STREAM", False, "Automation: stop OBS's stream when the plan goes off air.", bool),
    Setting("OBS_RECORD", False, "Automation: start OBS's recording when the plan goes on air, stop it when the plan goes off air.", bool),
    Setting("OBS_HONOUR_RECORDING_OPT_OUT", True, "Stop OBS's recording while a block whose speaker opted out of recording runs, and start it again after.", bool),
    Setting("OSC_LISTEN", "", "host:port where OSC commands are received over UDP (0.0.0.0:53000, say); empty: OSC in is off."),
    Setting("OSC_ALLOW", "127.0.0.1", "Comma-separated addresses or networks (10.0.0.0/24) whose OSC commands are accepted; packets from others are ignored."),
    Setting("OSC_ROLE", "moderator", "The role OSC commands act with: moderator, facilitator or stream."),
    Setting("OSC_TARGETS", "", "Comma-separated IPv4 host:port targets that receive the show's state over OSC; empty: OSC out is off."),
    Setting("WEBHOOKS", "", "Path of a JSON file listing webhook targets and the triggers each wants (or that JSON itself); empty: no webhooks."),
    Setting("WEBHOOK_SECRET", "", "Key that signs every webhook delivery (HMAC-SHA256) unless a target names its own secret."),
    Setting("MAX_BLOCKS_PER_STAGE", 1000, "Most blocks one stage of an imported agenda may have; a file with more is refused and nothing is stored.", int),
    Setting("MAX_BLOCKS_PER_EVENT", 5000, "Most blocks an imported agenda may have on all its stages together; a file with more is refused and nothing is stored.", int),
    Setting("IMPORT_ALLOW_PRIVATE", False, "Let the import page and `runofshow import URL` fetch from private, loopback, link-local and cloud-metadata addresses (off: only public addresses).", bool),
    Setting("MESSAGE_QUEUE", "", "Redis URL (redis://host:6379/0) that carries pushes between web nodes and the scheduler process; empty for a single node."),
    Setting("ALLOWED_ORIGINS", "", "Comma-separated extra browser origins (https://desk.example.org) that may open a Socket.IO connection; the server's own host is always allowed."),
    Setting("TRUST_PROXY", 0, "Number of reverse proxies in front of this server whose X-Forwarded-For, -Proto and -Host headers to trust (0: none).", int),
)


def setting(name: str) -> Setting:
    """The declared setting called `name`."""
    for candidate in SETTINGS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def current_value(name: str, env: Mapping[str, str] | None = None) -> Any:
    """One setting's value from the environment when set and non-empty, else its default (for code without the
    app's config, such as the importers)."""
    item = setting(name)
    raw = (os.environ if env is None else env).get(item.env_var, "")
    return item.parse(raw) if raw else item.default


def from_environment(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting's value: the environment's when set and non-empty, else the default."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for item in SETTINGS:
        raw = env.get(item.env_var)
        values[item.name] = item.default if raw is None or raw == "" else item.parse(raw)
    return values
