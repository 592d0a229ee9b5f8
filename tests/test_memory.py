"""Memory and the garbage collector: the heap trimmer, the start-up freeze, socket events without cyclic garbage."""

from __future__ import annotations

import gc
import platform

import pytest
from flask import request
from werkzeug.test import EnvironBuilder

from runofshow.web.memory import freeze_startup_objects, heap_trimmer, trim_forever


@pytest.mark.skipif(platform.system() != "Linux", reason="malloc_trim is glibc's")
def test_trimmer_calls_malloc_trim_on_each_interval() -> None:
    assert heap_trimmer() is not None
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            raise StopIteration

    with pytest.raises(StopIteration):
        trim_forever(sleep, interval=7.0)
    assert slept == [7.0, 7.0, 7.0]


def test_freezing_moves_what_is_alive_out_of_the_collectors_reach() -> None:
    alive = [object()]
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 0
        assert gc.is_tracked(alive) and not any(item is alive for item in gc.get_objects())
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("headers", [{}, {"Upgrade": "websocket", "Connection": "Upgrade"}], ids=["polling", "websocket"])
def test_a_socket_events_request_context_matches_a_route(app, headers) -> None:  # type: ignore[no-untyped-def]
    """Flask-SocketIO pushes one for every event; a failed match would leave a NotFound and its traceback cycle."""
    environ = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=websocket", headers=headers).get_environ()
    with app.request_context(environ):
        assert request.routing_exception is None
        assert request.endpoint == "socketio_path"
    assert app.test_client().get("/socket.io/").status_code != 500
