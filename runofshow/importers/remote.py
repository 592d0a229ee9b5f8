"""Reading an agenda from an http(s) address (pretalx and frab publish schedule.json and schedule.xml).

One GET with a timeout, redirects followed (at most MAX_REDIRECTS, only to http and https), the body
read up to MAX_BYTES; an error page, an HTML page, a body too large, an unreachable or slow server
each give an ImportProblem that names the address and says what happened.

A moderator types the address, so the server must not become a way into the venue network: every connection
(the first and each redirect's) resolves the host, refuses it when any of its addresses is not a public one
(private, loopback, link-local such as the cloud metadata service at 169.254.169.254, reserved) and then connects
to the address it checked, so a second lookup cannot swap in another. RUNOFSHOW_IMPORT_ALLOW_PRIVATE=1 lifts this
for a schedule server on the local network. Proxies from the environment are not used.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import urllib.error
import urllib.request
from typing import Any

from runofshow.agenda.text import MAX_BYTES
from runofshow.importers.errors import ImportProblem
from runofshow.settings import current_value, setting

TIMEOUT_SECONDS = 15.0
MAX_REDIRECTS = 5
_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


def is_url(text: str) -> bool:
    """True for an http or https address."""
    return bool(_URL.match(text.strip()))


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows at most MAX_REDIRECTS redirects, and only to http or https."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not is_url(newurl):
            raise ImportProblem(req.full_url, None, f"redirected to {newurl!r}, which is not an http(s) address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class RefusedAddress(Exception):
    """A host that resolves to an address the server may not fetch from."""


def address_kind(address: str) -> str | None:
    """Why an IP address is not a public one (`loopback`, `private`, ...), or None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, found in (("loopback", ip.is_loopback), ("link-local (cloud metadata lives there)", ip.is_link_local),
                        ("unspecified", ip.is_unspecified), ("private", ip.is_private), ("multicast", ip.is_multicast),
                        ("reserved", ip.is_reserved)):
        if found:
            return kind
    return None if ip.is_global else "non-public"


def checked_connection(address: tuple[str, int], timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
                       source_address: Any = None, **options: Any) -> socket.socket:
    """A socket to `address` (host, port) when every address the host resolves to may be fetched from; connects to
    those checked addresses, not to a second lookup's. RefusedAddress otherwise."""
    host, port = address
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    if not current_value("IMPORT_ALLOW_PRIVATE"):
        for *_, sockaddr in infos:
            kind = address_kind(str(sockaddr[0]))
            if kind is not None:
                raise RefusedAddress(f"refused: {host} is at {sockaddr[0]}, a {kind} address; set "
                                     f"{setting('IMPORT_ALLOW_PRIVATE').env_var}=1 to import from the local network")
    error: OSError | None = None
    for *_, sockaddr in infos:
        try:
            return socket.create_connection((str(sockaddr[0]), port), timeout, source_address)
        except OSError as failed:
            error = failed
    raise error or OSError(f"{host} has no address")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection made through `checked_connection`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = checked_connection


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection made through `checked_connection` (the certificate is still checked for the host name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = checked_connection


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    """Opens http:// addresses through checked connections."""

    def http_open(self, req: Any) -> Any:
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    """Opens https:// addresses through checked connections."""

    def https_open(self, req: Any) -> Any:
        return self.do_open(_CheckedHTTPSConnection, req, context=self._context)


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> bytes:
    """The body at an http(s) address; ImportProblem naming the address and what went wrong."""
    url = url.strip()
    if not is_url(url):
        raise ImportProblem(url, None, "not an http:// or https:// address")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _LimitedRedirects(), _CheckedHTTPHandler(),
                                         _CheckedHTTPSHandler())
    request = urllib.request.Request(url, headers={"User-Agent": "runofshow", "Accept": "application/json, "
                                                   "application/xml, text/xml, text/csv, text/plain;q=0.9, */*;q=0.5"})
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ImportProblem(url, None, f"the answer is {int(declared) // 1024} KB, more than the "
                                    f"{max_bytes // 1024} KB an agenda may have")
            data = response.read(max_bytes + 1)
            kind = (response.headers.get_content_type() or "").lower()
    except ImportProblem:
        raise
    except RefusedAddress as error:
        raise ImportProblem(url, None, str(error)) from None
    except urllib.error.HTTPError as error:
        reason = "too many redirects" if error.code in (301, 302, 303, 307, 308) else error.reason
        raise ImportProblem(url, None, f"the server answered {error.code} ({reason})") from None
    except (TimeoutError, socket.timeout):
        raise ImportProblem(url, None, f"no answer within {timeout:g} seconds") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise ImportProblem(url, None, f"no answer within {timeout:g} seconds") from None
        raise ImportProblem(url, None, f"could not be reached ({reason})") from None
    except (OSError, ValueError) as error:
        raise ImportProblem(url, None, f"could not be read ({error})") from None
    if len(data) > max_bytes:
        raise ImportProblem(url, None, f"the answer is larger than the {max_bytes // 1024} KB an agenda may have")
    if kind == "text/html" or data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise ImportProblem(url, None, "the address answered with a web page, not a schedule (for pretalx and "
                            "frab, use the schedule.json or schedule.xml address)")
    if not data.strip():
        raise ImportProblem(url, None, "the answer is empty")
    return data


__all__ = ["MAX_REDIRECTS", "TIMEOUT_SECONDS", "fetch", "is_url"]
