"""Hostile uploads through the web (part of the fuzz suite of issue #15; the readers' own fuzzing is in
tests/fuzz): the tender-creation and scores uploads answer 400 with a short, clear page (never 500), within a
bounded time, and save nothing."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.web.models import AuditEntry, Bid, Score, Tender

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-care-tender"
ALIAS_BOMB = (b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
              b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
              b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
              b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n")


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" + b"0" * 30_000_000 + b"</row>")
    return buffer.getvalue()


def _many_bad_rows() -> bytes:
    header = (EXAMPLE / "bids.csv").read_bytes().splitlines()[0]
    return header + b"\n" + b",9,lots,,,\n" * 20_000


def _upload(**changes: tuple[str, bytes]) -> dict[str, SimpleUploadedFile]:
    files = {"tender": ("tender.yaml", (EXAMPLE / "tender.yaml").read_bytes()),
             "bids": ("bids.csv", (EXAMPLE / "bids.csv").read_bytes()),
             "gates": ("gates.csv", (EXAMPLE / "gates.csv").read_bytes()),
             "commitments": ("commitments.csv", (EXAMPLE / "commitments.csv").read_bytes()),
             "socialvalue": ("socialvalue.yaml", (EXAMPLE / "socialvalue.yaml").read_bytes())}
    files.update(changes)
    return {key: SimpleUploadedFile(name, content) for key, (name, content) in files.items()}


HOSTILE_TENDERS = {
    "alias bomb": {"tender": ("tender.yaml", ALIAS_BOMB)},
    "deep nesting": {"tender": ("tender.yaml", b"[" * 10_000)},
    "a CSV renamed .xlsx": {"bids": ("bids.xlsx", (EXAMPLE / "bids.csv").read_bytes())},
    "a truncated workbook": {"bids": ("bids.xlsx", b"PK\x03\x04\x14\x00\x00\x00")},
    "a zip bomb": {"bids": ("bids.xlsx", _zip_bomb())},
    "a server path in socialvalue.yaml": {"socialvalue": ("socialvalue.yaml", b"library:\n  file: /etc/passwd\n")},
    "/dev/zero as the library": {"socialvalue": ("socialvalue.yaml", b"library:\n  file: /dev/zero\n")},
    "a Windows-1252 byte in UTF-8": {"bids": ("bids.csv", (EXAMPLE / "bids.csv").read_bytes()
                                              + "Café Ltd,1,1.00,,,\n".encode() + b"Caf\xe9 Two,1,1.00,,,\n")},
    "a truncated quoted field": {"bids": ("bids.csv", (EXAMPLE / "bids.csv").read_bytes()[:200])},
    "20,000 bad rows": {"bids": ("bids.csv", _many_bad_rows())},
}


@pytest.mark.parametrize("case", sorted(HOSTILE_TENDERS))
def test_a_hostile_tender_upload_is_a_short_400_and_saves_nothing(case: str, world, client_for) -> None:
    client = client_for("shared.commissioner")
    before = (Tender.objects.count(), Bid.objects.count(), AuditEntry.objects.count())
    started = time.monotonic()
    response = client.post("/organisations/northfield/tenders/new/", _upload(**HOSTILE_TENDERS[case]))
    assert time.monotonic() - started < 10
    assert response.status_code == 400, response.content[:2000]
    assert "nothing was saved" in response.content.decode()
    assert len(response.content) < 200_000  # the error page lists at most 100 problems, then counts the rest
    assert (Tender.objects.count(), Bid.objects.count(), AuditEntry.objects.count()) == before


def test_the_scores_upload_refuses_hostile_files(world, client_for) -> None:
    tender = world["northfield"]
    client = client_for("evaluator3")
    client.post(f"/tenders/{tender.pk}/declare/", {"has_conflict": "no"})
    before = Score.objects.filter(evaluator__username="evaluator3").count()
    for name, content in [("scores.xlsx", b"evaluator,bidder\n"), ("scores.xlsx", _zip_bomb()),
                          ("scores.csv", b'bidder,lot,criterion,score,rationale\nA,1,Q1,"4'),
                          ("scores.csv", b"bidder,lot,criterion,score,rationale\nA,1,Q1,nan,x\n"),
                          ("scores.csv", b"bidder,lot,criterion,score,rationale\nA, Ltd,1,Q1,4,x\n")]:
        response = client.post(f"/tenders/{tender.pk}/scores/upload/", {"scores": SimpleUploadedFile(name, content)})
        assert response.status_code == 400, (name, response.content[:1000])
        assert "nothing was saved" in response.content.decode()
    assert Score.objects.filter(evaluator__username="evaluator3").count() == before


@settings(max_examples=30, deadline=2000)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_tender_yaml_never_reach_a_500(data: bytes) -> None:
    """The web's reading function on arbitrary bytes: only InputError (a 400 page) ever comes out."""
    from commonweal.io.errors import InputError
    from commonweal.web.importing import read_uploads

    files = {"tender": ("tender.yaml", data), "bids": ("bids.csv", (EXAMPLE / "bids.csv").read_bytes())}
    try:
        read_uploads(files)
    except InputError as exc:
        assert exc.problems
