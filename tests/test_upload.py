"""Upload in the browser: a preview by block id before anything is applied; all or nothing; CSRF; size limit."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from runofshow.agenda.document import event_to_dict
from runofshow.live.clocks import FakeClock


def _service(app: Any) -> Any:
    from runofshow.web import service_of

    return service_of(app)


def _edited_document(app: Any) -> dict[str, Any]:
    """The stored agenda with three blocks changed, one added and one removed."""
    document = copy.deepcopy(event_to_dict(_service(app).event()))
    blocks = document["stages"][0]["blocks"]
    for block in blocks[1:4]:
        block["title"] += " (ny)"
    blocks.remove(next(block for block in blocks if block["id"] == "pause"))
    slutt = next(block for block in blocks if block["id"] == "slutt")
    blocks.insert(blocks.index(slutt) + 1, {**slutt, "id": "mingling", "title": "Mingling", "facts": []})
    return document


def _upload(client: Any, path: str, data: bytes, name: str, **form: str) -> Any:
    return client.post(path, data={"file": (io.BytesIO(data), name), **form}, content_type="multipart/form-data")


def test_preview_counts_changes_and_stores_nothing(app: Any, moderator: Any) -> None:
    store = _service(app).store
    before, journal = store.load_agenda(), len(store.journal())
    data = json.dumps(_edited_document(app)).encode()
    response = _upload(moderator, "/import/preview", data, "agenda.json")
    assert response.status_code == 200, response.get_json()
    diff = response.get_json()["diff"]
    assert diff["counts"] == {"changed": 3, "added": 1, "removed": 1}
    assert [item["fields"] for item in diff["changed"]] == [["title"]] * 3
    assert diff["added"] == [{"id": "mingling", "title": "Mingling"}]
    assert diff["removed"][0]["id"] == "pause"
    assert store.load_agenda() == before and len(store.journal()) == journal


def test_apply_stores_journals_and_can_be_undone(app: Any, moderator: Any) -> None:
    service = _service(app)
    version = service.agenda_version()
    data = json.dumps(_edited_document(app)).encode()
    response = _upload(moderator, "/import/apply", data, "agenda.json", expected_version=version)
    assert response.status_code == 200, response.get_json()
    ids = [block.id for block in service.stage("plenary").blocks]
    assert "mingling" in ids and "pause" not in ids
    assert service.store.journal()[-1].command == "upload"
    assert service.undo_depth() == 1
    stale = _upload(moderator, "/import/apply", data, "agenda.json", expected_version=version)
    assert stale.status_code == 409


@pytest.mark.parametrize(("data", "name", "field"), [
    (b'{"format": "runofshow", "version": 1, "title": "X", "timezone": "Europe/Oslo", "days": ["2024-05-06"],'
     b' "stages": [{"id": "a", "name": "A", "blocks": [{"id": "b", "title": "B", "start": "2024-05-06T09:00:00+02:00",'
     b' "duration_minutes": "long"}]}]}', "bad.json", None),
    (b"\xff\xfe\x00broken", "broken.txt", None),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;'>]><schedule>&b;</schedule>",
     "bomb.xml", None),
])
def test_a_bad_file_applies_nothing_and_names_the_file(app: Any, moderator: Any, data: bytes, name: str,
                                                        field: Any) -> None:
    store = _service(app).store
    before = store.load_agenda()
    for path in ("/import/preview", "/import/apply"):
        response = _upload(moderator, path, data, name, expected_version=_service(app).agenda_version() or "")
        assert response.status_code == 400, response.get_json()
        body = response.get_json()
        assert body["file"] == name and name in body["message"]
    assert store.load_agenda() == before


def test_the_message_names_the_line_and_field(app: Any, moderator: Any) -> None:
    yaml_text = ("title: X\ntimezone: Europe/Oslo\nstages:\n  - id: a\n    name: A\n    blocks:\n"
                 "      - id: b\n        title: B\n        start: 2024-05-06 09:00\n        duration_minutes: lots\n")
    body = _upload(moderator, "/import/preview", yaml_text.encode(), "day.yaml").get_json()
    assert body["ok"] is False and body["line"] == 10 and "duration_minutes" in body["message"]
    assert body["message"].startswith("day.yaml:10")


def test_size_limit_and_missing_file(app: Any, moderator: Any) -> None:
    from runofshow.agenda.text import MAX_BYTES

    huge = b"x" * (MAX_BYTES + 128 * 1024)
    assert _upload(moderator, "/import/preview", huge, "huge.txt").status_code == 413
    missing = moderator.post("/import/preview", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["field"] == "file"


def test_upload_is_for_moderators(client: Any) -> None:
    assert client.get("/import").status_code == 302
    assert _upload(client, "/import/preview", b"x", "x.txt").status_code == 401
    with client.session_transaction() as session:
        session["role"] = "facilitator"
    assert client.get("/import").status_code == 403
    assert _upload(client, "/import/apply", b"x", "x.txt").status_code == 403


def test_import_page_renders(moderator: Any) -> None:
    page = moderator.get("/import")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.data and b"js/import.js" in page.data


def test_upload_is_csrf_protected(tmp_path: Path, clock: FakeClock) -> None:
    from runofshow.web import create_app, service_of

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"), "SCHEDULER": False,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 's.sqlite3'}", "WTF_CSRF_ENABLED": True}, clock=clock)
    try:
        client = app.test_client()
        with client.session_transaction() as session:
            session["role"] = "moderator"
        refused = _upload(client, "/import/preview", b"title: x", "x.yaml")
        assert refused.status_code == 400
        edit = client.post("/editor/plenary/edit", json={"op": "delete", "block_id": "pause"})
        assert edit.status_code == 400
        assert "pause" in [block.id for block in service_of(app).stage("plenary").blocks]
    finally:
        service_of(app).store.close()


def test_an_upload_over_one_megabyte_within_the_import_limit_is_read(app, client) -> None:  # type: ignore[no-untyped-def]
    """The app's 1 MB request limit does not cut agenda uploads short: the importer's 5 MB limit applies."""
    import io

    from runofshow.web import service_of
    from runofshow.web.auth import Role, create_token

    token = create_token(service_of(app).store, Role.MODERATOR, "upload")
    body = ("# Dag 1. mai 2024\n\nKL.\tLENGDE\tTITTEL\tBESKRIVELSE\n09:00\t1h 00m\tA\t" + "x" * (2 * 1024 * 1024)
            + "\n").encode()
    response = client.post("/import/preview", data={"file": (io.BytesIO(body), "big.txt")},
                           headers={"Authorization": f"Bearer {token}"}, content_type="multipart/form-data")
    assert response.status_code != 413, response.get_data(as_text=True)[:200]
