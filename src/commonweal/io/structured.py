"""The one safe way into Commonweal for structured input: text, YAML, JSON, CSV and XLSX, from bytes.

Every reader of Commonweal's own layouts (tender folders, contracts, social value, accounts) and every web upload
comes through here, so hostile input meets the same bounds everywhere: a size cap before anything is decoded, one
encoding chosen from the whole file, YAML without anchors, aliases or duplicate keys and with exact decimals, JSON
and YAML nesting bounded, XLSX checked as a zip (members, sizes, compression ratio) before a workbook parser sees
it, CSV rows with the header's field count. Each problem is an `InputError` naming the file and line or row.

Readers take `(name, bytes)`, so an upload is read from memory; `read_bytes` is the thin path-taking step the CLI
uses, refusing anything that is not a regular file (`/dev/zero`) and anything larger than the cap before reading.
Files named inside an input resolve only inside the input's folder or a configured allow-list (`Folder.resolve`).

The limits are Commonweal defaults (docs/input-limits.md), each overridable by an environment variable.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

import ijson
import yaml

from commonweal.io.errors import InputError, Problem

ENV_PREFIX = "COMMONWEAL_INPUT_"
ALLOWED_DIRS_ENV = "COMMONWEAL_INPUT_ALLOWED_DIRS"


@dataclass(frozen=True)
class Limits:
    """Bounds on one input file. Every figure is a Commonweal default, set by `COMMONWEAL_INPUT_<NAME>` (e.g.
    `COMMONWEAL_INPUT_MAX_BYTES=50000000`); see docs/input-limits.md for why each is where it is."""

    max_bytes: int = 20_000_000  # one file, as stored (compressed for XLSX)
    max_depth: int = 64  # YAML/JSON nesting; Commonweal's deepest layout nests 5 levels
    max_nodes: int = 200_000  # YAML values in one document
    max_rows: int = 100_000  # table rows, header included (spend workbooks: EXCEL_MAX_ROWS)
    max_sensitivity_samples: int = 100_000  # tender.yaml sensitivity.samples (Monte Carlo draws)
    max_columns: int = 200
    max_cells: int = 2_000_000  # filled cells in one table of ours (rows x columns), bounding the memory it takes
    max_cell_chars: int = 32_767  # Excel's own limit on the characters in one cell
    max_number_digits: int = 20  # significant digits of one number: 10^20 exceeds any sum a council handles
    max_decimal_places: int = 6  # our layouts use at most 4 (pence, fractions, indices); more is float noise
    max_zip_members: int = 1_000
    max_unzipped_bytes: int = 200_000_000  # all members of an XLSX together, uncompressed
    max_member_bytes: int = 100_000_000  # one member of an XLSX, uncompressed
    max_compression_ratio: int = 200  # uncompressed / compressed, per member; real workbooks stay well below 100
    # (the problems listed for one input are capped by commonweal.io.errors, COMMONWEAL_INPUT_MAX_PROBLEMS)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for spec in fields(cls):
            text = environ.get(ENV_PREFIX + spec.name.upper())
            if text is not None:
                if not text.strip().isdigit() or int(text) < 1:
                    raise ValueError(f"{ENV_PREFIX}{spec.name.upper()} must be a whole number of 1 or more")
                values[spec.name] = int(text)
        return cls(**values)


EXCEL_MAX_ROWS = 1_048_576  # Excel's own sheet limit: the row bound for published spend workbooks


def limits(**overrides: int) -> Limits:
    """The limits in force: the Commonweal defaults with any environment overrides, then `overrides`."""
    return replace(Limits.from_env(), **overrides)


def fail(name: str, message: str, row: int | None = None, column: str | None = None) -> InputError:
    """An InputError with one problem, to `raise`."""
    return InputError([Problem(name, message, row=row, column=column)])


# --- files and paths -------------------------------------------------------------------------------------------


def read_bytes(path: Path, name: str | None = None, bounds: Limits | None = None) -> bytes:
    """The bytes of a regular file, refused (InputError) when missing, not a regular file, or over the size cap;
    the cap is checked before reading and again while reading, so a growing or special file cannot run away."""
    bounds = bounds or limits()
    label = name or path.name
    try:
        if not path.is_file():
            raise fail(label, "does not exist" if not path.exists() else "is not a regular file")
        with path.open("rb") as handle:
            data = handle.read(bounds.max_bytes + 1)
    except OSError as exc:
        raise fail(label, f"cannot be read: {exc.strerror or exc}") from exc
    if len(data) > bounds.max_bytes:
        raise fail(label, f"is larger than {bounds.max_bytes:,} bytes (Commonweal default limit "
                          f"{ENV_PREFIX}MAX_BYTES)")
    return data


def allowed_dirs() -> tuple[Path, ...]:
    """Folders outside an input's own folder that files named inside inputs may come from
    (`COMMONWEAL_INPUT_ALLOWED_DIRS`, separated like PATH); none by default."""
    text = os.environ.get(ALLOWED_DIRS_ENV, "")
    return tuple(Path(p).resolve() for p in text.split(os.pathsep) if p.strip())


@dataclass(frozen=True)
class Folder:
    """The files of one input folder by name: on disk (`root`) or uploaded into memory (`files`).

    A file named inside an input (`library: {file: ...}`, `supplier_accounts: {file: ...}`) is found with
    `resolve`: only inside `root` (or a folder in `COMMONWEAL_INPUT_ALLOWED_DIRS`), never an absolute path into
    the server, and an uploaded folder names no files outside itself at all."""

    label: str
    root: Path | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, source: Path | Folder) -> Folder:
        return source if isinstance(source, Folder) else cls(label=str(source), root=source)

    @property
    def path(self) -> Path:
        """Where the folder is on disk, or its label for an upload (used only in messages and reports)."""
        return self.root if self.root is not None else Path(self.label)

    def exists(self, name: str) -> bool:
        if self.root is None:
            return name in self.files
        return (self.root / name).is_file()

    def read(self, name: str, label: str | None = None) -> bytes:
        if self.root is None:
            if name not in self.files:
                raise fail(label or name, "is missing")
            data = self.files[name]
            cap = limits().max_bytes
            if len(data) > cap:
                raise fail(label or name, f"is larger than {cap:,} bytes (Commonweal default limit "
                                          f"{ENV_PREFIX}MAX_BYTES)")
            return data
        return read_bytes(self.root / name, label or name)

    def find_table(self, stem: str) -> str | None:
        """The name of `stem.csv` or `stem.xlsx`; both present is ambiguous and refused."""
        found = [f"{stem}{suffix}" for suffix in TABLE_SUFFIXES if self.exists(f"{stem}{suffix}")]
        if len(found) > 1:
            raise fail(found[0], f"both {found[0]} and {found[1]} exist; keep only one")
        return found[0] if found else None

    def resolve(self, named: str, file: str, column: str, base: Path | None = None, directory: bool = False
                ) -> Path:
        """The path of a file (or with `directory`, a folder) named inside an input (`file`, key `column`),
        relative to `base` (default: this folder) and confined to this folder or the allow-list; InputError
        otherwise: an absolute path elsewhere (`/etc/passwd`), `../..` out of the folder, a device (`/dev/zero`)."""
        if self.root is None:
            raise fail(file, f"names the file {named!r}; an uploaded input cannot refer to files on the server "
                             "(upload the file itself, or use the open library)", column=column)
        text = str(named)
        if not text.strip() or "\x00" in text:
            raise fail(file, "expected a file name", column=column)
        try:
            target = ((base or self.root) / text).resolve()  # an absolute `text` replaces the base
            roots = (self.root.resolve(), *allowed_dirs())
            found = target.is_dir() if directory else target.is_file()
        except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop...
            raise fail(file, f"names {text[:100]!r}, which cannot be opened: {exc}", column=column) from exc
        if not any(target == r or r in target.parents for r in roots):
            raise fail(file, f"names {text!r}, which is outside the input's folder {self.root}; files named inside "
                             f"an input must be in its folder (or a folder listed in {ALLOWED_DIRS_ENV})",
                       column=column)
        if not found:
            kind = "folder" if directory else "file"
            raise fail(file, f"names {text!r}, which is not a {kind} in {self.root}", column=column)
        return target


# --- text ------------------------------------------------------------------------------------------------------

# Bytes Windows-1252 leaves undefined: a file holding one is not Windows-1252 either.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def decode_text(name: str, data: bytes) -> str:
    """Decode a whole text file as ONE encoding chosen from all of it: UTF-8 (with or without BOM), UTF-16 with a
    BOM, or Windows-1252 when no byte sequence in the file is UTF-8 beyond ASCII (an old Excel export). A file that
    mixes valid UTF-8 with bytes UTF-8 cannot hold (one Windows-1252 byte in a UTF-8 file) is refused naming the
    line, never decoded wholesale in the wrong encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise fail(name, f"starts with a UTF-16 byte order mark but is not UTF-16: {exc.reason}") from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = _legacy_or_refuse(name, data, exc)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise fail(name, "holds a NUL byte: it is a binary file, not text", row=line)
    return text


def _legacy_or_refuse(name: str, data: bytes, error: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, error.start) + 1
    utf8_sequences = re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data)
    if utf8_sequences is None and not _CP1252_UNDEFINED.intersection(data):
        return data.decode("cp1252")
    byte = data[error.start : error.start + 1].hex()
    raise fail(name, f"is not valid UTF-8: byte 0x{byte} on line {line} cannot be UTF-8, yet other lines are "
                     "UTF-8; save the file again as UTF-8 (CSV UTF-8 in Excel)", row=line)


# --- numbers ---------------------------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
_GROUPED_NUMBER = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", re.ASCII)


def exact_number(text: str, thousands: bool = False, bounds: Limits | None = None) -> Decimal | None:
    """`'1234.5'` -> Decimal('1234.5'): the one strict number parser behind every numeric field.

    Only ASCII digits with an optional leading minus and a decimal point; with `thousands`, commas that group
    digits in threes (`1,234,567.50`). None for anything else: `nan`, `inf`, exponents (`1e309`), a decimal comma
    (`1234,5` is never read as 12345), other scripts' digits, numbers of more digits than the limit (Commonweal
    default 20) and more decimal places than the limit (Commonweal default 6), so no ratio of two inputs overflows
    28-digit decimal arithmetic."""
    text = text.strip()
    if not _PLAIN_NUMBER.fullmatch(text):
        if not (thousands and _GROUPED_NUMBER.fullmatch(text)):
            return None
        text = text.replace(",", "")
    bounds = bounds or limits()
    whole, _, fraction = text.lstrip("-").partition(".")
    if len(whole.lstrip("0")) + len(fraction) > bounds.max_number_digits or len(fraction) > bounds.max_decimal_places:
        return None
    return Decimal(text)


def exact_whole(text: str, low: int, high: int) -> int | None:
    """A whole number from `low` to `high` written in ASCII digits (`'12'`); None for anything else."""
    text = text.strip()
    if not re.fullmatch(r"-?[0-9]{1,19}", text, re.ASCII):
        return None
    value = int(text)
    return value if low <= value <= high else None


# --- YAML ------------------------------------------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when built; both are iterative


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: `data` (dicts, lists, str, int, Decimal, bool, date, None) and the line of every value
    by path (`evaluation_model.criteria[2].weight`; the root is `''`)."""

    data: Any
    lines: dict[str, int]


class _YamlBuilder:
    """Builds Python values from the parser's events in one iterative pass (no recursion, so no RecursionError
    however deep the input), refusing what Commonweal's files never need and attackers do."""

    def __init__(self, name: str, bounds: Limits):
        self.name, self.bounds = name, bounds
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        self.lines: dict[str, int] = {}
        self.nodes = 0

    def refuse(self, event: yaml.Event, message: str) -> InputError:
        return fail(self.name, message, row=_line(event))

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag if event.tag not in (None, "!") else self.resolver.resolve(  # type: ignore[no-untyped-call]
            yaml.ScalarNode, event.value, event.implicit)
        if tag not in _SCALAR_TAGS:
            raise self.refuse(event, f"uses the YAML tag {tag}; Commonweal files hold only text, numbers, "
                                     "true/false, dates, lists and mappings")
        value = event.value
        if tag.endswith(("int", "float")):
            whole, _, fraction = value.partition(".")
            digits = len(re.sub(r"[^0-9]", "", whole).lstrip("0")) + len(re.sub(r"[^0-9]", "", fraction))
            if digits > self.bounds.max_number_digits:
                raise self.refuse(event, f"the number {value[:40]} has {digits} digits; Commonweal reads numbers of "
                                         f"at most {self.bounds.max_number_digits} digits")
            if len(re.sub(r"[^0-9]", "", fraction.partition("e")[0].partition("E")[0])) > \
                    self.bounds.max_decimal_places:
                raise self.refuse(event, f"the number {value[:40]} has more than {self.bounds.max_decimal_places} "
                                         "decimal places (Commonweal default limit)")
        node = yaml.ScalarNode(tag, value)
        try:
            if tag.endswith("float"):
                if value.lower().lstrip("+-") in (".nan", ".inf"):
                    raise self.refuse(event, f"{value!r} is not a finite number; expected a number such as 12.5")
                return Decimal(value.replace("_", ""))
            if tag.endswith("int"):
                return self.constructor.construct_yaml_int(node)
            if tag.endswith("bool"):
                return self.constructor.construct_yaml_bool(node)
            if tag.endswith("null"):
                return None
            if tag.endswith("timestamp"):
                return self.constructor.construct_yaml_timestamp(node)
        except (ValueError, InvalidOperation, yaml.YAMLError) as exc:
            what = "date" if tag.endswith("timestamp") else "number"
            raise self.refuse(event, f"{value!r} is not a valid {what}: {exc}") from exc
        return value

    def build(self, events: Iterator[yaml.Event]) -> Any:
        # each frame: [container, path, pending key (or _NO_KEY), key lines]
        stack: list[list[Any]] = []
        root: Any = None
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.refuse(event, "holds more than one YAML document; expected one")
                continue
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise self.refuse(event, "uses a YAML anchor or alias (& or *); Commonweal files do not allow them, "
                                         "so write each value out")
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                done = stack.pop()
                if isinstance(done[0], dict) and done[2] is not _NO_KEY:
                    raise self.refuse(event, "a mapping key has no value")
                value: Any = done[0]
                if not stack:
                    root = value
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                continue
            self.nodes += 1
            if self.nodes > self.bounds.max_nodes:
                raise self.refuse(event, f"has more than {self.bounds.max_nodes:,} values (Commonweal default "
                                         f"limit {ENV_PREFIX}MAX_NODES)")
            line = _line(event)
            parent = stack[-1] if stack else None
            if parent is not None and isinstance(parent[0], dict) and parent[2] is _NO_KEY:
                if not isinstance(event, yaml.ScalarEvent):
                    raise self.refuse(event, "uses a list or mapping as a mapping key; expected a plain key")
                key = self.scalar(event)
                if key in parent[3]:
                    raise self.refuse(event, f"the key {event.value!r} appears twice in one mapping, on lines "
                                             f"{parent[3][key]} and {line}; keep one")
                parent[3][key] = line
                parent[2] = key
                continue
            if parent is None:
                path = ""
            elif isinstance(parent[0], list):
                path = f"{parent[1]}[{len(parent[0])}]"
            else:
                key_text = str(parent[2])
                path = f"{parent[1]}.{key_text}" if parent[1] else key_text
            if line is not None:
                self.lines[path] = line
            if isinstance(event, yaml.ScalarEvent):
                value = self.scalar(event)
            else:
                tag = event.tag
                expected = _TAG + ("map" if isinstance(event, yaml.MappingStartEvent) else "seq")
                if tag not in (None, "!", expected):
                    raise self.refuse(event, f"uses the YAML tag {tag}; expected a plain list or mapping")
                if len(stack) >= self.bounds.max_depth:
                    raise self.refuse(event, f"nests lists and mappings more than {self.bounds.max_depth} deep "
                                             f"(Commonweal default limit {ENV_PREFIX}MAX_DEPTH)")
                value = {} if isinstance(event, yaml.MappingStartEvent) else []
            if parent is None:
                root = value
            elif isinstance(parent[0], list):
                parent[0].append(value)
            else:
                parent[0][parent[2]] = value
                parent[2] = _NO_KEY
            if isinstance(value, (dict, list)) and not isinstance(event, yaml.ScalarEvent):
                stack.append([value, path, _NO_KEY, {}])
        return root


_NO_KEY = object()


def _line(event: yaml.Event) -> int | None:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else None


def load_yaml(name: str, data: bytes | str, bounds: Limits | None = None) -> YamlDocument:
    """Parse one YAML document safely, in one pass, with the line of every value.

    Refused with InputError naming the line: anchors and aliases (so no alias bomb), duplicate keys (naming both
    lines), tags beyond plain YAML, `.nan`/`.inf`, numbers of too many digits, invalid dates (`2020-13-01`),
    nesting deeper than the limit, more values than the limit, and files over the size cap. Numbers with a
    fraction are exact `Decimal`, never float."""
    bounds = bounds or limits()
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > bounds.max_bytes:
        raise fail(name, f"is larger than {bounds.max_bytes:,} bytes (Commonweal default limit {ENV_PREFIX}MAX_BYTES)")
    text = data if isinstance(data, str) else decode_text(name, data)
    builder = _YamlBuilder(name, bounds)
    try:
        value = builder.build(iter(yaml.parse(text, Loader=_Loader)))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail(name, f"is not valid YAML: {problem}", row=mark.line + 1 if mark else None) from exc
    return YamlDocument(value, builder.lines)


# --- JSON ------------------------------------------------------------------------------------------------------


def load_json(name: str, data: bytes, max_depth: int | None = None, max_bytes: int | None = None) -> Any:
    """Parse one JSON document with bounded size and nesting: InputError (with line and column) for invalid JSON,
    `NaN`/`Infinity`, duplicate keys, nesting deeper than `max_depth` and files over `max_bytes`. Numbers with a
    fraction or exponent are exact `Decimal`."""
    bounds = limits()
    max_depth = bounds.max_depth if max_depth is None else max_depth
    max_bytes = bounds.max_bytes if max_bytes is None else max_bytes
    if len(data) > max_bytes:
        raise fail(name, f"is larger than {max_bytes:,} bytes (Commonweal default limit {ENV_PREFIX}MAX_BYTES)")
    text = decode_text(name, data)
    depth = _json_depth(text)
    if depth > max_depth:
        raise fail(name, f"nests arrays and objects {depth} deep; the limit is {max_depth} (Commonweal default "
                         f"limit {ENV_PREFIX}MAX_DEPTH)")

    def refuse_constant(constant: str) -> Any:
        raise ValueError(f"{constant} is not a number JSON allows")

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"the key {key!r} appears twice in one object")
            result[key] = value
        return result

    try:
        return json.loads(text, parse_float=Decimal, parse_constant=refuse_constant, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise fail(name, f"is not valid JSON: {exc.msg} (column {exc.colno})", row=exc.lineno) from exc
    except (ValueError, RecursionError) as exc:
        raise fail(name, f"cannot be read as JSON: {exc}") from exc


_JSON_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, counted before parsing (strings removed first)."""
    depth = deepest = 0
    for char in re.sub(r"[^\[\]{}]", "", _JSON_STRINGS.sub("", text)):
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


# --- tables: CSV and XLSX --------------------------------------------------------------------------------------

TABLE_SUFFIXES = (".csv", ".xlsx")


def csv_rows(name: str, data: bytes, bounds: Limits | None = None) -> Iterator[list[str]]:
    """CSV rows, strictly: a quoted field left open at the end of the file is an error (never a field cut
    short), as is a cell longer than the limit or more rows or columns than the limits."""
    bounds = bounds or limits()
    if len(data) > bounds.max_bytes:
        raise fail(name, f"is larger than {bounds.max_bytes:,} bytes (Commonweal default limit {ENV_PREFIX}MAX_BYTES)")
    text = decode_text(name, data)
    return _bounded(name, _csv_reader(name, text), bounds)


def _csv_reader(name: str, text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise fail(name, f"is not valid CSV: {exc} (an unclosed quote, or a stray quote inside a field)",
                   row=reader.line_num) from exc


def _bounded(name: str, rows: Iterator[list[str]], bounds: Limits) -> Iterator[list[str]]:
    for number, row in enumerate(rows, start=1):
        if number > bounds.max_rows:
            raise fail(name, f"has more than {bounds.max_rows:,} rows (Commonweal default limit "
                             f"{ENV_PREFIX}MAX_ROWS)", row=number)
        if len(row) > bounds.max_columns and any(c.strip() for c in row[bounds.max_columns:]):
            raise fail(name, f"has more than {bounds.max_columns} columns (Commonweal default limit "
                             f"{ENV_PREFIX}MAX_COLUMNS)", row=number)
        if row and max(map(len, row)) > bounds.max_cell_chars:
            longest = max(map(len, row))
            raise fail(name, f"has a cell of {longest:,} characters; the limit is {bounds.max_cell_chars:,}",
                       row=number)
        yield row[: bounds.max_columns]  # anything beyond is blank (checked above)


def check_zip(name: str, data: bytes, bounds: Limits | None = None, kind: str = "xlsx") -> None:
    """Refuse an XLSX (or, with `kind="ods"`, an OpenDocument spreadsheet) that is not a zip, or whose members are
    too many, too large uncompressed, or compressed suspiciously well (a zip bomb), before any workbook parser
    inflates it."""
    bounds = bounds or limits()
    if len(data) > bounds.max_bytes:
        raise fail(name, f"is larger than {bounds.max_bytes:,} bytes (Commonweal default limit {ENV_PREFIX}MAX_BYTES)")
    not_workbook = f"is not a valid .{kind} workbook"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        hint = "; it looks like a CSV file renamed .xlsx" if data[:1] not in (b"P", b"") and _looks_like_text(data) \
            else " (it is damaged, truncated or another kind of file)"
        raise fail(name, f"{not_workbook}{hint}") from exc
    if len(members) > bounds.max_zip_members:
        raise fail(name, f"{not_workbook}: it holds {len(members):,} parts; the limit is {bounds.max_zip_members:,}")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > bounds.max_member_bytes:
            raise fail(name, f"{not_workbook}: its part {member.filename} would unpack to {member.file_size:,} "
                             f"bytes; the limit is {bounds.max_member_bytes:,} (Commonweal default)")
        if member.file_size > 1_000_000 and member.file_size > bounds.max_compression_ratio * max(
                member.compress_size, 1):
            raise fail(name, f"{not_workbook}: its part {member.filename} is compressed "
                             f"{member.file_size // max(member.compress_size, 1):,} to 1, beyond the limit of "
                             f"{bounds.max_compression_ratio} to 1 (a zip bomb?)")
    if total > bounds.max_unzipped_bytes:
        raise fail(name, f"{not_workbook}: it would unpack to {total:,} bytes; the limit is "
                         f"{bounds.max_unzipped_bytes:,} (Commonweal default)")
    names = {m.filename for m in members}
    if kind == "ods":
        if "content.xml" not in names:
            raise fail(name, f"{not_workbook}: it is a zip file but holds no OpenDocument content")
    elif "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise fail(name, f"{not_workbook}: it is a zip file but holds no Excel worksheet")


# The workbook formats `workbook_sheets` reads (python-calamine), by file suffix.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header every .xls starts with


def workbook_sheets(name: str, data: bytes, bounds: Limits | None = None) -> list[tuple[str, list[list[str]]]]:
    """Every sheet of a workbook (`.xlsx`, `.xlsm`, `.xls` Excel 97-2003, `.ods`) as (sheet name, rows of text
    cells), read with python-calamine. The container is checked before parsing (a zip's parts and ratios; an
    .xls's compound-file header) and rows, columns and cell lengths are bounded as for every other table. Cells
    read as `_cell_text` says: dates as ISO dates, numbers as the value Excel displays."""
    from python_calamine import CalamineWorkbook

    bounds = bounds or limits()
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        if len(data) > bounds.max_bytes:
            raise fail(name, f"is larger than {bounds.max_bytes:,} bytes (Commonweal default limit "
                             f"{ENV_PREFIX}MAX_BYTES)")
        if not data.startswith(_OLE_MAGIC):
            hint = "; it looks like a text file renamed .xls" if _looks_like_text(data) else ""
            raise fail(name, f"is not a valid .xls (Excel 97-2003) workbook{hint}")
    else:
        check_zip(name, data, bounds, kind="ods" if suffix == ".ods" else "xlsx")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in workbook.sheet_names:
            values = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            rows = ([_cell_text(v) for v in row] for row in values)
            sheets.append((str(sheet_name), list(_bounded(f"{name} [{sheet_name}]", rows, bounds))))
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own errors, and ValueError/KeyError, for a damaged workbook
        raise fail(name, f"is not a valid {suffix} workbook: {type(exc).__name__}: {exc}"[:500]) from exc
    if not sheets:
        raise fail(name, f"is a {suffix} workbook with no sheet")
    return sheets


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" not in head and sum(32 <= b < 127 or b in b"\r\n\t" for b in head) > 0.9 * len(head)


def xlsx_rows(name: str, data: bytes, bounds: Limits | None = None) -> Iterator[list[str]]:
    """The first sheet of an XLSX as rows of text cells (the one XLSX reader for every table in Commonweal,
    spend files included), checked as a zip first and bounded in rows, columns and cell length while read."""
    bounds = bounds or limits()
    check_zip(name, data, bounds)
    return _bounded(name, _xlsx_cells(name, data, bounds), bounds)


def _xlsx_cells(name: str, data: bytes, bounds: Limits) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, lxml and zip errors for a broken workbook
        raise fail(name, f"is not a valid .xlsx workbook: {type(exc).__name__}: {exc}"[:500]) from exc
    try:
        if not workbook.worksheets:
            raise fail(name, "is an .xlsx workbook with no worksheet")
        sheet = workbook.worksheets[0]
        # the sheet's declared size pads every row and fills every gap, so it is bounded before reading a row
        declared_rows, declared_columns = sheet.max_row, sheet.max_column
        if isinstance(declared_columns, int) and declared_columns > bounds.max_columns:
            raise fail(name, f"declares {declared_columns:,} columns; the limit is {bounds.max_columns} "
                             f"(Commonweal default limit {ENV_PREFIX}MAX_COLUMNS)")
        if isinstance(declared_rows, int) and declared_rows > bounds.max_rows:
            raise fail(name, f"declares {declared_rows:,} rows; the limit is {bounds.max_rows:,} "
                             f"(Commonweal default limit {ENV_PREFIX}MAX_ROWS)")
        # a declared size smaller than the data would make openpyxl drop the cells outside it without a word:
        # read every cell the sheet holds instead (the limits above and in `_bounded` still apply)
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet part fails mid-read in openpyxl's own ways
                raise fail(name, f"is not a valid .xlsx workbook: {type(exc).__name__}: {exc}"[:500]) from exc
            yield [_cell_text(v) for v in values] if values else []
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dt.time, dt.timedelta)):  # a time-of-day cell holds no date (calamine)
        return str(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # A numeric cell is the value Excel shows: Excel keeps 15 significant digits, so a formula's stored binary
        # result (20377.050000000003) reads as the 20377.05 it displays. The tolerance is half a unit in the 15th
        # significant digit (Excel's own precision), far below a penny for any amount under £10 trillion.
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value)


def check_json_depth(handle: BinaryIO, file: str, limit: int | None = None) -> None:
    """Raise InputError when the JSON document in `handle` (streamed: OCDS and 360Giving files may be large) nests
    arrays and objects deeper than `limit` (default: the layer's `max_depth`); rewind `handle` either way. Streaming
    events keep no path, so the check costs one pass in flat memory and stops at the first level past the bound,
    before anything (ijson's item builder, a recursive walk) builds the document. Malformed JSON is left to the
    reader that follows, which says where: the check stops there, and the reader never reaches past it."""
    limit = limits().max_depth if limit is None else limit
    depth = 0
    try:
        for event, _ in ijson.basic_parse(handle, multiple_values=True):
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > limit:
                    raise InputError([Problem(file, f"nests arrays and objects more than {limit} deep; no OCDS or "
                                                    "360Giving document does (Commonweal default limit "
                                                    f"{ENV_PREFIX}MAX_DEPTH)")])
            elif event in ("end_map", "end_array"):
                depth -= 1
    except ijson.JSONError:
        pass
    finally:
        handle.seek(0)
