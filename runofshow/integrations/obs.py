"""OBS Studio over obs-websocket v5: one link per configured OBS that reports its stream state to the show.

Each link runs in a background task: it connects and identifies (obsws-python's client), reads the stream,
recording and program-scene status, then follows OBS's events and sends what changed as the `obs_status`
command through the one service. A link never holds up the show: commands and pushes never wait on it.
"""

from __future__ import annotations

import json
import logging
import re
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from obsws_python.baseclient import ObsClient
from obsws_python.error import OBSSDKError
from obsws_python.subs import Subs
from websocket import WebSocketException, WebSocketTimeoutException

from runofshow.agenda.model import Event
from runofshow.engine.commands import MAX_MESSAGE_LENGTH, StaleRevision
from runofshow.engine.state import ObsLink
from runofshow.integrations.status import report as report_to_desk
from runofshow.integrations.obs_automation import AutomationPlanner, ObsAction, ObsAutomation
from runofshow.live.changes import Change
from runofshow.live.service import ShowService
from runofshow.settings import ENV_PREFIX, setting

log = logging.getLogger(__name__)
# obsws-python logs its connection parameters (the password too) at INFO and every refused connection as an
# error with a traceback; the link logs its own state changes instead.
logging.getLogger("obsws_python").setLevel(logging.CRITICAL)

DEFAULT_PORT = 4455
CONNECT_TIMEOUT = 2.0
# How long the link waits for OBS before it looks for automation actions to send.
READ_TIMEOUT = 0.2
# Ask OBS something when it has been quiet this long; drop the link when it stays silent for the second figure.
PROBE_AFTER = 5.0
SILENT_LIMIT = 10.0
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 4.0
STALE_RETRIES = 5
MAX_CHANGES = 1000
EVENTS = Subs.OUTPUTS | Subs.SCENES
OP_EVENT = 5
OP_REQUEST = 6
OP_RESPONSE = 7

# Output requests OBS refuses when already done, and the report field and value that mean so.
ALREADY: dict[str, tuple[str, bool]] = {"StartStream": ("streaming", True), "StopStream": ("streaming", False),
                                        "StartRecord": ("recording", True), "StopRecord": ("recording", False)}

# The automation's on/off settings, in ObsAutomation's order.
SWITCHES = ("START_STREAM", "STOP_STREAM", "RECORD", "HONOUR_RECORDING_OPT_OUT")

Sleep = Callable[[float], object]
Clock = Callable[[], float]
DESK_STATE = {ObsLink.CONNECTED: "ok", ObsLink.UNREACHABLE: "unreachable", ObsLink.WRONG_PASSWORD: "error"}
"""How the production desk words each state of an OBS link (runofshow.integrations.status)."""


@dataclass(frozen=True)
class ObsTarget:
    """One configured OBS: the stage it serves (None: the event's first stage), where it listens, its password."""

    stage_id: str | None
    host: str
    port: int
    password: str
    automation: ObsAutomation = ObsAutomation()

    def describe(self) -> str:
        """Where this OBS listens and for which stage, for logs."""
        return f"OBS ws://{self.host}:{self.port} (stage {self.stage_id or 'first'})"


def target_from_url(stage_id: str | None, url: str, password: str,
                    automation: ObsAutomation = ObsAutomation()) -> ObsTarget:
    """The target of a `ws://host:port` URL; ValueError when it is not one."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or not parts.hostname:
        raise ValueError(f"OBS URL {url!r}: expected ws://host:port")
    return ObsTarget(stage_id, parts.hostname, parts.port or DEFAULT_PORT, password, automation)


def _automation(read: Callable[[str], str]) -> ObsAutomation:
    """The automation settings read with `read("LIVE_SCENE")` and so on (an empty switch: its default)."""
    switches: list[bool] = []
    for name in SWITCHES:
        declared = setting(f"OBS_{name}")
        raw = read(name)
        switches.append(declared.parse(raw) if raw != "" else declared.default)
    return ObsAutomation(read("LIVE_SCENE"), read("BREAK_SCENE"), read("SLATE_SOURCE"), *switches)


def stage_env_name(stage_id: str, what: str) -> str:
    """The environment variable of a stage's own OBS: RUNOFSHOW_OBS_<STAGE>_URL or _PASSWORD."""
    return f"{ENV_PREFIX}OBS_{re.sub(r'[^A-Z0-9]', '_', stage_id.upper())}_{what}"


def obs_targets(values: Mapping[str, Any], stage_ids: list[str], env: Mapping[str, str]) -> list[ObsTarget]:
    """Every configured OBS: OBS_URL for the first stage, RUNOFSHOW_OBS_<STAGE>_URL for a stage of its own."""
    targets: dict[str | None, ObsTarget] = {}
    for stage_id in stage_ids:
        url = env.get(stage_env_name(stage_id, "URL"), "")
        if url:
            own = _automation(lambda what, stage_id=stage_id: env.get(stage_env_name(stage_id, what), ""))
            targets[stage_id] = target_from_url(stage_id, url, env.get(stage_env_name(stage_id, "PASSWORD"), ""), own)
    first = stage_ids[0] if stage_ids else None
    if values.get("OBS_URL") and first not in targets:
        automation = _automation(lambda what: _raw(values.get(f"OBS_{what}", "")))
        targets[first] = target_from_url(first, values["OBS_URL"], values.get("OBS_PASSWORD", ""), automation)
    return list(targets.values())


def _raw(value: Any) -> str:
    """A setting's value as the environment would spell it (booleans as on and off)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


@dataclass
class ObsReport:
    """What the link knows of OBS right now: the arguments of the next `obs_status` command."""

    link: ObsLink = ObsLink.UNREACHABLE
    streaming: bool | None = None
    scene: str = ""
    recording: bool | None = None

    def args(self) -> dict[str, Any]:
        """The `obs_status` command's arguments."""
        return {"link": self.link.value, "streaming": self.streaming, "scene": self.scene,
                "recording": self.recording}


class ObsConnection:
    """The link to one OBS: connect, identify, follow its events, report changes, reconnect with backoff."""

    def __init__(self, service: ShowService, target: ObsTarget, sleep: Sleep, clock: Clock,
                 planner: AutomationPlanner | None = None) -> None:
        self.service = service
        self.target = target
        self.sleep = sleep
        self.clock = clock
        self.planner = planner
        self.report = ObsReport()
        self._sent: dict[str, Any] | None = None
        self._request_id = 0
        # The show's changes (noted by any task) are planned and sent by the link's own task: a command and its push
        # never wait on OBS, nor on working out what OBS is to do.
        self._changes: deque[Change] = deque(maxlen=MAX_CHANGES)
        self._due: deque[ObsAction] = deque()
        self._pending: dict[str, ObsAction] = {}

    def on_change(self, change: Change) -> None:
        """A stored change of the show: note it for the link's task, which plans the automation actions it makes due."""
        if self.planner is not None and change.stage_id == self._stage_of(change.event):
            self._changes.append(change)

    def _plan(self) -> None:
        """Queue the automation actions the noted changes make due, in order."""
        while self._changes and self.planner is not None:
            change = self._changes.popleft()
            actions = self.planner.due(change.event.stage(change.stage_id), change.state, self.service.clock.now(),
                                       self.report.recording)
            self._due.extend(action for action in actions if not self._already(action))

    def _already(self, action: ObsAction) -> bool:
        """Whether OBS already is where the action would take it (a stream started twice is OBS's error)."""
        wanted = ALREADY.get(action.request_type)
        return wanted is not None and getattr(self.report, wanted[0]) is wanted[1]

    def run(self, stop: Callable[[], bool]) -> None:
        """Keep the link up until `stop()`; OBS away or refusing the password is reported, never raised."""
        backoff = BACKOFF_FIRST
        while not stop():
            client = self._connect()
            if client is not None:
                backoff = BACKOFF_FIRST
                try:
                    self._follow(client, stop)
                except (OSError, WebSocketException, ValueError) as error:
                    log.warning("%s: link lost (%s)", self.target.describe(), error)
                finally:
                    client.ws.close()
                self._report_link(ObsLink.UNREACHABLE)
            self.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)

    def _connect(self) -> ObsClient | None:
        """An identified client, or None with the reason reported (unreachable, wrong password)."""
        try:
            client = ObsClient(host=self.target.host, port=self.target.port, password=self.target.password,
                               subs=EVENTS, timeout=CONNECT_TIMEOUT)
        except (OSError, WebSocketException, ValueError):
            self._report_link(ObsLink.UNREACHABLE)
            return None
        try:
            client.authenticate()
        except (OBSSDKError, OSError, WebSocketException) as error:
            client.ws.close()
            log.warning("%s refused to identify us: %s", self.target.describe(), error)
            self._report_link(ObsLink.WRONG_PASSWORD)
            return None
        log.info("%s: connected", self.target.describe())
        return client

    def _report_link(self, link: ObsLink) -> None:
        """Report a link that is not up (what OBS streams is then unknown); actions due now fail."""
        self.report = ObsReport(link)
        self._send()
        self._plan()
        waiting = list(self._pending.values())
        self._pending.clear()
        while self._due:
            waiting.append(self._due.popleft())
        for action in waiting:
            self._send(action.description + f" (OBS {link.value.replace('_', ' ')})", False)

    def _follow(self, client: ObsClient, stop: Callable[[], bool]) -> None:
        """Read the status, then follow OBS's events until the link drops or `stop()`."""
        self.report = ObsReport(ObsLink.CONNECTED)
        if self.planner is not None:
            self.planner.slate = ""  # an OBS that restarted lost the slate: write it again at the next change
        client.ws.settimeout(READ_TIMEOUT)
        for request in ("GetStreamStatus", "GetRecordStatus", "GetCurrentProgramScene"):
            self._request(client, request)
        heard = asked = self.clock()
        while not stop():
            self._plan()
            while self._due:
                action = self._due.popleft()
                self._pending[self._request(client, action.request_type, action.data)] = action
            try:
                raw = client.ws.recv()
            except WebSocketTimeoutException:
                now = self.clock()
                if now - heard > SILENT_LIMIT:
                    raise OSError(f"no answer for {SILENT_LIMIT:g} s") from None
                if now - heard > PROBE_AFTER and now - asked > PROBE_AFTER:
                    self._request(client, "GetStreamStatus")
                    asked = now
                continue
            if not raw:
                raise OSError("OBS closed the connection")
            heard = self.clock()
            self._read(json.loads(raw))
            self._send()

    def _request(self, client: ObsClient, request_type: str, data: Mapping[str, Any] | None = None) -> str:
        """Send one request; its answer arrives among the events. Returns its id."""
        self._request_id += 1
        body: dict[str, Any] = {"requestType": request_type, "requestId": str(self._request_id)}
        if data:
            body["requestData"] = dict(data)
        client.ws.send(json.dumps({"op": OP_REQUEST, "d": body}))
        return body["requestId"]

    def _read(self, message: Mapping[str, Any]) -> None:
        """Fold one answer or event from OBS into the report."""
        body = message.get("d", {})
        if message.get("op") == OP_RESPONSE:
            kind, data = body.get("requestType"), body.get("responseData") or {}
            action = self._pending.pop(str(body.get("requestId")), None)
            if action is not None:
                self._journal(action, body.get("requestStatus") or {})
                return
        elif message.get("op") == OP_EVENT:
            kind, data = body.get("eventType"), body.get("eventData") or {}
        else:
            return
        if kind in ("GetStreamStatus", "StreamStateChanged"):
            self.report.streaming = bool(data.get("outputActive"))
        elif kind in ("GetRecordStatus", "RecordStateChanged"):
            self.report.recording = bool(data.get("outputActive"))
        elif kind in ("GetCurrentProgramScene", "CurrentProgramSceneChanged"):
            self.report.scene = str(data.get("currentProgramSceneName") or data.get("sceneName") or "")

    def _journal(self, action: ObsAction, status: Mapping[str, Any]) -> None:
        """Journal an automation action with OBS's answer (and why it failed)."""
        ok = bool(status.get("result"))
        why = "" if ok else f" ({status.get('comment') or 'code ' + str(status.get('code'))})"
        self._send(action.description + why, ok)

    def _stage_id(self) -> str | None:
        """The stage this OBS serves now: its own, or the stored event's first stage (None without an agenda)."""
        if self.target.stage_id is not None:
            return self.target.stage_id
        return self._stage_of(self.service.event() if self.service.has_agenda() else None)

    def _stage_of(self, event: Event | None) -> str | None:
        """The stage this OBS serves in `event`: its own, or the event's first stage (a change carries its event,
        so the push path reads nothing from the store)."""
        if self.target.stage_id is not None:
            return self.target.stage_id
        return event.stages[0].id if event is not None and event.stages else None

    def _send(self, action: str = "", action_ok: bool | None = None) -> None:
        """Send the report as `obs_status` when it changed or with an action's result; a refusal is logged."""
        args = self.report.args()
        answered = args["streaming"] is not None and args["recording"] is not None
        if not action and (args == self._sent or (self.report.link is ObsLink.CONNECTED and not answered)):
            return
        status = args
        args = {**args, "action": action[:MAX_MESSAGE_LENGTH], "action_ok": action_ok if action else None}
        stage_id = self._stage_id()
        if stage_id is None:
            return
        report_to_desk("obs", stage_id, DESK_STATE[self.report.link], self.target.describe())
        for _ in range(STALE_RETRIES):
            try:
                rev = self.service.stored_state(stage_id).rev
                self.service.command(stage_id, "obs_status", rev, args, actor="obs")
                self._sent = status
                return
            except StaleRevision:
                continue
            except Exception:  # noqa: BLE001 - a store outage or a missing stage must not end the link
                log.warning("%s: status not stored", self.target.describe(), exc_info=True)
                return


def run_obs_links(service: ShowService, targets: list[ObsTarget], start: Callable[..., object], sleep: Sleep,
                  clock: Clock, language: str) -> list[ObsConnection]:
    """Start one background link per target with `start(function, *args)`; returns the links.

    A target with automation also listens to the show's changes, which queue the actions its link sends.
    """
    links = []
    for target in targets:
        planner = None
        if target.automation.enabled:
            planner = AutomationPlanner(target.automation, ZoneInfo(service.event().timezone), language)
        link = ObsConnection(service, target, sleep, clock, planner)
        if planner is not None:
            service.subscribe(link.on_change)
        start(link.run, lambda: False)
        links.append(link)
    return links
