"""Images and files: the sizes of PNGs and GIFs, `make_png` for tests, and `FileStore`, the
files Telegram keeps for the bot (what the bot sent, and the users' photos and stickers).

Where the fake deliberately differs it is stricter: photos are PNG and animations GIF (the
only images Coachbot draws). A file goes up as an upload or as the file_id of a file the bot
sent before (a file_id of another kind, or one the fake never gave, is refused as Telegram
refuses it); URLs are not fetched.
"""

from __future__ import annotations

import copy
import mimetypes
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from coachbot.botapi.calls import JSON, UploadedFile
from coachbot.botapi.errors import WRONG_FILE, ApiError, bad

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def make_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG of the given size (use as photo bytes in tests)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG image; None if it is not one (Coachbot sends only PNGs)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR" or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    if width <= 0 or height <= 0:
        return None
    return width, height


def gif_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a GIF image; None if it is not one."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return (width, height) if width and height else None


def photo_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram keeps of a photo: thumbnails up to 1280 px and the original (≤2560)."""
    longest = max(width, height)
    sizes: list[tuple[int, int]] = []
    for cap in (90, 320, 800, 1280, 2560):
        if longest > cap:
            scale = cap / longest
            sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
        if longest <= cap:
            sizes.append((width, height))
            break
    return sizes


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    sizes: list[JSON] = field(default_factory=list)  # for photos: the PhotoSize list
    kind: str = "document"  # "photo", "animation", "document", "sticker"
    api: JSON = field(default_factory=dict)  # for animations: the Animation object

    @property
    def file_size(self) -> int:
        return len(self.data)


class FileStore:
    """The files Telegram keeps for the bot, each under every id it has (a photo has one per
    size, and any of them sends the photo again)."""

    def __init__(self, bot_id: int) -> None:
        self._bot_id = bot_id
        self._by_id: dict[str, StoredFile] = {}
        self._next = 0

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def clear(self) -> None:
        self._by_id.clear()

    def new_file(self, data: bytes, kind: str) -> StoredFile:
        self._next += 1
        number = self._next
        prefix = {"photo": "AgACAgIAAxk", "sticker": "CAACAgIAAxk", "animation": "CgACAgIAAxk"}
        file = StoredFile(
            file_id=f"{prefix.get(kind, 'BQACAgIAAxk')}BAA{number:08d}fakeFileId{self._bot_id}",
            file_unique_id=f"AgAD{number:06d}",
            data=data,
            kind=kind,
        )
        self._by_id[file.file_id] = file
        return file

    def known_file(self, file_id: str, kind: str) -> StoredFile:
        """A file the bot sent before, named by its file_id, to send again as `kind`."""
        file = self._by_id.get(file_id)
        if file is None:
            raise ApiError(400, WRONG_FILE)
        if file.kind != kind:
            raise bad(f"can't use file of type {file.kind.title()} as {kind.title()}")
        return file

    def animation_file(self, upload: UploadedFile) -> StoredFile:
        """An uploaded GIF, kept as Telegram keeps one: an MPEG-4 animation."""
        if not upload.data:
            raise bad("file must be non-empty")
        if len(upload.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        size = gif_size(upload.data)
        if size is None:
            raise bad("wrong file type: the fake takes animations as GIF")
        file = self.new_file(upload.data, "animation")
        width, height = size
        name = upload.filename or "animation.gif"
        file.api = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "width": width,
            "height": height,
            "duration": 1,
            "file_name": f"{name}.mp4",
            "mime_type": "video/mp4",
            "file_size": file.file_size,
        }
        return file

    def document_file(self, upload: UploadedFile) -> StoredFile:
        """An uploaded document, with the Document object a message shows."""
        if not upload.data:
            raise bad("file must be non-empty")
        if len(upload.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        name = upload.filename or "document"
        file = self.new_file(upload.data, "document")
        guessed = mimetypes.guess_type(name)[0]
        file.api = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_name": name,
            "mime_type": guessed or upload.content_type or "application/octet-stream",
            "file_size": file.file_size,
        }
        return file

    def media_file(self, value: Any, kind: str) -> StoredFile:
        """The photo or animation a request names: an upload, or a file_id sent before."""
        if value is None or value == "":
            raise bad(f"there is no {kind} in the request")
        if isinstance(value, str):
            return self.known_file(value, kind)
        if not isinstance(value, UploadedFile):
            raise ApiError(400, WRONG_FILE)
        if kind == "animation":
            return self.animation_file(value)
        if len(value.data) > 10 * 1024 * 1024:
            raise bad("PHOTO_SAVE_FILE_INVALID")
        return self.photo_file(value.data)

    def photo_file(self, data: bytes) -> StoredFile:
        if not data:
            raise bad("file must be non-empty")
        size = image_size(data)
        if size is None:
            raise bad("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad("PHOTO_INVALID_DIMENSIONS")
        main = self.new_file(data, "photo")
        for w, h in photo_dimensions(width, height):
            same = (w, h) == (width, height)
            file = main if same else self.new_file(data, "photo")
            self._by_id[file.file_id] = main  # any size's id sends the photo again
            main.sizes.append(
                {
                    "file_id": file.file_id,
                    "file_unique_id": file.file_unique_id,
                    "file_size": len(data)
                    if same
                    else max(1, len(data) * w * h // (width * height)),
                    "width": w,
                    "height": h,
                }
            )
        return main


def media_content(file: StoredFile) -> tuple[JSON, JSON]:
    """A message's content and extras for a photo or an animation; the kinds it does
    not have are None (so an edit removes them)."""
    if file.kind == "animation":
        animation = copy.deepcopy(file.api)
        # For backward compatibility Telegram sets `document` along with `animation`.
        document = {k: v for k, v in animation.items() if k not in ("width", "height")}
        content: JSON = {"animation": animation, "document": document, "photo": None}
        return content, {"animation_bytes": file.data}
    content = {"photo": copy.deepcopy(file.sizes), "animation": None, "document": None}
    return content, {"photo_bytes": file.data}


def uploaded_file(params: JSON, key: str) -> UploadedFile:
    """The file uploaded as `key` (Coachbot uploads every file; it never sends a file_id or URL)."""
    upload = params.get(key)
    if upload is None or upload == "":
        raise bad(f"there is no {key} in the request")
    if not isinstance(upload, UploadedFile):
        raise bad("wrong file identifier/HTTP URL specified")
    return upload
