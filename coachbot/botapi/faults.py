"""Faults the fake injects on request, and Telegram's flood limits; all off by default.

`fail()` makes the next matching requests answer 429/403/5xx or answer late (to trigger
client timeouts; a delayed request still takes effect afterwards, as a timed-out request to
Telegram may have). `block()` makes the bot's sends to a user answer 403. `chaos()` makes a
seeded random share of requests fail or answer late, for retry and idempotency tests.
`flood_control()` switches on Telegram's flood limits as token buckets (about 30 messages/s
per bot, 1/s per chat, small bursts): a message beyond them answers 429 "retry after N" and
has no effect. Both are off by default. `ApiCall.fault` tells which of fail/chaos/flood shaped
an answer. The flood model runs on `FakeBotApi(clock=...)`, time.monotonic() unless a test
injects a clock it moves by hand. `forget_files()` makes Telegram forget the files the bot
sent.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence

from coachbot.botapi.calls import JSON
from coachbot.botapi.errors import ApiError
from coachbot.botapi.limits import FLOOD_COUNTED, Bucket, Chaos, Fault, Flood
from coachbot.botapi.state import BotApiState, FakeUser


class FaultInjection(BotApiState):
    """The switches of the fault models, and the checks the server makes with them."""

    def fail(
        self,
        method: str,
        *,
        status: int,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next `times` matching requests fail with `status` (0: answer normally).

        429 -> "Too Many Requests: retry after N" with parameters.retry_after; 403 -> blocked;
        500/502 -> Internal Server Error/Bad Gateway. `delay` seconds pass before the answer.
        """
        if status != 0 and not 400 <= status <= 599:
            raise ValueError("status must be 0 or an HTTP error status")
        if status == 0 and not delay:
            raise ValueError("status=0 only makes sense with a delay")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults.append(
            Fault(method.lower(), status, times, chat_id, retry_after, delay, description)
        )

    def flood_control(
        self,
        bot_rate: float | None = 30.0,
        bot_burst: int = 5,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
    ) -> None:
        """Model Telegram's flood limits; `flood_control(None)` switches them off (the default).

        Token buckets on the fake's clock: one for the bot (`bot_rate` messages per second,
        at most `bot_burst` at once) and one per chat (`chat_rate`, `chat_burst`), all full
        now. Only FLOOD_COUNTED methods are counted. A request finding either bucket without
        a whole token answers 429 "Too Many Requests: retry after N" (N: whole seconds until
        the refusing buckets hold a token again, at least 1) and has no effect. Only a
        successful request takes a token, from both buckets; a refused or invalid one takes
        none. The buckets are checked after fail() and chaos() but before validation, so
        while they are empty an invalid request gets a 429 rather than its 400.
        """
        if bot_rate is None:
            self._flood = None
            return
        if bot_rate <= 0 or chat_rate <= 0:
            raise ValueError("rates must be positive")
        if bot_burst < 1 or chat_burst < 1:
            raise ValueError("bursts must be at least 1")
        bot = Bucket(bot_rate, bot_burst, bot_burst, self.clock())
        self._flood = Flood(bot, chat_rate, chat_burst)

    def chaos(
        self,
        rate: float | None = 0.2,
        *,
        statuses: Sequence[int] = (500, 502, 400),
        timeout_share: float = 0.0,
        delay: float = 3.0,
        methods: Iterable[str] = FLOOD_COUNTED,
        seed: int = 1,
    ) -> None:
        """Make a random share `rate` of the requests to `methods` fail; `chaos(None)` or a
        rate of 0 switches it off (the default).

        Of the failing requests, a share `timeout_share` takes effect but is answered only
        after `delay` seconds (as if the answer got stuck on its way back), so a client with a
        shorter read timeout gives up on a request that did happen; the others answer an
        error with a status drawn from `statuses` and have no effect (400: a realistic "Bad
        Request: ... not found"; 5xx: the usual gateway errors). Draws come from
        random.Random(seed), so the same sequence of requests meets the same faults.
        getUpdates, getMe and answerCallbackQuery are affected only if listed in `methods`;
        the default is the message methods, FLOOD_COUNTED. A fail() fault takes precedence.
        """
        if rate is None or rate == 0:
            self._chaos = None
            return
        statuses = tuple(statuses)
        if not 0 < rate <= 1 or not 0 <= timeout_share <= 1:
            raise ValueError("rate and timeout_share must be between 0 and 1")
        if any(not 400 <= status <= 599 for status in statuses):
            raise ValueError("statuses must be HTTP error statuses")
        if not statuses and timeout_share < 1:
            raise ValueError("statuses is empty; only timeout_share=1 needs none")
        if timeout_share > 0 and delay <= 0:
            raise ValueError("a late answer needs a positive delay")
        if isinstance(methods, str):
            methods = (methods,)
        wanted = frozenset(method.lower() for method in methods)
        self._chaos = Chaos(rate, statuses, timeout_share, delay, wanted, random.Random(seed))

    def forget_files(self) -> None:
        """Telegram no longer knows the files the bot sent (as after a change of bot): a
        file_id sent again answers 400 "wrong file identifier"."""
        self._files.clear()

    def block(self, user: FakeUser) -> None:
        """From now on the bot's sends to the user answer 403 "bot was blocked by the user"."""
        self._chat_of(user).blocked = True

    def _take_fault(self, method: str, params: JSON) -> Fault | None:
        for fault in self._faults:
            if fault.method != method.lower():
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    def _flood_refusal(self, buckets: list[Bucket]) -> ApiError | None:
        """Telegram's 429 if a bucket lacks a token: retry after the time until all have one."""
        now = self.clock()
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait <= 0:
            return None
        retry_after = max(1, math.ceil(wait - 1e-9))
        description = f"Too Many Requests: retry after {retry_after}"
        return ApiError(429, description, {"retry_after": retry_after})
