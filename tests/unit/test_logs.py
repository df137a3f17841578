"""Logging: the bot token never reaches the log, and HTTP libraries stay quiet."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from coachbot.logs import REDACTED, configure_logging

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmnop"
# A secret that does not look like a token is redacted because it was configured.
ODD_SECRET = "hunter2-not-token-shaped"
QUIET = ("httpx", "httpcore", "apscheduler")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet_levels = {name: logging.getLogger(name).level for name in QUIET}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, quiet_level in quiet_levels.items():
        logging.getLogger(name).setLevel(quiet_level)


@pytest.fixture
def output() -> io.StringIO:
    """What the configured handler writes."""
    handler = configure_logging("info", [TOKEN, ODD_SECRET])
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    handler.setStream(stream)
    return stream


def test_token_in_the_message_is_redacted(output: io.StringIO) -> None:
    logging.getLogger("coachbot.test").info(f"calling https://api.telegram.org/bot{TOKEN}/getMe")
    text = output.getvalue()
    assert TOKEN not in text
    assert f"/bot{REDACTED}/getMe" in text


def test_token_in_the_args_is_redacted(output: io.StringIO) -> None:
    logging.getLogger("coachbot.test").warning("url was %s (attempt %d)", f"/bot{TOKEN}/x", 2)
    text = output.getvalue()
    assert TOKEN not in text
    assert f"url was /bot{REDACTED}/x (attempt 2)" in text


def test_configured_secret_is_redacted_even_if_not_token_shaped(output: io.StringIO) -> None:
    logging.getLogger("coachbot.test").error("password %s", ODD_SECRET)
    text = output.getvalue()
    assert ODD_SECRET not in text
    assert f"password {REDACTED}" in text


def test_anything_token_shaped_is_redacted(output: io.StringIO) -> None:
    other = "987654321:ZZanotherTokenNotConfigured_xyz123"
    logging.getLogger("coachbot.test").info("other bot %s", other)
    text = output.getvalue()
    assert other not in text
    assert REDACTED in text


def test_token_in_a_traceback_is_redacted(output: io.StringIO) -> None:
    try:
        raise RuntimeError(f"could not reach https://api.telegram.org/bot{TOKEN}/getUpdates")
    except RuntimeError:
        logging.getLogger("coachbot.test").exception("polling failed")
    text = output.getvalue()
    assert TOKEN not in text
    assert "Traceback" in text
    assert f"could not reach https://api.telegram.org/bot{REDACTED}/getUpdates" in text


def test_ordinary_messages_are_unchanged(output: io.StringIO) -> None:
    logging.getLogger("coachbot.test").info("sent %d sessions at %s", 3, "18:00")
    assert "sent 3 sessions at 18:00" in output.getvalue()
    assert REDACTED not in output.getvalue()


def test_level_and_noisy_loggers(output: io.StringIO) -> None:
    assert logging.getLogger().level == logging.INFO
    for name in ("httpx", "httpcore"):
        assert logging.getLogger(name).level == logging.WARNING
    assert logging.getLogger("apscheduler").level >= logging.WARNING
    # httpx logs every request URL (with the token) at INFO: it must not be written.
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/x", TOKEN)
    logging.getLogger("coachbot.test").debug("debug is below INFO")
    assert output.getvalue() == ""


def test_configure_logging_replaces_earlier_handlers() -> None:
    first = configure_logging("warning", [TOKEN])
    second = configure_logging("debug", [TOKEN])
    assert logging.getLogger().handlers == [second]
    assert first is not second
    assert logging.getLogger().level == logging.DEBUG
