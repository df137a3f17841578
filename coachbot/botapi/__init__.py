"""An embedded Telegram Bot API server: the sandbox's Telegram (`coachbot sandbox`) and the
tests' (see server.py)."""

from coachbot.botapi.calls import ApiCall, UploadedFile
from coachbot.botapi.errors import QUERY_INVALID, ApiError
from coachbot.botapi.formatting import parse_html
from coachbot.botapi.limits import FLOOD_COUNTED
from coachbot.botapi.media import make_png
from coachbot.botapi.server import FakeBotApi
from coachbot.botapi.state import FakeUser
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
