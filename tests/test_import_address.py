"""The import address field is no way into the venue network: private, loopback, link-local and metadata
addresses are refused (every address a host resolves to, every redirect) unless RUNOFSHOW_IMPORT_ALLOW_PRIVATE."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner

from runofshow.importers import ImportProblem
from runofshow.importers import remote
from runofshow.importers.remote import address_kind, fetch
from runofshow.terminal.cli import main
from tests.test_formats_wild import schedule, send_answer


@pytest.fixture
def local_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[str]]]:
    """A schedule server on this machine: (its address, the paths it was asked for); private fetches not allowed."""
    monkeypatch.delenv("RUNOFSHOW_IMPORT_ALLOW_PRIVATE", raising=False)
    asked: list[str] = []
    body = schedule([{"title": "Fetched talk", "start": "10:00"}])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            asked.append(self.path)
            if self.path == "/to-loopback":
                send_answer(self, 302, b"", "text/plain", Location=f"http://127.0.0.2:{port}/schedule.json")
            else:
                send_answer(self, 200, body, "application/json")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}", asked
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"), ("10.1.2.3", "private"),
    ("192.168.1.10", "private"), ("172.16.0.1", "private"), ("fd00::1", "private"), ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"), ("0.0.0.0", "unspecified"), ("100.64.0.1", "non-public"), ("224.0.0.1", "multicast"),
])
def test_non_public_addresses_are_named(address: str, kind: str) -> None:
    assert (address_kind(address) or "").startswith(kind)


def test_public_addresses_pass() -> None:
    assert address_kind("93.184.216.34") is None and address_kind("2606:2800:220:1::248") is None


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://localhost/schedule.json", "http://[::1]/schedule.json",
    "http://10.0.0.1/schedule.json", "https://192.168.0.1/schedule.json",
])
def test_private_addresses_are_refused_before_connecting(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.delenv("RUNOFSHOW_IMPORT_ALLOW_PRIVATE", raising=False)
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: pytest.fail("connected"))
    with pytest.raises(ImportProblem, match=r"refused: .* address; set RUNOFSHOW_IMPORT_ALLOW_PRIVATE=1") as caught:
        fetch(url, timeout=2)
    assert str(caught.value).startswith(url)


def test_the_local_server_is_not_asked_unless_allowed(local_server: tuple[str, list[str]],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    url, asked = local_server
    with pytest.raises(ImportProblem, match="127.0.0.1, a loopback address"):
        fetch(f"{url}/schedule.json", timeout=2)
    assert asked == []
    monkeypatch.setenv("RUNOFSHOW_IMPORT_ALLOW_PRIVATE", "1")
    assert b"Fetched talk" in fetch(f"{url}/schedule.json", timeout=2)
    assert asked == ["/schedule.json"]


def test_every_address_of_a_host_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNOFSHOW_IMPORT_ALLOW_PRIVATE", raising=False)
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
               (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: pytest.fail("connected"))
    with pytest.raises(ImportProblem, match="schedule.example is at 127.0.0.1, a loopback address"):
        fetch("http://schedule.example/schedule.json", timeout=2)


def test_a_redirect_to_a_private_address_is_refused(local_server: tuple[str, list[str]],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    url, asked = local_server
    # The test server counts as public; the address it redirects to (127.0.0.2) does not.
    monkeypatch.setattr(remote, "address_kind", lambda address: None if address == "127.0.0.1" else "loopback")
    with pytest.raises(ImportProblem, match="127.0.0.2 is at 127.0.0.2, a loopback address") as caught:
        fetch(f"{url}/to-loopback", timeout=2)
    assert str(caught.value).startswith(f"{url}/to-loopback")
    assert asked == ["/to-loopback"]


def test_the_upload_page_refuses_a_private_address(local_server: tuple[str, list[str]], app: Any,
                                                   moderator: Any) -> None:
    url, asked = local_server
    response = moderator.post("/import/preview", data={"url": f"{url}/schedule.json"},
                              content_type="multipart/form-data")
    assert response.status_code == 400
    assert "a loopback address" in response.get_json()["message"]
    assert asked == []


def test_cli_import_refuses_the_metadata_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNOFSHOW_IMPORT_ALLOW_PRIVATE", raising=False)
    result = CliRunner().invoke(main, ["import", "http://169.254.169.254/latest/meta-data/", "--dry-run"])
    assert result.exit_code == 2
    assert "169.254.169.254, a link-local (cloud metadata lives there) address" in result.output
