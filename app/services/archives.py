"""Unpacking a batch upload: one ZIP becomes its files, safely.

Declared sizes are checked before reading and real sizes while reading (a bomb lies about them),
archives inside the archive are refused, and entry names are reduced to a harmless display name —
files are stored by their SHA-256, never by a name a caller chose.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from app.errors import TOO_LARGE, ProblemError

_ARCHIVE_MAGIC = (
    b"PK\x03\x04",  # zip (a DOCX is one too; told apart below)
    b"PK\x05\x06",  # empty zip
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",  # 7-Zip
    b"Rar!\x1a\x07",  # RAR
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
)
_ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz")
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db")


@dataclass
class Entry:
    name: str
    data: bytes


@dataclass(frozen=True)
class Caps:
    max_files: int
    max_file_bytes: int
    max_total_bytes: int


def safe_name(name: str | None, position: int) -> str:
    """The last path component, without control characters (NUL included), at most 255 long."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return base[:255] or f"file-{position + 1}"


def is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def is_archive(name: str, data: bytes) -> bool:
    if data[257:262] == b"ustar":
        return True
    if data.startswith(_ARCHIVE_MAGIC) or name.lower().endswith(_ARCHIVE_SUFFIXES):
        return not is_docx(data)
    return False


def _entry_name(info: zipfile.ZipInfo) -> str:
    """Chinese archives made on Windows name entries in GBK without saying so; read them right."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _invalid(detail: str) -> ProblemError:
    return ProblemError(422, "invalid_archive", detail)


def _too_large(detail: str) -> ProblemError:
    return TOO_LARGE(detail)


def unzip(data: bytes, caps: Caps) -> list[Entry]:
    """The files of a ZIP, within the caps; 4xx for anything a caller should fix."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir() and not any(j in i.filename for j in _JUNK)]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _invalid("压缩包已损坏或不是 ZIP 格式") from None
    if not infos:
        raise ProblemError(422, "empty_batch", "压缩包中没有文件")
    if len(infos) > caps.max_files:
        raise _too_large(f"压缩包中有 {len(infos)} 个文件，超过每批 {caps.max_files} 个的上限")
    if sum(i.file_size for i in infos) > caps.max_total_bytes:
        raise _too_large(f"压缩包解压后超过 {caps.max_total_bytes // (1024 * 1024)} MB 的上限")
    entries, total = [], 0
    for position, info in enumerate(infos):
        name = safe_name(_entry_name(info), position)
        if info.flag_bits & 0x1:
            raise ProblemError(422, "encrypted_archive", "压缩包已加密，请上传未加密的 ZIP")
        if info.file_size > caps.max_file_bytes:
            raise _too_large(
                f"压缩包中的 {name} 超过单个文件 {caps.max_file_bytes // (1024 * 1024)} MB 的上限"
            )
        content = _read_bounded(archive, info, name)
        total += len(content)
        if total > caps.max_total_bytes:
            raise _too_large(f"压缩包解压后超过 {caps.max_total_bytes // (1024 * 1024)} MB 的上限")
        if is_archive(name, content):
            raise ProblemError(422, "nested_archive", f"压缩包中不能再含压缩包（{name}），请解开后上传")
        entries.append(Entry(name, content))
    return entries


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """Never more than the declared size plus one byte: a lying header is caught, not obeyed."""
    try:
        with archive.open(info) as handle:
            content = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        raise _invalid(f"压缩包中的 {name} 无法解压") from None
    if len(content) != info.file_size:
        raise _invalid(f"压缩包中的 {name} 实际大小与声明不符")
    return content
