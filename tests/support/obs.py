"""A real OBS Studio for tests: Debian's obs-studio under Xvfb with a throwaway HOME, and a local RTMP listener.

`ObsStudio` writes the config keys that skip the first-run wizard and enable obs-websocket on a free port,
starts `obs` under `xvfb-run` in its own session, and stops it (SIGINT for a clean shutdown, or SIGKILL to
play a crash). `RtmpListener` is an ffmpeg that accepts one RTMP stream, so OBS can stream without the internet.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from obsws_python import ReqClient

from tests.support.serverproc import free_port

OBS = shutil.which("obs")
XVFB_RUN = shutil.which("xvfb-run")
FFMPEG = shutil.which("ffmpeg")
MISSING = ", ".join(name for name, path in (("obs-studio", OBS), ("xvfb", XVFB_RUN), ("ffmpeg", FFMPEG)) if not path)
# OBS 29's own version number: without it OBS opens its first-run wizard.
LAST_VERSION = 486539266

GLOBAL_INI = """[General]
FirstRun=true
LastVersion={last_version}
ConfirmOnExit=false
EnableAutoUpdates=false

[Basic]
Profile=CI
ProfileDir=CI
SceneCollection=CI
SceneCollectionFile=CI

[BasicWindow]
SysTrayEnabled=false

[OBSWebSocket]
FirstLoad=false
ServerEnabled=true
ServerPort={port}
AlertsEnabled=false
AuthRequired={auth}
ServerPassword={password}
"""

# A light profile: 640x360 at 10 fps keeps OBS near 15 % of a core while it streams.
PROFILE_INI = """[General]
Name=CI

[Output]
Mode=Simple

[SimpleOutput]
Preset=ultrafast
VBitrate=1000
FilePath={recordings}

[Video]
BaseCX=640
BaseCY=360
OutputCX=640
OutputCY=360
FPSType=0
FPSCommon=10
"""


class ObsStudio:
    """One headless OBS Studio with obs-websocket on `port`, restartable with the same config."""

    def __init__(self, home: Path, password: str = "") -> None:
        self.home = Path(home)
        self.port = free_port()
        self.password = password
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        config = self.home / ".config" / "obs-studio"
        (config / "basic" / "profiles" / "CI").mkdir(parents=True, exist_ok=True)
        (config / "basic" / "scenes").mkdir(parents=True, exist_ok=True)
        (self.home / "recordings").mkdir(exist_ok=True)
        (self.home / "run").mkdir(mode=0o700, exist_ok=True)
        (config / "global.ini").write_text(GLOBAL_INI.format(
            last_version=LAST_VERSION, port=self.port, auth="true" if password else "false", password=password))
        (config / "basic" / "profiles" / "CI" / "basic.ini").write_text(
            PROFILE_INI.format(recordings=self.home / "recordings"))

    @property
    def url(self) -> str:
        """The obs-websocket URL runofshow connects to."""
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ObsStudio:
        """Start OBS and wait until obs-websocket accepts connections; RuntimeError with its log if it does not."""
        self.starts += 1
        env = {**os.environ, "HOME": str(self.home), "LIBGL_ALWAYS_SOFTWARE": "1", "QT_QPA_PLATFORM": "xcb",
               "XDG_RUNTIME_DIR": str(self.home / "run")}
        command = [str(XVFB_RUN), "-a", "-s", "-screen 0 1280x720x24", str(OBS), "--multi", "--minimize-to-tray",
                   "--disable-updater", "--disable-missing-files-check"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, env=env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"OBS did not open port {self.port}: {self.log_path.read_text(errors='replace')[-3000:]}")

    @property
    def log_path(self) -> Path:
        """Where this start's output goes."""
        return self.home / f"obs-{self.starts}.log"

    def client(self) -> ReqClient:
        """A request client identified with the right password."""
        return ReqClient(host="127.0.0.1", port=self.port, password=self.password, timeout=5)

    def _signal_session(self, signum: int) -> None:
        """Send `signum` to xvfb-run, Xvfb and OBS: the session this object started."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """Play a crash: SIGKILL to OBS and its X server."""
        if self.process is not None and self.process.poll() is None:
            self._signal_session(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Shut OBS down cleanly (SIGINT), killing it if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self._signal_session(signal.SIGINT)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()


class RtmpListener:
    """ffmpeg listening for one RTMP stream at rtmp://127.0.0.1:<port>/live/test and throwing it away."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def server(self) -> str:
        """The stream server URL OBS streams to (the stream key is `test`)."""
        return f"rtmp://127.0.0.1:{self.port}/live"

    def start(self, timeout: float = 10.0) -> RtmpListener:
        """Start listening; wait until the port is LISTEN (a probing connection would use up its one stream)."""
        self.process = subprocess.Popen([str(FFMPEG), "-hide_banner", "-loglevel", "error", "-listen", "1",
                                         "-i", f"{self.server}/test", "-f", "null", "-"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if listening(self.port):
                return self
            time.sleep(0.05)
        raise RuntimeError(f"ffmpeg did not listen on {self.port}")

    def stop(self) -> None:
        """Stop ffmpeg."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


def listening(port: int) -> bool:
    """Whether a TCP socket on `port` is in LISTEN state (read from /proc/net/tcp, without connecting)."""
    wanted = f":{port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(wanted) and fields[3] == "0A":
            return True
    return False


def stream_to(client: ReqClient, listener: RtmpListener) -> Any:
    """Point OBS's stream output at the local listener."""
    return client.send("SetStreamServiceSettings", {"streamServiceType": "rtmp_custom",
                                                   "streamServiceSettings": {"server": listener.server, "key": "test"}})
