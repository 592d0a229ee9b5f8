"""Who may open a Socket.IO connection: the server's own origin and RUNOFSHOW_ALLOWED_ORIGINS, on every transport."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import socketio

from runofshow.web.origins import configured_origins, normalise, origin_check
from tests.support.serverproc import ServerProcess

EXTRA = "https://desk.example.org"
TRANSPORTS = ("websocket", "polling")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server with one extra origin allowed."""
    server = ServerProcess(tmp_path_factory.mktemp("origins"), env={"RUNOFSHOW_ALLOWED_ORIGINS": EXTRA + "/",
                                                                    "RUNOFSHOW_SCHEDULER": "off"})
    with server.start():
        yield server


def connects(url: str, transport: str, origin: str | None) -> bool:
    """True when a Socket.IO client sending `origin` (None: no Origin header) connects over `transport`."""
    # websocket-client writes an Origin of its own unless told which (or none); requests sends only the given one.
    websocket_options = {"origin": origin} if origin else {"suppress_origin": True}
    client = socketio.Client(reconnection=False, websocket_extra_options=websocket_options)
    headers = {"Origin": origin} if origin and transport == "polling" else {}
    try:
        client.connect(url, transports=[transport], headers=headers, wait_timeout=5)
    except (socketio.exceptions.ConnectionError, ValueError):  # over WebSocket a refusal arrives as an empty packet
        return False
    try:
        return client.connected
    finally:
        client.disconnect()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_foreign_origin_is_refused(live: ServerProcess, transport: str) -> None:
    """A page from another port of the same host (or another site) cannot connect, whatever the transport."""
    own_port = live.port
    for foreign in (f"http://127.0.0.1:{own_port + 1}", "http://evil.example", "null", f"http://127.0.0.1:{own_port}.evil"):
        assert not connects(live.url, transport, foreign), foreign


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_own_and_configured_origins_connect(live: ServerProcess, transport: str) -> None:
    """The server's own origin (http or https: TLS may end at a proxy), a configured one, and no Origin at all."""
    assert connects(live.url, transport, live.url)
    assert connects(live.url, transport, f"https://127.0.0.1:{live.port}")
    assert connects(live.url, transport, EXTRA)
    assert connects(live.url, transport, None)


def test_a_polling_request_with_a_foreign_origin_gets_no_session(live: ServerProcess) -> None:
    """The handshake itself answers 400 to a foreign origin: no session id, no Access-Control-Allow-Origin."""
    request = urllib.request.Request(f"{live.url}/socket.io/?EIO=4&transport=polling",
                                     headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
    assert refused.value.headers.get("Access-Control-Allow-Origin") is None


def test_origin_check_compares_normalised_origins() -> None:
    """Case and default ports do not matter; paths, other schemes and junk are not origins."""
    check = origin_check(configured_origins(" HTTPS://Desk.Example.org:443/ , http://10.0.0.5:8080"))
    environ = {"HTTP_HOST": "show.local:5000"}
    assert check("https://desk.example.org", environ)
    assert check("http://10.0.0.5:8080", environ)
    assert check("http://SHOW.local:5000", environ)
    assert not check("http://show.local:5001", environ)
    assert not check("http://desk.example.org", environ)
    assert not check("ws://show.local:5000", environ)
    assert normalise("http://host/path") is None
    assert normalise("http://host:99999") is None
    with pytest.raises(ValueError, match="not an origin"):
        configured_origins("desk.example.org")


def test_a_flask_test_client_without_origin_still_connects(socket_client) -> None:  # type: ignore[no-untyped-def]
    """Non-browser clients (scripts, Companion, the CLI) send no Origin and are not affected."""
    assert socket_client("moderator").is_connected()
