"""The web desk in a real headless Chromium (Debian's package, driven by Selenium): a reviewer
signs in through the link from chat, filters the desk, opens a request, approves a draft and
reads an insight, with no script or style blocked by the page's Content-Security-Policy.

Screenshots land in the test's folder; with TRIAGE_SCREENSHOTS=DIR they are also written there
(``make screenshots`` puts them in docs/)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.app import App
from bot.server import build_web_app
from tests.support.clock import FakeClock
from tests.support.desk import PROJECT_ROOT, desk_app, fill_desk, link_in_chat, on_server
from tests.support.server import ServerThread

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them)",
)


@pytest.fixture
def app(tmp_path: Path) -> App:
    clock = FakeClock()
    app = desk_app(f"sqlite:///{tmp_path / 'desk.db'}", clock)
    labelled = yaml.safe_load(
        (PROJECT_ROOT / "tests" / "data" / "labelled_requests_test2.yaml").read_text(
            encoding="utf-8"
        )
    )["cases"]
    fill_desk(app, clock, labelled[::3])
    return app


@pytest.fixture
def server(app: App) -> Iterator[ServerThread]:
    thread = ServerThread(lambda: build_web_app(app)).start()
    yield thread
    thread.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--window-size=1440,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_a_reviewer_works_the_desk_in_a_browser(
    app: App, server: ServerThread, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    driver: object = browser
    wait = WebDriverWait(driver, 20)  # type: ignore[arg-type]
    find = driver.find_element  # type: ignore[attr-defined]

    driver.get(on_server(server, link_in_chat(app)))  # type: ignore[attr-defined]
    find(By.ID, "sign-in").click()
    wait.until(shown.presence_of_element_located((By.CSS_SELECTOR, "table.desk")))
    assert "Lee Lead" in find(By.CSS_SELECTOR, "header .who").text
    _screenshot(driver, tmp_path, "desk.png")

    Select(find(By.ID, "filter-status")).select_by_value("in_review")
    find(By.ID, "apply-filters").click()
    wait.until(shown.url_contains("status=in_review"))
    rows = driver.find_elements(By.CSS_SELECTOR, "table.desk tbody tr")  # type: ignore[attr-defined]
    assert rows and all("in review" in row.text for row in rows)

    rows[0].find_element(By.CSS_SELECTOR, "td a").click()
    approve = wait.until(
        shown.element_to_be_clickable((By.XPATH, "//aside//button[normalize-space()='Approve']"))
    )
    _screenshot(driver, tmp_path, "request.png")
    approve.click()
    flash = wait.until(shown.presence_of_element_located((By.ID, "flash")))
    assert "approved" in flash.text

    find(By.LINK_TEXT, "Insights").click()
    wait.until(
        shown.presence_of_element_located(
            (By.CSS_SELECTOR, "#requests-per-week canvas[data-drawn]")
        )
    )
    drawn = driver.find_elements(By.CSS_SELECTOR, "canvas[data-drawn]")  # type: ignore[attr-defined]
    assert len(drawn) >= 6  # every figure with data has its chart
    headline = find(By.CSS_SELECTOR, "#asked-for-asset .headline").text
    assert "turned out not to be a training need" in headline
    _screenshot(driver, tmp_path, "insights.png", full_page=True)

    problems = [
        entry["message"]
        for entry in driver.get_log("browser")  # type: ignore[attr-defined]
        if entry["level"] in ("SEVERE", "WARNING")
    ]
    assert problems == []  # nothing blocked by the CSP, no script errors, nothing fetched elsewhere


def _screenshot(driver: object, folder: Path, name: str, *, full_page: bool = False) -> None:
    if full_page:
        height = driver.execute_script("return document.body.scrollHeight")  # type: ignore[attr-defined]
        driver.set_window_size(1440, min(int(height) + 40, 6000))  # type: ignore[attr-defined]
    path = folder / name
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    assert path.stat().st_size > 10_000  # a drawn page, not a blank one
    wanted = os.environ.get("TRIAGE_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(wanted) / name)
