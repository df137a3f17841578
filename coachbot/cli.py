"""The `coachbot` command: run the bot, migrate the database, check the catalogue."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError

from catalogue import pictures
from catalogue.loader import BUILTIN, Catalogue, CatalogueError, load_catalogue
from coachbot.config import Settings
from coachbot.domain.vocabulary import Equipment, Kind

if TYPE_CHECKING:
    from coachbot.app import Role
    from coachbot.webhook import Webhook


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

    from coachbot.app import AnotherReceiver, Role, WebhookRefused, build_application, serve
    from coachbot.db.migrate import upgrade
    from coachbot.logs import configure_logging

    role = Role(args.role)
    webhook = None
    if args.webhook:
        webhook = _webhook(settings, role)
        if webhook is None:
            return 2
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    configure_logging(settings.log_level, [settings.token(), secret])
    try:
        upgrade(settings.database_url)
        application = build_application(settings, role=role)
    except CatalogueError as error:
        print(f"coachbot: the catalogue is invalid:\n{error}", file=sys.stderr)
        return 1
    try:
        asyncio.run(serve(application, role, webhook))
    except AnotherReceiver as error:
        host, _, rest = error.holder.partition(":")
        print(
            f"coachbot: another process (pid {rest.partition(':')[0]} on {host}) is already "
            "receiving updates for this bot; stop it first, or run this one with "
            "`--role dispatch`.",
            file=sys.stderr,
        )
        return 2
    except InvalidToken:
        print(
            "coachbot: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather.",
            file=sys.stderr,
        )
        return 2
    except WebhookRefused as error:
        print(f"coachbot: Telegram refused WEBHOOK_URL: {error}", file=sys.stderr)
        return 2
    except NetworkError as error:
        print(f"coachbot: cannot reach the Telegram Bot API: {error.message}", file=sys.stderr)
        return 1
    except OSError as error:
        # Only the server's listen() gets here: the port is taken or not ours to use.
        print(
            f"coachbot: cannot listen on {settings.listen}:{settings.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1
    return 0


def sandbox(args: argparse.Namespace) -> int:
    from coachbot.domain.vocabulary import Language
    from coachbot.logs import configure_logging
    from coachbot.sandbox.run import Options, PortTaken, serve_sandbox

    configure_logging(os.environ.get("LOG_LEVEL", "WARNING"))
    language = args.language or _system_language()
    options = Options(port=args.port, open_browser=not args.no_browser, language=Language(language))
    try:
        asyncio.run(serve_sandbox(options))
    except PortTaken as error:
        print(
            f"coachbot: the sandbox's page cannot use port {args.port} ({error}); "
            f"try another one, e.g. `coachbot sandbox --port {args.port + 1}`.",
            file=sys.stderr,
        )
        return 1
    except CatalogueError as error:
        print(f"coachbot: the catalogue is invalid:\n{error}", file=sys.stderr)
        return 1
    return 0


def _system_language() -> str:
    """German if the system's locale is German, else English (the page can switch)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "de" if value.lower().startswith("de") else "en"
    return "en"


def _webhook(settings: Settings, role: Role) -> Webhook | None:
    """The webhook to serve, or None after saying on stderr what is missing."""
    from coachbot.app import Role
    from coachbot.webhook import Webhook

    problem = None
    if role is Role.DISPATCH:
        problem = (
            "--webhook receives updates, which --role dispatch never does; run the webhook "
            "with --role updates (or all), and dispatch workers without --webhook."
        )
    elif settings.webhook_url is None:
        problem = (
            "WEBHOOK_URL is not set: the https:// address Telegram posts updates to "
            "(e.g. https://bot.example.org/telegram), served by a proxy that forwards to PORT."
        )
    elif settings.webhook_secret is None:
        problem = (
            "WEBHOOK_SECRET is not set: 1-256 characters of A-Z, a-z, 0-9, _ and -, "
            "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
    if problem is not None:
        print(f"coachbot: {problem}", file=sys.stderr)
        return None
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    return Webhook(
        url=settings.webhook_url,
        path=settings.webhook_path,
        secret=settings.webhook_secret.get_secret_value(),
        listen=settings.listen,
        port=settings.port,
    )


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


def catalogue_pictures(args: argparse.Namespace) -> int:
    catalogue = _load(args)
    if catalogue is None:
        return 1
    unknown = [name for name in args.ids if name not in catalogue.exercises]
    if unknown:
        print(f"coachbot: no exercise {', '.join(unknown)}", file=sys.stderr)
        return 1
    args.folder.mkdir(parents=True, exist_ok=True)
    chosen = args.ids or sorted(catalogue.exercises)
    for name in chosen:
        exercise = catalogue.exercises[name]
        for picture in (pictures.still(exercise), pictures.animation(exercise)):
            (args.folder / picture.filename).write_bytes(picture.data)
    print(f"coachbot: wrote a still and an animation of {len(chosen)} exercises to {args.folder}")
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
    print(
        yaml.safe_dump(entry.model_dump(mode="json"), allow_unicode=True, sort_keys=False), end=""
    )
    return 0


async def _bot_username(settings: Settings) -> str:
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    from telegram import Bot

    async with Bot(settings.token(), base_url=f"{settings.telegram_api_base_url}/bot") as bot:
        return bot.username


async def _therapist_add(settings: Settings, name: str) -> str:
    from coachbot.db.engine import create_engine, session_factory
    from coachbot.db.uow import UnitOfWork
    from coachbot.therapists import add_therapist

    username = await _bot_username(settings)
    engine = create_engine(settings.database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            therapist = await add_therapist(uow, name, datetime.now(UTC))
            await uow.commit()
    finally:
        await engine.dispose()
    return f"https://t.me/{username}?start={therapist.signup_code}"


def therapist_add(args: argparse.Namespace) -> int:
    from telegram.error import TelegramError

    from coachbot.db.migrate import upgrade

    settings = _settings()
    if not args.name.strip():
        print("coachbot: the therapist needs a name.", file=sys.stderr)
        return 2
    if not settings.telegram_bot_username and settings.telegram_bot_token is None:
        print(
            "coachbot: set TELEGRAM_BOT_USERNAME, or TELEGRAM_BOT_TOKEN to ask Telegram for it.",
            file=sys.stderr,
        )
        return 2
    upgrade(settings.database_url)
    try:
        link = asyncio.run(_therapist_add(settings, args.name))
    except TelegramError as error:
        print(f"coachbot: cannot ask Telegram for the bot's name: {error.message}", file=sys.stderr)
        return 1
    print(f"Send this single-use sign-up link to {args.name.strip()}:\n{link}")
    return 0


async def _therapist_rows(settings: Settings, remove: int | None) -> list[str] | bool:
    from coachbot.db.engine import create_engine, session_factory
    from coachbot.db.uow import UnitOfWork
    from coachbot.therapists import remove_therapist

    engine = create_engine(settings.database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            if remove is not None:
                if not await remove_therapist(uow, remove, datetime.now(UTC)):
                    return False
                await uow.commit()
                return True
            rows = []
            for therapist in await uow.therapists.all():
                state = "signed up" if therapist.telegram_user_id else "sign-up link not used yet"
                count = await uow.therapists.patient_count(therapist.id or 0)
                rows.append(f"{therapist.id:>4}  {therapist.name:30} {count:>4} patients  {state}")
            return rows
    finally:
        await engine.dispose()


def therapist_list(args: argparse.Namespace) -> int:
    from coachbot.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    rows = asyncio.run(_therapist_rows(settings, None))
    assert isinstance(rows, list)
    for row in rows:
        print(row)
    print(f"{len(rows)} therapist(s)")
    return 0


def therapist_remove(args: argparse.Namespace) -> int:
    from coachbot.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    if not asyncio.run(_therapist_rows(settings, args.id)):
        print(f"coachbot: no therapist with id {args.id}", file=sys.stderr)
        return 1
    print(f"Therapist {args.id} removed; their patients keep training on their own.")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="coachbot", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the bot (long polling, or --webhook)")
    run_parser.add_argument(
        "--role",
        choices=["all", "updates", "dispatch"],
        default="all",
        help="all: everything in one process (default); updates: only answer people "
        "(one process); dispatch: only send what falls due (any number)",
    )
    run_parser.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates as Telegram's posts to WEBHOOK_URL (served on LISTEN:PORT, "
        "with /healthz and /readyz) instead of long polling; needs WEBHOOK_SECRET",
    )
    run_parser.set_defaults(handler=run)
    trial = commands.add_parser(
        "sandbox",
        help="try the bot in the browser: no token, no internet, a clock to move on",
    )
    trial.add_argument(
        "--port", type=int, default=8080, help="the page's port on 127.0.0.1 (default 8080)"
    )
    trial.add_argument("--no-browser", action="store_true", help="only print the page's address")
    trial.add_argument(
        "--language",
        choices=["en", "de"],
        help="the first patient's and the therapist's language (default: the system's)",
    )
    trial.set_defaults(handler=sandbox)
    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        handler=migrate
    )
    catalogue = commands.add_parser("catalogue", help="work with the content catalogue")
    catalogue_commands = catalogue.add_subparsers(dest="catalogue_command", required=True)
    check = catalogue_commands.add_parser("check", help="validate every catalogue file")
    check.add_argument("paths", nargs="*", type=Path, help="extra folders")
    check.set_defaults(handler=catalogue_check)
    listing = catalogue_commands.add_parser("list", help="list exercises")
    listing.add_argument("--kind", choices=[kind.value for kind in Kind], help="only this kind")
    listing.add_argument(
        "--equipment",
        choices=[*(item.value for item in Equipment), "none"],
        help="only exercises using it ('none': none)",
    )
    listing.set_defaults(handler=catalogue_list)
    show = catalogue_commands.add_parser("show", help="show one entry in full")
    show.add_argument("id", help="an exercise, relaxation or lesson id")
    show.set_defaults(handler=catalogue_show)
    drawn = catalogue_commands.add_parser(
        "pictures", help="draw every exercise's still (PNG) and animation (GIF) into a folder"
    )
    drawn.add_argument("folder", type=Path, help="where to write them")
    drawn.add_argument("ids", nargs="*", help="only these exercises")
    drawn.set_defaults(handler=catalogue_pictures)
    therapist = commands.add_parser("therapist", help="manage therapist accounts")
    therapist_commands = therapist.add_subparsers(dest="therapist_command", required=True)
    add = therapist_commands.add_parser("add", help="create a therapist and print their link")
    add.add_argument("name", help='the name patients will see, e.g. "Dr. Anna Weber"')
    add.set_defaults(handler=therapist_add)
    therapist_commands.add_parser("list", help="list therapists").set_defaults(
        handler=therapist_list
    )
    remove = therapist_commands.add_parser("remove", help="remove a therapist")
    remove.add_argument("id", type=int, help="the id shown by `coachbot therapist list`")
    remove.set_defaults(handler=therapist_remove)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
