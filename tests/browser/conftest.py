"""The sandbox as a new user runs it (`coachbot sandbox`, a real process) and a real
headless Chromium driven by Selenium (Debian's chromium and chromium-driver packages).

Without Chromium the browser tests are skipped, unless COACHBOT_BROWSER_TESTS=required
(as `.ci/run` sets it, having installed Chromium): then its absence is a failure.
Screenshots go to SCREENSHOT_DIR (default: test-artefacts/ in the working directory).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

ADDRESS = re.compile(r"Coachbot sandbox: (http://\S+)")
START_TIMEOUT = 60.0


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="session")
def chromium() -> tuple[str, str]:
    found = _chromium()
    if found is None:
        message = "needs Chromium and ChromeDriver (apt install chromium chromium-driver)"
        if os.environ.get("COACHBOT_BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)
    return found


@dataclass
class Sandbox:
    """A running `coachbot sandbox` process and what it printed."""

    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def _drain(stream: object, into: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.append(line)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """`coachbot sandbox --port 0 --no-browser`, started as the README says."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["LANG"] = "C.UTF-8"
    process = subprocess.Popen(
        [sys.executable, "-m", "coachbot", "sandbox", "--port", "0", "--no-browser"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    errors: list[str] = []
    threading.Thread(target=_drain, args=(process.stderr, errors), daemon=True).start()
    output: list[str] = []
    url = None
    timer = threading.Timer(START_TIMEOUT, process.kill)
    timer.start()
    try:
        for line in process.stdout:
            output.append(line)
            match = ADDRESS.search(line)
            if match:
                url = match.group(1)
                break
    finally:
        timer.cancel()
    assert url is not None, f"the sandbox did not start: {''.join(output + errors)}"
    threading.Thread(target=_drain, args=(process.stdout, output), daemon=True).start()
    running = Sandbox(process, url, output, errors)
    try:
        yield running
    finally:
        if process.poll() is None:
            code = running.stop()
            assert code == 0, "".join(errors)
        log = "".join(errors)
        assert "Traceback" not in log and " ERROR " not in log, log


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR", "test-artefacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def browser(
    chromium: tuple[str, str], profile: Path, width: int, height: int, *, mobile: bool = False
) -> WebDriver:
    """A headless Chromium of its own profile, without background connections (the
    machine may have no internet); `mobile`: a phone's screen and touch (Chromium's
    windows are never narrower than 500 pixels)."""
    binary, driver = chromium
    options = Options()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en-US",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    if mobile:
        metrics = {"width": width, "height": height, "pixelRatio": 2.0, "touch": True}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, for the browser fixtures to see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@contextlib.contextmanager
def _browsing(
    request: pytest.FixtureRequest, driver: WebDriver, screenshots: Path
) -> Iterator[WebDriver]:
    """The browser, closed after the test; a screenshot of the page if the test failed."""
    try:
        yield driver
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            driver.save_screenshot(str(screenshots / f"FAILED-{request.node.name}.png"))
        driver.quit()


@pytest.fixture
def desktop(
    request: pytest.FixtureRequest, chromium: tuple[str, str], tmp_path: Path, screenshots: Path
) -> Iterator[WebDriver]:
    driver = browser(chromium, tmp_path / "profile", 1500, 950)
    with _browsing(request, driver, screenshots):
        yield driver


@pytest.fixture
def phone(
    request: pytest.FixtureRequest, chromium: tuple[str, str], tmp_path: Path, screenshots: Path
) -> Iterator[WebDriver]:
    driver = browser(chromium, tmp_path / "phone-profile", 390, 844, mobile=True)
    with _browsing(request, driver, screenshots):
        yield driver
