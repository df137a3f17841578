"""Words to a patient's therapist about a change the patient made, queued in the same
transaction as the change and sent by the dispatcher (so a restart neither loses nor
repeats them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from coachbot import delivery
from coachbot.db.uow import UnitOfWork
from coachbot.domain.model import Outgoing, Patient
from coachbot.domain.vocabulary import OutboxPurpose
from coachbot.i18n import Translator
from conversations.context import tr


async def tell_therapist(
    uow: UnitOfWork, patient: Patient, words: Callable[[Translator], str], now: datetime
) -> None:
    """Queue a word to the patient's therapist (in their language), if one is linked."""
    if patient.therapist_id is None:
        return
    therapist = await uow.therapists.get(patient.therapist_id)
    if therapist is None or therapist.telegram_user_id is None:
        return
    text = words(tr(therapist.language))
    delivery.queue(
        uow,
        [Outgoing(text)],
        therapist.telegram_user_id,
        OutboxPurpose.NOTICE,
        now,
        therapist_id=therapist.id,
    )
