"""A tender written out as the folder `commonweal evaluate` reads (`commonweal.io.tender_folder`): tender.yaml,
bids.csv and, where the caller may show them, scores.csv, moderation.csv, gates.csv and
abnormally_low_decisions.csv, zipped. The caller decides what the person may see; what is left out is never
written, not written blank."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from commonweal.domain.evaluation.records import Bid
from commonweal.io.export import csv_bytes
from commonweal.io.tender_folder import BID_DETAILS, TENDER_FILE, TenderFolder


def _number(value: Decimal) -> str:
    # fixed-point text: the readers refuse exponents (`exact_number`), and str(Decimal) can write one
    return format(value, "f")

PENNY = Decimal("0.01")


def folder_files(folder: TenderFolder, definition: str, *, prices: bool, scores: bool, moderation: bool,
                 ) -> dict[str, bytes]:
    """The tender folder's files (name -> bytes). Without `prices`, bids.csv has no price column and the abnormally
    low decisions (which discuss prices) are left out; without `scores` or `moderation`, those files are."""
    files = {TENDER_FILE: definition.encode("utf-8")}
    # a lot priced as elements has a `price_<element>` column for each; its bids' `price` is their evaluated total to
    # the penny, which the reader checks against the elements (`load_tender_folder`)
    elements = list(dict.fromkeys(e.id for lot in folder.tender.lots for e in lot.model.price.elements))
    header = ["bidder", "lot", *(["price", *(f"price_{e}" for e in elements)] if prices else []), *BID_DETAILS]

    def priced(bid: Bid) -> list[str]:
        if not bid.element_prices:
            return [_number(bid.price), *([""] * len(elements))]
        own = dict(bid.element_prices)
        return [_number(bid.price.quantize(PENNY)), *(_number(own[e]) if e in own else "" for e in elements)]

    files["bids.csv"] = csv_bytes(header, (
        [b.bidder, b.lot, *(priced(b) if prices else []), b.identifier, b.address, b.email] for b in folder.bids))
    if folder.gates:
        files["gates.csv"] = csv_bytes(["bidder", "lot", "gate", "result", "rationale"], (
            [g.bidder, g.lot, g.gate, "pass" if g.passed else "fail", g.rationale] for g in folder.gates))
    if scores:
        files["scores.csv"] = csv_bytes(["evaluator", "bidder", "lot", "criterion", "score", "rationale"], (
            [s.evaluator, s.bidder, s.lot, s.criterion, _number(s.score), s.rationale] for s in folder.scores))
    if moderation:
        files["moderation.csv"] = csv_bytes(["bidder", "lot", "criterion", "score", "rationale"], (
            [m.bidder, m.lot, m.criterion, _number(m.score), m.rationale] for m in folder.moderation))
    if prices and folder.decisions:
        files["abnormally_low_decisions.csv"] = csv_bytes(
            ["bidder", "lot", "decision", "reason", "decided_by", "decided_on"],
            ([d.bidder, d.lot, d.decision, d.reason, d.decided_by, d.decided_on.isoformat()]
             for d in folder.decisions))
    return files


def zip_bytes(files: Mapping[str, bytes], folder_name: str) -> bytes:
    """The files in one folder of a zip, in a fixed order (the same tender downloads as the same bytes' content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(f"{folder_name}/{name}", files[name])
    return buffer.getvalue()


class _Dumper(yaml.SafeDumper):
    """Numbers written as plain YAML numbers in fixed-point (the reader reads them back exactly as Decimal)."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "int" if value == value.to_integral_value() and "." not in text else "float"
    return dumper.represent_scalar(f"tag:yaml.org,2002:{tag}", text)


_Dumper.add_representer(Decimal, _decimal)


def tender_yaml(document: Mapping[str, Any]) -> str:
    """A tender.yaml document (plain mappings, lists, text and Decimals) as its text, keys in the order given."""
    return yaml.dump(dict(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
