"""The fake Bot API (tests/fakebot.py) proven against the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import warnings
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from PIL import Image
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaAnimation,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fakebot import FLOOD_COUNTED, FakeBotApi, UploadedFile, make_png, parse_html

pytestmark = pytest.mark.asyncio

ANNA = 1001
BOB = 1002


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest_asyncio.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    client = Bot(
        fake.token,
        base_url=f"{fake.base_url}/bot",
        base_file_url=f"{fake.base_url}/file/bot",
    )
    async with client:
        yield client


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label.lower()) for label in labels]]
    )


def only_message(updates: tuple[Update, ...]) -> Message:
    assert len(updates) == 1, updates
    message = updates[0].message
    assert message is not None
    return message


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after in seconds (int or timedelta, depending on PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ------------------------------------------------------------------ basics


async def test_get_me_through_real_bot(fake: FakeBotApi) -> None:
    async with Bot(fake.token, base_url=f"{fake.base_url}/bot") as client:
        assert client.username == fake.bot_username
        assert client.id == fake.bot_id
        me = await client.get_me()
    assert me.is_bot
    assert me.username == "coachbot_test_bot"
    assert me.first_name == "Coachbot"
    assert all(call.ok for call in fake.calls_to("getMe"))
    assert len(fake.calls_to("GETME")) == 2  # initialize() and get_me()


async def test_wrong_token_is_invalid_token(fake: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123456:WRONG-token", base_url=f"{fake.base_url}/bot"):
            pass
    assert fake.calls[-1].error_code == 401


async def test_raw_http_shapes(fake: FakeBotApi) -> None:
    fake.user(ANNA)
    base = f"{fake.base_url}/bot{fake.token}"
    async with httpx.AsyncClient() as client:
        unknown = await client.post(f"{base}/noSuchMethod")
        assert unknown.status_code == 404
        assert unknown.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        wrong = await client.get(f"{fake.base_url}/bot42:nope/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

        me = await client.get(f"{base}/GETME")  # method names are case-insensitive
        assert me.json()["ok"] is True and me.json()["result"]["is_bot"] is True

        sent = await client.post(f"{base}/sendmessage", json={"chat_id": ANNA, "text": "json"})
        body = sent.json()
        assert body["ok"] is True
        message = body["result"]
        assert set(message) >= {"message_id", "date", "chat", "from", "text"}
        assert isinstance(message["date"], int)
        assert message["chat"] == {"id": ANNA, "type": "private", "first_name": "Anna"}
        assert message["from"]["is_bot"] is True

        markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
        upload = await client.post(
            f"{base}/sendDocument",
            data={"chat_id": str(ANNA), "caption": "file", "reply_markup": json.dumps(markup)},
            files={"document": ("notes.txt", b"abc", "text/plain")},
        )
        result = upload.json()["result"]
        assert result["reply_markup"] == markup
        assert result["document"]["file_name"] == "notes.txt"
        assert result["document"]["mime_type"] == "text/plain"
        assert result["document"]["file_size"] == 3

        too_long = await client.post(
            f"{base}/sendMessage", data={"chat_id": str(ANNA), "text": "x" * 4097}
        )
        assert too_long.status_code == 400
        assert too_long.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: message is too long",
        }
    assert fake.calls_to("sendMessage")[0].method == "sendMessage"
    assert fake.calls_to("sendDocument")[0].params["chat_id"] == ANNA  # coerced from "1001"


# ------------------------------------------------------------------ sending and editing


async def test_send_and_edit_round_trip(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    raw = "<b>Hello</b> &amp; welcome to <i>back school</i>"
    sent = await bot.send_message(
        ANNA, raw, parse_mode=ParseMode.HTML, reply_markup=keyboard("Yes", "No")
    )
    assert isinstance(sent, Message)
    assert sent.text == "Hello & welcome to back school"
    assert sent.entities[0].type == MessageEntity.BOLD
    assert (sent.entities[0].offset, sent.entities[0].length) == (0, 5)
    assert sent.entities[1].type == MessageEntity.ITALIC
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.chat.type == "private"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][1].callback_data == "no"

    observed = await fake.next_message(ANNA)
    assert observed["message_id"] == sent.message_id
    assert observed["text"] == sent.text

    edited = await bot.edit_message_text("Updated", chat_id=ANNA, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Updated"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # like Telegram: no reply_markup removes the keyboard
    change = await fake.next_edit(ANNA)
    assert change["text"] == "Updated" and "reply_markup" not in change

    again = await bot.edit_message_reply_markup(
        chat_id=ANNA, message_id=sent.message_id, reply_markup=keyboard("Done")
    )
    assert isinstance(again, Message) and again.reply_markup is not None
    assert (await fake.next_edit(ANNA))["reply_markup"]["inline_keyboard"][0][0]["text"] == "Done"

    [current] = fake.messages(ANNA)
    assert current["text"] == "Updated"


async def test_send_document_and_photo_are_recorded(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    pdf = b"%PDF-1.4 exercise plan"
    sent = await bot.send_document(ANNA, document=pdf, filename="plan.pdf", caption="Your plan")
    assert sent.document is not None
    assert sent.document.file_name == "plan.pdf"
    assert sent.document.mime_type == "application/pdf"
    assert sent.document.file_size == len(pdf)
    assert sent.caption == "Your plan"
    [recorded] = fake.messages(ANNA)
    assert recorded["document_bytes"] == pdf
    upload = fake.calls_to("sendDocument")[0].params["document"]
    assert isinstance(upload, UploadedFile) and upload.filename == "plan.pdf"

    png = make_png(640, 480)
    photo = await bot.send_photo(ANNA, photo=png, caption="<b>Posture</b>", parse_mode="HTML")
    assert photo.photo[-1].width == 640 and photo.photo[-1].height == 480
    assert photo.caption == "Posture"
    assert fake.messages(ANNA)[-1]["photo_bytes"] == png

    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(ANNA, photo=b"not an image")


def make_gif(width: int = 48, height: int = 32) -> bytes:
    """A small GIF (two frames) made with Pillow, as animations are drawn."""
    frames = [Image.new("RGB", (width, height), shade) for shade in ((200, 0, 0), (0, 0, 200))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], loop=0)
    return buffer.getvalue()


async def test_send_animation_and_resend_by_file_id(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    gif = make_gif()
    sent = await bot.send_animation(
        ANNA,
        animation=gif,
        filename="bird_dog.gif",
        caption="<b>1/4</b> Bird dog",
        parse_mode="HTML",
    )
    assert sent.animation is not None and sent.document is not None  # as Telegram: both
    assert (sent.animation.width, sent.animation.height) == (48, 32)
    assert sent.animation.mime_type == "video/mp4"  # Telegram keeps a GIF as MPEG-4
    assert sent.caption == "1/4 Bird dog" and sent.caption_entities[0].type == "bold"
    assert fake.messages(ANNA)[-1]["animation_bytes"] == gif
    again = await bot.send_animation(ANNA, animation=sent.animation.file_id)
    assert again.animation is not None
    assert again.animation.file_id == sent.animation.file_id
    photo = await bot.send_photo(ANNA, photo=make_png(40, 30))
    again_photo = await bot.send_photo(ANNA, photo=photo.photo[-1].file_id)
    assert again_photo.photo[-1].file_id == photo.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_animation(ANNA, animation="AgACAgIAAxk-never-given")
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type Photo as Animation"):
        await bot.send_animation(ANNA, animation=photo.photo[-1].file_id)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_animation(ANNA, animation=sent.animation.file_id, caption="x" * 1025)
    fake.forget_files()
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_animation(ANNA, animation=sent.animation.file_id)


async def test_edit_message_media_upload_or_file_id(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    button = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="walk:1:1")]])
    sent = await bot.send_animation(ANNA, animation=make_gif(), filename="a.gif", caption="one")
    png = make_png(80, 40)
    edited = await bot.edit_message_media(
        InputMediaPhoto(png, caption="<b>two</b>", parse_mode="HTML"),
        ANNA,
        sent.message_id,
        reply_markup=button,
    )
    assert isinstance(edited, Message) and edited.photo and edited.animation is None
    assert edited.caption == "two" and edited.reply_markup == button
    upload = fake.calls_to("editMessageMedia")[0].params
    assert isinstance(upload["media"], dict) and upload["media"]["type"] == "photo"
    [shown] = fake.messages(ANNA)
    assert shown["photo_bytes"] == png and "animation_bytes" not in shown
    assert (await fake.next_edit(ANNA))["caption"] == "two"
    # Back to the animation by its file_id: nothing uploaded, same message.
    assert sent.animation is not None
    back = await bot.edit_message_media(
        InputMediaAnimation(sent.animation.file_id, caption="one"), ANNA, sent.message_id
    )
    assert isinstance(back, Message) and back.animation is not None and not back.photo
    assert back.caption == "one" and back.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_media(
            InputMediaAnimation(sent.animation.file_id, caption="one"), ANNA, sent.message_id
        )
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.edit_message_media(
            InputMediaAnimation(sent.animation.file_id, caption="y" * 1025), ANNA, sent.message_id
        )
    text = await bot.send_message(ANNA, "plain")
    with pytest.raises(BadRequest, match=r"(?i)no media in the message"):
        await bot.edit_message_media(
            InputMediaAnimation(sent.animation.file_id), ANNA, text.message_id
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_media(InputMediaAnimation(sent.animation.file_id), ANNA, 999)


# ------------------------------------------------------------------ fault injection


async def test_429_raises_retry_after(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    fake.fail("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANNA, "hi")
    assert retry_seconds(caught.value) == 7
    assert fake.calls[-1].error_code == 429
    await bot.send_message(ANNA, "hi again")  # the fault was consumed
    assert [m["text"] for m in fake.messages(ANNA)] == ["hi again"]


async def test_403_fault_and_block(fake: FakeBotApi, bot: Bot) -> None:
    anna, bob = fake.user(ANNA), fake.user(BOB, "Bob")
    fake.fail("sendMessage", status=403, chat_id=ANNA)
    await bot.send_message(BOB, "not affected")
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(ANNA, "hi")

    fake.block(anna)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ANNA, "hi")
    await bot.send_message(bob.id, "still fine")
    await fake.member_update(anna, "member")  # she unblocks the bot
    await bot.send_message(ANNA, "back")
    assert [m["text"] for m in fake.messages(ANNA)] == ["back"]


async def test_5xx_raise_network_error(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    fake.fail("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(ANNA, "hi")
        assert type(caught.value) is NetworkError
        assert "Internal Server Error" in caught.value.message
    fake.fail("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ANNA, "hi")
    await bot.send_message(ANNA, "works")


async def test_delay_triggers_client_timeout(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    fake.fail("sendMessage", status=0, delay=1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(ANNA, "late", read_timeout=0.2)
    # like Telegram, the request still takes effect after the client gave up
    await fake.wait_until(lambda: len(fake.messages(ANNA)) == 1, what="the late message")
    [late] = fake.calls_to("sendMessage")
    assert late.ok and late.client_gone


async def test_unknown_chat(fake: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "who?")


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("x" * 4097, None, "message is too long"),
        ("", None, "message text is empty"),
        ("   \n ", None, "message text is empty"),
        ("<b>unclosed", "HTML", "can't parse entities: can't find end tag"),
        ("line<br>break", "HTML", 'unsupported start tag "br"'),
        ("<b>x</i>", "HTML", "unmatched end tag"),
        ("1 < 2", "HTML", "can't parse entities"),
        ("Tom & Jerry", "HTML", "can't parse entities"),
        ("<span>x</span>", "HTML", "tg-spoiler"),
        ("*bold*", "MarkdownV2", "unsupported parse_mode"),  # Coachbot sends HTML only
        ("hi", "Klingon", "unsupported parse_mode"),
    ],
)
async def test_bad_requests(
    fake: FakeBotApi, bot: Bot, text: str, parse_mode: str | None, error: str
) -> None:
    fake.user(ANNA)
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(ANNA, text, parse_mode=parse_mode)
    assert error.lower() in caught.value.message.lower()
    assert fake.messages(ANNA) == []


async def test_valid_formatting_is_accepted(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    longest = await bot.send_message(ANNA, "x" * 4096)
    assert longest.text is not None and len(longest.text) == 4096
    html = await bot.send_message(
        ANNA,
        '<a href="https://example.org/a?b=1&amp;c=2">link</a> <tg-spoiler>s</tg-spoiler> '
        '<pre><code class="language-python">x = 1</code></pre> &lt;3 &#128578;',
        parse_mode=ParseMode.HTML,
    )
    assert html.text == "link s x = 1 <3 🙂"
    kinds = {entity.type: entity for entity in html.entities}
    assert kinds[MessageEntity.TEXT_LINK].url == "https://example.org/a?b=1&c=2"
    assert kinds[MessageEntity.PRE].language == "python"
    assert MessageEntity.SPOILER in kinds


async def test_parse_html_offsets_are_utf16() -> None:
    text, entities = parse_html("🙂 <b>ok</b>")
    assert text == "🙂 ok"
    assert entities == [{"offset": 3, "length": 2, "type": "bold"}]


async def test_edit_and_button_validation(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    sent = await bot.send_message(ANNA, "Same", reply_markup=keyboard("A"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Same", chat_id=ANNA, message_id=sent.message_id, reply_markup=keyboard("A")
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ANNA, message_id=9999)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            ANNA,
            "too much data",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("B", callback_data="x" * 65)]]
            ),
        )
    assert fake.calls[-1].error_code == 400
    assert [m["text"] for m in fake.messages(ANNA)] == ["Same"]


# ------------------------------------------------------------------ getUpdates


async def test_long_poll_returns_user_message_and_tap(fake: FakeBotApi, bot: Bot) -> None:
    anna = fake.user(ANNA)
    polling = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_until(lambda: fake.waiting_polls == 1, what="the long poll")
    await fake.send(anna, "/start welcome")
    message = only_message(await asyncio.wait_for(polling, 5))
    assert message.text == "/start welcome"
    assert message.from_user is not None and message.from_user.is_bot is False
    assert message.from_user.language_code == "en"
    assert message.chat.id == ANNA
    command = message.entities[0]
    assert (command.type, command.offset, command.length) == (MessageEntity.BOT_COMMAND, 0, 6)

    last_id = fake.calls_to("getUpdates")[-1].result[-1]["update_id"]
    assert await bot.get_updates(offset=last_id + 1, timeout=0) == ()
    assert fake.pending_updates == 0

    sent = await bot.send_message(ANNA, "Pick one", reply_markup=keyboard("Yes", "Yes, later"))
    query_id = await fake.tap_button(anna, await fake.next_message(ANNA), "yes")
    [update] = await bot.get_updates(offset=last_id + 1, timeout=10)
    query = update.callback_query
    assert isinstance(query, CallbackQuery)
    assert query.id == query_id
    assert query.data == "yes"
    assert query.chat_instance
    assert query.from_user.id == ANNA
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query_id, text="Noted")
    assert (await fake.callback_answer(query_id))["text"] == "Noted"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)

    forged = await fake.tap(anna, fake.messages(ANNA)[0], "forged-data")
    [update] = await bot.get_updates(offset=update.update_id + 1, timeout=10)
    assert update.callback_query is not None
    assert (update.callback_query.id, update.callback_query.data) == (forged, "forged-data")


async def test_long_poll_times_out_empty(fake: FakeBotApi, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert loop.time() - started >= 0.9


async def test_get_updates_limit_offset_and_allowed_updates(fake: FakeBotApi, bot: Bot) -> None:
    anna = fake.user(ANNA)
    for text in ("one", "two", "three"):
        await fake.send(anna, text)
    loop = asyncio.get_running_loop()
    started = loop.time()
    first_two = await bot.get_updates(limit=2, timeout=30)  # pending: answers at once
    assert loop.time() - started < 5
    assert [only_message((u,)).text for u in first_two] == ["one", "two"]
    [last] = await bot.get_updates(offset=-1, timeout=0)  # forgets all but the last
    assert only_message((last,)).text == "three"
    assert fake.pending_updates == 1

    await fake.send(anna, "ignored")
    sent = await bot.send_message(ANNA, "Tap", reply_markup=keyboard("Go"))
    await fake.tap_button(anna, fake.messages(ANNA)[0], "go")
    updates = await bot.get_updates(
        offset=last.update_id + 1, timeout=5, allowed_updates=["callback_query"]
    )
    assert len(updates) == 1 and updates[0].callback_query is not None
    assert updates[0].callback_query.message is not None
    assert updates[0].callback_query.message.message_id == sent.message_id


async def test_user_side_updates(fake: FakeBotApi, bot: Bot) -> None:
    anna = fake.user(ANNA)
    await fake.send_location(anna, 48.2, 16.37)
    await fake.send_sticker(anna)
    await fake.send_photo_from_user(anna, caption="my desk")
    located, sticker, photo = (u.message for u in await bot.get_updates(timeout=5))
    assert located is not None and located.location is not None
    assert located.location.latitude == pytest.approx(48.2)
    assert sticker is not None and sticker.sticker is not None and sticker.sticker.emoji == "👍"
    assert photo is not None and photo.photo and photo.caption == "my desk"


async def test_user_edits_and_deletes(fake: FakeBotApi, bot: Bot) -> None:
    anna = fake.user(ANNA)
    typed = await fake.send(anna, "Berln")
    shared = await fake.send_location(anna, 48.2, 16.37, live_period=900)
    await fake.edit(anna, typed, "/help")
    await fake.move_live_location(anna, shared, 48.3, 16.4)
    updates = await bot.get_updates(timeout=5)
    edited = [u.edited_message for u in updates if u.edited_message is not None]
    assert [u.message is not None for u in updates] == [True, True, False, False]
    assert edited[0].text == "/help" and edited[0].edit_date is not None
    assert edited[0].entities[0].type == MessageEntity.BOT_COMMAND
    assert edited[1].location is not None and edited[1].location.latitude == pytest.approx(48.3)
    sent = await bot.send_message(ANNA, "Tap", reply_markup=keyboard("Go"))
    await fake.delete(anna, fake.messages(ANNA)[0])  # for both sides: the bot can't edit it
    assert fake.messages(ANNA) == []
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("Tapped", chat_id=ANNA, message_id=sent.message_id)


async def test_member_update_and_block(fake: FakeBotApi, bot: Bot) -> None:
    anna = fake.user(ANNA)
    await fake.member_update(anna, "kicked")
    [update] = await bot.get_updates(timeout=5)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert update.my_chat_member.old_chat_member.status == "member"
    with pytest.raises(Forbidden):
        await bot.send_message(ANNA, "are you there?")
    await fake.member_update(anna, "member")
    await bot.send_message(ANNA, "welcome back")


# ------------------------------------------------------------------ commands and misc


async def test_commands_per_language_and_scope(fake: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("today", "Today")])
    await bot.set_my_commands([BotCommand("start", "Starten")], language_code="de")
    await bot.set_my_commands(
        [BotCommand("review", "Review patients")], scope=BotCommandScopeChat(ANNA)
    )
    assert fake.commands == {
        "": [
            {"command": "start", "description": "Start"},
            {"command": "today", "description": "Today"},
        ],
        "de": [{"command": "start", "description": "Starten"}],
    }
    assert fake.commands_by_scope[f"chat:{ANNA}"][""][0]["command"] == "review"
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start!", "bad")])


async def test_reply_keyboard(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA, "Anna", "de")
    location = ReplyKeyboardMarkup([[KeyboardButton("Share location", request_location=True)]])
    sent = await bot.send_message(ANNA, "Where are you?", reply_markup=location)
    assert sent.reply_markup is None  # only inline keyboards are part of a Message
    assert fake.reply_keyboard(ANNA) == [["Share location"]]


async def test_observation_helpers_report_clearly(fake: FakeBotApi, bot: Bot) -> None:
    anna = fake.user(ANNA)
    await bot.send_message(ANNA, "hello", reply_markup=keyboard("Alpha", "Beta"))
    await bot.send_message(ANNA, "second")
    first = await fake.next_message(ANNA)
    with pytest.raises(AssertionError, match="'Alpha', 'Beta'"):
        await fake.tap_button(anna, first, "gamma")
    fake.drain(ANNA)
    with pytest.raises(AssertionError, match="second"):
        await fake.next_message(ANNA, timeout=0.05)
    fake.fail("sendMessage", status=400, description="Bad Request: something odd")
    with pytest.raises(BadRequest):
        await bot.send_message(ANNA, "x")
    with pytest.raises(AssertionError, match="something odd"):
        await fake.next_message(ANNA, timeout=0.05)
    with pytest.raises(AssertionError, match="the impossible"):
        await fake.wait_until(lambda: False, timeout=0.05, what="the impossible")


# ------------------------------------------------------------------ a real Application


async def test_application_polls_and_answers(fake: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Welcome!", reply_markup=keyboard("Begin"))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"You chose {query.data}")

    application = ApplicationBuilder().token(fake.token).base_url(f"{fake.base_url}/bot").build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(on_button))
    anna = fake.user(ANNA)
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    await application.start()
    try:
        await fake.send(anna, "/start")
        reply = await fake.next_message(ANNA)
        assert reply["text"] == "Welcome!"
        query_id = await fake.tap_button(anna, reply, "begin")
        assert (await fake.callback_answer(query_id))["text"] == "ok"
        edited = await fake.next_edit(ANNA)
        assert edited["text"] == "You chose begin"
        assert "reply_markup" not in edited
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    assert fake.pending_updates == 0  # the updater confirmed what it handled
    assert fake.internal_errors == []
    assert fake.errors() == []


# ------------------------------------------------------------------ flood control


class ManualClock:
    """A monotonic clock the test moves by hand, so the buckets are checked exactly."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest_asyncio.fixture
async def clocked() -> AsyncIterator[tuple[FakeBotApi, ManualClock]]:
    clock = ManualClock()
    async with FakeBotApi(clock=clock) as api:
        yield api, clock


async def call_api(
    client: httpx.AsyncClient, fake: FakeBotApi, method: str, **params: Any
) -> httpx.Response:
    return await client.post(f"{fake.base_url}/bot{fake.token}/{method}", json=params)


async def send_text(client: httpx.AsyncClient, fake: FakeBotApi, chat_id: int, text: str) -> int:
    """sendMessage; the HTTP status (429: retry_after checked against the description)."""
    answer = await call_api(client, fake, "sendMessage", chat_id=chat_id, text=text)
    body = answer.json()
    if answer.status_code == 429:
        retry_after = body["parameters"]["retry_after"]
        assert body["description"] == f"Too Many Requests: retry after {retry_after}"
    return answer.status_code


def retry_after_of(fake: FakeBotApi) -> int:
    last = fake.calls[-1]
    assert last.error_code == 429, last
    assert last.description is not None
    return int(last.description.rsplit(" ", 1)[1])


async def test_flood_chat_bucket(clocked: tuple[FakeBotApi, ManualClock]) -> None:
    fake, clock = clocked
    fake.user(ANNA)
    fake.user(BOB, "Bob")
    fake.flood_control(bot_rate=100.0, bot_burst=100, chat_rate=0.25, chat_burst=3)
    async with httpx.AsyncClient() as client:
        for number in range(3):  # the burst
            assert await send_text(client, fake, ANNA, f"m{number}") == 200
        refused = await call_api(client, fake, "sendMessage", chat_id=ANNA, text="too many")
        assert refused.status_code == 429
        assert refused.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 4",
            "parameters": {"retry_after": 4},
        }
        assert await send_text(client, fake, BOB, "other chat") == 200  # its own bucket
        clock.advance(1.0)  # 0.25 token: 3 s to go
        assert await send_text(client, fake, ANNA, "still") == 429
        assert retry_after_of(fake) == 3
        clock.advance(2.5)  # 0.875 token: 0.5 s to go, rounded up
        assert await send_text(client, fake, ANNA, "nearly") == 429
        assert retry_after_of(fake) == 1
        clock.advance(0.5)  # the refusals took nothing: one whole token now
        assert await send_text(client, fake, ANNA, "again") == 200
        assert await send_text(client, fake, ANNA, "once more") == 429
    assert [m["text"] for m in fake.messages(ANNA)] == ["m0", "m1", "m2", "again"]
    refusals = fake.flood_refusals(ANNA)
    assert len(refusals) == 4 and fake.flood_refusals() == refusals
    assert all(not c.ok and c.error_code == 429 and c.fault == "flood" for c in refusals)
    assert refusals == [c for c in fake.errors() if c.params["chat_id"] == ANNA]


async def test_flood_bot_bucket(clocked: tuple[FakeBotApi, ManualClock]) -> None:
    fake, clock = clocked
    carl = 1003
    for user_id in (ANNA, BOB, carl):
        fake.user(user_id)
    fake.flood_control(bot_rate=0.5, bot_burst=2, chat_rate=0.1, chat_burst=1)
    async with httpx.AsyncClient() as client:
        assert await send_text(client, fake, ANNA, "a") == 200
        assert await send_text(client, fake, ANNA, "a2") == 429  # Anna's chat bucket...
        assert retry_after_of(fake) == 10
        assert await send_text(client, fake, BOB, "b") == 200  # ...took no bot token
        assert await send_text(client, fake, carl, "c") == 429  # the bot's bucket is empty
        assert retry_after_of(fake) == 2
        clock.advance(2.0)  # one bot token again; Carl's chat kept its token
        assert await send_text(client, fake, carl, "c") == 200
        assert await send_text(client, fake, ANNA, "a3") == 429  # both empty: the later one
        assert retry_after_of(fake) == 8  # Anna's chat (0.2 token), not the bot's 2 s
        clock.advance(8.0)
        assert await send_text(client, fake, ANNA, "a4") == 200
    assert len(fake.flood_refusals()) == 3
    assert [len(fake.delivered(chat)) for chat in (ANNA, BOB, carl)] == [2, 1, 1]


async def test_flood_counts_only_message_methods(clocked: tuple[FakeBotApi, ManualClock]) -> None:
    fake, _ = clocked
    anna = fake.user(ANNA)
    assert {"sendMessage", "sendPhoto", "editMessageReplyMarkup"} <= FLOOD_COUNTED
    assert {"sendAnimation", "editMessageMedia"} <= FLOOD_COUNTED
    assert not FLOOD_COUNTED & {"getUpdates", "answerCallbackQuery", "setMyCommands"}
    fake.flood_control(bot_rate=0.01, bot_burst=2, chat_rate=0.01, chat_burst=2)
    async with httpx.AsyncClient() as client:
        # Failed requests take no token.
        unknown = await call_api(client, fake, "sendMessage", chat_id=999, text="x")
        assert unknown.json()["description"] == "Bad Request: chat not found"
        empty = await call_api(client, fake, "sendMessage", chat_id=ANNA, text="")
        assert empty.status_code == 400
        first = await call_api(client, fake, "sendMessage", chat_id=ANNA, text="first")
        message_id = first.json()["result"]["message_id"]
        unchanged = await call_api(
            client, fake, "editMessageText", chat_id=ANNA, message_id=message_id, text="first"
        )
        assert "not modified" in unchanged.json()["description"]
        edited = await call_api(
            client, fake, "editMessageText", chat_id=ANNA, message_id=message_id, text="edit"
        )
        assert edited.status_code == 200  # the second and last token
        # Out of tokens, a send and an edit are refused ...
        assert await send_text(client, fake, ANNA, "third") == 429
        assert retry_after_of(fake) == 100
        markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
        again = await call_api(
            client,
            fake,
            "editMessageReplyMarkup",
            chat_id=ANNA,
            message_id=message_id,
            reply_markup=markup,
        )
        assert again.status_code == 429
        # ... while everything else is never counted nor refused.
        query_id = await fake.tap(anna, fake.messages(ANNA)[0], "go")
        uncounted: list[tuple[str, dict[str, Any]]] = [
            ("getMe", {}),
            ("getUpdates", {"timeout": 0}),
            ("answerCallbackQuery", {"callback_query_id": query_id}),
            ("setMyCommands", {"commands": [{"command": "start", "description": "Start"}]}),
        ]
        for method, params in uncounted:
            answer = await call_api(client, fake, method, **params)
            assert answer.status_code == 200, (method, answer.json())
        fake.flood_control(None)
        assert await send_text(client, fake, ANNA, "unlimited") == 200
    assert len(fake.flood_refusals()) == 2
    assert [c.method for c in fake.delivered(ANNA)] == [
        "sendMessage",
        "editMessageText",
        "sendMessage",
    ]


async def test_flood_in_real_time_through_ptb(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    fake.flood_control(chat_rate=1.0, chat_burst=3)  # the default, on time.monotonic()
    for number in range(3):
        await bot.send_message(ANNA, f"burst {number}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANNA, "one too many")
    assert retry_seconds(caught.value) == 1
    fake.fail("sendMessage", status=429, retry_after=5, chat_id=BOB)
    with pytest.raises(RetryAfter):
        await bot.send_message(BOB, "injected")  # fail() comes first; not a flood refusal
    assert [c.params["text"] for c in fake.flood_refusals()] == ["one too many"]

    # Refill: at 50 messages/s a token is back after 20 ms.
    fake.flood_control(chat_rate=50.0, chat_burst=1)
    await bot.send_message(ANNA, "fast 1")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while True:
        try:
            await bot.send_message(ANNA, "fast 2")
            break
        except RetryAfter:
            assert loop.time() < deadline, "the chat bucket never refilled"
            await asyncio.sleep(0.002)
    fast = fake.delivered(ANNA)[-2:]
    assert [c.params["text"] for c in fast] == ["fast 1", "fast 2"]
    assert fast[1].at - fast[0].at >= 0.015  # 20 ms, less the time to handle "fast 1"


# ------------------------------------------------------------------ chaos


async def chaos_outcomes(seed: int) -> tuple[list[tuple[int, str]], int]:
    """Forty sendMessage under chaos: (status, description) of each, and messages stored."""
    async with FakeBotApi() as fake:
        fake.user(ANNA)
        fake.chaos(0.5, statuses=(500, 502, 400), seed=seed)
        outcomes = []
        async with httpx.AsyncClient() as client:
            for number in range(40):
                answer = await call_api(client, fake, "sendMessage", chat_id=ANNA, text=str(number))
                outcomes.append((answer.status_code, answer.json().get("description", "")))
        assert all(c.fault == "chaos" for c in fake.errors())
        return outcomes, len(fake.messages(ANNA))


async def test_chaos_is_seeded_and_failures_have_no_effect() -> None:
    outcomes, stored = await chaos_outcomes(seed=7)
    assert outcomes == (await chaos_outcomes(seed=7))[0]  # repeatable
    assert outcomes != (await chaos_outcomes(seed=8))[0]
    assert stored == sum(1 for status, _ in outcomes if status == 200)
    statuses = {status for status, _ in outcomes}
    assert statuses == {200, 400, 500, 502}
    assert 10 <= stored <= 30
    descriptions = dict(outcomes)
    assert descriptions[400].startswith("Bad Request: can't parse entities")  # not "gone"
    assert descriptions[500] == "Internal Server Error"
    assert descriptions[502] == "Bad Gateway"


async def test_chaos_spares_unlisted_methods(fake: FakeBotApi) -> None:
    anna = fake.user(ANNA)
    async with httpx.AsyncClient() as client:
        sent = await call_api(client, fake, "sendMessage", chat_id=ANNA, text="hi")
        message_id = sent.json()["result"]["message_id"]
        fake.chaos(1.0, statuses=(400,))
        edit = await call_api(
            client, fake, "editMessageText", chat_id=ANNA, message_id=message_id, text="x"
        )
        assert edit.json()["description"] == "Bad Request: message to edit not found"
        query_id = await fake.tap(anna, fake.messages(ANNA)[0], "data")
        spared: list[tuple[str, dict[str, Any]]] = [
            ("getMe", {}),
            ("getUpdates", {"timeout": 0}),
            ("answerCallbackQuery", {"callback_query_id": query_id}),
        ]
        for method, params in spared:
            answer = await call_api(client, fake, method, **params)
            assert answer.status_code == 200, (method, answer.json())
        fake.chaos(1.0, statuses=(502,), methods=("getUpdates",))
        assert (await call_api(client, fake, "getUpdates", timeout=0)).status_code == 502
        assert (await call_api(client, fake, "sendMessage", chat_id=ANNA, text="ok")).is_success
        fake.chaos(None)
        assert (await call_api(client, fake, "getUpdates", timeout=0)).is_success


async def test_chaos_late_answer_takes_effect(fake: FakeBotApi, bot: Bot) -> None:
    fake.user(ANNA)
    fake.chaos(1.0, timeout_share=1.0, delay=0.5, methods=("sendMessage",))
    with pytest.raises(TimedOut):
        await bot.send_message(ANNA, "Your session", read_timeout=0.1)
    # The message is there at once, even though its answer never reached the bot.
    assert [m["text"] for m in fake.messages(ANNA)] == ["Your session"]
    await fake.wait_until(lambda: fake.calls[-1].client_gone, what="the late answer")
    fake.chaos(None)
    await bot.send_message(ANNA, "Your session")  # a naive retry duplicates it
    first, retry = fake.delivered(ANNA)
    assert first.ok and first.client_gone and first.fault == "chaos"
    assert not retry.client_gone and retry.fault is None
    assert fake.errors() == []


# ------------------------------------------------------------------ delivery and rates


async def test_delivered_and_rates(clocked: tuple[FakeBotApi, ManualClock]) -> None:
    fake, clock = clocked
    fake.user(ANNA)
    fake.user(BOB, "Bob")
    start = clock()
    async with httpx.AsyncClient() as client:
        # Anna at 0.0, 0.1, 0.6 and 1.05 s; Bob at 1.3 s, edited at 3.1 s.
        for offset in (0.0, 0.1, 0.5, 0.45):
            clock.advance(offset)
            await call_api(
                client,
                fake,
                "sendMessage",
                chat_id=ANNA,
                text="Pick one",
                reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
            )
        await call_api(client, fake, "getMe")  # not counted
        await call_api(client, fake, "sendMessage", chat_id=ANNA, text="")  # failed
        clock.advance(0.25)
        await call_api(client, fake, "sendMessage", chat_id=BOB, text="b1")
        clock.advance(1.8)
        first_id = fake.messages(BOB)[0]["message_id"]
        await call_api(client, fake, "editMessageText", chat_id=BOB, message_id=first_id, text="b2")
    to_anna = fake.delivered(ANNA)
    assert [c.params["text"] for c in to_anna] == ["Pick one"] * 4
    assert all(c.result["reply_markup"]["inline_keyboard"][0][0]["text"] == "A" for c in to_anna)
    assert [c.at - start for c in to_anna] == pytest.approx([0.0, 0.1, 0.6, 1.05])
    assert [c.method for c in fake.delivered(BOB)] == ["sendMessage", "editMessageText"]
    assert fake.delivered(BOB, "editmessagetext")[0].params["text"] == "b2"
    assert fake.delivered(BOB, "sendPhoto") == []

    assert fake.rate_between(start, start + 2.0) == pytest.approx(2.5)  # 5 in 2 s
    assert fake.rate_between(start + 1.0, start + 4.0, chat_id=BOB) == pytest.approx(2 / 3)
    assert fake.flood_refusals() == []
    with pytest.raises(ValueError):
        fake.rate_between(start, start)
