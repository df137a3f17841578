"""The sandbox in a real browser, as a newcomer uses it: a therapist invites a patient, the
patient enrols by tapping and typing, the clock moves to the session, the patient follows
it and reports high pain, and the therapist gets the alert and opens the card."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import Sandbox
from tests.browser.pages import (
    chat,
    click_text,
    message,
    screenshot,
    tap,
    type_in,
    wait,
)

THERAPIST = "Dr. Lena Berg"
PATIENT = "Anna"


def loaded(driver: WebDriver, image: WebElement) -> bool:
    """Whether the browser could show the picture (a broken image has no width)."""
    return bool(driver.execute_script("return arguments[0].naturalWidth > 0", image))


def enrol(driver: WebDriver, name: str) -> None:
    """Consent, the safety check, and the questions, by tapping, a location and typing."""
    tap(driver, name, "✅ I agree, let's start")
    for group in (1, 2, 3):
        heading = f"Safety check {group} of 3"
        message(driver, name, heading)
        tap(driver, name, "✅ None of these", after=heading)
    message(driver, name, "What brings you here?")
    tap(driver, name, "Herniated disc", after="What brings you here?")
    message(driver, name, "✅ Herniated disc")  # the keyboard shows the choice
    tap(driver, name, "Done ➡️", after="What brings you here?")
    message(driver, name, "What do you have at home")
    tap(driver, name, "Done ➡️", after="What do you have at home")
    message(driver, name, "How would you like to start?")
    tap(driver, name, "Gentle start", after="How would you like to start?")
    message(driver, name, "how much does your back hurt")
    tap(driver, name, "3", after="On an ordinary day")
    message(driver, name, "Which time zone are you in?")
    # The reply keyboard's location button opens the page's location picker.
    click_text(driver, chat(driver, name), ".reply-keyboard button", "Share my location")
    click_text(driver, driver.find_element(By.ID, "location-dialog"), "button", "Berlin")
    message(driver, name, "Time zone set to Europe/Berlin")
    message(driver, name, "At what time should I send your training?")
    type_in(driver, name, "18:30")
    message(driver, name, "On which days do you want to train?")
    tap(driver, name, "Done ➡️", after="On which days")
    message(driver, name, "You are all set!")


def test_a_patient_invited_in_the_sandbox_trains_and_the_therapist_sees_the_alert(
    sandbox: Sandbox, desktop: WebDriver, screenshots: Path
) -> None:
    driver = desktop
    driver.get(sandbox.url)
    message(driver, THERAPIST, f"Welcome, {THERAPIST}!")  # signed up already
    screenshot(driver, screenshots, "sandbox-1-start")

    # The therapist's command menu, then the invite's link opened as the patient.
    therapist = chat(driver, THERAPIST)
    therapist.find_element(By.CSS_SELECTOR, ".menu").click()
    click_text(driver, therapist, ".commands button", "/invite")
    invite = message(driver, THERAPIST, "Invite for one new patient")
    qr = invite.find_element(By.CSS_SELECTOR, "img.media")
    wait(driver, lambda: loaded(driver, qr), "the invite's QR code")
    invite.find_element(By.CSS_SELECTOR, "a.link").click()
    click_text(driver, driver.find_element(By.ID, "link-people"), "button", PATIENT)
    message(driver, PATIENT, "Welcome to Coachbot")

    enrol(driver, PATIENT)
    # Consent given after opening the invite links the patient at once.
    message(driver, THERAPIST, f"{PATIENT} is now linked to you through your invite")
    screenshot(driver, screenshots, "sandbox-2-enrolled")

    # Time moves on to the session, which arrives at 18:30 Berlin time.
    driver.find_element(By.CSS_SELECTOR, "[data-clock=session]").click()
    message(driver, PATIENT, "Your training for")
    clock = driver.find_element(By.ID, "clock")
    wait(driver, lambda: "18:30" in clock.text, "the bot's clock at the session's time")

    # The walk-through, one screen at a time, each exercise with its animation.
    tap(driver, PATIENT, "▶ Start", after="Your training for")
    walk = message(driver, PATIENT, "1/")
    picture = walk.find_element(By.CSS_SELECTOR, "img.media")
    wait(driver, lambda: loaded(driver, picture), "the first exercise's animation")
    screenshot(driver, screenshots, "sandbox-3-exercise")
    walk_id = walk.get_attribute("data-message-id")

    def walk_text() -> str:
        shown = chat(driver, PATIENT).find_element(
            By.CSS_SELECTOR, f'li[data-message-id="{walk_id}"]'
        )
        return str(shown.text)

    def moved_on(previous: str) -> Callable[[], str | None]:
        def check() -> str | None:
            text = walk_text()
            return text if text != previous else None

        return check

    seen = walk_text()
    while "That was everything for today" not in seen:
        tap(driver, PATIENT, "Next ▶")
        seen = wait(driver, moved_on(seen), "the next screen")
    tap(driver, PATIENT, "✅ Done", after="That was everything for today")
    message(driver, PATIENT, "How much does your back hurt right now?")
    tap(driver, PATIENT, "🔴 8", after="How much does your back hurt right now?")
    message(driver, PATIENT, "much more than your usual 3/10")
    # The report came from the walk-through: the session message offers no second one.
    session = message(driver, PATIENT, "Your training for")
    labels = [b.text for b in session.find_elements(By.CSS_SELECTOR, ".inline-keyboard button")]
    assert "✅ Done" not in labels, labels

    # The therapist is alerted at once, and opens the patient's card from their list.
    message(driver, THERAPIST, f"{PATIENT} reported pain 8/10")
    screenshot(driver, screenshots, "sandbox-4-alert")
    type_in(driver, THERAPIST, "/patients")
    message(driver, THERAPIST, "Your patients")
    tap(driver, THERAPIST, PATIENT, after="Your patients")
    card = message(driver, THERAPIST, "Usual pain: 3/10")
    assert "Herniated disc" in card.text
    chart = wait(driver, lambda: pictures(driver, THERAPIST)[-1], "the card's chart")
    wait(driver, lambda: loaded(driver, chart), "the card's chart drawn")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", chart)
    screenshot(driver, screenshots, "sandbox-5-card")

    # A document opens from the chat: the therapist's CSV export.
    type_in(driver, THERAPIST, "/export")
    export = message(driver, THERAPIST, ".csv")
    href = export.find_element(By.CSS_SELECTOR, "a.doc").get_attribute("href")
    assert href is not None
    with urllib.request.urlopen(href, timeout=10) as response:
        assert PATIENT in response.read().decode()


def pictures(driver: WebDriver, name: str) -> list[WebElement]:
    return chat(driver, name).find_elements(By.CSS_SELECTOR, "li.message img.media")


def test_on_a_phone_a_german_patient_is_added_and_the_page_speaks_german(
    sandbox: Sandbox, phone: WebDriver, screenshots: Path
) -> None:
    driver = phone
    driver.get(sandbox.url)
    tabs = driver.find_element(By.ID, "tabs")
    wait(driver, lambda: tabs.is_displayed() and PATIENT in tabs.text, "the chats as tabs")

    # Nobody is enrolled yet: moving to the next session says what to do first.
    driver.find_element(By.CSS_SELECTOR, "[data-clock=session]").click()
    toast = driver.find_element(By.ID, "toast")
    wait(driver, lambda: "Enrol a patient first" in toast.text, "the hint to enrol someone")

    driver.find_element(By.ID, "add-patient").click()
    driver.find_element(By.ID, "person-name").send_keys("Bernd")
    Select(driver.find_element(By.ID, "person-language")).select_by_value("de")
    click_text(driver, driver.find_element(By.ID, "person-dialog"), "button", "Add")
    bernd = wait(driver, lambda: visible_chat(driver, "Bernd"), "Bernd's chat, shown")
    assert not chat(driver, PATIENT).is_displayed()  # one chat at a time on a phone
    click_text(driver, bernd, "button.start", "Start")
    message(driver, "Bernd", "Willkommen bei Coachbot")
    tap(driver, "Bernd", "✅ Einverstanden, los geht’s")
    message(driver, "Bernd", "Sicherheitscheck 1 von 3")

    # The page itself in German.
    driver.find_element(By.ID, "language").click()
    wait(
        driver,
        lambda: "Nächste Einheit" in driver.find_element(By.CSS_SELECTOR, "[data-clock]").text,
        "the page in German",
    )
    assert "Patient/in · Deutsch" in bernd.find_element(By.CSS_SELECTOR, ".who").text
    screenshot(driver, screenshots, "sandbox-6-phone-german")

    click_text(driver, tabs, "button", THERAPIST)
    therapist = wait(driver, lambda: visible_chat(driver, THERAPIST), "the therapist's chat")
    assert "Therapeut/in" in therapist.find_element(By.CSS_SELECTOR, ".who").text


def visible_chat(driver: WebDriver, name: str) -> WebElement | None:
    column = chat(driver, name)
    return column if column.is_displayed() else None
