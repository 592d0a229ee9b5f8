"""Many stage screens in one process, for bench/fanout.py: raw Engine.IO 4 / Socket.IO 5 over aiohttp websockets.

Each screen does what the browser client does on the wire (websocket transport straight away, `40` to
open the default namespace, `join` with an ack, answers every `2` ping with `3`) and nothing more, so
one process can hold a few hundred screens without being the bottleneck. Pushed snapshots are not
parsed: the revision is read from the first bytes of the frame.

Driven by bench/fanout.py over stdin/stdout, one JSON object a line:

    connect URL N      open N screens at once (more on another call), answer {"connected", "failed", "first_t", "last_t"}
    expect REV         wait until every screen holds a snapshot with rev >= REV, answer the arrival times
    bytes              payload bytes, frames, pings and snapshots received since the last `bytes`
    churn K DELAY      drop K random joined screens and reconnect each (same URL) after 0..DELAY s; rejoin times
    revs               the revision each open screen holds (counted), closed screens, unexpected disconnects
    close              close every screen and exit
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sys
import time
from typing import Any

import aiohttp

REV = re.compile(r'"rev":\s*(\d+)')
SNAPSHOT_PREFIX = '42["snapshot"'
JOIN = '421["join",{"audience":"stage"}]'


class Screen:
    """One connected screen: the newest revision it holds and when each revision arrived."""

    __slots__ = ("arrivals", "bytes", "closing", "frames", "joined", "pings", "repeats", "rev", "snapshots", "url",
                 "ws")

    def __init__(self, url: str = "") -> None:
        self.url = url
        self.closing = False
        self.repeats = 0
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.rev = -1
        self.arrivals: dict[int, float] = {}
        self.joined = asyncio.get_running_loop().create_future()
        self.bytes = 0
        self.frames = 0
        self.pings = 0
        self.snapshots = 0


class Crowd:
    """All screens of this process and the revision the driver is waiting for."""

    def __init__(self, compress: bool) -> None:
        self.screens: list[Screen] = []
        self.compress = compress
        self.target: int | None = None
        self.behind = 0
        self.caught_up: asyncio.Event | None = None
        self.session: aiohttp.ClientSession | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.unexpected_disconnects = 0
        self.out_of_order = 0

    def holds(self, screen: Screen, rev: int, at: float) -> None:
        """A screen received a snapshot at `rev`."""
        screen.snapshots += 1
        if rev <= screen.rev:
            if rev == screen.rev:
                screen.repeats += 1
            else:
                self.out_of_order += 1
            return
        before = screen.rev
        screen.rev = rev
        screen.arrivals[rev] = at
        if self.target is not None and before < self.target <= rev:
            self.behind -= 1
            if self.behind == 0 and self.caught_up is not None:
                self.caught_up.set()

    async def run(self, url: str, screen: Screen) -> None:
        """Open one screen and keep it until closed."""
        assert self.session is not None
        try:
            ws = await self.session.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket",
                                               compress=15 if self.compress else 0, max_msg_size=0,
                                               autoclose=True, autoping=True)
        except Exception as error:  # noqa: BLE001 - report, do not crash the crowd
            if not screen.joined.done():
                screen.joined.set_exception(error)
            return
        screen.ws = ws
        try:
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                data: str = message.data
                now = time.time()
                screen.bytes += len(data)
                screen.frames += 1
                if data.startswith(SNAPSHOT_PREFIX):
                    match = REV.search(data, 0, 400)
                    if match:
                        self.holds(screen, int(match.group(1)), now)
                elif data == "2":
                    screen.pings += 1
                    await ws.send_str("3")
                elif data.startswith("0{"):
                    await ws.send_str("40")
                elif data.startswith("40"):
                    await ws.send_str(JOIN)
                elif data.startswith("431"):
                    ack = json.loads(data[3:])[0]
                    if ack.get("ok"):
                        self.holds(screen, int(ack["stages"][0]["snapshot"]["rev"]), now)
                        screen.snapshots -= 1
                        screen.joined.set_result(now)
                    else:
                        screen.joined.set_exception(RuntimeError(f"join refused: {ack}"))
                elif data.startswith("44"):
                    screen.joined.set_exception(RuntimeError(f"connect refused: {data[:200]}"))
        except Exception as error:  # noqa: BLE001
            if not screen.joined.done():
                screen.joined.set_exception(error)
        finally:
            if not screen.closing:
                self.unexpected_disconnects += 1
            if not screen.joined.done():
                screen.joined.set_exception(RuntimeError("closed before joining"))

    async def connect(self, url: str, count: int) -> dict[str, Any]:
        """Open `count` screens at once; when the last has joined."""
        if self.session is None:
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False))
        started = time.time()
        screens = [Screen(url) for _ in range(count)]
        self.screens.extend(screens)
        self.tasks.extend(asyncio.create_task(self.run(url, screen)) for screen in screens)
        results = await asyncio.gather(*(asyncio.wait_for(asyncio.shield(s.joined), 60) for s in screens),
                                       return_exceptions=True)
        joined = [r for r in results if isinstance(r, float)]
        errors = sorted({repr(r)[:200] for r in results if not isinstance(r, float)})
        return {"connected": len(joined), "failed": count - len(joined), "started_t": started,
                "first_t": min(joined, default=None), "last_t": max(joined, default=None), "errors": errors[:5]}

    async def expect(self, rev: int, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until every screen holds `rev` or newer; when each first did."""
        self.target = rev
        self.behind = sum(1 for screen in self.screens if screen.rev < rev)
        self.caught_up = asyncio.Event()
        if self.behind:
            try:
                await asyncio.wait_for(self.caught_up.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        times = []
        for screen in self.screens:
            held = [at for seen, at in screen.arrivals.items() if seen >= rev]
            if held:
                times.append(min(held))
            screen.arrivals = {seen: at for seen, at in screen.arrivals.items() if seen >= rev}
        times.sort()
        self.target = None
        return {"rev": rev, "holding": len(times), "missing": len(self.screens) - len(times),
                "first_t": times[0] if times else None, "median_t": times[len(times) // 2] if times else None,
                "last_t": times[-1] if times else None}

    async def churn(self, count: int, delay: float) -> dict[str, Any]:
        """Drop `count` random joined screens, reconnect each to its URL after a random wait; when each rejoined."""
        joined = [index for index, screen in enumerate(self.screens)
                  if screen.ws is not None and not screen.ws.closed and screen.joined.done()
                  and not screen.joined.exception()]
        chosen = random.sample(joined, min(count, len(joined)))
        olds = [self.screens[index] for index in chosen]
        for old in olds:
            old.closing = True
        await asyncio.gather(*(old.ws.close() for old in olds if old.ws is not None), return_exceptions=True)

        async def comeback(index: int, old: Screen) -> float:
            await asyncio.sleep(random.uniform(0, delay))
            started = time.time()
            screen = Screen(old.url)
            self.screens[index] = screen
            self.tasks.append(asyncio.create_task(self.run(old.url, screen)))
            return await asyncio.wait_for(asyncio.shield(screen.joined), 30) - started

        results = await asyncio.gather(*(comeback(i, o) for i, o in zip(chosen, olds)), return_exceptions=True)
        took = sorted(r for r in results if isinstance(r, float))
        errors = sorted({repr(r)[:200] for r in results if not isinstance(r, float)})
        self.tasks = [task for task in self.tasks if not task.done()]
        return {"dropped": len(chosen), "rejoined": len(took), "failed": len(chosen) - len(took),
                "rejoin_ms_max": round(took[-1] * 1000, 1) if took else None,
                "rejoin_ms_median": round(took[len(took) // 2] * 1000, 1) if took else None, "errors": errors[:5]}

    def revs(self) -> dict[str, Any]:
        """The revision each open, joined screen holds, counted; screens not open; surprises so far."""
        held: dict[int, int] = {}
        closed = 0
        for screen in self.screens:
            if screen.ws is None or screen.ws.closed or not screen.joined.done() or screen.joined.exception():
                closed += 1
                continue
            held[screen.rev] = held.get(screen.rev, 0) + 1
        return {"revs": {str(rev): n for rev, n in sorted(held.items())}, "closed": closed,
                "screens": len(self.screens), "unexpected_disconnects": self.unexpected_disconnects,
                "out_of_order_pushes": self.out_of_order,
                "repeated_pushes": sum(screen.repeats for screen in self.screens)}

    def traffic(self) -> dict[str, Any]:
        """Payload bytes, frames, pings and snapshots received since the last call; resets the counters."""
        totals = {"payload_bytes": 0, "frames": 0, "pings": 0, "snapshots": 0, "screens": len(self.screens),
                  "t": time.time()}
        for screen in self.screens:
            totals["payload_bytes"] += screen.bytes
            totals["frames"] += screen.frames
            totals["pings"] += screen.pings
            totals["snapshots"] += screen.snapshots
            screen.bytes = screen.frames = screen.pings = screen.snapshots = 0
        return totals

    async def close(self) -> None:
        """Close every screen."""
        for screen in self.screens:
            screen.closing = True
        for screen in self.screens:
            if screen.ws is not None and not screen.ws.closed:
                await screen.ws.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.session is not None:
            await self.session.close()


def reply(data: dict[str, Any]) -> None:
    """One answer line to the driver."""
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


async def main() -> None:
    """Read commands from stdin until `close`."""
    crowd = Crowd(compress="--no-compress" not in sys.argv)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    reply({"ready": True})
    while True:
        line = (await reader.readline()).decode().strip()
        if not line or line == "close":
            await crowd.close()
            reply({"closed": True})
            return
        verb, *args = line.split()
        if verb == "connect":
            reply(await crowd.connect(args[0], int(args[1])))
        elif verb == "expect":
            reply(await crowd.expect(int(args[0])))
        elif verb == "bytes":
            reply(crowd.traffic())
        elif verb == "churn":
            reply(await crowd.churn(int(args[0]), float(args[1])))
        elif verb == "revs":
            reply(crowd.revs())
        else:
            reply({"error": f"unknown command {verb!r}"})


if __name__ == "__main__":
    asyncio.run(main())
