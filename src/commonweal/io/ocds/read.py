"""Read OCDS releases from files: release packages, record packages, JSON Lines, bare releases and arrays.

Every form streams (memory stays flat as the file grows): JSON Lines line by line with orjson; one JSON document
(a package, an array, a record) with ijson, item by item. OCDS 1.0 releases are upgraded to 1.1 as they are read
(`upgrade_release_10_11`). A malformed file stops with an `InputError` naming the file, the line and column; a
release that breaks the OCDS 1.1.5 release schema stops with its line (or item number) and JSON path. Callers that
save anything read the whole file first, so nothing partial is imported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from hashlib import md5
from itertools import count
from mmap import ACCESS_READ, mmap
from pathlib import Path
from typing import Any, BinaryIO

import ijson
import orjson

from commonweal.io.errors import InputError, Problem
from commonweal.io.structured import check_json_depth

SCHEMA_DIR = Path(__file__).parent / "schema" / "1.1.5"
RELEASE_SCHEMA = SCHEMA_DIR / "release-schema.json"


@dataclass(frozen=True)
class Where:
    """Where a release was read: the file, its line (JSON Lines) and its place in the document as a JSON path."""

    file: str
    line: int | None
    path: str

    def problem(self, message: str, at: str = "") -> Problem:
        return Problem(file=self.file, row=self.line, column=f"{self.path}{at}" or None, message=message)


@cache
def release_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 release schema shipped with the package (never fetched)."""
    with RELEASE_SCHEMA.open("rb") as f:
        schema: dict[str, Any] = orjson.loads(f.read())
    return schema


_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$",
                        re.ASCII | re.IGNORECASE)


def is_date_time(value: object) -> bool:
    """The schema's `date-time` format: an RFC 3339 date-time (section 5.6) that is a real moment, so
    `2020-13-01T00:00:00Z` and `31/02/2020` are refused. A format says nothing of values that are not strings."""
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    try:
        date(year, month, day)
    except ValueError:
        return False
    # second 60: a leap second (RFC 3339, section 5.7)
    offset_ok = match[7] is None or (int(match[7]) < 24 and int(match[8]) < 60)
    return hour < 24 and minute < 60 and second <= 60 and offset_ok


@cache
def _validator() -> Any:
    from jsonschema import Draft4Validator, FormatChecker  # only reads that validate pay for importing jsonschema

    formats = FormatChecker(formats=())
    formats.checks("date-time")(is_date_time)
    return Draft4Validator(release_schema(), format_checker=formats)


@cache
def _fast_validator() -> Any:
    import jsonschema_rs

    # the same checks as `_validator`: dates by `is_date_time`; `uri` is not checked (publishers write relative
    # and unescaped URLs that consumers follow anyway)
    return jsonschema_rs.Draft4Validator(release_schema(), validate_formats=True,
                                         formats={"date-time": is_date_time, "uri": lambda _: True})


def schema_problems(release: Mapping[str, Any], where: Where, limit: int = 20) -> list[Problem]:
    """Problems of one release against the OCDS 1.1.5 release schema, each with its JSON path.

    jsonschema-rs decides whether a release is valid (about 100 times faster: 30 MB of releases in 0.1 s rather
    than 10 s); only an invalid release is walked again by jsonschema, whose messages are the ones reported.
    `tests/io/ocds/test_read.py` holds the two to the same verdicts."""
    if _fast_validator().is_valid(release):
        return []
    problems = []
    for error in _validator().iter_errors(release):
        at = "".join(f"/{part}" for part in error.absolute_path)
        problems.append(where.problem(f"does not match the OCDS 1.1.5 release schema: {error.message}", at))
        if len(problems) >= limit:
            break
    return problems


# ---- reading -----------------------------------------------------------------------------------------------


def _decode_problem(file: str, error: json.JSONDecodeError, line_offset: int = 0) -> Problem:
    """The row is the file's line; the column is the character on that line where the JSON went wrong."""
    line = error.lineno + line_offset
    return Problem(file=file, row=line, column=str(error.colno), message=f"malformed JSON: {error.msg}")


# How much of the first line is read to tell JSON Lines from one document. A longer first line is streamed as a
# document (concatenated values included), so one large document on one line still streams in flat memory.
SNIFF_BYTES = 1024 * 1024


def _is_json_lines(f: BinaryIO) -> bool:
    """JSON Lines: a first line that is a whole JSON value on its own, followed by at least one more line."""
    first = f.readline(SNIFF_BYTES)
    try:
        if not first.endswith(b"\n") or not first.strip():
            return False
        orjson.loads(first)
        return any(line.strip() for line in iter(lambda: f.readline(SNIFF_BYTES), b""))
    except orjson.JSONDecodeError:
        return False
    finally:
        f.seek(0)


def iter_raw(path: Path) -> Iterator[tuple[Where, Any]]:
    """Yield (where, item) for each top-level item: one per JSON line, or per release of a single document.

    Items are releases (upgraded to 1.1); package and record wrappers are unpacked.
    """
    file = str(path)
    with path.open("rb") as f:
        if _is_json_lines(f):
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    item = orjson.loads(line)
                except orjson.JSONDecodeError as error:
                    raise InputError([_decode_problem(file, error, number - 1)]) from None
                yield from _unpack(Where(file, number, ""), item)
        else:
            yield from _iter_document(file, f)


def _iter_document(file: str, f: BinaryIO) -> Iterator[tuple[Where, Any]]:
    check_json_depth(f, file)  # before ijson's item builder, whose paths grow with the depth
    try:
        prefix, version = _sniff(f)
        f.seek(0)
        if prefix is None:
            for item in ijson.items(f, "", use_float=True, multiple_values=True):
                yield from _unpack(Where(file, None, ""), item)
        else:
            path = "" if prefix == "item" else "/" + prefix.removesuffix(".item")
            for index, item in enumerate(ijson.items(f, prefix, use_float=True, multiple_values=True)):
                where = Where(file, None, f"{path}/{index}")
                if prefix == "records.item":
                    yield from _unpack_record(where, item, version)
                elif prefix == "item":  # an array of releases, packages or records
                    yield from _unpack(where, item)
                else:
                    yield where, _as_release(item, version, where)
    except ijson.JSONError:
        # ijson reports no line or column; the standard library does, so re-read once to say where.
        f.seek(0)
        data = f.read()
        try:
            json.loads(data)
        except json.JSONDecodeError as error:
            raise InputError([_decode_problem(file, error)]) from None
        except UnicodeDecodeError as error:
            raise InputError([_not_utf8(file, data, error.start)]) from None
        raise InputError([Problem(file=file, message="malformed JSON")]) from None


def _not_utf8(file: str, data: bytes, at: int) -> Problem:
    """JSON exchanged between systems is UTF-8 (RFC 8259, section 8.1); the byte at `at` is not."""
    line = data.count(b"\n", 0, at) + 1
    column = at - (data.rfind(b"\n", 0, at) + 1) + 1
    return Problem(file=file, row=line, column=str(column),
                   message=f"byte 0x{data[at]:02X} is not UTF-8, the encoding JSON must be in (RFC 8259, section "
                           "8.1): the file was probably saved as Windows-1252; save it again as UTF-8")


def _sniff(f: BinaryIO) -> tuple[str | None, str | None]:
    """Which array holds the releases ("releases.item", "records.item", "item") and the package's version: as
    ocdskit reads it, a package without `version` (before its releases, here) is OCDS 1.0."""
    version = None
    for prefix, event, value in ijson.parse(f, use_float=True, multiple_values=True):
        if prefix == "" and event == "start_array":
            return "item", None
        if prefix == "version" and event == "string":
            version = value
        if event == "map_key" and prefix == "":
            if value == "ocid":
                return None, None
            if value in ("releases", "records"):
                return f"{value}.item", version or "1.0"
    return None, None


def _unpack(where: Where, item: Any) -> Iterator[tuple[Where, Any]]:
    if isinstance(item, list):
        for index, entry in enumerate(item):
            yield from _unpack(Where(where.file, where.line, f"{where.path}/{index}"), entry)
    elif isinstance(item, dict) and "records" in item:
        version = item.get("version", "1.0")
        for index, record in enumerate(item["records"] or []):
            yield from _unpack_record(Where(where.file, where.line, f"{where.path}/records/{index}"), record, version)
    elif isinstance(item, dict) and "releases" in item and "ocid" not in item:
        version = item.get("version", "1.0")
        for index, release in enumerate(item["releases"] or []):
            if release is not None:
                inner = Where(where.file, where.line, f"{where.path}/releases/{index}")
                yield inner, _as_release(release, version, inner)
    elif isinstance(item, dict) and "releases" in item:
        yield from _unpack_record(where, item, None)
    else:
        yield where, _as_release(item, None, where)


def _unpack_record(where: Where, record: Any, version: str | None) -> Iterator[tuple[Where, Any]]:
    if not isinstance(record, dict) or not isinstance(record.get("releases"), list):
        raise InputError([where.problem("a record needs a `releases` array")])
    for index, release in enumerate(record["releases"]):
        inner = Where(where.file, where.line, f"{where.path}/releases/{index}")
        if isinstance(release, dict) and "url" in release and len(release) <= 3:
            raise InputError([inner.problem("a linked release (only a `url`) cannot be read without the network")])
        yield inner, _as_release(release, version, inner)


def _as_release(item: Any, version: str | None, where: Where) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError([where.problem(f"expected a release (a JSON object), found {type(item).__name__}")])
    if not isinstance(item.get("ocid"), str):
        raise InputError([where.problem("a release needs a string `ocid`", "/ocid")])
    # ocdskit's rule: a package's `version` decides; a bare release with `parties` is 1.1, without is 1.0.
    if (version or ("1.1" if "parties" in item else "1.0")) == "1.0":
        upgrade_release_10_11(item)
    return item


def read_releases(path: Path, *, validate: bool = False) -> Iterator[tuple[Where, dict[str, Any]]]:
    """Stream (where, release) from any OCDS file; with `validate`, stop on any schema problem."""
    if not path.is_file():
        raise InputError([Problem(file=str(path), message="no such file")])
    for where, release in iter_raw(path):
        if validate:
            problems = schema_problems(release, where)
            if problems:
                raise InputError(problems)
        yield where, release


def read_all(path: Path, *, validate: bool = False) -> list[dict[str, Any]]:
    """Every release in the file (upgraded). With `validate`, schema problems and repeated (ocid, id) pairs are
    collected across the whole file before raising."""
    releases, problems = [], []
    seen: dict[tuple[Any, Any], Where] = {}
    for where, release in read_releases(path):
        if validate:
            problems.extend(schema_problems(release, where))
            # libcoveocds' check too: a release is identified by its ocid and id together
            key = (release.get("ocid"), release.get("id"))
            if key in seen:
                first = seen[key]
                at = f"line {first.line}" if first.line else first.path
                problems.append(where.problem(f"release {key[1]!r} of ocid {key[0]!r} appears twice (first at {at})",
                                              "/id"))
            else:
                seen[key] = where
        releases.append(release)
    if problems:
        raise InputError(problems)
    return releases


# ---- OCDS 1.0 -> 1.1 upgrade (the same result as `ocdskit upgrade 1.0:1.1`) -----------------------------------

_IDENTIFICATION_10 = (
    (None, ("name",)),
    ("identifier", ("scheme", "id", "legalName", "uri")),
    ("address", ("streetAddress", "locality", "region", "postalCode", "countryName")),
    ("contactPoint", ("name", "email", "telephone", "faxNumber", "url")),
)


def _party_id(party: Mapping[str, Any]) -> str:
    parts: list[bytes] = []
    for parent, fields in _IDENTIFICATION_10:
        source = party if parent is None else party.get(parent)
        if parent is None or parent in party:
            parts.extend(str((source or {}).get(field) or "").encode() for field in fields)
    return md5(b"-".join(parts)).hexdigest()  # noqa: S324 (OCDS 1.0 upgrade's party id, not security)


def _present(obj: Mapping[str, Any], field: str) -> bool:
    return field in obj and obj[field] is not None


def upgrade_release_10_11(release: dict[str, Any]) -> None:
    """Upgrade one OCDS 1.0 release to 1.1 in place (OCDS 1.1 changelog: parties, amendments, transactions).

    Organisations become references into `parties` (ids as `ocdskit upgrade` makes them: an MD5 of the
    identifying fields), `amendment` becomes `amendments`, transactions' `providerOrganization`/
    `receiverOrganization`/`amount` become `payer`/`payee`/`value`. Keys keep their order, new ones go last, as
    the `ocdskit upgrade` command prints them. Unlike ocdskit 1.7, the transactions' payers and payees are also
    added to `parties`, as OCDS 1.1 requires.
    """
    parties: dict[str, dict[str, Any]] = {}
    for party in release.get("parties") or []:
        parties[party["id"] if "id" in party else _party_id(party)] = party

    def add(party: dict[str, Any], role: str) -> dict[str, Any]:
        party = json.loads(json.dumps(party))
        if "id" not in party:
            party["id"] = _party_id(party)
        pid = party["id"]
        parties.setdefault(pid, party)
        if "roles" not in parties[pid]:
            parties[pid]["roles"] = []
        roles = parties[pid]["roles"]
        if not isinstance(roles, list):
            roles = parties[pid]["roles"] = [roles]
        if role not in roles:
            roles.append(role)
        reference = {"id": pid}
        if "name" in party:
            reference["name"] = party["name"]
        return reference

    if _present(release, "buyer"):
        release["buyer"] = add(release["buyer"], "buyer")
    if _present(release, "tender"):
        tender = release["tender"]
        if _present(tender, "procuringEntity"):
            tender["procuringEntity"] = add(tender["procuringEntity"], "procuringEntity")
        if _present(tender, "tenderers"):
            tender["tenderers"] = [add(tenderer, "tenderer") for tenderer in tender["tenderers"]]
    for award in release.get("awards") or []:
        if _present(award, "suppliers"):
            award["suppliers"] = [add(supplier, "supplier") for supplier in award["suppliers"]]
    _add_parties(release, parties)

    for block in [release["tender"]] if _present(release, "tender") else []:
        _upgrade_amendment(block)
    for field in ("awards", "contracts"):
        for block in release.get(field) or []:
            _upgrade_amendment(block)

    parties = {party["id"] if "id" in party else _party_id(party): party for party in release.get("parties") or []}
    for contract in release.get("contracts") or []:
        implementation = contract.get("implementation") or {}
        for transaction in implementation.get("transactions") or []:
            if "value" not in transaction:
                transaction["value"] = transaction.pop("amount", None)
            for old, new in (("providerOrganization", "payer"), ("receiverOrganization", "payee")):
                if old in transaction and new not in transaction:
                    organisation: dict[str, Any] = {"identifier": transaction[old]}
                    if "legalName" in transaction[old]:
                        organisation["name"] = transaction[old]["legalName"]
                    transaction[new] = add(organisation, new)
                    del transaction[old]
    _add_parties(release, parties)


def _add_parties(release: dict[str, Any], parties: Mapping[str, dict[str, Any]]) -> None:
    if not parties:
        return
    if "parties" not in release:
        release["parties"] = []
    for party in parties.values():
        if party not in release["parties"]:
            release["parties"].append(party)


def _upgrade_amendment(block: dict[str, Any]) -> None:
    if "amendment" in block:
        block.setdefault("amendments", [])
        if block["amendment"] not in block["amendments"]:
            block["amendments"].append(block["amendment"])
        del block["amendment"]


# ---- grouping for compile: releases kept as JSON bytes, so memory stays near the file's size --------------------

# (line, raw, start, stop): bytes start:stop of `Grouped.file` for a JSON line kept as read (`raw`), still to be
# parsed and upgraded; otherwise of `Grouped.reread`, a release already read and upgraded, serialised again. Plain
# integers, not a view or a bytes object per release: grouping makes fewer objects (150 MB: 0.105 CPU s, not 0.135),
# and forked workers reading the ranges copy few pages.
Entry = tuple[int | None, bool, int, int]


@dataclass(frozen=True)
class Grouped:
    """Every release in a file as JSON bytes, grouped by ocid in file order (`ocdskit compile`'s grouping)."""

    file: mmap | bytes
    reread: bytes
    groups: dict[str, list[Entry]]


def _leading_ocid(data: mmap, start: int, end: int) -> str | None:
    """The ocid of a JSON line that starts `{"ocid":"...",` (most publishers' layout), without parsing the line."""
    head = data[start:start + 10]
    begin = start + 9 if head.startswith(b'{"ocid":"') else start + 10 if head == b'{"ocid": "' else -1
    if begin > 0:
        stop = data.find(b'"', begin, end)
        if stop > 0 and data.find(b"\\", begin, stop) < 0:
            try:
                return data[begin:stop].decode()
            except UnicodeDecodeError:
                return None  # orjson reads the line and says what is wrong with it
    return None


def releases_by_ocid(path: Path) -> Grouped:
    """Every release in the file, grouped by ocid in file order, kept as JSON bytes."""
    if not path.is_file():
        raise InputError([Problem(file=str(path), message="no such file")])
    groups: dict[str, list[Entry]] = {}
    reread = bytearray()

    def add(line: int | None, release: dict[str, Any]) -> None:
        data = orjson.dumps(release)
        groups.setdefault(release["ocid"], []).append((line, False, len(reread), len(reread) + len(data)))
        reread.extend(data)

    with path.open("rb") as f:
        if not _is_json_lines(f):
            for where, release in iter_raw(path):
                add(where.line, release)
            return Grouped(b"", bytes(reread), groups)
        # mapped, not read: no copy of the file, and forked workers share its pages
        data = mmap(f.fileno(), 0, access=ACCESS_READ)
    start, size = 0, len(data)
    for number in count(1):
        if start >= size:
            break
        end = data.find(b"\n", start)
        end = size if end < 0 else end + 1
        ocid = _leading_ocid(data, start, end)
        if ocid is not None:
            groups.setdefault(ocid, []).append((number, True, start, end))
        elif data[start:end].strip():
            try:
                item = orjson.loads(data[start:end])
            except orjson.JSONDecodeError as error:
                raise InputError([_decode_problem(str(path), error, number - 1)]) from None
            for _, release in _unpack(Where(str(path), number, ""), item):
                add(number, release)
        start = end
    return Grouped(data, bytes(reread), groups)


def load_group(grouped: Grouped, file: str, ocid: str, entries: list[Entry]) -> list[dict[str, Any]]:
    """Parse one ocid's releases from `releases_by_ocid` (upgrading OCDS 1.0 JSON lines)."""
    releases = []
    lines, reread = memoryview(grouped.file), memoryview(grouped.reread)
    for line, raw, start, stop in entries:
        try:
            release = orjson.loads((lines if raw else reread)[start:stop])
        except orjson.JSONDecodeError as error:
            raise InputError([_decode_problem(file, error, (line or 1) - 1)]) from None
        if not raw:
            releases.append(release)
            continue
        for where, unpacked in _unpack(Where(file, line, ""), release):
            if unpacked["ocid"] != ocid:
                raise InputError([where.problem(f"the line starts with ocid {ocid!r} but holds {unpacked['ocid']!r}")])
            releases.append(unpacked)
    return releases
