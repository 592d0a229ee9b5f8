"""A command's arguments: name on the wire, type and limits, checked the same way by the engine and every adapter."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from runofshow.agenda.shown_text import UnreadableText, shown_text

def N_(message: str) -> str:
    """Mark `message` for extraction as a translatable template; adapters translate it in the reader's language."""
    return message


UNREADABLE = N_("The screen sent something the server could not read. Reload the page and try again.")
NOT_UNICODE = N_("The text has a character that cannot be shown. Type it again.")


class CommandError(ValueError):
    """A command that cannot be applied: unknown, bad arguments, or not allowed now.

    `str(error)` is the detail for a developer; `sentence` (an English gettext msgid, %-formatted with `params`)
    says it for a crew member, and `reason` is its machine-readable code.
    """

    def __init__(self, detail: str, sentence: str = UNREADABLE, reason: str = "unreadable", **params: Any) -> None:
        super().__init__(detail)
        self.sentence = sentence
        self.reason = reason
        self.params = params


class Kind(StrEnum):
    """What an argument holds."""

    TEXT = "text"
    INTEGER = "integer"
    MINUTES = "minutes"
    BOOLEAN = "boolean"
    CHOICE = "choice"


ENGINE_TYPES: dict[Kind, type] = {Kind.TEXT: str, Kind.INTEGER: int, Kind.MINUTES: timedelta, Kind.BOOLEAN: bool,
                                  Kind.CHOICE: str}


@dataclass(frozen=True)
class Argument:
    """One argument: the engine's key, the wire's name, its kind and its limits."""

    key: str
    kind: Kind
    wire: str = ""
    max_length: int | None = None
    non_empty: bool = False
    low: int = 0
    high: int = 0
    limit: timedelta = timedelta(0)
    nullable: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False
    default: Any = None
    multiline: bool = False

    @property
    def wire_name(self) -> str:
        """The name in REST and Socket.IO bodies, the OpenAPI document and the CLI."""
        return self.wire or self.key

    def describe(self) -> str:
        """The type and limits in words, as the protocol document and the CLI help give them."""
        if self.optional:
            return f"{self._describe_kind()}, optional (default {_wire_text(self.default)})"
        return self._describe_kind()

    def _describe_kind(self) -> str:
        """The type and limits in words, without whether the argument may be left out."""
        if self.kind is Kind.CHOICE:
            return "one of " + ", ".join(self.choices)
        if self.kind is Kind.TEXT:
            if self.non_empty:
                return f"text of 1 to {self.max_length} characters, not blank"
            return f"text of at most {self.max_length} characters"
        if self.kind is Kind.INTEGER:
            return f"integer from {self.low} to {self.high}"
        if self.kind is Kind.MINUTES:
            most = self.limit // timedelta(minutes=1)
            return f"number of minutes from -{most} to {most}, not 0"
        return "true, false or null" if self.nullable else "true or false"

    def check(self, command: str, value: Any, label: str = "") -> Any:
        """The engine value if its type and limits hold, else CommandError naming `label` (default: the key)."""
        name = label or self.key
        kinds = (ENGINE_TYPES[self.kind],) + ((type(None),) if self.nullable else ())
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            wanted = " or ".join("None" if kind is type(None) else kind.__name__ for kind in kinds)
            raise CommandError(f"{command}: {name} must be {wanted}, not {value!r}")
        if value is None:
            return None
        if self.kind is Kind.TEXT:
            value = self.shown(command, name, value)
            if self.max_length is not None and len(value) > self.max_length:
                raise CommandError(f"{command}: {name} is {len(value)} characters, at most {self.max_length}",
                                   N_("The text is too long: at most %(most)s characters."), "too_long",
                                   most=self.max_length)
            if self.non_empty and not value.strip():
                raise CommandError(f"{command}: {name} is empty", N_("Write something first."), "empty")
        elif self.kind is Kind.CHOICE and value not in self.choices:
            raise CommandError(f"{command}: {name} must be one of {', '.join(self.choices)}, not {value!r}",
                               N_("Choose one of: %(choices)s."), "bad_choice", choices=", ".join(self.choices))
        elif self.kind is Kind.INTEGER and not self.low <= value <= self.high:
            raise CommandError(f"{command}: {name} must be between {self.low} and {self.high}, not {value}")
        elif self.kind is Kind.MINUTES:
            if value == timedelta(0):
                raise CommandError(f"{command}: {name} is zero", N_("Give a number of minutes other than 0."),
                                   "zero_minutes")
            if abs(value) > self.limit:
                raise self.too_many_minutes(command, name)
        return value

    def shown(self, command: str, name: str, value: str) -> str:
        """Text as screens will show it: proper Unicode (else CommandError), no control or bidi-override
        characters, newlines kept only in a `multiline` argument."""
        try:
            return shown_text(value, multiline=self.multiline)
        except UnreadableText as error:
            raise CommandError(f"{command}: {name} is {error}", NOT_UNICODE, "not_unicode") from None

    def too_many_minutes(self, command: str, name: str) -> CommandError:
        """The refusal of a duration beyond the limit."""
        return CommandError(f"{command}: {name} is more than {self.limit} either way",
                            N_("At most %(most)s minutes either way."), "too_many_minutes",
                            most=self.limit // timedelta(minutes=1))

    def from_wire(self, command: str, raw: Mapping[str, Any]) -> Any:
        """The engine value of this argument in a request body (minutes become a timedelta), else CommandError."""
        name = self.wire_name
        if name not in raw and self.optional:
            return self.default
        if name not in raw:
            raise CommandError(f"{command}: missing argument {name!r}")
        value = raw[name]
        if self.kind is Kind.MINUTES and not (value is None and self.nullable):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise CommandError(f"{command}: {name} must be a number of minutes, not {value!r}")
            try:
                value = timedelta(minutes=value)
            except OverflowError:
                raise self.too_many_minutes(command, name) from None
        return self.check(command, value, name)


def text(key: str, max_length: int, *, non_empty: bool = True, multiline: bool = False) -> Argument:
    """A string of at most `max_length` characters; blank refused unless `non_empty` is False; line breaks kept
    when `multiline` (else each becomes a space); control and bidi-override characters taken out."""
    return Argument(key, Kind.TEXT, max_length=max_length, non_empty=non_empty, multiline=multiline)


def integer(key: str, low: int, high: int) -> Argument:
    """A whole number from `low` to `high`."""
    return Argument(key, Kind.INTEGER, low=low, high=high)


def minutes(key: str, wire: str, limit: timedelta) -> Argument:
    """A duration, sent as a number of minutes named `wire`: not zero, at most `limit` either way."""
    return Argument(key, Kind.MINUTES, wire=wire, limit=limit)


def boolean(key: str, *, nullable: bool = False, default: bool | None = None) -> Argument:
    """True or false; None too when `nullable`; optional, taking `default` when left out, if a default is given."""
    return Argument(key, Kind.BOOLEAN, nullable=nullable, optional=default is not None, default=default)


def choice(key: str, choices: tuple[str, ...]) -> Argument:
    """One of a few fixed words."""
    return Argument(key, Kind.CHOICE, choices=choices)


def _wire_text(value: Any) -> str:
    """A default value as it is written on the wire (JSON)."""
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else str(value)
