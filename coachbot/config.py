"""Settings from the environment and an optional `.env` file."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import available_timezones

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org"


class Settings(BaseSettings):
    """Everything an operator can set; names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///coachbot.db"
    telegram_api_base_url: str = TELEGRAM_API
    default_timezone: str = "Europe/Berlin"
    default_language: str = "en"
    log_level: str = "INFO"
    # The bot's @username for deep links; asked from Telegram (getMe) when unset.
    telegram_bot_username: str | None = None
    invite_valid_days: int = Field(default=14, ge=1, le=365)
    # A linked patient without any report for this many days raises an alert.
    silent_days: int = Field(default=3, ge=1, le=60)
    # A Telegram chat (the operator's) told about unexpected errors; no health data.
    operator_chat_id: int | None = None
    # How long a SQLite writer waits for another to finish before giving up.
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # Extra catalogue folders (a clinic's own entries), separated like PATH.
    catalogue_paths: str = ""

    # How often the dispatcher looks for due sessions, and how it paces sends so
    # that replies to people tapping buttons are not queued behind a burst.
    dispatch_interval_seconds: float = Field(default=5.0, gt=0)
    dispatch_messages_per_second: float = Field(default=20.0, gt=0, le=30)
    dispatch_batch_size: int = Field(default=200, ge=1)
    # A session that fell due while the bot was down is still sent if it is at
    # most this late; older ones are marked missed rather than sent hours late.
    catch_up_grace_minutes: int = Field(default=180, ge=0)
    # HTTP timeouts towards the Bot API (seconds).
    telegram_read_timeout: float = Field(default=10.0, gt=0)
    telegram_max_retries: int = Field(default=3, ge=0)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)")
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("en", "de"):
            raise ValueError("default_language must be 'en' or 'de'")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def extra_catalogue_folders(self) -> list[Path]:
        return [Path(part) for part in self.catalogue_paths.split(os.pathsep) if part.strip()]

    @property
    def catch_up_grace(self) -> timedelta:
        return timedelta(minutes=self.catch_up_grace_minutes)

    def token(self) -> str:
        """The bot token; callers check it is set first (see `cli.run`)."""
        if self.telegram_bot_token is None:
            raise MissingToken
        return self.telegram_bot_token.get_secret_value()


class MissingToken(Exception):
    """No TELEGRAM_BOT_TOKEN was configured."""
