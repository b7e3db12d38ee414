"""One organisation, many spellings: resolve supplier mentions to entities.

Identifiers first (company, charity and VAT numbers join mentions outright), then identical normalised names.
Similar names are only *candidates* listed for a person to review, never merged silently: fuzzy matching
(rapidfuzz token-sort ratio) finds `LIFEWAYS COMMUNITY CARE LTD (NEW` beside `Lifeways Community Care Limited`,
but a 92% match is not proof. A person's `ReviewDecision` settles a pair: "the same organisation" joins the two
into one entity, "different" takes the pair off the list; either way the decision keeps who made it, when and why.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from rapidfuzz import fuzz, process

from commonweal.domain.market.identifiers import company_number
from commonweal.domain.market.names import normalise_name

# Commonweal default: a name pair scoring at least this (0-100, token-sort ratio) is listed for review.
DEFAULT_REVIEW_THRESHOLD = 90.0
# Devon truncates names to 32 characters: a name of at least this many characters that begins another is a
# candidate (Commonweal default).
MIN_PREFIX_LENGTH = 20


@dataclass(frozen=True)
class SupplierMention:
    name: str
    company_number: str | None = None
    charity_number: str | None = None
    vat_number: str | None = None


@dataclass(frozen=True)
class Entity:
    key: str  # the normalised name of its first mention
    names: tuple[str, ...]
    identifiers: tuple[str, ...]


@dataclass(frozen=True)
class ReviewCandidate:
    left: str
    right: str
    score: float
    reason: str


@dataclass(frozen=True)
class ReviewDecision:
    """A person's decision on a pair of names listed for review (`left`, `right`: normalised names): the same
    organisation (`same`) or two. For the same pair, the latest decision stands."""

    left: str
    right: str
    same: bool
    decided_by: str
    decided_on: dt.date
    reason: str

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.left, self.right))


@dataclass(frozen=True)
class Resolution:
    entities: tuple[Entity, ...]
    entity_of: dict[str, str]  # normalised name -> entity key
    candidates: tuple[ReviewCandidate, ...]  # the first `shown` look-alike pairs, most alike first
    candidate_count: int  # all of them
    decisions: tuple[ReviewDecision, ...] = ()  # the standing decisions on pairs of names both present


def _identifiers(m: SupplierMention) -> list[str]:
    return [f"{scheme}:{value}" for scheme, value in
            (("GB-COH", m.company_number), ("GB-CHC", m.charity_number), ("GB-VAT", m.vat_number)) if value]


def resolve(mentions: Sequence[SupplierMention], review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
            decisions: Sequence[ReviewDecision] = (), shown: int | None = None) -> Resolution:
    """Entities from identifiers, identical normalised names and decisions that two names are the same
    organisation; the remaining look-alike pairs no one has decided on, for review: all of them counted, the first
    `shown` (all when None) listed (thousands of near-identical names make hundreds of thousands of pairs)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_identifier: dict[str, str] = {}
    names_of: dict[str, set[str]] = defaultdict(set)
    for mention in mentions:
        key = normalise_name(mention.name)
        if not key:
            continue
        find(key)
        names_of[key].add(mention.name)
        for identifier in _identifiers(mention):
            if identifier in by_identifier:
                union(key, by_identifier[identifier])
            else:
                by_identifier[identifier] = key
    standing = {d.pair: d for d in decisions}  # in the order made, so the latest per pair wins
    applied = tuple(d for d in standing.values() if d.left in parent and d.right in parent)
    for decision in applied:
        if decision.same:
            union(decision.left, decision.right)
    groups: dict[str, list[str]] = defaultdict(list)
    for key in parent:
        groups[find(key)].append(key)
    ids_of: dict[str, set[str]] = defaultdict(set)
    for identifier, key in by_identifier.items():
        ids_of[find(key)].add(identifier)
    entities = tuple(
        Entity(root, tuple(sorted({n for k in keys for n in names_of[k]})), tuple(sorted(ids_of[root])))
        for root, keys in sorted(groups.items()))
    entity_of = {key: find(key) for key in parent}
    pairs = _candidates(sorted(groups), review_threshold)
    if standing:
        pairs = [p for p in pairs if frozenset(p[1:3]) not in standing]
    candidates = tuple(ReviewCandidate(left, right, -score, reason)
                       for score, left, right, reason in (pairs if shown is None else pairs[:shown]))
    return Resolution(entities, entity_of, candidates, len(pairs), applied)


# Rows of a block scored against the whole block at once: bounds memory (rows x block size floats) however
# large a block grows.
_SCORE_ROWS = 512


def _candidates(keys: Sequence[str], threshold: float) -> list[tuple[float, str, str, str]]:
    """Pairs of entity keys that look alike, most alike first, as (-score, left, right, reason), compared within
    blocks sharing their first two characters (so `SMITH` meets `SMYTH` while the comparison stays far below all
    pairs). `keys` are sorted, so a name's truncated forms stand just before it and the names beginning with a name
    follow it in one run."""
    blocks: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        blocks[key[:2]].append(key)
    found: list[tuple[float, str, str, str]] = []  # sorted as plain tuples
    for block in blocks.values():
        truncated: set[tuple[int, int]] = set()
        for i, shorter in enumerate(block):
            if len(shorter) >= MIN_PREFIX_LENGTH:
                for j in range(i + 1, bisect_right(block, shorter + "\U0010ffff", lo=i + 1)):
                    truncated.add((i, j))
                    found.append((-100.0, shorter, block[j], "one name is a truncated form of the other"))
        for start in range(0, len(block), _SCORE_ROWS):
            # each pair once: the rows against the names from the first row on (the score is symmetric), and of
            # those only the pairs above the diagonal
            scores = process.cdist(block[start:start + _SCORE_ROWS], block[start:], scorer=fuzz.token_sort_ratio,
                                   score_cutoff=threshold, dtype=np.float32)
            rows, columns = np.nonzero(np.triu(scores >= threshold, k=1))
            # to one decimal as Python's round does: a float32 times 10 is exact in float64, so rint's half-even
            # and the division give the same float
            rounded = np.round(scores[rows, columns].astype(np.float64), 1)
            for row, column, score in zip((rows + start).tolist(), (columns + start).tolist(), (-rounded).tolist(),
                                          strict=True):
                if (row, column) not in truncated:
                    found.append((score, block[row], block[column], "similar names"))
    found.sort()
    return found


@dataclass(frozen=True)
class SpendWithSupplier:
    """One supplier's spend in a set of payments: its key (normalised name), company number and total £."""

    supplier_key: str
    company_number: str | None
    total: Decimal


def spend_with(name: str, company: str | None, spend: Sequence[SpendWithSupplier]) -> tuple[Decimal, str] | None:
    """The spend with the supplier called `name` (company number `company`), and how it was matched
    ("company number" or "name").

    The company number joins first, as in `resolve`: every key carrying that number counts (one company, many
    spellings). Failing that, the identical normalised name (`normalise_name`). None when neither matches: the
    spend is unknown, never read as £0 (the payments may name the supplier in a way we cannot match).
    """
    number = company_number(company) if company else None
    if number is not None:
        by_number = [s.total for s in spend if s.company_number and company_number(s.company_number) == number]
        if by_number:
            return sum(by_number, Decimal("0.00")), "company number"
    key = normalise_name(name)
    by_name = [s.total for s in spend if key and s.supplier_key == key]
    return (sum(by_name, Decimal("0.00")), "name") if by_name else None
