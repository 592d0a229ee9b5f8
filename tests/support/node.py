"""The tests' npm packages (tests/node/package.json): in place when installed, else a temporary copy after npm install."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def installed_in_place() -> bool:
    """True when tests/node/node_modules holds every dependency package.json names."""
    wanted = json.loads((NODE_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    return all((NODE_DIR / "node_modules" / name / "package.json").is_file() for name in wanted)


def node_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/node with its node_modules: in place when installed, else a temporary copy after `npm install`."""
    if installed_in_place():
        return NODE_DIR
    copy = tmp_path_factory.getbasetemp() / "node-project"
    if (copy / "node_modules").is_dir():
        return copy
    shutil.copytree(NODE_DIR, copy, ignore=shutil.ignore_patterns("node_modules"), dirs_exist_ok=True)
    npm = shutil.which("npm")
    assert npm, "npm is not installed: install it to fetch the tests' packages (tests/node/package.json)"
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=copy, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return copy
