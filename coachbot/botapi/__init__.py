"""An embedded Telegram Bot API server: the sandbox's Telegram (`coachbot sandbox`) and the
tests' (see server.py)."""

from coachbot.botapi.server import (
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
from coachbot.botapi.webhook import GET_UPDATES_CONFLICT, SECRET_HEADER

__all__ = [
    "FLOOD_COUNTED",
    "GET_UPDATES_CONFLICT",
    "QUERY_INVALID",
    "SECRET_HEADER",
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "FakeUser",
    "UploadedFile",
    "make_png",
    "parse_html",
]
