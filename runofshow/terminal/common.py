"""What every `runofshow` command shares: the --database option and one-line errors with exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from runofshow.agenda.model import AgendaError
from runofshow.engine import CommandError
from runofshow.importers import ImportProblem
from runofshow.live.service import NoAgenda, ShowInProgress, UnknownStage
from runofshow.live.store import StoreUnavailable

F = TypeVar("F", bound=Callable[..., Any])

USAGE_ERROR = 2

database_option = click.option(
    "--database", envvar="RUNOFSHOW_DATABASE_URL", default=None,
    help="SQLAlchemy URL of the store (default: SQLite file in the instance folder).",
)


def fail(message: str) -> None:
    """Print an error for a person and exit with code 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(USAGE_ERROR)


def in_vocabulary(error: Exception) -> str:
    """A service or engine error as `code: message`, with the code REST and Socket.IO give it."""
    from runofshow.web.adapter import failure_of  # only when there is one to report: the web layer loads Flask

    failure = failure_of(error)
    return f"{failure.code}: {failure.message}"


def friendly_errors(func: F) -> F:
    """Turn the errors a person can cause into a one-line message and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (CommandError, NoAgenda, UnknownStage, StoreUnavailable) as error:
            fail(in_vocabulary(error))
        except (ImportProblem, AgendaError, ShowInProgress) as error:
            fail(str(error))

    return wrapper  # type: ignore[return-value]
