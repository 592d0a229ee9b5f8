"""The runofshow wheel for the packaging tests: what it must hold, building it, installing it outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# Checkout folder -> where it sits in the wheel (templates/ and static/ ship inside the package).
SHIPPED_FOLDERS = {"runofshow": "runofshow", "templates": "runofshow/templates", "static": "runofshow/static"}
# What the build reads besides the shipped folders.
BUILD_INPUTS = ("pyproject.toml", "README.md")
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc")
BUILD_TIMEOUT_S = 300


def shipped_files(repo: Path = REPO) -> dict[str, Path]:
    """Every file the wheel must hold, by its path in the wheel, with its path in the checkout."""
    files: dict[str, Path] = {}
    for folder, inside in SHIPPED_FOLDERS.items():
        for path in sorted((repo / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files[f"{inside}/{path.relative_to(repo / folder).as_posix()}"] = path
    return files


def setuptools_config(repo: Path = REPO) -> dict[str, Any]:
    """The [tool.setuptools] table of pyproject.toml."""
    with open(repo / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["tool"]["setuptools"]


def build_requirements_met() -> bool:
    """True when this environment already has the build backend pyproject.toml asks for (build offline)."""
    from packaging.requirements import Requirement

    with open(REPO / "pyproject.toml", "rb") as file:
        requires = tomllib.load(file)["build-system"]["requires"]
    for text in requires:
        requirement = Requirement(text)
        try:
            if not requirement.specifier.contains(metadata.version(requirement.name), prereleases=True):
                return False
        except metadata.PackageNotFoundError:
            return False
    return True


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a process that must not see the checkout: no PYTHONPATH, no RUNOFSHOW_* settings."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("RUNOFSHOW_") and key not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def copy_source(target: Path) -> Path:
    """The files the build reads, copied from the checkout to `target` (so the build leaves nothing behind)."""
    for folder in SHIPPED_FOLDERS:
        shutil.copytree(REPO / folder, target / folder, ignore=LEFT_OUT)
    for name in BUILD_INPUTS:
        shutil.copy2(REPO / name, target / name)
    return target


def build_wheel(source: Path, out: Path) -> tuple[Path, str]:
    """Build the wheel of `source` into `out` with `python -m build`; the wheel's path and the build's output.

    Offline when this environment has the build backend (the test extras install it), else in an isolated
    environment that the package registry fills.
    """
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)]
    if build_requirements_met():
        command.append("--no-isolation")
    result = subprocess.run(command, env=clean_env(), cwd=source, capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT_S)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise AssertionError(f"the build failed ({result.returncode}):\n{output}")
    wheels = sorted(out.glob("runofshow-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {wheels}"
    return wheels[0], output


def fresh_venv(where: Path, wheel: Path) -> Path:
    """A new virtualenv at `where` with the wheel installed (no dependencies: they come from this environment's
    site-packages, added after the venv's own); its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         env=clean_env(), capture_output=True, text=True, check=True).stdout.strip()
    # Path lines only: the .pth files in those folders (this checkout's editable install among them) are not run.
    folders = [entry for entry in sys.path if entry.endswith("-packages") and Path(entry).is_dir()]
    Path(own, "dependencies.pth").write_text("\n".join(folders) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], env=clean_env(), check=True, capture_output=True, timeout=300)
    return where / "bin"
