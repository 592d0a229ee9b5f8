"""The built-in reference agenda: a real hybrid day, shipped with the package for the demo and tests."""

from __future__ import annotations

from pathlib import Path

REFERENCE_AGENDA = Path(__file__).resolve().parent.parent / "data" / "nettverkssamling-2024-05-06.txt"
