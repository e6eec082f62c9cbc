"""A real headless Chromium (Debian's chromium and chromium-driver) driven by Selenium.

When no browser is installed the browser tests skip with the reason, except where
REQUIRE_BROWSER=1 (set by .ci/run): there they must run.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def require_browser():
    if CHROMIUM and CHROMEDRIVER:
        return
    reason = "no chromium/chromedriver installed (apt-get install chromium chromium-driver)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def make_driver(width=1280, height=900):
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--lang=vi", f"--window-size={width},{height}",
    ]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to read CSP violations back
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    return driver


class Browser:
    """A thin helper over the driver: log in, open, click, take full-page screenshots."""

    def __init__(self, driver, base_url, name):
        self.driver = driver
        self.base_url = base_url
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def open(self, path):
        self.driver.get(self.base_url + path)

    def find(self, css):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click(self, css):
        element = self.find(css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
        element.click()

    def click_text(self, text, tag="*"):
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.XPATH, f"//{tag}[normalize-space()={text!r}]").click()

    def log_in(self, username, password):
        self.open("/accounts/login/")
        self.find("input[name=username]").send_keys(username)
        self.find("input[name=password]").send_keys(password)
        self.click("main form button[type=submit]")
        self.wait(lambda: "/accounts/login/" not in self.driver.current_url)

    def log_out(self):
        if not self.find("[data-nav-account] button").is_displayed():
            self.click("button.navbar-toggler")  # a phone's menu is folded away
            self.wait(lambda: self.find("[data-nav-account] button").is_displayed())
        self.click("[data-nav-account] button")  # the account menu holds the log-out
        self.wait(lambda: self.find("nav form[action$='/logout/'] button").is_displayed())
        self.click("nav form[action$='/logout/'] button")
        self.wait(lambda: "/accounts/login/" in self.driver.current_url)

    def wait(self, condition, timeout=10):
        """Wait until `condition()` holds, across page loads (elements go stale while a page changes).

        An element found on the old page and read after the new one has begun to load fails in one of
        three ways: stale, not found, or Chromium's "Node with given id does not belong to the
        document" (a plain WebDriverException, seen in CI). All three mean "not yet"; anything else
        is a real error and is raised.
        """
        from selenium.common.exceptions import (
            NoSuchElementException,
            StaleElementReferenceException,
            WebDriverException,
        )
        from selenium.webdriver.support.ui import WebDriverWait

        def attempt(_driver):
            try:
                return condition()
            except (StaleElementReferenceException, NoSuchElementException):
                return False
            except WebDriverException as error:
                if "does not belong to the document" in (error.msg or ""):
                    return False
                raise

        WebDriverWait(self.driver, timeout).until(attempt)

    def text(self):
        return self.find("body").text

    def console_errors(self):
        """The browser console's errors so far (a Content-Security-Policy violation is one)."""
        return [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def screenshot(self, label):
        """Save the whole page as NN-label.png and return its path."""
        self.count += 1
        size = self.driver.get_window_size()
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(size["width"], min(max(height, 600), 6000))
        path = self.folder / f"{self.count:02d}-{label}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(size["width"], size["height"])
        return path
