"""Sign-in, share links, tokens, CSRF and rate limiting."""

from __future__ import annotations

import re

from runofshow.web import create_app, service_of
from runofshow.web.auth import Role, create_token, identity_for_token, set_passphrase
from runofshow.web.links import issue_link, wall_now


def share_token(store, role: Role, target: str) -> str:  # type: ignore[no-untyped-def]
    """The /join token of a new link."""
    return issue_link(store, role, target, "test", wall_now())[1]


def test_passphrase_sign_in_opens_the_console(app, client) -> None:  # type: ignore[no-untyped-def]
    set_passphrase(service_of(app).store, Role.MODERATOR, "correct horse battery")
    assert client.get("/console/plenary").status_code == 302
    wrong = client.post("/signin", data={"role": "moderator", "passphrase": "nope nope nope"})
    assert wrong.status_code == 401
    assert client.get("/console/plenary").status_code == 302
    right = client.post("/signin", data={"role": "moderator", "passphrase": "correct horse battery"})
    assert right.status_code == 302
    assert client.get("/console/plenary").status_code == 200


def test_share_link_signs_a_screen_in_once(app, client) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        link = share_token(service_of(app).store, Role.STREAM, "/stream/plenary")
    response = client.get(f"/join/{link}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/stream/plenary")
    assert client.get("/stream/plenary").status_code == 200
    assert client.get("/join/" + link[:-3] + "xyz").status_code == 403


def test_share_link_cannot_redirect_elsewhere(app, client) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        link = share_token(service_of(app).store, Role.MODERATOR, "//evil.example/")
    response = client.get(f"/join/{link}")
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_tokens_are_stored_as_digests(app) -> None:  # type: ignore[no-untyped-def]
    store = service_of(app).store
    token = create_token(store, Role.FACILITATOR, "Kari")
    assert identity_for_token(store, token).role is Role.FACILITATOR
    assert store.get_meta(f"token:{token}") is None
    assert identity_for_token(store, token + "x") is None


def test_sign_in_form_needs_csrf_when_enabled(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
                      "SCHEDULER": False}, clock=clock)
    set_passphrase(service_of(app).store, Role.MODERATOR, "correct horse battery")
    client = app.test_client()
    refused = client.post("/signin", data={"role": "moderator", "passphrase": "correct horse battery"})
    assert refused.status_code == 400
    page = client.get("/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/signin", data={"role": "moderator", "passphrase": "correct horse battery",
                                            "csrf_token": token})
    assert accepted.status_code == 302


def test_sign_in_is_rate_limited(client) -> None:  # type: ignore[no-untyped-def]
    codes = [client.post("/signin", data={"role": "moderator", "passphrase": "guess guess"}).status_code
             for _ in range(12)]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429


def test_secret_is_generated_once_into_the_instance_folder(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    config = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}", "SCHEDULER": False}
    first = create_app(config, clock=clock).config["SECRET_KEY"]
    second = create_app(config, clock=clock).config["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_one_persons_typos_lock_out_neither_other_roles_nor_other_people(app) -> None:  # type: ignore[no-untyped-def]
    set_passphrase(service_of(app).store, Role.FACILITATOR, "correct horse battery")
    typist, colleague = app.test_client(), app.test_client()  # two browsers behind one venue NAT (one address)
    for client in (typist, colleague):
        assert client.get("/signin").status_code == 200
    codes = [typist.post("/signin", data={"role": "moderator", "passphrase": "guess guess"}).status_code
             for _ in range(11)]
    assert codes == [401] * 10 + [429]
    assert typist.post("/signin", data={"role": "stream", "passphrase": "guess guess"}).status_code == 401
    assert colleague.post("/signin", data={"role": "moderator", "passphrase": "guess guess"}).status_code == 401
    signed_in = colleague.post("/signin", data={"role": "facilitator", "passphrase": "correct horse battery"})
    assert signed_in.status_code == 302


def test_an_address_has_a_ceiling_however_many_browsers_it_uses(app) -> None:  # type: ignore[no-untyped-def]
    from runofshow.web.auth import SIGNIN_LIMIT_PER_ADDRESS

    ceiling = int(SIGNIN_LIMIT_PER_ADDRESS.split()[0])
    codes = []
    for _ in range(ceiling // 5 + 1):
        fresh = app.test_client()  # a new cookie jar each round: a guesser who throws its browser id away
        fresh.get("/signin")
        codes += [fresh.post("/signin", data={"role": "moderator", "passphrase": "guess guess"}).status_code
                  for _ in range(5)]
    assert codes[:ceiling] == [401] * ceiling
    assert set(codes[ceiling:]) == {429}
