"""Read a folder of documents safely: bounded, inside the folder, any file name, any encoding.

`scan_folder(DIR)` walks the folder without following links out of it and yields each file as a
`Document` (title, plain text, content hash) or a `Skipped` (its name and why). A file is read in
chunks of CHUNK_BYTES and given up past MAX_DOCUMENT_BYTES, so memory stays bounded whatever
the folder holds. Only .txt, .md, .markdown, .html and .htm files are imported; a file with a NUL
byte in its first chunk is binary, whatever its name says.

Text is decoded from a byte-order mark, else the encoding an HTML page declares (`<meta
charset>`, `http-equiv`) or an XML declaration names, else UTF-8 if it is valid, else Windows-1252
(Latin-1 with the printable C1 range). An HTML page's title is its `<title>`, else its first
`<h1>`, else the file name; navigation, skip links, scripts and styles are not part of its text.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bot.text import clean_text

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
HTML_SUFFIXES = {".html", ".htm"}
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
_SNIFF_BYTES = 8192
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|"""
                       rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOILERPLATE = re.compile(r"^(skip to (the )?(main )?(content|navigation|main)|jump to (navigation|content|main)|"
                          r"menu|toggle navigation|search)$", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Document:
    """One file of the folder, as title and plain text, with the hash of its bytes."""

    path: Path
    name: str  # the path relative to the folder, printable whatever bytes the file name has
    title: str
    text: str
    content_hash: str


@dataclass(frozen=True)
class Skipped:
    """A file of the folder that is not imported, and why."""

    name: str
    reason: str


def printable_name(path: Path | str) -> str:
    """A file name as a person can read it: undecodable bytes as \\xNN, control characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)


def scan_folder(directory: Path, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[Document | Skipped]:
    """Yield each file under the folder, in name order, as a Document or a Skipped."""
    root = Path(directory).resolve()
    for path in folder_files(root):
        name = printable_name(path.relative_to(root))
        try:
            yield read_document(root, path, name, max_bytes=max_bytes)
        except OSError as exc:
            yield Skipped(name, f"cannot be read ({exc.strerror or exc})")


def folder_files(root: Path) -> list[Path]:
    """Every file name under the folder, sorted; links to folders are not followed."""
    found = []
    for current, folders, files in os.walk(root, followlinks=False):
        folders.sort()
        found.extend(Path(current) / name for name in files)
        found.extend(Path(current) / name for name in folders if os.path.islink(Path(current) / name))
    return sorted(found, key=lambda path: os.fsencode(path))


def read_document(root: Path, path: Path, name: str, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Document | Skipped:
    """Read one file of the folder, or say why it is skipped."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            return Skipped(name, "a link to outside the folder")
        if target.is_dir():
            return Skipped(name, "a link to a folder")
        path = target
    data, content_hash = _read_bounded(path, max_bytes)
    if isinstance(data, str):
        return Skipped(name, data)
    if _is_binary(data[:_SNIFF_BYTES]):
        return Skipped(name, "binary file")
    if path.suffix.lower() not in SUFFIXES:
        return Skipped(name, "not a text, Markdown or HTML file")
    text = decode(data, html=path.suffix.lower() in HTML_SUFFIXES)
    fallback = printable_name(Path(name).stem)
    if path.suffix.lower() in HTML_SUFFIXES:
        title, body = html_title_and_text(text)
    else:
        title, body = _plain_title_and_text(text)
    return Document(path, name, (title or fallback)[:300], body, content_hash)


def _read_bounded(path: Path, max_bytes: int) -> tuple[bytes | str, str]:
    """The file's bytes and their SHA-256, read in chunks, or why it is not read.

    Opened without following a link in its last part and without blocking (a FIFO never
    stalls the import), then checked to be a regular file of at most max_bytes.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file", ""
        if info.st_size > max_bytes:
            return f"{_megabytes(info.st_size)}, over the {_megabytes(max_bytes)} limit", ""
        digest = hashlib.sha256()
        chunks, total = [], 0
        while chunk := handle.read(CHUNK_BYTES):
            total += len(chunk)
            if total > max_bytes:
                return f"over the {_megabytes(max_bytes)} limit", ""
            digest.update(chunk)
            chunks.append(chunk)
    return b"".join(chunks), digest.hexdigest()


def _is_binary(head: bytes) -> bool:
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    return b"\x00" in head


def _megabytes(size: int) -> str:
    """A size as 16 MB, 2.5 MB, 4 KB or 4.9 KB."""
    unit, name = (1024 * 1024, "MB") if size >= 1024 * 1024 else (1024, "KB")
    return f"{size // unit} {name}" if size % unit == 0 else f"{size / unit:.1f} {name}"


def decode(data: bytes, *, html: bool = False) -> str:
    """Decode a document's bytes: BOM, declared charset, UTF-8, then Windows-1252 / Latin-1."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, "replace")
    declared = _DECLARED.search(data[:4096]) if html or data.startswith(b"<?xml") else None
    if declared:
        encoding = (declared.group(1) or declared.group(2)).decode("ascii")
        try:
            codecs.lookup(encoding)
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: fall back to sniffing
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _plain_title_and_text(text: str) -> tuple[str, str]:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    while lines and _BOILERPLATE.match(_HEADING.sub("", lines[0])):
        lines = lines[1:]
    if not lines:
        return "", ""
    title = clean_text(_HEADING.sub("", lines[0]))
    return title, clean_text("\n".join(_HEADING.sub("", line) for line in lines[1:]))


class _PageReader(HTMLParser):
    """The title, first h1 and visible body text of a whole HTML page."""

    _HIDDEN = {"script", "style", "noscript", "template", "svg", "nav"}
    _BLOCKS = {"p", "br", "div", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "figcaption", "section", "article", "ul", "ol", "table", "header", "footer", "main"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] | None = None
        self.heading: list[str] | None = None
        self.parts: list[str] = []
        self._hidden = 0
        self._in_title = self._in_heading = False
        self._link: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag == "title" and self.title is None and not self._hidden:
            self.title, self._in_title = [], True
        elif tag == "h1" and self.heading is None and not self._hidden:
            self.heading, self._in_heading = [], True
        elif tag == "a" and not self._hidden:
            self._link = []
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "h1":
            self._in_heading = False
        elif tag == "a" and self._link is not None:
            link_text = "".join(self._link)
            if not _BOILERPLATE.match(" ".join(link_text.split())):
                self.parts.append(link_text)
            self._link = None
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._hidden:
            return
        if self._in_title:
            self.title.append(data)
            return
        if self._in_heading:
            self.heading.append(data)
        if self._link is not None:
            self._link.append(data)
        else:
            self.parts.append(data)


def html_title_and_text(page: str) -> tuple[str, str]:
    """An HTML page's title (<title>, else the first <h1>) and its visible text."""
    reader = _PageReader()
    reader.feed(page)
    reader.close()
    candidates = ("".join(reader.title or ()), "".join(reader.heading or ()))
    title = next((clean_text(found) for found in candidates
                  if clean_text(found) and not _BOILERPLATE.match(clean_text(found))), "")
    return title, clean_text("".join(reader.parts))
