"""The tests' Telegram: the Bot API server the sandbox embeds (coachbot/botapi), under the
names the tests use. Import it as ``from tests.fakebot import FakeBotApi, FakeUser``."""

from coachbot.botapi import (
    FLOOD_COUNTED,
    QUERY_INVALID,
    ApiCall,
    ApiError,
    FakeBotApi,
    FakeUser,
    UploadedFile,
    make_png,
    parse_html,
)

__all__ = [
    "FLOOD_COUNTED",
    "QUERY_INVALID",
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "FakeUser",
    "UploadedFile",
    "make_png",
    "parse_html",
]
