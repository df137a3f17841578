"""Who is in the sandbox: one therapist and their patients, each a Telegram user of the
embedded Bot API with a private chat with the bot."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from coachbot.botapi import FakeBotApi, FakeUser
from coachbot.domain.vocabulary import Language

Role = Literal["patient", "therapist"]

THERAPIST_ID = 500_001
FIRST_PATIENT_ID = 600_001
MAX_PATIENTS = 20  # the page shows a column each; more is no longer a demo
MAX_NAME = 40


class PeopleError(ValueError):
    """A person the page asked for cannot be added (the message says why, in English)."""


@dataclass(frozen=True)
class Person:
    user: FakeUser
    role: Role

    @property
    def id(self) -> int:
        return self.user.id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.user.id,
            "name": self.user.first_name,
            "role": self.role,
            "language": self.user.language_code,
        }


class People:
    """The sandbox's people in the order the page shows them: the therapist first."""

    def __init__(self, api: FakeBotApi) -> None:
        self._api = api
        self._people: dict[int, Person] = {}

    def __iter__(self) -> Iterator[Person]:
        return iter(self._people.values())

    def get(self, person_id: int) -> Person | None:
        return self._people.get(person_id)

    def add_therapist(self, name: str, language: Language) -> Person:
        return self._add(THERAPIST_ID, name, language, "therapist")

    def add_patient(self, name: str, language: str) -> Person:
        """A new patient with an empty chat (they have not written to the bot yet)."""
        name = " ".join(name.split())
        if not name:
            raise PeopleError("a patient needs a name")
        if len(name) > MAX_NAME:
            raise PeopleError(f"a name has at most {MAX_NAME} characters")
        if language not in {item.value for item in Language}:
            raise PeopleError(f"unknown language {language!r}")
        patients = [person for person in self._people.values() if person.role == "patient"]
        if len(patients) >= MAX_PATIENTS:
            raise PeopleError(f"the sandbox has room for {MAX_PATIENTS} patients")
        return self._add(FIRST_PATIENT_ID + len(patients), name, Language(language), "patient")

    def _add(self, user_id: int, name: str, language: Language, role: Role) -> Person:
        person = Person(self._api.user(user_id, name, language.value), role)
        self._people[user_id] = person
        return person
