"""Reading an agenda from an http(s) address (pretalx and frab publish schedule.json and schedule.xml).

One GET with a timeout, redirects followed (at most MAX_REDIRECTS, only to http and https), the body
read up to MAX_BYTES; an error page, an HTML page, a body too large, an unreachable or slow server
each give an ImportProblem that names the address and says what happened.
"""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request
from typing import Any

from runofshow.agenda.text import MAX_BYTES
from runofshow.importers.errors import ImportProblem

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


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> bytes:
    """The body at an http(s) address; ImportProblem naming the address and what went wrong."""
    url = url.strip()
    if not is_url(url):
        raise ImportProblem(url, None, "not an http:// or https:// address")
    opener = urllib.request.build_opener(_LimitedRedirects())
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
