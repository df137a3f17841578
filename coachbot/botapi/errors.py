"""The Bot API's error answers: `ApiError`, raised anywhere in the fake and answered by the
server as ``{"ok": false, "error_code": N, "description": ...}``, and Telegram's descriptions."""

from __future__ import annotations

from coachbot.botapi.calls import JSON

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# What Telegram says for a status where nothing more specific applies (e.g. a fail() fault
# without a description).
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """An error answer of the Bot API (raised inside the fake, turned into a response)."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")
