"""Write OCDS release packages, and check them with libcoveocds (Open Contracting's validator) offline.

libcoveocds normally downloads the standard and every extension a package lists. Here it never touches the
network: the standard comes from the schema files shipped in `schema/1.1.5` (handed to libcoveocds as the
`standard_zip` it accepts), and requests for the extensions a package declares are answered from the copies shipped
in `extensions/` (Commonweal's own social value extension, and the Cabinet Office's UK extension with the
extensions it depends on, see `NOTICE_EXTENSIONS`) by a transport adapter mounted on the session
ocdsextensionregistry uses; every other URL is refused. See docs/ocds.md, "Validating offline".
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import requests
from requests.adapters import BaseAdapter

from commonweal.io.ocds.read import SCHEMA_DIR

EXTENSIONS_DIR = Path(__file__).parent / "extensions"
SOCIAL_VALUE_EXTENSION = EXTENSIONS_DIR / "social_value"
# Where a publication says the extension lives. A setting, because each council hosts its own copy.
DEFAULT_EXTENSION_URL = (
    "https://raw.githubusercontent.com/commonweal/commonweal/main/src/commonweal/io/ocds/extensions/"
    "social_value/extension.json"
)


def extension_url() -> str:
    return os.environ.get("COMMONWEAL_OCDS_EXTENSION_URL", DEFAULT_EXTENSION_URL)


_RAW = "https://raw.githubusercontent.com/"
_OCP = _RAW + "open-contracting-extensions/ocds_"
#: The extensions a Procurement Act 2023 notice declares, in the order a live Find a Tender release package lists
#: them (see docs/publishing.md), each with the folder of `extensions/` holding the copy read instead of the URL
#: (each folder's PROVENANCE.md names the repository and commit). Two of Find a Tender's are left out because no
#: notice uses them: pagination (links between package pages) and portaledcahn's links extension (no licence).
#: The EU profile bundles the UK extension's dependencies (awardCriteria, bid, communication, location,
#: otherRequirements, subcontracting, techniques) and metrics, whose Observation the UK extension patches.
NOTICE_EXTENSIONS: dict[str, str] = {
    "https://standard.open-contracting.org/profiles/eu/latest/en/extension.json": "eu_profile",
    _OCP + "amendment_rationale_classifications_extension/master/extension.json": "amendment_rationale_classifications",
    _OCP + "budget_breakdown_extension/master/extension.json": "budget_breakdown",
    _OCP + "contract_completion_extension/master/extension.json": "contract_completion",
    _OCP + "documentation_extension/master/extension.json": "documentation",
    _OCP + "suitability_extension/master/extension.json": "suitability",
    _RAW + "cabinetoffice/ocds_uk_extension/main/extension.json": "uk",
    _OCP + "performance_failures_extension/master/extension.json": "performance_failures",
}


def _local_extensions() -> dict[str, Path]:
    """URL -> shipped folder, for every extension Commonweal can validate offline: its base URL, and, for one on
    GitHub, the archive ocdsextensionregistry downloads instead of the single files (github.com/OWNER/REPO/archive/
    REF.zip for raw.githubusercontent.com/OWNER/REPO/REF/extension.json)."""
    routes = {url.rsplit("/", 1)[0] + "/": EXTENSIONS_DIR / folder for url, folder in NOTICE_EXTENSIONS.items()}
    routes[extension_url().rsplit("/", 1)[0] + "/"] = SOCIAL_VALUE_EXTENSION
    for base, folder in list(routes.items()):
        if base.startswith(_RAW):
            owner, repo, ref = base[len(_RAW) :].split("/")[:3]
            routes[f"https://github.com/{owner}/{repo}/archive/{ref}.zip"] = folder
    return routes


@cache
def _archive(folder: Path) -> bytes:
    """A folder as the ZIP a code host serves for a repository at a ref (one top-level directory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{folder.name}/", "")
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, f"{folder.name}/{file.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # orjson cannot write a Decimal; its exact text goes through float only when it round-trips exactly.
        as_float = float(value)
        if Decimal(repr(as_float)) == value:
            return as_float
        raise ValueError(f"{value} cannot be written as an exact JSON number")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(data: Any, *, indent: bool = False) -> bytes:
    """JSON bytes, with Decimal amounts written exactly (or refused)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    return orjson.dumps(data, default=_default, option=option)


def release_package(
    releases: Sequence[Mapping[str, Any]],
    *,
    publisher: str,
    published: str,
    uri: str = "",
    extensions: Sequence[str] | None = None,
) -> dict[str, Any]:
    """An OCDS 1.1 release package that declares `extensions` (by default the social value extension)."""
    return {
        "uri": uri or f"urn:commonweal:{published}",
        "version": "1.1",
        "extensions": list(extensions) if extensions is not None else [extension_url()],
        "publisher": {"name": publisher},
        "publishedDate": published,
        "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "releases": list(releases),
    }


def write_package(path: Path, package: Mapping[str, Any]) -> None:
    """Write atomically: a temporary file renamed into place, so no partial package is ever left."""
    temporary = path.with_name(path.name + ".partial")
    temporary.write_bytes(dumps(package, indent=True))
    temporary.replace(path)


# ---- libcoveocds, offline ----------------------------------------------------------------------------------------


@cache
def _standard_zip() -> bytes:
    """The shipped 1.1.5 schema laid out as the standard repository's ZIP, which libcoveocds accepts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for file in sorted(SCHEMA_DIR.rglob("*")):
            if file.is_file() and file.suffix in (".json", ".csv"):
                archive.write(file, f"standard-1__1__5/schema/{file.relative_to(SCHEMA_DIR).as_posix()}")
    return buffer.getvalue()


class _LocalFiles(BaseAdapter):
    """Answers GETs under each base URL from its folder (a repository archive URL with the folder zipped), and
    refuses everything else: no request leaves the machine."""

    def __init__(self, routes: Mapping[str, Path]):
        super().__init__()
        self.routes = dict(routes)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        response = requests.Response()
        response.request = request
        response.url = request.url or ""
        for base, folder in self.routes.items():
            if response.url == base and base.endswith(".zip"):
                response.status_code = 200
                response._content = _archive(folder)
                return response
            if response.url.startswith(base):
                file = folder / response.url[len(base) :]
                if file.is_file() and folder in file.resolve().parents:
                    response.status_code = 200
                    response._content = file.read_bytes()
                    return response
        response.status_code = 404
        response.reason = "Not Found (Commonweal validates offline; only its own extension is served)"
        response._content = b""
        return response

    def close(self) -> None:
        """Nothing to release."""


@contextmanager
def _offline_extensions() -> Iterator[None]:
    from ocdsextensionregistry.util import session

    adapter = _LocalFiles(_local_extensions())
    saved = dict(session.adapters)
    session.adapters.clear()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    try:
        with session.cache_disabled():  # nothing served from a cache filled before, nothing cached after
            yield
    finally:
        session.adapters.clear()
        session.adapters.update(saved)


def validate_package(package: Mapping[str, Any]) -> dict[str, Any]:
    """Run libcoveocds over a release package against the local schemas; return its validation errors,
    the extensions it could not load, and its additional checks."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = _standard_zip()
    # with extensions, libcoveocds writes the patched schema into `output_dir`: a temporary folder, not the
    # working directory
    with _offline_extensions(), tempfile.TemporaryDirectory(prefix="commonweal-cove-") as scratch:
        # libcoveocds reads numbers back from JSON text, as any consumer of the published file would
        result = ocds_json_output(scratch, json_data=orjson.loads(dumps(package)), lib_cove_ocds_config=config)
    return {
        "validation_errors": result.get("validation_errors", []),
        "invalid_extensions": result.get("extensions", {}).get("invalid_extension", {}),
        "additional_checks": result.get("additional_checks", {}),
        "additional_fields": result.get("additional_fields", {}),
    }
