"""The shipped catalogue, loaded once per test session.

Loading and validating every entry takes about half a second, and the app and the tests
only look entries up in it (its entries are frozen), so every test, and every bot a test
starts, shares one instead of loading its own.
"""

from __future__ import annotations

from functools import cache

from catalogue.loader import Catalogue, load_catalogue


@cache
def shipped_catalogue() -> Catalogue:
    return load_catalogue()
