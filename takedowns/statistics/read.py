"""Read released dataset files as streams of Arrow record batches of text columns.

Two readers share one set of row rules (the role's ``rules``):
- the fast reader (Arrow's streaming CSV parser, only the needed columns), used first;
- the careful reader (Python's csv module, row by row, knows line numbers), used to
  say exactly which line is wrong when the fast one fails, and to skip bad rows
  when the build was told to.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..content.model import DatasetFile
from ..errors import DataError, Problem
from ..files import MAX_CSV_FIELD, open_source
from ..formats import Role, Rule

BLOCK = MAX_CSV_FIELD  # bytes per Arrow block: large enough to amortise, small enough to bound memory
# One limit for both readers: Arrow's parser needs a row to fit in a block, so the careful
# reader accepts fields up to the same size (Python's csv module stops at 128 KiB by default).
MAX_FIELD = BLOCK
csv.field_size_limit(MAX_FIELD)
BATCH_ROWS = 50_000  # rows per batch from the careful reader
MAX_RATIO = 200  # compressed files that expand more than this are refused as bombs
MAX_PROBLEMS = 20  # lines listed per file before "and N more"

def _real_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


class NotClean(Exception):
    """The fast reader met something only the careful reader can locate or skip."""


@dataclass
class Skipped:
    """Rows the careful reader left out, by reason, with their first line numbers."""

    rows: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)

    def add(self, line: int, reason: str) -> None:
        self.rows += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(line)


class _Guard(io.RawIOBase):
    """A byte stream that refuses NUL bytes and bomb-like expansion, and counts progress."""

    def __init__(self, inner: BinaryIO, name: str, compressed: Callable[[], int] | None,
                 on_bytes: Callable[[int], None] | None, nul_ok: bool) -> None:
        self.inner, self.name, self.compressed, self.on_bytes = inner, name, compressed, on_bytes
        self.nul_ok = nul_ok
        self.carry = b""  # the start of a character split across two reads
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        try:
            data = self.inner.read(len(buffer))
        except (EOFError, OSError, zlib.error, zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
            raise DataError(Problem(self.name, message=f"is truncated or corrupt: {_reason(exc)}")) from None
        n = len(data)
        buffer[:n] = data
        if not self.nul_ok:
            # The fast reader converts only the columns it needs, so it would not notice
            # bad bytes elsewhere; check every byte here, and let the careful reader name the line.
            if b"\x00" in data:
                raise NotClean()
            cut = _whole_characters(data) if data else 0
            if not _valid_utf8(self.carry + data[:cut]) or (not data and self.carry):
                raise NotClean()
            self.carry = data[cut:]
        self.total += n
        if self.compressed is not None and self.total > (64 << 20):
            packed = max(self.compressed(), 1)
            if self.total / packed > MAX_RATIO:
                raise DataError(Problem(self.name, message=f"expands more than {MAX_RATIO}x when decompressed; refused as a possible zip bomb"))
        if self.on_bytes:
            self.on_bytes(n)
        return n


class _Pinned(io.RawIOBase):
    """The raw bytes of a dataset file, hashed as they are read: at their end they must be the bytes the build
    loaded (and checked against the file's ``sha256:`` pin), or nothing read from them is counted or cached."""

    def __init__(self, inner: BinaryIO, name: str, sha256: str) -> None:
        self.inner, self.name, self.want = inner, name, sha256
        self.digest = hashlib.sha256()
        self.ended = False

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self.digest.update(data)
        elif len(buffer) and not self.ended:
            self.ended = True
            changed(self.name, self.digest.hexdigest(), self.want)
        return n


def changed(name: str, got: str, want: str) -> None:
    """Refuse a file whose bytes are not the ones the build loaded (replaced or rewritten while it ran)."""
    if want and got != want:
        raise DataError(Problem(name, message=f"changed while this build read it (its SHA-256 is now {got[:12]}…, it was {want[:12]}… when "
                                              "the build loaded it); nothing of it was counted, cached or published: build again"))


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, EOFError):
        return f"the compressed data ends too early ({text})"
    return text


def _whole_characters(data: bytes) -> int:
    """Return how many leading bytes of ``data`` hold whole UTF-8 characters."""
    n = len(data)
    for back in range(1, min(4, n) + 1):
        byte = data[n - back]
        if byte < 0x80:
            return n
        if byte >= 0xC0:  # the lead byte of the last character
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return n if need <= back else n - back
    return n


def _valid_utf8(data: bytes) -> bool:
    try:
        pa.array([data], pa.binary()).cast(pa.string())  # Arrow's validation: fast, vectorised
    except pa.ArrowInvalid:
        return False
    return True


@contextmanager
def open_bytes(file: DatasetFile, on_bytes: Callable[[int], None] | None = None, nul_ok: bool = True) -> Iterator[BinaryIO]:
    """Open a .csv, .csv.gz or .zip dataset file as a stream of CSV bytes."""
    name = file.relpath
    lower = name.lower()
    with open_source(file.path) as raw:
        if lower.endswith(".zip"):
            # A zip is read out of order (its index is at the end): hash it whole first, from the same open file.
            digest = hashlib.sha256()
            for chunk in iter(lambda: raw.read(1 << 20), b""):
                digest.update(chunk)
            changed(name, digest.hexdigest(), file.sha256)
            raw.seek(0)
            try:
                archive = zipfile.ZipFile(raw)
            except zipfile.BadZipFile:
                raise DataError(Problem(name, message="is not a readable zip archive")) from None
            member = _zip_member(archive, name)
            try:
                opened = archive.open(member)
            except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, OSError) as exc:
                # encrypted members, compression methods Python cannot read (Deflate64), damaged headers
                why = ("it is encrypted; give the file unencrypted" if member.flag_bits & 0x1 else
                       f"its compression method ({member.compress_type}) is not one this reader knows (Deflate64?); repack it with Deflate"
                       if isinstance(exc, NotImplementedError) else _reason(exc))
                raise DataError(Problem(name, message=f"zip member {member.filename!r} cannot be read: {why}")) from None
            with opened as inner:
                # zipfile itself stops at the declared size, checked above, and checks the CRC
                yield io.BufferedReader(_Guard(inner, name, None, on_bytes, nul_ok), BLOCK)  # type: ignore[arg-type]
        elif lower.endswith(".gz"):
            pinned = _Pinned(raw, name, file.sha256)
            with gzip.GzipFile(fileobj=pinned) as inner:  # type: ignore[arg-type]
                yield io.BufferedReader(_Guard(inner, name, pinned.tell, on_bytes, nul_ok), BLOCK)  # type: ignore[arg-type]
        else:
            yield io.BufferedReader(_Guard(_Pinned(raw, name, file.sha256), name, None, on_bytes, nul_ok), BLOCK)  # type: ignore[arg-type]


def _zip_member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    """Return the one CSV in a release zip, refusing anything that could escape or explode."""
    members = [m for m in archive.infolist() if not m.is_dir()]
    for m in members:
        parts = m.filename.replace("\\", "/").split("/")
        if m.filename.startswith(("/", "\\")) or ".." in parts:
            raise DataError(Problem(name, message=f"zip member {m.filename!r} has an unsafe path; refused"))
        if stat.S_ISLNK(m.external_attr >> 16):
            raise DataError(Problem(name, message=f"zip member {m.filename!r} is a symbolic link; refused"))
    csvs = [m for m in members if m.filename.lower().endswith(".csv") and not m.filename.startswith("__MACOSX/")]
    if len(csvs) != 1:
        raise DataError(Problem(name, message=f"a release zip must hold exactly one .csv file; this one holds {len(csvs)}"))
    member = csvs[0]
    if member.compress_size and member.file_size / member.compress_size > MAX_RATIO:
        raise DataError(Problem(name, message=f"zip member declares {member.file_size:,} bytes from {member.compress_size:,}; refused as a possible zip bomb"))
    return member


def read_whole(file: DatasetFile, limit: int) -> bytes:
    """Return a whole (decompressed) dataset file, refusing one larger than ``limit`` bytes."""
    with open_bytes(file) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise DataError(Problem(file.relpath, message=f"is larger than {limit >> 20} MiB; this format reads its files whole"))
    return data


def header(file: DatasetFile) -> list[str]:
    """Return the column names of a dataset file."""
    with open_bytes(file) as stream:
        line = stream.readline(1 << 20).decode("utf-8-sig", errors="replace")
    try:
        return next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return []


def check_header(file: DatasetFile, role: Role, names: list[str]) -> None:
    missing = [c for c in role.required if c not in names]
    if missing:
        shown = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "") if names else "nothing"
        raise DataError(Problem(file.relpath, 1, 0,
                                f"header lacks {', '.join(missing)} needed for a {role.name} file; it has: {shown}"))


def follows_rules(batch: pa.RecordBatch, rules: Mapping[str, Rule]) -> bool:
    """Return whether every value in ``batch`` looks as ``rules`` say (real dates and times, flags, counts)."""
    names = batch.schema.names
    for column, rule in rules.items():
        if column not in names or batch.num_rows == 0:
            continue
        values = batch.column(column)
        if pc.all(pc.match_substring_regex(values, f"^(?:{rule.pattern})$")).as_py() is False:
            return False
        if rule.dated:
            # The pattern admits 30 February; a real day parses to the same day of the month.
            parsed = pc.strptime(pc.utf8_slice_codeunits(values, 0, 10), format="%Y-%m-%d", unit="s")
            written = pc.cast(pc.utf8_slice_codeunits(values, 8, 10), pa.int64())
            if not pc.all(pc.equal(pc.day(parsed), written)).as_py():
                return False
    return True


def locate_problems(file: DatasetFile, role: Role) -> DataError:
    """Return the error naming the bad lines of a file the fast reader refused."""
    try:
        list(careful_batches(file, role, skip_bad=False))
    except DataError as exc:
        return exc
    return DataError(Problem(file.relpath, message=f"could not be parsed as CSV (is a row longer than {MAX_FIELD >> 20} MiB? that is the most one row may hold)"))


def fast_batches(file: DatasetFile, role: Role, on_bytes: Callable[[int], None] | None = None,
                 check_rules: bool = True, diagnose: bool = True) -> Iterator[pa.RecordBatch]:
    """Yield batches of the needed columns with Arrow; raise DataError with line numbers if a row is bad.

    With ``check_rules=False`` the caller checks ``follows_rules`` itself (on another thread);
    with ``diagnose=False`` a bad file raises ``NotClean`` at once, without the careful pass
    that names its lines (for a caller that will skip bad rows anyway).
    """
    check_header(file, role, header(file))
    columns = list(role.required)
    try:
        with open_bytes(file, on_bytes, nul_ok=False) as stream:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(block_size=BLOCK, use_threads=True),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=columns, column_types={c: pa.string() for c in columns},
                    strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
            for batch in reader:
                if check_rules and not follows_rules(batch, role.rules):
                    raise NotClean()
                yield batch
    except (pa.ArrowInvalid, NotClean):
        if not diagnose:
            raise NotClean() from None
        # The fast reader cannot say where; the careful one can.
        raise locate_problems(file, role) from None


def careful_batches(file: DatasetFile, role: Role, skip_bad: bool, skipped: Skipped | None = None,
                    on_bytes: Callable[[int], None] | None = None) -> Iterator[pa.RecordBatch]:
    """Yield batches row by row with Python's csv module, reporting or skipping bad rows by line."""
    columns = list(role.required)
    problems: list[Problem] = []
    skipped = skipped if skipped is not None else Skipped()
    with open_bytes(file, on_bytes) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(text, strict=True)
        names = next(reader, [])
        check_header(file, role, names)
        index = [names.index(c) for c in columns]
        rules = [(re.compile(role.rules[c].pattern) if c in role.rules else None, role.rules.get(c)) for c in columns]
        width = len(names)
        buffer: list[list[str]] = [[] for _ in columns]
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problem = f"malformed CSV ({exc})"
                row = None
            line = reader.line_num
            if row is not None:
                problem = _row_problem(row, width, index, rules, columns)
            if problem:
                if skip_bad:
                    skipped.add(start, problem.split(" (")[0] if problem.startswith("malformed") else problem)
                    continue
                problems.append(Problem(file.relpath, start, 0, problem))
                if len(problems) >= MAX_PROBLEMS:
                    break
                continue
            for values, i in zip(buffer, index, strict=True):
                values.append(row[i])  # type: ignore[index]
            if len(buffer[0]) >= BATCH_ROWS and not problems:
                yield pa.RecordBatch.from_arrays([pa.array(v, pa.string()) for v in buffer], columns)
                buffer = [[] for _ in columns]
    if problems:
        more = "" if len(problems) < MAX_PROBLEMS else f" (stopped after {MAX_PROBLEMS} bad rows)"
        problems[-1] = Problem(problems[-1].file, problems[-1].line, 0, problems[-1].message + more)
        raise DataError(problems + [Problem(file.relpath, 0, 0, "bad rows stop the build; --skip-bad-rows leaves them out and says so on the page")])
    if buffer[0]:
        yield pa.RecordBatch.from_arrays([pa.array(v, pa.string()) for v in buffer], columns)


def lines_of(file: DatasetFile, column: str, wanted: set[str]) -> dict[str, list[int]]:
    """Return the line numbers (where each record starts) of rows whose ``column`` is one of ``wanted``."""
    found: dict[str, list[int]] = {}
    with open_bytes(file) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(text)
        names = next(reader, [])
        if column not in names:
            return found
        index = names.index(column)
        line = reader.line_num
        for row in reader:
            if len(row) > index and row[index] in wanted:
                found.setdefault(row[index], []).append(line + 1)
            line = reader.line_num
    return found


def _row_problem(row: list[str], width: int, index: list[int], rules: list[tuple[re.Pattern[str] | None, Rule | None]],
                 columns: list[str]) -> str | None:
    if len(row) != width:
        return f"{'too many' if len(row) > width else 'too few'} fields ({len(row)} instead of {width})"
    for field_text in row:
        if "\x00" in field_text:
            return "NUL byte in a field"
        if _has_surrogate(field_text):
            return "invalid UTF-8"
    for i, (pattern, rule), name in zip(index, rules, columns, strict=True):
        if pattern is not None and rule is not None and (not pattern.fullmatch(row[i]) or (rule.dated and not _real_day(row[i]))):
            shown = row[i][:40]
            return f"{name} is {shown!r}, expected {rule.help}"
    return None


_SURROGATE = re.compile("[\udc80-\udcff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None

