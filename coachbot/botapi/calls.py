"""What passes between the bot and the fake: JSON objects, uploaded files, and the record
the fake keeps of each request (`FakeBotApi.calls`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, as it appears in `ApiCall.params`."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class ApiCall:
    """One request the fake handled. `params` are coerced to API types (ints, objects)."""

    method: str
    params: JSON
    ok: bool
    result: Any
    error_code: int | None
    description: str | None = None
    client_gone: bool = False  # the client had disconnected (e.g. timed out) before the answer
    # When the fake decided the answer (time.monotonic(), or the fake's injected clock); for a
    # successful call that is when its effect happened, even if the answer was held back.
    at: float = field(default_factory=time.monotonic)
    # Which fault model shaped the answer: "fail" (fail()), "chaos" (chaos(), an error or a late
    # answer) or "flood" (a 429 of flood_control()); None for an ordinary answer.
    fault: str | None = None
