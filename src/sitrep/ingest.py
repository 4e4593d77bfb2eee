"""Ingestion stage: files and folders -> `RawArticle`s, or one clear `InputProblem` per bad input.

Formats are told by content first and extension second, so a saved page named `.txt` is
still read as HTML and a PNG named `.txt` is refused as binary.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from .document import RawArticle
from .errors import InputProblem
from .readers import read_feed, read_html, read_json, read_jsonl, read_txt
from .settings import Settings

# Leading bytes of common binary formats, so the message can say what the file is.
MAGIC = [
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"), (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX)"),
    (b"\x7fELF", "executable"), (b"RIFF", "RIFF media file"), (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ", "xz archive"), (b"7z\xbc\xaf", "7z archive"), (b"SQLite format 3", "SQLite database"),
    (b"\x00\x00\x00", "binary data"), (b"ID3", "MP3 audio"), (b"OggS", "Ogg media"),
]
_TAG = re.compile(r"<[^<>]{0,500}>")
_NOT_TEXT = re.compile(r"<(script|style|template|svg|noscript)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_DECLARED_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


@dataclass
class InputFile:
    path: Path
    name: str       # the name that tells the format: without a trailing .gz
    data: bytes


def find_files(paths: list[Path], settings: Settings, exclude: tuple[Path, ...] = ()) -> Iterator[Path | InputProblem]:
    """Every file under the given paths, in a stable order; missing paths are problems.

    Hidden files and anything under `exclude` (the run's own output folder) are passed over."""
    excluded = tuple(p.resolve() for p in exclude)
    for path in paths:
        if path.is_dir():
            # Every file is tried, whatever its name: a stray PNG is named as a problem, not ignored.
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if not any(child.resolve().is_relative_to(e) for e in excluded):
                    yield child
        elif path.is_file():
            yield path
        else:
            yield InputProblem(str(path), "no such file or folder")


def read_file(path: Path, settings: Settings) -> InputFile:
    """The file's bytes, gunzipped, with size and binary checks."""
    size = path.stat().st_size
    if size > settings.max_bytes:
        raise InputProblem(str(path), f"file too large ({size:,} bytes; the limit is {settings.max_bytes:,})")
    data = path.read_bytes()
    name = path.name
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(path, data, settings.max_bytes)
        name = name[:-3] if name.lower().endswith(".gz") else name
    if not data.strip():
        raise InputProblem(str(path), "empty file")
    return InputFile(path, name, data)


def _gunzip(path: Path, data: bytes, limit: int) -> bytes:
    # Decompress in bounded steps so a small archive cannot expand without limit.
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as e:
        raise InputProblem(str(path), f"broken gzip data ({e})") from None
    if len(out) > limit:
        raise InputProblem(str(path), f"gzip content larger than the limit of {limit:,} bytes")
    if not decompressor.eof:
        raise InputProblem(str(path), "truncated gzip data")
    return out


def decode(data: bytes, path: str) -> str:
    """Bytes -> text: UTF-8 first, then the declared charset, then a detected one."""
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise InputProblem(path, f"binary file ({what}), not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _readable(data.decode("utf-16"), path)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise InputProblem(path, "binary file (contains NUL bytes), not text")
    try:
        return _readable(data.decode("utf-8-sig"), path)
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_CHARSET.search(data[:2048])
    if declared:
        try:
            return _readable(data.decode(declared.group(1).decode("ascii")), path)
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data).best()
    if best is None:
        raise InputProblem(path, "undecodable bytes: not UTF-8, and no other encoding fits")
    return _readable(str(best), path, f" (decoded as {best.encoding})")


def _readable(text: str, path: str, how: str = "") -> str:
    """The text itself, or a problem when it is not language (garbage bytes decoded anyway)."""
    # Markup is judged by its visible text: scripts, styles and comments are not words.
    words = _TAG.sub(" ", _NOT_TEXT.sub(" ", text)).split()
    if not words:
        if _TAG.search(text):
            return text
        if how:
            raise InputProblem(path, f"unreadable text: not UTF-8, and no encoding gives readable text{how}")
        raise InputProblem(path, "no text, only white space")
    # (counted in C where it can be: this runs on every input, known ones too)
    wordlike = sum(1 for w in words if w.isalpha() or sum(map(str.isalpha, w)) >= max(1, len(w) // 2))
    joined = "".join(words)
    chars = Counter(joined)
    top_share = max(chars.values()) / len(joined)
    if (len(words) >= 3 and wordlike / len(words) < 0.5) or (len(joined) > 50 and top_share > 0.4) \
            or len(joined) / len(words) > 40:
        raise InputProblem(path, f"unreadable text: garbage bytes or a broken encoding{how}")
    return text


def sniff_format(name: str, text: str) -> str:
    """txt | html | json | jsonl | feed, from the content, with the extension as a tie-breaker."""
    head = text.lstrip()[:2000].lower()
    ext = Path(name.lower()).suffix
    if head.startswith(("{", "[")):
        if ext in (".jsonl", ".ndjson"):
            return "jsonl"
        first_line = text.lstrip().split("\n", 1)[0].strip()
        if ext != ".json" and first_line.startswith("{") and first_line.endswith("}") and "\n{" in text.strip():
            return "jsonl"
        return "json" if ext != ".jsonl" else "jsonl"
    if re.search(r"<(rss|feed|rdf:rdf)[\s>]", head):
        return "feed"
    if re.search(r"<(!doctype html|html)[\s>]", head) or ext in (".html", ".htm") \
            or (head.startswith("<") and re.match(r"<(head|body|article|div|p|meta|title)[\s>]", head)):
        return "html"
    return "txt"


READERS = {"txt": read_txt, "html": read_html, "json": read_json, "jsonl": read_jsonl, "feed": read_feed}


def read_one(path: Path, settings: Settings, known: Callable[[str], bool] | None = None) \
        -> Iterator[RawArticle | InputProblem]:
    """The articles in one file, or the problem that stops it being read.

    `known(raw_hash)`: true for a page already stored; its main text is then not extracted again
    (trafilatura is the costly part of reading) and the article comes with its page alone."""
    try:
        file = read_file(path, settings)
        text = decode(file.data, str(path))
        fmt = sniff_format(file.name, text)
        if known is not None and fmt != "txt":
            yield from READERS[fmt](str(path), text, known=known)
        else:
            yield from READERS[fmt](str(path), text)
    except InputProblem as problem:
        yield problem
    except OSError as e:
        yield InputProblem(str(path), f"cannot read: {e.strerror or e}")


def read_articles(paths: list[Path], settings: Settings) -> Iterator[RawArticle | InputProblem]:
    """All articles in the given files and folders, and a problem for each input that fails."""
    for item in find_files(paths, settings):
        if isinstance(item, InputProblem):
            yield item
        else:
            yield from read_one(item, settings)
