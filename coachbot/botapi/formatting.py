"""Text as Telegram shows it: HTML parsed into plain text and entities, the entities Telegram
detects by itself (urls, /commands, @mentions, #hashtags), whitespace trimmed, length limits.
Entity offsets and lengths count UTF-16 code units, as Telegram's do.

Where the fake deliberately differs it is stricter: a bare ``&`` in HTML text is an error here,
while Telegram tolerates it; text is HTML or plain (Coachbot sends nothing else).
"""

from __future__ import annotations

import re
from typing import Any

from coachbot.botapi.calls import JSON
from coachbot.botapi.errors import ApiError, bad

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024


def u16(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _entities_error(message: str) -> ApiError:
    return bad(f"can't parse entities: {message}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


_HTML_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_START_TAG_RE = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_HTML_ATTR_RE = re.compile(r"([^\s=>/\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_HTML_END_TAG_RE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_HTML_TAG_NAME_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _html_unescape(value: str) -> str:
    def repl(match: re.Match[str]) -> str:
        return _html_char(match) or match.group(0)

    return _HTML_ENTITY_RE.sub(repl, value)


def _html_char(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = match.groups()
    if name:
        return _HTML_NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-style HTML into (plain text, entities) or raise a 400 `ApiError`."""
    out: list[str] = []
    pos = 0  # UTF-16 offset in the output
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[JSON] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            decoded = _html_char(match) if match else None
            if match is None or decoded is None:
                raise _entities_error(
                    f"Unescaped '&' at byte offset {_byte_offset(text, i)}: use &amp;"
                )
            out.append(decoded)
            pos += u16(decoded)
            i = match.end()
            continue
        if char != "<":
            out.append(char)
            pos += u16(char)
            i += 1
            continue
        offset = _byte_offset(text, i)
        if text.startswith("</", i):
            end = _HTML_END_TAG_RE.match(text, i)
            if end is None:
                raise _entities_error(f"Unclosed end tag at byte offset {offset}")
            name = end.group(1).lower()
            if not stack:
                raise _entities_error(f"Unexpected end tag at byte offset {offset}")
            top_name, start, top_attrs = stack[-1]
            if top_name != name:
                raise _entities_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{top_name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            entity = _html_entity(top_name, start, pos - start, top_attrs, stack)
            if entity is not None:
                entities.append(entity)
            i = end.end()
            continue
        start_tag = _HTML_START_TAG_RE.match(text, i)
        name_match = _HTML_TAG_NAME_RE.match(text, i)
        tag_name = name_match.group(1).lower() if name_match else ""
        if tag_name not in _HTML_TAGS:
            raise _entities_error(f'Unsupported start tag "{tag_name}" at byte offset {offset}')
        if start_tag is None:
            raise _entities_error(f"Unclosed start tag at byte offset {offset}")
        attrs: dict[str, str] = {}
        for attr in _HTML_ATTR_RE.finditer(start_tag.group(2)):
            value = next((v for v in attr.groups()[1:] if v is not None), "")
            attrs[attr.group(1).lower()] = _html_unescape(value)
        if tag_name == "span" and attrs.get("class") != "tg-spoiler":
            raise _entities_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        if tag_name == "tg-emoji" and not attrs.get("emoji-id"):
            raise _entities_error(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        stack.append((tag_name, pos, attrs))
        i = start_tag.end()
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def _html_entity(
    tag: str,
    offset: int,
    length: int,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, str]]],
) -> JSON | None:
    kind = _HTML_TAGS[tag]
    if tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            stack[-1][2]["_language"] = language[len("language-") :]
            return None
    if length <= 0:
        return None
    entity: JSON = {"offset": offset, "length": length, "type": kind}
    if kind == "text_link":
        url = attrs.get("href", "")
        if not url:
            return None
        entity["url"] = url
    elif kind == "pre" and attrs.get("_language"):
        entity["language"] = attrs["_language"]
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    return entity


_AUTO_PATTERNS = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+")),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=\w*[^\W\d_])\w{1,256}")),
)
_NO_AUTO_INSIDE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})


def auto_entities(text: str, entities: list[JSON]) -> list[JSON]:
    """The entities Telegram detects by itself: urls, /commands, @mentions, #hashtags."""
    prefix = [0]
    for char in text:
        prefix.append(prefix[-1] + u16(char))
    taken = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _NO_AUTO_INSIDE
    ]
    found: list[JSON] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            begin, end = match.start(), match.end()
            if kind == "url":
                while end > begin and text[end - 1] in ".,;:!?)'":
                    end -= 1
            start16, end16 = prefix[begin], prefix[end]
            if any(start16 < b and a < end16 for a, b in taken):
                continue
            taken.append((start16, end16))
            found.append({"offset": start16, "length": end16 - start16, "type": kind})
    return found


def sort_entities(entities: list[JSON]) -> list[JSON]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace as Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    left = u16(text[: len(text) - len(text.lstrip())])
    total = u16(stripped)
    result: list[JSON] = []
    for entity in entities:
        start = max(0, entity["offset"] - left)
        end = min(entity["offset"] + entity["length"] - left, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def format_text(text: Any, parse_mode: Any, entities: Any) -> tuple[str, list[JSON]]:
    """Turn the sent text into what Telegram shows: (plain text, sorted entities)."""
    raw = "" if text is None else str(text)
    mode = str(parse_mode or "").lower()
    parsed: list[JSON]
    if mode in ("", "none"):
        plain = raw
        parsed = _check_entities(entities, u16(raw))
    elif mode == "html":
        plain, parsed = parse_html(raw)
    else:
        raise bad("unsupported parse_mode")
    plain, parsed = trim(plain, parsed)
    parsed = parsed + auto_entities(plain, parsed)
    return plain, sort_entities(parsed)


def _check_entities(entities: Any, length: int) -> list[JSON]:
    if entities is None:
        return []
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad("can't parse entities JSON object")
    result: list[JSON] = []
    for entity in entities:
        offset, size = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(size, int) or "type" not in entity:
            raise bad('can\'t parse MessageEntity: Field "type" must be of type String')
        if size > 0 and offset >= 0 and offset + size <= length:
            result.append(dict(entity))
    return result


def format_caption(params: JSON) -> JSON:
    """The content of an optional caption (in a request, or in an InputMedia)."""
    raw = params.get("caption")
    if raw is None or raw == "":
        return {}
    text, entities = format_text(raw, params.get("parse_mode"), params.get("caption_entities"))
    if u16(text) > MAX_CAPTION_LENGTH:
        raise bad("message caption is too long")
    content: JSON = {"caption": text} if text else {}
    if entities:
        content["caption_entities"] = entities
    return content
