"""Who someone is on the day: the roles the command table and the audiences are declared for."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who someone is on the day; each role may do what its commands allow."""

    MODERATOR = "moderator"
    STREAM = "stream"
    FACILITATOR = "facilitator"
    SCREEN = "screen"
    PUBLIC = "public"
