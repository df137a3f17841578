"""Coachbot: a Telegram coach for back school and back training at home."""

__version__ = "0.1.0"
