"""Refusals are sentences a crew member understands, in the language of the screen that sent the command."""

from __future__ import annotations

import pytest

from runofshow.web import service_of


def socket_in(app, token_for, role: str, **auth: str):  # type: ignore[no-untyped-def]
    """A Socket.IO test client signed in as `role`, its page's language in `auth` as live.js sends it."""
    from runofshow.web import socketio

    return socketio.test_client(app, auth={"token": token_for(role), **auth})


def finish_the_show(app) -> int:  # type: ignore[no-untyped-def]
    """End the show through the service; the new revision."""
    service = service_of(app)
    return service.command("plenary", "end", service.state("plenary").rev, {}, actor="test").rev


def test_a_refused_command_over_socketio_is_said_in_the_pages_language(app, token_for) -> None:  # type: ignore[no-untyped-def]
    rev = finish_the_show(app)
    norwegian = socket_in(app, token_for, "moderator", lang="nb")
    english = socket_in(app, token_for, "moderator")
    try:
        said_nb = norwegian.emit("next", {"expected_rev": rev}, callback=True)
        said_en = english.emit("next", {"expected_rev": rev}, callback=True)
    finally:
        norwegian.disconnect()
        english.disconnect()
    assert said_en["ok"] is False and said_en["error"] == "bad_request" and said_en["reason"] == "not_when_finished"
    assert said_en["message"] == "The show has ended. Press Back to run the last block again."
    assert said_nb["error"] == "bad_request" and said_nb["message"].startswith("Programmet er slutt.")
    assert "finished" not in said_nb["message"] and "not_started" not in said_en["message"]


def test_a_refused_role_is_told_who_may_in_its_language(app, token_for) -> None:  # type: ignore[no-untyped-def]
    rev = service_of(app).state("plenary").rev
    norwegian = socket_in(app, token_for, "facilitator", lang="nb")
    try:
        said = norwegian.emit("next", {"expected_rev": rev}, callback=True)
    finally:
        norwegian.disconnect()
    assert said["error"] == "forbidden"
    assert "ordstyrer" in said["message"] and "fasilitator" in said["message"] and "may not" not in said["message"]


def test_the_handshake_cookie_picks_the_language_without_auth(app, token_for) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web import socketio

    rev = finish_the_show(app)
    client = socketio.test_client(app, auth={"token": token_for("moderator")}, headers={"Cookie": "lang=nb"})
    try:
        said = client.emit("next", {"expected_rev": rev}, callback=True)
    finally:
        client.disconnect()
    assert said["message"].startswith("Programmet er slutt.")


@pytest.mark.parametrize(("headers", "cookie", "start"), [
    ({"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"}, "", "Programmet er slutt."),
    ({"Accept-Language": "en"}, "nb", "Programmet er slutt."),
    ({}, "", "The show has ended."),
])
def test_rest_refusals_follow_accept_language_and_the_cookie(app, client, token_for, headers, cookie,  # type: ignore[no-untyped-def]
                                                            start) -> None:
    rev = finish_the_show(app)
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.post("/api/stages/plenary/next", json={"expected_rev": rev},
                           headers={"Authorization": f"Bearer {token_for('moderator')}", **headers})
    body = response.get_json()
    assert response.status_code == 400 and body["error"] == "bad_request"
    assert body["message"].startswith(start), body
    assert "not allowed while" in body["detail"]


def test_a_message_too_long_says_the_limit_in_norwegian(app, client, token_for) -> None:  # type: ignore[no-untyped-def]
    rev = service_of(app).state("plenary").rev
    response = client.post("/api/stages/plenary/message", json={"expected_rev": rev, "text": "x" * 501},
                           headers={"Authorization": f"Bearer {token_for('moderator')}", "Accept-Language": "nb"})
    body = response.get_json()
    assert response.status_code == 400 and body["reason"] == "too_long"
    assert "500" in body["message"] and "too long" not in body["message"]
