"""Security headers on every answer, cookies marked Secure over HTTPS, and trusting a reverse proxy's X-Forwarded-*."""

from __future__ import annotations

import re

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS_SECONDS = 180 * 24 * 3600
# A Host header that may be written into the policy: a name or address and a port, nothing else.
PLAIN_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
# No inline script anywhere (the one <script> without src is JSON, which CSP does not run). Styles: the
# templates and scripts set no style attribute; screens move things through CSSOM (`el.style.x = ...`),
# which `style-src 'self'` allows, so no 'unsafe-inline' is needed.
POLICY = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "font-src 'self'",
          "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'self'")
OTHER_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN",
                 "Referrer-Policy": "same-origin"}


def content_security_policy(req: Request) -> str:
    """The policy for an answer to `req`: its own host's WebSocket address named too (not every browser counts
    ws:// and wss:// as 'self')."""
    connect = "connect-src 'self'"
    if PLAIN_HOST.match(req.host):
        connect += f" ws://{req.host} wss://{req.host}"
    return "; ".join((*POLICY, connect))


def add_headers(response: Response) -> Response:
    """The security headers, unless a view set its own; HSTS only on an answer that goes out over HTTPS."""
    response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
    for name, value in OTHER_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    return response


class SessionOverHttps(SecureCookieSessionInterface):
    """The signed session cookie, marked Secure whenever the request came over HTTPS (directly or via a trusted
    proxy), so it works over plain http on a venue network and never leaks from an https site."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request is HTTPS."""
        return bool(super().get_cookie_secure(app) or request.is_secure)


def install(app: Flask, trusted_proxies: int) -> None:
    """Headers on every Flask answer, the session cookie's Secure flag, and X-Forwarded-* from `trusted_proxies`
    proxies. Call after Socket.IO is bound, so Engine.IO's own origin check sees the forwarded host too."""
    app.after_request(add_headers)
    app.session_interface = SessionOverHttps()
    if trusted_proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies,  # type: ignore[method-assign]
                                x_host=trusted_proxies)
