"""Packaging: pyproject.toml lists every folder that ships (code and data), so the wheel misses nothing and
setuptools has nothing to warn about; the wheel is built, installed outside the checkout and serves every screen."""

from __future__ import annotations

import fnmatch
import http.cookiejar
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from tests.support.serverproc import end_process, free_port
from tests.support.wheel import REPO, build_wheel, clean_env, copy_source, fresh_venv, setuptools_config, shipped_files

PASSPHRASE = "a passphrase for the wheel test"


def package_of(wheel_path: str) -> tuple[str, str]:
    """The package setuptools files a shipped file under, and the file's path inside that package's folder."""
    folder = PurePosixPath(wheel_path).parent.parts
    named = []
    for part in folder:  # the rule of setuptools' build_py: a folder named like an identifier is a package
        if not part.isidentifier():
            break
        named.append(part)
    return ".".join(named), PurePosixPath(wheel_path).relative_to(*named).as_posix()


def test_every_shipped_folder_is_a_listed_package() -> None:
    config = setuptools_config()
    listed = set(config["packages"])
    missing = sorted({package_of(path)[0] for path in shipped_files()} - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_data_file_matches_its_package_data() -> None:
    globs = setuptools_config()["package-data"]
    unmatched = []
    for path in shipped_files():
        package, inside = package_of(path)
        if not path.endswith(".py") and not any(fnmatch.fnmatch(inside, pattern) for pattern in globs.get(package, ())):
            unmatched.append(path)
    assert not unmatched, f"no [tool.setuptools.package-data] pattern ships: {unmatched}"


def test_package_of_follows_setuptools() -> None:
    assert package_of("runofshow/static/vendor/socket.io/socket.io.min.js") == (
        "runofshow.static.vendor", "socket.io/socket.io.min.js")
    assert package_of("runofshow/translations/nb/LC_MESSAGES/messages.mo") == (
        "runofshow.translations.nb.LC_MESSAGES", "messages.mo")


# ---- the wheel, outside the checkout --------------------------------------------------------------------------


class Browser:
    """HTTP with cookies (a signed-in crew session), like a browser without scripts."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, final URL, body) of a GET, or a POST of a form when `data` is given."""
        body = None if data is None else urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=20) as response:
                return response.status, response.url, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode("utf-8", errors="replace")

    def page(self, path: str, *expected: str) -> str:
        """A page that must answer 200 (not a redirect to sign-in) and hold each expected text."""
        status, url, body = self.get(path)
        assert status == 200, f"{path}: {status}\n{body[:500]}"
        assert urllib.parse.urlsplit(url).path == urllib.parse.urlsplit(self.base_url + path).path, f"{path} -> {url}"
        for text in expected:
            assert text in body, f"{path}: {text!r} not in the page"
        return body


def wait_until_up(browser: Browser, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    """Poll /healthz until the server answers; AssertionError with its log when it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the installed server exited with {process.returncode}:\n{log.read_text()}"
        try:
            if browser.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the installed server did not answer within {timeout} s:\n{log.read_text()}")


@pytest.mark.slow
def test_the_wheel_installed_outside_the_checkout_serves_every_screen(tmp_path: Path) -> None:
    pytest.importorskip("build", reason="python -m build is needed (pip install build; it is in the test extras)")
    wheel, output = build_wheel(copy_source(tmp_path / "source"), tmp_path / "dist")
    warnings = [line for line in output.splitlines() if re.search(r"warn", line, re.IGNORECASE)]
    assert not warnings, "the build warned:\n" + "\n".join(warnings)
    with zipfile.ZipFile(wheel) as archive:
        held = set(archive.namelist())
    assert not set(shipped_files()) - held, f"missing from the wheel: {sorted(set(shipped_files()) - held)}"

    bin_dir = fresh_venv(tmp_path / "venv", wheel)
    site_dir = tmp_path / "site"  # where the crew lead runs it: no checkout anywhere near
    site_dir.mkdir()
    env = clean_env(PYTHONUNBUFFERED="1")
    where = subprocess.run([str(bin_dir / "python"), "-c", "import runofshow; print(runofshow.__file__)"],
                           cwd=site_dir, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv") and not Path(where).is_relative_to(REPO), where
    subprocess.run([str(bin_dir / "runofshow"), "passphrase", "--role", "moderator", "--password", PASSPHRASE],
                   cwd=site_dir, env=env, check=True, capture_output=True, timeout=60)

    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(bin_dir / "runofshow"), "serve", "--port", str(port)], cwd=site_dir, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        wait_until_up(browser, process, log)
        check_every_screen(browser)
    finally:
        end_process(process, timeout=10)
    assert (site_dir / "instance" / "runofshow.sqlite3").is_file(), "the store is not in the folder it was run from"


def check_every_screen(browser: Browser) -> None:
    """Public screens, static files and the Socket.IO client; then a passphrase sign-in and the crew screens."""
    import json

    event = json.loads(browser.page("/api/event"))
    title, stage, room = event["title"], event["stages"][0], event["rooms"][0]
    assert title == "Nettverkssamling 6. mai 2024"  # the reference agenda, seeded from the package's data
    browser.page("/agenda", title, "js/agenda.js")
    browser.page("/agenda?lang=nb", 'lang="nb"', "Sceneskjerm")  # the compiled catalogue shipped
    browser.page(f"/stage/{stage['id']}", "js/stage.js")
    browser.page(f"/clock/{stage['id']}", "js/clock.js")
    browser.page(f"/room/{room['id']}", room["name"], "js/room.js")
    browser.page("/static/js/live.js", "export function startLive")
    browser.page("/static/css/screens.css", "{")
    browser.page("/static/vendor/socket.io/socket.io.min.js", "Socket.IO")
    browser.page("/socket.io/?EIO=4&transport=polling", '"sid"')

    status, url, _ = browser.get(f"/console/{stage['id']}")
    assert status == 200 and url.endswith(f"/signin?next=/console/{stage['id']}"), url  # crew only
    form = browser.page("/signin", 'name="csrf_token"')
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert csrf is not None, form
    status, url, body = browser.get("/signin", {"csrf_token": csrf.group(1), "role": "moderator", "passphrase": PASSPHRASE})
    assert status == 200 and urllib.parse.urlsplit(url).path == "/", f"sign-in refused: {url}\n{body[:500]}"
    browser.page(f"/console/{stage['id']}", "js/console.js")
    browser.page(f"/stream/{stage['id']}", "js/stream.js")
    browser.page(f"/editor/{stage['id']}", "js/editor.js")
    browser.page("/overview", "js/overview.js", stage["name"], f'href="/report/{stage["id"]}"')
    browser.page(f"/report/{stage['id']}", f"Kjørerapport: {stage['name']}")  # the language cookie is still nb
    assert json.loads(browser.page("/healthz")) == {"ok": True, "database": "reachable", "scheduler": "running"}
