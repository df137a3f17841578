"""Typed access to Coachbot's services from every handler."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from catalogue.loader import Catalogue
from coachbot.config import Settings
from coachbot.db.uow import SessionFactory, UnitOfWork
from coachbot.domain.errors import NotATherapist, NotEnrolled
from coachbot.domain.model import Patient, Therapist
from coachbot.domain.vocabulary import PatientStatus
from coachbot.i18n import Translator

if TYPE_CHECKING:
    from coachbot.dispatch import Dispatcher


@dataclass
class Services:
    """What handlers need: settings, the catalogue, the database and the clock."""

    settings: Settings
    catalogue: Catalogue
    sessions: SessionFactory
    clock: Callable[[], datetime]
    # Read-only sessions for views: they never take SQLite's write lock.
    reads: SessionFactory | None = None
    dispatcher: Dispatcher | None = None

    def uow(self) -> UnitOfWork:
        """A unit of work that writes (commit to keep what it did)."""
        return UnitOfWork(self.sessions)

    def read(self) -> UnitOfWork:
        """A unit of work that only reads."""
        return UnitOfWork(self.reads or self.sessions)


@dataclass(frozen=True)
class Person:
    """Who sent an update: a patient, a therapist, or someone not (yet) either."""

    language: str
    patient: Patient | None = None
    therapist: Therapist | None = None

    def registered(self) -> Patient:
        """The patient, from consent on (NotEnrolled before)."""
        if self.patient is None:
            raise NotEnrolled
        return self.patient

    def registered_therapist(self) -> Therapist:
        """The therapist (NotATherapist for anyone else)."""
        if self.therapist is None:
            raise NotATherapist
        return self.therapist

    def enrolled(self) -> Patient:
        """The patient, once enrolment is finished (NotEnrolled before)."""
        if self.patient is None or self.patient.status == PatientStatus.ONBOARDING:
            raise NotEnrolled
        return self.patient


class CoachContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of every Coachbot handler (one per update)."""

    SERVICES_KEY = "services"
    # Who sent each of the last updates: the handler's context and the error handler's
    # (PTB makes a new one for it) read the person once between them.
    PEOPLE_KEY = "people"
    REMEMBERED = 256
    _update_id: int | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> CoachContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context._update_id = update.update_id
        return context

    @property
    def _people(self) -> OrderedDict[int, Person]:
        people: OrderedDict[int, Person] = self.bot_data.setdefault(self.PEOPLE_KEY, OrderedDict())
        return people

    @property
    def _person(self) -> Person | None:
        if self._update_id is None:
            return None
        return self._people.get(self._update_id)

    @_person.setter
    def _person(self, person: Person) -> None:
        if self._update_id is None:
            return
        people = self._people
        people[self._update_id] = person
        while len(people) > self.REMEMBERED:
            people.popitem(last=False)

    async def person(self, user: User, uow: UnitOfWork | None = None) -> Person:
        """Who `user` is, read once per update (for its handler and the error handler).

        Given a unit of work, the person's records belong to it (read there the first
        time, attached to it after), so a handler that writes changes them there;
        without one, they are read in a read-only unit of work.
        """
        person = self._person
        if (
            person is not None
            and uow is not None
            and not uow.attach(person.patient, person.therapist)
        ):
            # A transaction that failed changed them in memory: read them afresh.
            person = None
        if person is None:
            if uow is None:
                async with self.read() as reading:
                    person = await _look_up(reading, user)
            else:
                person = await _look_up(uow, user)
            self._person = person
        return person

    async def patient(self, user: User, uow: UnitOfWork) -> Patient:
        """The patient pressing or typing, from consent on (NotEnrolled before)."""
        return (await self.person(user, uow)).registered()

    async def therapist(self, user: User, uow: UnitOfWork) -> Therapist:
        """The therapist pressing or typing (NotATherapist for anyone else)."""
        return (await self.person(user, uow)).registered_therapist()

    @property
    def services(self) -> Services:
        services: Services = self.bot_data[self.SERVICES_KEY]
        return services

    def now(self) -> datetime:
        return self.services.clock()

    def uow(self) -> UnitOfWork:
        return self.services.uow()

    def read(self) -> UnitOfWork:
        return self.services.read()


async def _look_up(uow: UnitOfWork, user: User) -> Person:
    patient = await uow.patients.by_user(user.id)
    therapist = await uow.therapists.by_user(user.id) if patient is None else None
    found = patient or therapist
    return Person(found.language if found else user.language_code or "en", patient, therapist)


CoachApplication = Application[
    ExtBot[Any], CoachContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


def tr(language: str | None) -> Translator:
    return Translator(language or "en")


# Telegram's answers to an edit of a message the person deleted meanwhile (or one that
# cannot be changed any more): nothing went wrong on our side, there is nothing to edit.
GONE_MESSAGE = ("message to edit not found", "message can't be edited")


def message_gone(error: object) -> bool:
    """Whether Telegram refused an edit because the message is gone."""
    return isinstance(error, BadRequest) and any(
        phrase in error.message.lower() for phrase in GONE_MESSAGE
    )


async def set_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Show new buttons (or none) on the message a button was pressed on."""
    message = query.message
    if markup is None and isinstance(message, Message) and message.reply_markup is None:
        return
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:
        # A repeated tap: the message shows these buttons already.
        if "not modified" in error.message.lower():
            return
        # Gone meanwhile: no buttons are left to take away, so the flow goes on. New
        # buttons would be lost with it, though; the error handler tells the person.
        if markup is None and message_gone(error):
            return
        raise


async def clear_buttons(query: CallbackQuery) -> None:
    """Remove the buttons of the message a button was pressed on, if it still has any."""
    await set_buttons(query, None)
