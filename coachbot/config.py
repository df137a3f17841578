"""Settings from the environment and an optional `.env` file."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coachbot.domain.vocabulary import Language

TELEGRAM_API = "https://api.telegram.org"
# What Telegram accepts as a webhook's secret_token (Bot API, setWebhook).
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# The webhook server's own routes; the webhook's path must differ from them.
HEALTH_PATHS = ("/healthz", "/readyz")


class Settings(BaseSettings):
    """Everything an operator can set; names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///coachbot.db"
    telegram_api_base_url: str = TELEGRAM_API
    default_timezone: str = "Europe/Berlin"
    default_language: Language = Language.EN
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

    # How often the dispatcher looks for what is due, and how many sends it has on the
    # wire at once (a crash can lose at most these).
    dispatch_interval_seconds: float = Field(default=5.0, gt=0)
    dispatch_concurrency: int = Field(default=4, ge=1, le=32)
    dispatch_batch_size: int = Field(default=200, ge=1)
    # After a send failed for a passing reason (5xx, network), the first wait before the
    # next try; it doubles with each failure, up to 10 minutes.
    dispatch_retry_seconds: float = Field(default=15.0, gt=0)
    # The bot's whole send budget, shared by every process on the database: messages a
    # second in all (Telegram allows about 30), and per chat (about 1, after a burst).
    send_messages_per_second: float = Field(default=28.0, gt=0, le=30)
    chat_messages_per_second: float = Field(default=1.0, gt=0, le=30)
    chat_burst: int = Field(default=3, ge=1, le=20)
    # A session that fell due while the bot was down is still sent if it is at
    # most this late; older ones are marked missed rather than sent hours late.
    catch_up_grace_minutes: int = Field(default=180, ge=0)
    # HTTP timeouts towards the Bot API (seconds).
    telegram_read_timeout: float = Field(default=10.0, gt=0)
    # How often a reply is tried again after Telegram asked to wait (429).
    telegram_max_retries: int = Field(default=3, ge=0)

    # Webhook mode (`coachbot run --webhook`): Telegram posts updates to WEBHOOK_URL (https,
    # at a TLS-terminating proxy), which forwards them to LISTEN:PORT at the URL's path.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # Hosts (Heroku, Render, Fly, ...) set PORT; everything else serves on it too.
    port: int = Field(default=8080, ge=1, le=65535)
    listen: str = "0.0.0.0"

    @field_validator("webhook_url")
    @classmethod
    def _https_with_path(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("must be an https:// URL (Telegram posts only to HTTPS)")
        if parts.path.rstrip("/") in HEALTH_PATHS:
            raise ValueError("its path must not be /healthz or /readyz (the health checks)")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters, only A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def webhook_path(self) -> str:
        """Where updates arrive: WEBHOOK_URL's path (the proxy keeps it)."""
        return urlsplit(self.webhook_url or "").path.rstrip("/") or "/"

    @property
    def extra_catalogue_folders(self) -> list[Path]:
        return [Path(part) for part in self.catalogue_paths.split(os.pathsep) if part.strip()]

    @property
    def dispatch_retry(self) -> timedelta:
        return timedelta(seconds=self.dispatch_retry_seconds)

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
