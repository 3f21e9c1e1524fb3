"""A real browser: a static page on another origin signs in with a password, asks who is
signed in and shows a portfolio's title and cover thumbnail; the /schema page sends nothing
off the server and takes a bare key in its Authorize dialog. Headless Chromium through
chromium-driver (Debian's chromium and chromium-driver packages: `make install` installs them
where that asks for no password, and says what to install elsewhere)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import REPOSITORY
from tests.servers import PORTFOLIO, free_port, serving

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SCREENSHOTS = Path(
    os.environ.get("PORTFOLIO_TEST_SCREENSHOTS") or REPOSITORY / ".data" / "browser-screenshots"
)
"""Where the screenshots go (PORTFOLIO_TEST_SCREENSHOTS, or .data/browser-screenshots)."""
PAGE = Path(__file__).parent / "browser_page"
PASSWORD = "browser test passphrase"
CHEAP = {"PORTFOLIO_PASSWORD_TIME_COST": "1", "PORTFOLIO_PASSWORD_MEMORY_KIB": "64"}


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """The screenshot folder, emptied once per run."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    """Headless Chromium that records every request its pages make."""
    driver_path = shutil.which("chromedriver")
    if driver_path is None or shutil.which("chromium") is None:
        pytest.fail(
            "the browser test needs Chromium and its driver: install the Debian packages "
            "chromium chromium-driver (`make install` does as root or with password-less sudo)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def static_origin() -> Iterator[str]:
    """The test page served from its own loopback port: another origin than the API's."""
    handler = functools.partial(_QuietHandler, directory=str(PAGE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Nothing: the test output stays readable."""


@pytest.fixture
def api(clean_database: str, tmp_path: Path, static_origin: str) -> Iterator[str]:
    """The service with the demo catalogue, its users' password PASSWORD, allowing the
    static page's origin."""
    env = {
        **CHEAP,
        "PORTFOLIO_DATABASE_URL": clean_database,
        "PORTFOLIO_MEDIA_ROOT": str(tmp_path / "media"),
        "PORTFOLIO_DEMO_PASSWORD": PASSWORD,
        "PORTFOLIO_CORS_ALLOWED_ORIGINS": static_origin,
    }
    subprocess.run(
        [PORTFOLIO, "demo", "load"],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        timeout=180,
    )
    with serving(env) as base:
        yield base


def network_events(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """The network events (method, params) logged since the log was last read."""
    events = []
    for entry in driver.get_log("performance"):
        message: dict[str, Any] = json.loads(entry["message"])["message"]
        if message["method"].startswith("Network."):
            events.append(message)
    return events


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL the browser asked for since the log was last read."""
    return urls_of(network_events(driver))


def urls_of(events: list[dict[str, Any]]) -> list[str]:
    """The URLs of the requests among ``events``."""
    return [
        event["params"]["request"]["url"]
        for event in events
        if event["method"] == "Network.requestWillBeSent"
    ]


def received_types(events: list[dict[str, Any]]) -> dict[str, str]:
    """The Content-Type each URL among ``events`` was answered with."""
    return {
        event["params"]["response"]["url"]: event["params"]["response"]["mimeType"]
        for event in events
        if event["method"] == "Network.responseReceived"
    }


def who_am_i_from_the_page(
    browser: webdriver.Chrome, wait: WebDriverWait[webdriver.Chrome], pasted: str
) -> tuple[str, str]:
    """Store ``pasted`` as the Authorize dialog does, then "Try it out" and "Execute" on
    ``GET /api/auth/me/``; the status and body the page shows."""
    browser.execute_script("ui.preauthorizeApiKey('Token', arguments[0]);", pasted)
    operation = browser.find_element(By.ID, "operations-auth-current_user")
    if not operation.find_elements(By.CSS_SELECTOR, ".try-out__btn"):
        operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(lambda _: operation.find_elements(By.CSS_SELECTOR, ".try-out__btn"))
    button = operation.find_element(By.CSS_SELECTOR, ".try-out__btn")
    if button.text.strip() == "Try it out":
        button.click()
    wait.until(lambda _: operation.find_elements(By.CSS_SELECTOR, ".execute"))
    operation.find_element(By.CSS_SELECTOR, ".execute").click()
    cell = ".live-responses-table .response .response-col_status"
    status = str(
        wait.until(lambda _: operation.find_element(By.CSS_SELECTOR, cell).text.strip() or None)
    )
    body = operation.find_element(By.CSS_SELECTOR, ".live-responses-table .microlight").text
    for clear in operation.find_elements(By.CSS_SELECTOR, ".btn-clear"):
        clear.click()
    return status, body


def test_a_page_on_another_origin_signs_in_and_shows_a_portfolio(
    browser: webdriver.Chrome, api: str, static_origin: str, screenshots: Path
) -> None:
    browser.get(f"{static_origin}/index.html?api={api}&portfolio=1")
    browser.find_element(By.ID, "username").send_keys("admin")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.save_screenshot(str(screenshots / "1-before-sign-in.png"))
    browser.find_element(By.ID, "submit").click()
    wait = WebDriverWait(browser, 30)
    try:
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "title"), "web"))
        wait.until(
            lambda driver: driver.execute_script(
                "const img = document.getElementById('cover');"
                "return img.complete && img.naturalWidth > 0;"
            )
        )
    finally:
        browser.save_screenshot(str(screenshots / "2-signed-in-portfolio.png"))
    assert browser.find_element(By.ID, "error").text == ""
    assert browser.find_element(By.ID, "who").text == "admin"
    assert browser.find_element(By.ID, "title").text == "web design"
    cover = browser.find_element(By.ID, "cover")
    assert str(cover.get_attribute("src")).startswith(f"{api}/media/")
    width = browser.execute_script("return document.getElementById('cover').naturalWidth")
    assert 0 < width <= 512
    events = network_events(browser)
    # Chromium's Accept for an <img> takes image/avif: the thumbnail came as AVIF, at the same
    # URL, and was decoded (its natural width above).
    assert received_types(events)[str(cover.get_attribute("src"))] == "image/avif"
    urls = urls_of(events)
    assert f"{api}/api/auth/token/" in urls
    assert f"{api}/api/auth/me/" in urls
    assert f"{api}/api/portfolios/1" in urls


def test_the_schema_page_loads_nothing_from_elsewhere_and_takes_a_bare_key(
    browser: webdriver.Chrome, api: str, clean_database: str, screenshots: Path
) -> None:
    key = subprocess.run(
        [PORTFOLIO, "tokens", "create", "admin"],
        env={**os.environ, "PORTFOLIO_DATABASE_URL": clean_database},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    browser.get(f"{api}/schema")
    wait = WebDriverWait(browser, 30)
    wait.until(
        expected_conditions.presence_of_element_located((By.ID, "operations-auth-current_user"))
    )
    for pasted in (key, f"Token {key}"):
        status, body = who_am_i_from_the_page(browser, wait, pasted)
        assert status == "200", pasted
        assert '"username": "admin"' in body
    browser.save_screenshot(str(screenshots / "3-schema-authorized.png"))
    elsewhere = [
        url
        for url in requested_urls(browser)
        if not url.startswith((f"{api}/", "data:", "blob:", "about:"))
    ]
    assert elsewhere == []
