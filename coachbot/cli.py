"""The `coachbot` command: run the bot, migrate the database, check the catalogue."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from catalogue.loader import BUILTIN, Catalogue, CatalogueError, load_catalogue
from catalogue.schema import EQUIPMENT, KINDS
from coachbot.config import Settings


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        )
        raise SystemExit(f"coachbot: invalid configuration: {problems}") from None


def run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.telegram_bot_token is None or not settings.token().strip():
        print(
            "coachbot: TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and run "
            "`TELEGRAM_BOT_TOKEN=123:abc coachbot run` (or put it in .env).",
            file=sys.stderr,
        )
        return 2
    from telegram.error import InvalidToken, NetworkError

    from coachbot.app import build_application
    from coachbot.db.migrate import upgrade
    from coachbot.logs import configure_logging

    configure_logging(settings.log_level, [settings.token()])
    try:
        upgrade(settings.database_url)
        application = build_application(settings)
    except CatalogueError as error:
        print(f"coachbot: the catalogue is invalid:\n{error}", file=sys.stderr)
        return 1
    try:
        application.run_polling(allowed_updates=["message", "callback_query", "my_chat_member"])
    except InvalidToken:
        print(
            "coachbot: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather.",
            file=sys.stderr,
        )
        return 2
    except NetworkError as error:
        print(f"coachbot: cannot reach the Telegram Bot API: {error.message}", file=sys.stderr)
        return 1
    return 0


def migrate(args: argparse.Namespace) -> int:
    from coachbot.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    print("coachbot: database is up to date.")
    return 0


def catalogue_check(args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        catalogue = load_catalogue([BUILTIN, *settings.extra_catalogue_folders, *args.paths])
    except CatalogueError as error:
        print(f"coachbot: the catalogue has {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"coachbot: catalogue ok: {len(catalogue.exercises)} exercises, "
        f"{len(catalogue.relaxation)} relaxation techniques, {len(catalogue.lessons)} lessons."
    )
    return 0


def _load(args: argparse.Namespace) -> Catalogue | None:
    settings = _settings()
    try:
        return load_catalogue([BUILTIN, *settings.extra_catalogue_folders])
    except CatalogueError as error:
        print(f"coachbot: the catalogue is invalid:\n{error}", file=sys.stderr)
        return None


def catalogue_list(args: argparse.Namespace) -> int:
    catalogue = _load(args)
    if catalogue is None:
        return 1
    shown = 0
    for exercise in sorted(catalogue.exercises.values(), key=lambda e: (e.kinds[0], e.id)):
        if args.kind and args.kind not in exercise.kinds:
            continue
        if args.equipment and (
            exercise.equipment
            if args.equipment == "none"
            else args.equipment not in exercise.equipment
        ):
            continue
        equipment = ", ".join(exercise.equipment) or "none"
        print(f"{exercise.id:32} {'/'.join(exercise.kinds):28} {equipment:20} {exercise.title.en}")
        shown += 1
    print(f"{shown} exercise(s)")
    return 0


def catalogue_show(args: argparse.Namespace) -> int:
    catalogue = _load(args)
    if catalogue is None:
        return 1
    entry = (
        catalogue.exercises.get(args.id)
        or catalogue.relaxation.get(args.id)
        or catalogue.lessons.get(args.id)
    )
    if entry is None:
        print(f"coachbot: no catalogue entry {args.id!r}", file=sys.stderr)
        return 1
    print(yaml.safe_dump(entry.model_dump(), allow_unicode=True, sort_keys=False), end="")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="coachbot", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the bot (long polling)")
    run_parser.set_defaults(handler=run)
    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        handler=migrate
    )
    catalogue = commands.add_parser("catalogue", help="work with the content catalogue")
    catalogue_commands = catalogue.add_subparsers(dest="catalogue_command", required=True)
    check = catalogue_commands.add_parser("check", help="validate every catalogue file")
    check.add_argument("paths", nargs="*", type=Path, help="extra folders")
    check.set_defaults(handler=catalogue_check)
    listing = catalogue_commands.add_parser("list", help="list exercises")
    listing.add_argument("--kind", choices=KINDS, help="only this kind")
    listing.add_argument(
        "--equipment", choices=[*EQUIPMENT, "none"], help="only exercises using it ('none': none)"
    )
    listing.set_defaults(handler=catalogue_list)
    show = catalogue_commands.add_parser("show", help="show one entry in full")
    show.add_argument("id", help="an exercise, relaxation or lesson id")
    show.set_defaults(handler=catalogue_show)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
