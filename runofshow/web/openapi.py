"""The OpenAPI 3 document of the REST API, built from the command table so the two cannot drift."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from runofshow.engine import COMMANDS, Argument, Kind
from runofshow.engine.commands import MAX_ID_LENGTH
from runofshow.web.commands import MAX_REV

ERROR = {"$ref": "#/components/schemas/Error"}


def _responses(extra: dict[str, str]) -> dict[str, Any]:
    """Standard JSON responses plus the given status codes."""
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}
    for status, text in {"404": "Unknown stage or no agenda", "503": "Store unavailable", **extra}.items():
        responses[status] = {"description": text, "content": {"application/json": {"schema": ERROR}}}
    return responses


def argument_schema(argument: Argument) -> dict[str, Any]:
    """The JSON schema of one argument, with the limits the command table declares."""
    schema: dict[str, Any]
    if argument.kind is Kind.TEXT:
        schema = {"type": "string", "maxLength": argument.max_length}
        if argument.non_empty:
            schema.update(minLength=1, description="not blank")
    elif argument.kind is Kind.INTEGER:
        schema = {"type": "integer", "minimum": argument.low, "maximum": argument.high}
    elif argument.kind is Kind.MINUTES:
        most = argument.limit // timedelta(minutes=1)
        schema = {"type": "number", "minimum": -most, "maximum": most, "description": "minutes, not 0"}
    elif argument.kind is Kind.CHOICE:
        schema = {"type": "string", "enum": list(argument.choices)}
    else:
        schema = {"type": "boolean"}
    if argument.nullable:
        schema["nullable"] = True
    if argument.optional:
        schema["default"] = argument.default
    return schema


def _stage_parameter() -> dict[str, Any]:
    """The stage id path parameter."""
    return {"name": "stage_id", "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.0 document."""
    paths: dict[str, Any] = {
        "/api/event": {"get": {"summary": "The event's public frame.", "operationId": "event",
                               "responses": _responses({})}},
        "/api/stages/{stage_id}/snapshot": {"get": {
            "summary": "A stage's snapshot now, redacted for the caller's role.", "operationId": "snapshot",
            "parameters": [_stage_parameter()], "responses": _responses({})}},
        "/api/stages/{stage_id}/agenda": {"get": {
            "summary": "A stage's blocks, redacted for the caller's role.", "operationId": "agenda",
            "parameters": [_stage_parameter()], "responses": _responses({})}},
        "/api/stages/{stage_id}/variables": {"get": {
            "summary": "A stage's state as flat, public-safe variables for button panels (docs/companion.md).",
            "operationId": "variables", "parameters": [_stage_parameter()], "responses": _responses({})}},
        "/api/stages/{stage_id}/recovery": {"get": {
            "summary": "Crew only: plans to get back on time (or use spare time), each with its changes, the fixed "
                       "starts it saves and what it costs; `block` and `minutes` ask for a target.",
            "operationId": "recovery", "security": [{"bearer": []}],
            "parameters": [_stage_parameter(),
                           {"name": "block", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "minutes", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 720}}],
            "responses": _responses({"400": "Bad target", "401": "Not crew"})}},
        "/api/stages/{stage_id}/what-if": {"get": {
            "summary": "Crew only: the fixed starts that add_time (`minutes`) or goto (`block`) would put at risk now.",
            "operationId": "what_if", "security": [{"bearer": []}],
            "parameters": [_stage_parameter(),
                           {"name": "command", "in": "query", "required": True,
                            "schema": {"type": "string", "enum": ["add_time", "goto"]}},
                           {"name": "minutes", "in": "query", "required": False, "schema": {"type": "number"}},
                           {"name": "block", "in": "query", "required": False, "schema": {"type": "string"}}],
            "responses": _responses({"400": "Bad command or arguments", "401": "Not crew"})}},
    }
    for spec in COMMANDS.values():
        # A button press sends expected_block or press instead of expected_rev (docs/companion.md); with
        # expected_rev present they are ignored, which is the form this document requires.
        properties = {"expected_rev": {"type": "integer", "minimum": 0, "maximum": MAX_REV},
                      "expected_block": {"type": "string", "maxLength": MAX_ID_LENGTH, "nullable": True},
                      "press": {"type": "boolean"},
                      **{argument.wire_name: argument_schema(argument) for argument in spec.arguments}}
        required = ["expected_rev"] + [argument.wire_name for argument in spec.arguments if not argument.optional]
        paths[f"/api/stages/{{stage_id}}/{spec.name}"] = {"post": {
            "summary": spec.summary,
            "operationId": f"command_{spec.name}",
            "security": [{"bearer": []}],
            "parameters": [_stage_parameter()],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": required, "properties": properties}}}},
            "responses": _responses({
                "400": "Malformed body or a command not allowed now",
                "401": "No credentials",
                "403": "The role may not do this",
                "409": "Stale expected_rev: the body carries the current snapshot",
            }),
        }}
    return {
        "openapi": "3.0.3",
        "info": {"title": "runofshow", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "required": ["ok", "error", "message"], "properties": {
                "ok": {"type": "boolean"}, "error": {"type": "string"}, "message": {"type": "string"},
                "snapshot": {"type": "object", "nullable": True}}}},
        },
    }
