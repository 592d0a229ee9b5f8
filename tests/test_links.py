"""Tokens and share links with a life cycle: they expire, are listed, revoked and rotated, and a revocation
reaches sockets that are already open within a second."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from click.testing import CliRunner

from runofshow.engine import Role
from runofshow.live.store import Store
from runofshow.terminal.cli import main
from runofshow.web import service_of, socketio
from runofshow.web.auth import RECHECK_SECONDS, create_token, list_tokens, revoke_token
from runofshow.web.links import (default_expiry, issue_link, list_links, read_link, revoke_link, rotate_links,
                                 screen_links, wall_now)

REFUSAL_BUDGET = 1.0  # seconds from a revocation to the refusal of an open socket's next control event


def message(socket: Any, app: Any, text: str = "Wrap up") -> dict[str, Any]:
    """Send the stage message over the socket; its acknowledgement."""
    rev = service_of(app).state("plenary").rev
    return socket.emit("message", {"expected_rev": rev, "text": text}, callback=True)


def refused_within(attempt: Callable[[], dict[str, Any]], budget: float) -> float:
    """Seconds until `attempt()` is refused as not signed in; fails if that takes longer than `budget`."""
    start = time.monotonic()
    while True:
        reply = attempt()
        elapsed = time.monotonic() - start
        if reply.get("ok") is False and reply.get("error") == "unauthenticated":
            return elapsed
        assert elapsed < budget, f"still accepted {elapsed:.2f} s after the revocation: {reply}"
        time.sleep(0.05)


def join_link(app: Any, client: Any, role: Role, target: str, **options: Any) -> Any:
    """Open a new share link with the test client; the link."""
    with app.app_context():
        link, token = issue_link(service_of(app).store, role, target, "test", wall_now(), **options)
    assert client.get(f"/join/{token}").status_code == 302
    return link


def test_a_revoked_token_is_refused_on_its_open_socket_within_a_second(app) -> None:  # type: ignore[no-untyped-def]
    token = create_token(service_of(app).store, Role.MODERATOR, "Kari")
    socket = socketio.test_client(app, auth={"token": token})
    try:
        assert message(socket, app)["ok"] is True
        # Revoked through a store of its own, as `runofshow token revoke` or another web node does it.
        other = Store(app.config["RUNOFSHOW"]["DATABASE_URL"])
        try:
            (info,) = [info for info in list_tokens(other) if info.name == "Kari"]
            assert revoke_token(other, info.id)
        finally:
            other.close()
        refused_within(lambda: message(socket, app, "Still here"), REFUSAL_BUDGET)
        assert message(socket, app, "After revocation")["ok"] is False
        joined = socket.emit("join", {"audience": "console", "stage": "plenary"}, callback=True)
        assert joined["ok"] is False and joined["error"] == "forbidden"
    finally:
        socket.disconnect()
    assert service_of(app).state("plenary").message != "After revocation"


def test_a_revoked_links_session_is_refused_on_pages_and_sockets(app, client) -> None:  # type: ignore[no-untyped-def]
    link = join_link(app, client, Role.MODERATOR, "/console/plenary")
    assert client.get("/console/plenary").status_code == 200
    socket = socketio.test_client(app, flask_test_client=client)
    try:
        assert socket.emit("join", {"audience": "console", "stage": "plenary"}, callback=True)["ok"] is True
        assert message(socket, app)["ok"] is True
        assert revoke_link(service_of(app).store, link.id)
        refused_within(lambda: message(socket, app), REFUSAL_BUDGET)
        assert socket.emit("join", {"audience": "console", "stage": "plenary"}, callback=True)["ok"] is False
    finally:
        socket.disconnect()
    assert client.get("/console/plenary").status_code == 302
    assert not revoke_link(service_of(app).store, "no-such-link")


def test_an_expired_link_is_refused_and_its_session_ends(app, client) -> None:  # type: ignore[no-untyped-def]
    store = service_of(app).store
    with app.app_context():
        _, stale = issue_link(store, Role.MODERATOR, "/console/plenary", "old", wall_now(),
                              expires=wall_now() - timedelta(minutes=1))
    assert client.get(f"/join/{stale}").status_code == 403
    join_link(app, client, Role.STREAM, "/stream/plenary", expires=wall_now() + timedelta(seconds=0.6))
    assert client.get("/stream/plenary").status_code == 200
    time.sleep(0.6 + RECHECK_SECONDS)
    assert client.get("/stream/plenary").status_code == 302


def test_rotation_invalidates_every_old_link(app) -> None:  # type: ignore[no-untyped-def]
    first = screen_links(app, "http://venue")
    assert screen_links(app, "http://venue") == first, "a printed sheet stays valid until rotated"
    signed_in = app.test_client()
    console = dict(first)["moderator console (Plenum)"]
    assert signed_in.get(console.removeprefix("http://venue")).status_code == 302
    rotate_links(service_of(app).store, wall_now())
    client = app.test_client()
    for _, url in first:
        assert client.get(url.removeprefix("http://venue")).status_code == 403, url
    assert signed_in.get("/console/plenary").status_code == 302
    second = screen_links(app, "http://venue")
    assert not set(url for _, url in first) & set(url for _, url in second)
    assert client.get(dict(second)["moderator console (Plenum)"].removeprefix("http://venue")).status_code == 302
    assert client.get("/console/plenary").status_code == 200
    states = [link.revoked for link in list_links(service_of(app).store)]
    assert states.count(True) == len(first) and states.count(False) == len(second)


@pytest.mark.parametrize("label", ["stage screen (Plenum)", "studio clock (Plenum)", "room screen (Plenum)",
                                   "public agenda"])
def test_a_public_screens_link_grants_nothing_beyond_the_public_view(app, label: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    url = dict(screen_links(app, "http://venue"))[label]
    opened = client.get(url.removeprefix("http://venue"))
    assert opened.status_code == 302
    assert client.get(opened.headers["Location"]).status_code == 200
    assert client.get("/console/plenary").status_code == 302
    assert client.get("/overview").status_code in (302, 403)
    socket = socketio.test_client(app, flask_test_client=client)
    try:
        joined = socket.emit("join", {"audience": "console", "stage": "plenary"}, callback=True)
        assert joined["ok"] is False and joined["error"] == "forbidden"
        assert socket.emit("join", {"audience": "stage", "stage": "plenary"}, callback=True)["role"] == "public"
    finally:
        socket.disconnect()


def test_a_link_to_a_public_screen_never_carries_a_crew_role(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        link, token = issue_link(service_of(app).store, Role.SCREEN, "/stage/plenary", "stage", wall_now())
        assert link.role is Role.PUBLIC
        assert read_link(service_of(app).store, token, wall_now()).role is Role.PUBLIC
        crew, _ = issue_link(service_of(app).store, Role.SCREEN, "/overview", "desk", wall_now())
    assert crew.role is Role.SCREEN


def test_links_expire_after_the_events_last_day(app) -> None:  # type: ignore[no-untyped-def]
    store = service_of(app).store
    during = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)  # the reference day, in Oslo
    assert default_expiry(store, during, 1) == datetime(2024, 5, 7, 22, 0, tzinfo=timezone.utc)  # 8 May, 00:00 Oslo
    assert default_expiry(store, during, 0) == datetime(2024, 5, 6, 22, 0, tzinfo=timezone.utc)
    after = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
    assert default_expiry(store, after, 1) == datetime(2024, 6, 2, 22, 0, tzinfo=timezone.utc)
    with app.app_context():
        link, _ = issue_link(store, Role.STREAM, "/stream/plenary", "stream", wall_now())
    assert link.expires is not None and wall_now() + timedelta(days=1) < link.expires < wall_now() + timedelta(days=3)


def test_tokens_are_listed_expire_and_are_revoked(app, client) -> None:  # type: ignore[no-untyped-def]
    store = service_of(app).store
    lasting = create_token(store, Role.MODERATOR, "Kari")
    expired = create_token(store, Role.MODERATOR, "Ola", expires=wall_now() - timedelta(seconds=1))
    headers = {"Authorization": f"Bearer {lasting}"}
    rev = service_of(app).state("plenary").rev
    assert client.post("/api/stages/plenary/message", json={"expected_rev": rev, "text": "Hi"},
                       headers=headers).status_code == 200
    refused = client.post("/api/stages/plenary/message", json={"expected_rev": rev + 1, "text": "Hi"},
                          headers={"Authorization": f"Bearer {expired}"})
    assert refused.status_code in (401, 403)
    tokens = {info.name: info for info in list_tokens(store)}
    assert tokens["Kari"].last_used is not None and tokens["Kari"].expires is None
    assert tokens["Ola"].last_used is None and tokens["Ola"].expires is not None
    assert tokens["Kari"].created is not None and lasting not in repr(tokens)
    assert revoke_token(store, tokens["Kari"].id)
    assert client.post("/api/stages/plenary/message", json={"expected_rev": rev + 1, "text": "Hi"},
                       headers=headers).status_code in (401, 403)
    assert not revoke_token(store, tokens["Kari"].id)
    assert [info.name for info in list_tokens(store)] == ["Ola"]


def run_cli(app: Any, *args: str) -> Any:
    """Run `runofshow ARGS` on the app's store."""
    database = app.config["RUNOFSHOW"]["DATABASE_URL"]
    env = {"RUNOFSHOW_DATABASE_URL": database, "RUNOFSHOW_INSTANCE_PATH": app.instance_path}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_token_commands_list_and_revoke(app) -> None:  # type: ignore[no-untyped-def]
    made = run_cli(app, "token", "create", "--role", "stream", "--name", "OBS desk", "--expires", "2d")
    assert made.exit_code == 0
    listed = run_cli(app, "token", "list").output
    assert "OBS desk" in listed and "stream" in listed and made.output.strip() not in listed
    (token_id,) = [line.split()[0] for line in listed.splitlines() if "OBS desk" in line]
    assert run_cli(app, "token", "revoke", token_id).exit_code == 0
    assert "OBS desk" not in run_cli(app, "token", "list").output
    assert run_cli(app, "token", "revoke", token_id).exit_code == 2
    assert run_cli(app, "token", "create", "--role", "stream", "--expires", "soon").exit_code == 2


def test_links_command_prints_rotates_lists_and_revokes(app) -> None:  # type: ignore[no-untyped-def]
    printed = run_cli(app, "links", "--url", "http://10.0.0.5:5000")
    assert printed.exit_code == 0
    urls = [line.strip() for line in printed.output.splitlines() if line.strip().startswith("http://10.0.0.5:5000/join/")]
    assert len(urls) == len(screen_links(app, "http://10.0.0.5:5000")) and "▀" in printed.output
    assert run_cli(app, "links", "--no-qr", "--url", "http://10.0.0.5:5000").output.count("▀") == 0
    assert [url for url in run_cli(app, "links", "--no-qr", "--url", "http://10.0.0.5:5000").output.split()
            if url.startswith("http")] == urls, "the same links until rotated"
    rotated = run_cli(app, "links", "--rotate", "--no-qr", "--url", "http://10.0.0.5:5000").output
    assert not set(urls) & set(rotated.split())
    client = app.test_client()
    assert client.get(urls[1].removeprefix("http://10.0.0.5:5000")).status_code == 403
    listed = run_cli(app, "links", "list").output
    assert listed.count("revoked") == len(urls) and "moderator console (Plenum)" in listed
    working = [line.split()[0] for line in listed.splitlines() if line.endswith("works")]
    assert run_cli(app, "links", "revoke", working[0]).exit_code == 0
    assert run_cli(app, "links", "revoke", "nope").exit_code == 2
    assert run_cli(app, "links", "list").output.count("revoked") == len(urls) + 1


def test_the_open_sockets_of_a_revoked_token_or_link_are_closed(app, client) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web.sockets import close_revoked

    store = service_of(app).store
    token = create_token(store, Role.FACILITATOR, "Kari")
    by_token = socketio.test_client(app, auth={"token": token})
    link = join_link(app, client, Role.STREAM, "/stream/plenary")
    by_link = socketio.test_client(app, flask_test_client=client)
    kept = socketio.test_client(app, auth={"token": create_token(store, Role.FACILITATOR, "Ola")})
    public = socketio.test_client(app)
    try:
        for socket, audience in ((by_token, "console"), (by_link, "stream"), (kept, "console"), (public, "stage")):
            assert socket.emit("join", {"audience": audience, "stage": "plenary"}, callback=True)["ok"] is True
        close_revoked(socketio, service_of(app))
        assert all(socket.is_connected() for socket in (by_token, by_link, kept, public))
        (info,) = [info for info in list_tokens(store) if info.name == "Kari"]
        revoke_token(store, info.id)
        revoke_link(store, link.id)
        time.sleep(RECHECK_SECONDS)
        close_revoked(socketio, service_of(app))
        assert not by_token.is_connected() and not by_link.is_connected()
        assert kept.is_connected() and public.is_connected()
    finally:
        for socket in (by_token, by_link, kept, public):
            if socket.is_connected():
                socket.disconnect()


def test_a_fresh_store_with_the_same_secret_prints_new_links(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import create_app

    def app_on(name: str) -> Any:
        return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "one secret for both",
                           "DATABASE_URL": f"sqlite:///{tmp_path / name}", "SCHEDULER": False}, clock=clock)

    before, after = app_on("before.db"), app_on("after.db")  # the demo starts each time on a fresh store
    try:
        old = screen_links(before, "http://venue")
        new = screen_links(after, "http://venue")
        assert not set(url for _, url in old) & set(url for _, url in new)
        client = after.test_client()
        assert client.get(dict(old)["moderator console (Plenum)"].removeprefix("http://venue")).status_code == 403
    finally:
        service_of(before).store.close()
        service_of(after).store.close()
