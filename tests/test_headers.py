"""Security headers, cookies marked Secure over HTTPS, HSTS, and trusting a reverse proxy only when told to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from runofshow.web import create_app, service_of
from runofshow.web.auth import Role, set_passphrase

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "correct horse battery"
PAGES = ("/", "/stage/plenary", "/agenda", "/signin", "/api/event", "/healthz", "/no/such/page")


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}."""
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_carries_the_security_headers(client: Any, path: str) -> None:
    """CSP without inline script, no framing by others, no sniffing, no referrer to other sites; no HSTS over http."""
    response = client.get(path)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'self'" in policy["connect-src"] and "ws://localhost" in policy["connect-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_a_strange_host_is_not_written_into_the_policy(client: Any) -> None:
    """Only a plain host:port is named in connect-src."""
    policy = client.get("/healthz", headers={"Host": "evil; script-src *"}).headers["Content-Security-Policy"]
    assert "evil" not in policy


def sign_in_cookie(app: Any, client: Any, **request: Any) -> str:
    """The Set-Cookie header of the session a passphrase sign-in starts."""
    set_passphrase(service_of(app).store, Role.MODERATOR, PASSPHRASE)
    response = client.post("/signin", data={"role": "moderator", "passphrase": PASSPHRASE}, **request)
    assert response.status_code == 302
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))


def test_over_http_the_session_cookie_is_not_secure(app: Any, client: Any) -> None:
    """A venue network without TLS still signs in."""
    cookie = sign_in_cookie(app, client)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(app: Any, client: Any) -> None:
    """A request that came over HTTPS gets a Secure session cookie and HSTS; so does the language cookie."""
    cookie = sign_in_cookie(app, client, base_url="https://localhost")
    assert "Secure" in cookie
    response = client.get("/agenda?lang=nb", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("lang="))


FORWARDED_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "show.example.org"}


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(app: Any, client: Any) -> None:
    """By default anyone could send X-Forwarded-Proto: it changes nothing."""
    assert "Secure" not in sign_in_cookie(app, client, headers=FORWARDED_HTTPS)
    assert "Strict-Transport-Security" not in client.get("/healthz", headers=FORWARDED_HTTPS).headers


def test_behind_a_trusted_proxy_https_is_recognised(tmp_path: Path) -> None:
    """RUNOFSHOW_TRUST_PROXY=1: the proxy's X-Forwarded-Proto/Host count (cookie Secure, HSTS, the host in the CSP)."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}", "SCHEDULER": False,
                      "WTF_CSRF_ENABLED": False, "TRUST_PROXY": 1})
    try:
        client = app.test_client()
        response = client.get("/healthz", headers=FORWARDED_HTTPS)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert "wss://show.example.org" in response.headers["Content-Security-Policy"]
        assert "Secure" in sign_in_cookie(app, client, headers=FORWARDED_HTTPS)
    finally:
        service_of(app).store.close()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style", re.IGNORECASE)


# Written to a file by `runofshow report` and never served, so the policy never applies to it.
NEVER_SERVED = {"report_file.html"}


@pytest.mark.parametrize("template", sorted(path.name for path in (ROOT / "templates").glob("*.html")
                                            if path.name not in NEVER_SERVED))
def test_templates_have_no_inline_script_or_style(template: str) -> None:
    """What the policy would block: inline <script> (JSON data is fine), on*= handlers, style attributes and blocks."""
    text = (ROOT / "templates" / template).read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.findall(text)
    assert not INLINE_HANDLER.findall(text)
    assert not INLINE_STYLE.findall(text)


def test_scripts_set_no_style_attribute_or_markup() -> None:
    """The screens' modules style through classes and CSSOM, which `style-src 'self'` allows; never a style attribute
    or HTML strings, which it would block (or which could carry script)."""
    forbidden = re.compile(r"setAttribute\(\s*[\"']style|cssText|innerHTML|outerHTML|insertAdjacentHTML|\beval\(|"
                           r"new Function")
    for script in (ROOT / "static" / "js").glob("*.js"):
        assert not forbidden.findall(script.read_text(encoding="utf-8")), script.name
