"""Bid documents (written responses, price schedules) identified by their content, never by their name: a PDF by
its header, a DOCX, XLSX or ODT by the parts its zip container holds. The parts are only listed (and an ODT's
small `mimetype` part read, at most 100 bytes), never inflated, so a zip bomb costs nothing; the document is stored
and served as uploaded, never parsed."""

from __future__ import annotations

import io
import zipfile

from commonweal.io.errors import InputError
from commonweal.io.structured import fail, limits

# what each kind is served as, and the file ending it is stored with
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "odt": ("application/vnd.oasis.opendocument.text", ".odt"),
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
WHAT = "a PDF, Word (.docx), Excel (.xlsx) or OpenDocument text (.odt) file"


def document_kind(name: str, data: bytes, max_bytes: int) -> str:
    """The document's kind ("pdf", "docx", "xlsx", "odt") from its bytes; InputError naming the file otherwise."""
    if not data:
        raise fail(name, f"is empty; expected {WHAT}")
    if len(data) > max_bytes:
        raise fail(name, f"is larger than the {max_bytes:,}-byte limit")
    if data.startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        raise fail(name, f"is not {WHAT} (its content is another kind of file, whatever its name)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > limits().max_zip_members:
            raise fail(name, f"holds {len(members):,} parts; the limit is {limits().max_zip_members:,}")
        names = {m.filename for m in members}
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        mimetype = next((m for m in members if m.filename == "mimetype"), None)
        if mimetype is not None and mimetype.file_size <= 100:
            with archive.open(mimetype) as part:
                if part.read(100).strip() == ODT_MIMETYPE:
                    return "odt"
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError, OSError) as exc:
        raise fail(name, f"is not {WHAT}: it is damaged or truncated") from exc
    raise fail(name, f"is a zip file but not {WHAT}")
