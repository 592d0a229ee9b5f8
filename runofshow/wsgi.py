"""The WSGI entry point for gunicorn (Procfile): one gevent worker per process, scheduler as configured."""

from runofshow.server import start_background
from runofshow.web import create_app

app = create_app({"ASYNC_MODE": "gevent"})
start_background(app)
