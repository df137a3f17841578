"""The order in which a lesson's check question shows its options to one patient."""

from __future__ import annotations

from hashlib import sha256


def option_order(patient_id: int, lesson_id: str, count: int) -> list[int]:
    """The option indexes in the order this patient sees them for this lesson.

    The right answer would otherwise sit in the same place for everyone (and, as the
    catalogue was written, mostly second). The order comes from a hash rather than a
    random draw, so it differs between people but stays the same for one patient and
    lesson, however often it is shown, with nothing stored.
    """

    def rank(index: int) -> bytes:
        return sha256(f"{patient_id}:{lesson_id}:{index}".encode()).digest()

    return sorted(range(count), key=rank)
