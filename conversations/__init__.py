"""The Telegram dialogue: one module per flow, and `register` with every handler in order."""

from conversations.registry import register

__all__ = ["register"]
