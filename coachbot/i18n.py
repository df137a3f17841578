"""Translations: English in the code, German (and later more) in gettext catalogues.

The `.po` files under `locale/` are compiled in memory when first used, so
there is no build step and no compiled `.mo` file to forget.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from coachbot.domain.vocabulary import Language, lookup

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "coachbot"
DEFAULT_LANGUAGE = Language.EN


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


def pick_language(language_code: str | None, default: Language = DEFAULT_LANGUAGE) -> Language:
    """The supported language nearest to a Telegram client's `language_code`."""
    if language_code:
        language = lookup(Language, language_code.split("-")[0].lower())
        if language is not None:
            return language
    return default


@cache
def translations(language: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """`_ = Translator("de")` then `_("Hello")`; `ngettext` for plurals."""

    def __init__(self, language: str) -> None:
        self.language = lookup(Language, language) or DEFAULT_LANGUAGE
        self._translations = translations(self.language)

    def __call__(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)
