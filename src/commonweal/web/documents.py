"""The one way an untrusted document (a bid's response or price schedule, a contract return's evidence) is stored
and served. Its kind is read from its content (`commonweal.io.documents`), its size limited
(COMMONWEAL_UPLOAD_MAX_BYTES); it is written under its organisation's folder of COMMONWEAL_MEDIA_ROOT, named by its
SHA-256, by an atomic rename; it is served as stored, never parsed, and only after an area's access layer has
decided the person may see it (this module decides nothing about who)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse

from commonweal.io.documents import KINDS, document_kind


@dataclass(frozen=True)
class Stored:
    kind: str  # pdf, docx, xlsx, odt
    size: int
    sha256: str
    stored_as: str  # relative to the media root

    def fields(self) -> dict[str, object]:
        """The `web.models.StoredDocument` fields this record fills (the model adds name, who and when)."""
        return {"kind": self.kind, "size": self.size, "sha256": self.sha256, "stored_as": self.stored_as}


def kind_of(name: str, content: bytes) -> str:
    """The document's kind from its content; InputError naming the file if it is not an accepted document."""
    return document_kind(name, content, settings.COMMONWEAL_UPLOAD_MAX_BYTES)


def store(folder: str, name: str, content: bytes) -> Stored:
    """Write the document under `folder` (relative to the media root, starting with the organisation's slug)."""
    kind = kind_of(name, content)
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{folder}/{digest}{KINDS[kind][1]}"
    path = settings.COMMONWEAL_MEDIA_ROOT / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # written whole, then renamed into place: a reader never finds half a file
        handle, staging = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(staging, path)
    return Stored(kind, len(content), digest, relative)


def remove(stored_as: str) -> None:
    """Remove a stored document's file; the caller has decided no record refers to it any more."""
    (settings.COMMONWEAL_MEDIA_ROOT / stored_as).unlink(missing_ok=True)


def content(stored_as: str) -> bytes:
    return (settings.COMMONWEAL_MEDIA_ROOT / stored_as).read_bytes()


def safe_name(text: str) -> str:
    """Free text (a tender's reference, a release id) as a file name: only the characters safe in a file name and
    in the Content-Disposition header are kept, any other run becomes "-" ("" when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")


def attach(response: HttpResponse, filename: str, inline: bool = False) -> HttpResponse:
    """Name a download (`safe_name`)."""
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_name(filename) or "download"}"'
    return response


def response(kind: str, stored_as: str, filename: str) -> HttpResponse:
    """The stored document as a download (a PDF opens in the browser), named `filename` plus its kind's ending,
    never the uploader's own name."""
    content_type, ending = KINDS[kind]
    served = HttpResponse(content(stored_as), content_type=content_type)
    attach(served, f"{filename}{ending}", inline=kind == "pdf")
    if kind == "pdf":
        # shown beside a form in a frame of our own pages only; the document itself may load nothing
        served["X-Frame-Options"] = "SAMEORIGIN"
        served["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return served
