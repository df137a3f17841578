"""What a person does on the sandbox's page, in Selenium: find a chat, wait for a message,
tap a button, type. Every wait re-checks the page until its condition holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

T = TypeVar("T")
TIMEOUT = 30.0
# The page redraws a chat when it changes, so an element found a moment ago may be gone.
PASSING = (StaleElementReferenceException, NoSuchElementException, ElementClickInterceptedException)


def wait(
    driver: WebDriver, found: Callable[[], T | None], what: str, timeout: float = TIMEOUT
) -> T:
    """What `found` returns once it is truthy, re-checked until `timeout`."""

    def attempt(_: WebDriver) -> T | None:
        try:
            return found()
        except PASSING:
            return None

    result = WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        attempt, f"waited {timeout}s for {what}"
    )
    assert result is not None
    return result


def chat(driver: WebDriver, name: str) -> WebElement:
    """The chat column of the person called `name`."""
    for column in driver.find_elements(By.CSS_SELECTOR, "section.chat"):
        # textContent, not text: a chat hidden on a phone-sized page has no visible text.
        if column.find_element(By.CSS_SELECTOR, ".name").get_attribute("textContent") == name:
            return column
    raise NoSuchElementException(f"no chat of {name}")


def bubbles(driver: WebDriver, name: str) -> list[WebElement]:
    return chat(driver, name).find_elements(By.CSS_SELECTOR, "li.message")


def message(driver: WebDriver, name: str, text: str, timeout: float = TIMEOUT) -> WebElement:
    """The latest message in `name`'s chat containing `text`, once there is one."""

    def latest() -> WebElement | None:
        matching = [m for m in bubbles(driver, name) if text in m.text]
        return matching[-1] if matching else None

    return wait(driver, latest, f"a message with {text!r} in {name}'s chat", timeout)


def tap(driver: WebDriver, name: str, label: str, after: str | None = None) -> None:
    """Tap the inline button labelled `label` (exactly, else containing it) on the latest
    message that has one (the latest containing `after`, if given)."""

    def click() -> bool:
        items = bubbles(driver, name)
        if after is not None:
            items = [m for m in items if after in m.find_element(By.CSS_SELECTOR, ".bubble").text]
        for item in reversed(items):
            buttons = item.find_elements(By.CSS_SELECTOR, ".inline-keyboard button")
            exact = [b for b in buttons if b.text.strip() == label]
            partial = exact or [b for b in buttons if label in b.text]
            if partial:
                partial[0].click()
                return True
        return False

    wait(driver, click, f"a button {label!r} in {name}'s chat")


def type_in(driver: WebDriver, name: str, text: str) -> None:
    """Type a message into `name`'s chat and press Enter."""
    field = chat(driver, name).find_element(By.CSS_SELECTOR, ".composer input")
    field.send_keys(text + Keys.ENTER)


def click_text(driver: WebDriver, root: WebElement, css: str, text: str) -> None:
    """Click the element matching `css` under `root` whose text contains `text`."""

    def click() -> bool:
        for element in root.find_elements(By.CSS_SELECTOR, css):
            if text in element.text and element.is_displayed():
                element.click()
                return True
        return False

    wait(driver, click, f"{css} with {text!r}")


def screenshot(driver: WebDriver, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
