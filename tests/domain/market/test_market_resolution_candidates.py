"""The look-alike pairs for review are the same however they are computed: each block's pairs are scored once (the
upper triangle of the block's score matrix, the score being symmetric) and must equal the earlier computation,
which scored every row against the whole block and kept j > i, on the corpus's supplier names and on thousands of
near-identical names (the workspace benchmark's case)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from commonweal.domain.market.names import normalise_name
from commonweal.domain.market.resolution import (
    DEFAULT_REVIEW_THRESHOLD,
    MIN_PREFIX_LENGTH,
    ReviewCandidate,
    SupplierMention,
    _candidates,
    resolve,
)
from commonweal.io.spend.reader import read_spend_file

CORPUS = ["devon_2014-07.csv", "devon_2025-10.csv", "calderdale_2022-08.csv", "manchester_2022-05.csv",
          "sheffield_2017-01.csv", "warwickshire_2019-03.csv"]


def earlier_candidates(keys: list[str], threshold: float) -> list[ReviewCandidate]:
    """The computation before the change, kept here as the reference: every row of a block against the whole
    block."""
    blocks: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        blocks[key[:2]].append(key)
    found = []
    for block in blocks.values():
        truncated: set[tuple[int, int]] = set()
        for i, shorter in enumerate(block):
            if len(shorter) >= MIN_PREFIX_LENGTH:
                for j in range(i + 1, bisect_right(block, shorter + "\U0010ffff", lo=i + 1)):
                    truncated.add((i, j))
                    found.append(ReviewCandidate(shorter, block[j], 100.0, "one name is a truncated form of the other"))
        for start in range(0, len(block), 512):
            scores = process.cdist(block[start:start + 512], block, scorer=fuzz.token_sort_ratio,
                                   score_cutoff=threshold, dtype=np.float32)
            for row, j in zip(*np.nonzero(scores >= threshold), strict=True):
                i = start + int(row)
                if j > i and (i, j) not in truncated:
                    found.append(ReviewCandidate(block[i], block[j], round(float(scores[row, j]), 1), "similar names"))
    return sorted(found, key=lambda c: (-c.score, c.left, c.right))


def found(keys: list[str], threshold: float) -> list[ReviewCandidate]:
    return [ReviewCandidate(left, right, -score, reason) for score, left, right, reason in _candidates(keys, threshold)]


def test_the_corpus_names_give_the_same_pairs(shared_data: Path) -> None:
    names = {normalise_name(r.supplier_name) for file in CORPUS
             for r in read_spend_file(shared_data / "spend" / file).records if r.supplier_name}
    keys = sorted(n for n in names if n)
    expected = earlier_candidates(keys, DEFAULT_REVIEW_THRESHOLD)
    assert len(expected) > 50  # the corpus has look-alikes to find
    assert found(keys, DEFAULT_REVIEW_THRESHOLD) == expected


@pytest.mark.parametrize("threshold", [DEFAULT_REVIEW_THRESHOLD, 80.0])
def test_near_identical_names_across_several_score_chunks_give_the_same_pairs(threshold: float) -> None:
    # 1,300 names in one block: three chunks of rows, pairs on and off the chunks' diagonals, truncations too
    keys = sorted({f"SUPPLIER {i} {'CARE SERVICES' if i % 3 else 'HOMES'}" for i in range(1300)}
                  | {f"SUPPLIER {i} CARE SERVICES NORTH WEST" for i in range(0, 1300, 7)})
    expected = earlier_candidates(keys, threshold)
    assert len(expected) > 10_000
    assert found(keys, threshold) == expected


def test_the_report_lists_the_first_pairs_and_counts_them_all() -> None:
    mentions = [SupplierMention(f"Supplier {i} Care Services Ltd", None, None, None) for i in range(300)]
    everything = resolve(mentions)
    first = resolve(mentions, shown=15)
    assert everything.candidate_count == len(everything.candidates) > 15
    assert first.candidate_count == everything.candidate_count
    assert first.candidates == everything.candidates[:15]
