"""Which browser origins may open a Socket.IO connection: the server's own host (http or https) and a configured list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise(origin: str) -> str | None:
    """`scheme://host[:port]` in lower case without a default port, or None when `origin` is not an http(s) origin."""
    try:
        parts = urlsplit(origin.strip().rstrip("/"))
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.path or parts.query or parts.username:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def configured_origins(raw: str) -> frozenset[str]:
    """The origins of the ALLOWED_ORIGINS setting (comma-separated); ValueError naming one that is not an origin."""
    origins = set()
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        origin = normalise(item)
        if origin is None:
            raise ValueError(f"RUNOFSHOW_ALLOWED_ORIGINS: {item!r} is not an origin like https://show.example.org")
        origins.add(origin)
    return frozenset(origins)


def own_origins(environ: Mapping[str, Any]) -> set[str]:
    """The request's own host, over http and over https (TLS may end at a proxy in front of this server)."""
    host = environ.get("HTTP_HOST", "")
    own = {normalise(f"{scheme}://{host}") for scheme in DEFAULT_PORTS} if host else set()
    return {origin for origin in own if origin is not None}


def origin_check(extra: Iterable[str]) -> Callable[[str | None, Mapping[str, Any]], bool]:
    """The check python-engineio runs on every handshake and request (polling and WebSocket) that carries an Origin."""
    allowed = frozenset(extra)

    def accepted(origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not origin:  # not a browser (a script, Companion, the CLI): browsers always send one here
            return True
        normalised = normalise(origin)
        return normalised is not None and (normalised in allowed or normalised in own_origins(environ))

    return accepted
