"""The secret key: from the environment, or generated into the instance folder on first start."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_FILE = "secret_key"


def load_or_create_secret(instance_path: Path, configured: str = "") -> str:
    """The configured secret, else the one in the instance folder, created (mode 0600) if missing."""
    if configured:
        return configured
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / SECRET_FILE
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    value = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(value)
    return value
