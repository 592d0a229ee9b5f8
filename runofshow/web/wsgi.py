"""The WSGI entry point for gunicorn (Procfile): one gevent worker per process, scheduler as configured."""

from runofshow.web.memory import freeze_startup_objects, skip_client_only_modules, stop_tracking_greenlet_tree

skip_client_only_modules()
stop_tracking_greenlet_tree()

from runofshow.web.server import start_background
from runofshow.web import create_app

app = create_app({"ASYNC_MODE": "gevent"})
start_background(app)
freeze_startup_objects()
