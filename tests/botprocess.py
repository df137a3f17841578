"""Real `coachbot run` processes against the fake Bot API, on a seeded database.

For the tests and benchmarks that treat Coachbot as an operator would: start one or
several processes (in a role), kill one with SIGKILL mid-burst, restart it, stop it.

    url = databases.fresh_database("sqlite", tmp_path)
    chats = await seed_due_sessions(url, 150)         # 150 patients, a session due now each
    for chat in chats:
        fake.user(chat)                                 # their chats with the bot exist
    bot = BotProcess(fake, url, tmp_path)
    await bot.start()
    ...
    bot.kill()                                          # kill -9
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from coachbot import enrolment
from coachbot.db.engine import create_engine, session_factory
from coachbot.db.uow import UnitOfWork
from coachbot.domain.vocabulary import Condition, Language
from tests.fakebot import FakeBotApi
from tests.shipped import shipped_catalogue

FIRST_PATIENT = 10_000
SESSION_HEADING = "Your training for"


async def seed_due_sessions(
    url: str,
    count: int,
    first: int = FIRST_PATIENT,
    due_in: timedelta = timedelta(seconds=-30),
) -> list[int]:
    """`count` enrolled patients (Telegram ids from `first`), each with a session due
    `due_in` from now by the real clock (a moment ago by default); returns their chats."""
    catalogue = shipped_catalogue()
    now = datetime.now(UTC)
    engine = create_engine(url)
    factory = session_factory(engine)
    try:
        async with UnitOfWork(factory) as uow:
            for user_id in range(first, first + count):
                patient = await enrolment.consent(
                    uow,
                    telegram_user_id=user_id,
                    chat_id=user_id,
                    language=Language.EN,
                    timezone="Europe/Berlin",
                    first_step="ob:days",
                    now=now,
                )
                patient.conditions = [Condition.POOR_POSTURE]
                patient.baseline_pain = 3
                await enrolment.finish_enrolment(uow, patient, catalogue, now)
            await uow.session.execute(
                text("UPDATE session SET due_at = :due, ends_at = :ends WHERE state = 'planned'"),
                {
                    "due": (now + due_in).replace(tzinfo=None),
                    "ends": (now + timedelta(hours=2)).replace(tzinfo=None),
                },
            )
            await uow.commit()
    finally:
        await engine.dispose()
    return list(range(first, first + count))


async def session_states(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT state, count(*) FROM session GROUP BY 1"))
            return {state: int(n) for state, n in rows.all()}
    finally:
        await engine.dispose()


def sessions_delivered(fake: FakeBotApi, chat_id: int) -> int:
    """How many session messages reached the chat (a repeat shows as 2)."""
    return sum(
        1
        for call in fake.delivered(chat_id, "sendMessage")
        if SESSION_HEADING in str(call.params.get("text"))
    )


class SessionWatch:
    """Session messages delivered per chat, read from the fake's log as it grows, so that a
    condition checked after every request stays cheap with a thousand chats."""

    def __init__(self, fake: FakeBotApi) -> None:
        self._fake = fake
        self._seen = 0
        self.counts: dict[int, int] = {}

    def update(self) -> dict[int, int]:
        calls = self._fake.calls
        for call in calls[self._seen :]:
            if (
                call.ok
                and call.method == "sendMessage"
                and SESSION_HEADING in str(call.params.get("text"))
            ):
                chat = int(call.params["chat_id"])
                self.counts[chat] = self.counts.get(chat, 0) + 1
        self._seen = len(calls)
        return self.counts

    def reached(self, chats: list[int]) -> int:
        """How many of the chats have their session."""
        counts = self.update()
        return sum(1 for chat in chats if counts.get(chat))


class BotProcess:
    """One `python -m coachbot run` process with its environment."""

    def __init__(
        self,
        fake: FakeBotApi,
        database_url: str,
        workdir: Path,
        *,
        role: str = "all",
        webhook: bool = False,
        **env: str,
    ) -> None:
        """`webhook`: run with `--webhook` (give WEBHOOK_URL, WEBHOOK_SECRET and PORT)."""
        self.role = role
        self.webhook = webhook
        self.workdir = workdir
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(
                ("TELEGRAM_", "DATABASE_", "DISPATCH_", "SEND_", "CHAT_", "WEBHOOK_")
            )
            and k not in ("PORT", "LISTEN")
        }
        self.env |= {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "DATABASE_URL": database_url,
            "DISPATCH_INTERVAL_SECONDS": "0.5",
            "TELEGRAM_READ_TIMEOUT": "2",
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        # A file, not a pipe: a full pipe would stall the bot mid-burst.
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "coachbot",
                "run",
                "--role",
                self.role,
                *(["--webhook"] if self.webhook else []),
                cwd=self.workdir,
                env=self.env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )

    @property
    def log_path(self) -> Path:
        return self.workdir / f"coachbot-{self.role}-{id(self)}.log"

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def exited(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def stop(self) -> int:
        """SIGTERM, as a host stops a process; returns the exit status."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.exited()

    @property
    def log(self) -> str:
        """Everything every start of this process wrote to stderr."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
