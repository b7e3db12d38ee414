"""The merge follows OCDS 1.1.5 and matches OCDS Merge (the library behind `ocdskit compile`) exactly."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ocdsmerge import Merger
from ocdsmerge.exceptions import InconsistentTypeError
from ocdsmerge.rules import get_merge_rules

from commonweal.domain.ocds.merge import (
    MergeConflict,
    MergeRules,
    compile_release,
    merge_rules_from_schema,
    versioned_release,
)
from commonweal.io.ocds.read import RELEASE_SCHEMA, release_schema

RULES = MergeRules.from_schema(release_schema())


def test_merge_rules_from_the_schema_are_ocdsmerges() -> None:
    ours = merge_rules_from_schema(release_schema())
    assert ours == get_merge_rules(str(RELEASE_SCHEMA))
    assert ours[("tag",)] == "omitWhenMerged"
    assert ours[("parties", "roles")] == "wholeListMerge"


def test_identifier_merge_whole_list_merge_and_nulls() -> None:
    first = {
        "ocid": "ocds-x-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
        "parties": [{"id": "B", "name": "Council", "roles": ["buyer"]}],
        "tender": {"id": "T", "title": "Care", "value": {"amount": 100, "currency": "GBP"},
                   "items": [{"id": "i1", "quantity": 1}, {"description": "no id"}]},
    }
    second = {
        "ocid": "ocds-x-1", "id": "2", "date": "2024-02-01T00:00:00Z", "tag": ["tenderUpdate"],
        "parties": [{"id": "B", "roles": ["procuringEntity"]}, {"id": "S", "name": "Supplier"}],
        "tender": {"id": "T", "title": None, "value": {"amount": 120},
                   "items": [{"id": "i1", "quantity": 2}, {"description": "no id"}]},
    }
    compiled = compile_release([second, first], RULES)  # out of order on purpose: merged by date
    assert compiled == {
        "tag": ["compiled"], "id": "ocds-x-1-2024-02-01T00:00:00Z", "date": "2024-02-01T00:00:00Z",
        "ocid": "ocds-x-1",
        # identifier merge: party B keeps its name; `roles` is wholeListMerge, so the later list replaces it
        "parties": [{"id": "B", "name": "Council", "roles": ["procuringEntity"]}, {"id": "S", "name": "Supplier"}],
        # a null removes the title; amounts merge key by key; objects without an id are each kept
        "tender": {"id": "T", "value": {"amount": 120, "currency": "GBP"},
                   "items": [{"id": "i1", "quantity": 2}, {"description": "no id"}, {"description": "no id"}]},
    }
    versioned = versioned_release([first, second], RULES)
    assert versioned["ocid"] == "ocds-x-1"
    assert versioned["tender"]["title"] == [
        {"releaseID": "1", "releaseDate": "2024-01-01T00:00:00Z", "releaseTag": ["tender"], "value": "Care"},
        {"releaseID": "2", "releaseDate": "2024-02-01T00:00:00Z", "releaseTag": ["tenderUpdate"], "value": None},
    ]
    # an unchanged value adds no history entry
    assert len(versioned["parties"][0]["name"]) == 1


def test_a_value_that_becomes_an_object_stops_with_the_ocid_and_path() -> None:
    first = {"ocid": "o", "id": "1", "date": "2024-01-01", "tender": {"value": 5}}
    second = {"ocid": "o", "id": "2", "date": "2024-01-02", "tender": {"value": {"amount": 5}}}
    with pytest.raises(MergeConflict, match=r"ocid 'o', /tender/value"):
        compile_release([first, second], RULES)


def test_a_release_without_a_date_stops() -> None:
    with pytest.raises(MergeConflict, match="no `date`"):
        compile_release([{"ocid": "o", "id": "1"}, {"ocid": "o", "id": "2", "date": "2024"}], RULES)


# ---- differential: random releases, compared with OCDS Merge itself ------------------------------------------

_scalars = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from(["a", "b", ""]))
_ids = st.one_of(st.sampled_from(["1", "2", "x"]), st.integers(1, 2))
_leaf_lists = st.lists(st.sampled_from(["a", "b"]), max_size=2)


def _obj(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    children: list[st.SearchStrategy[Any]] = [_scalars, _leaf_lists]
    if depth > 0:
        children.append(st.deferred(lambda: _obj(depth - 1)))
        children.append(st.lists(st.deferred(lambda: _item(depth - 1)), max_size=3))
    return st.dictionaries(st.sampled_from(["a", "b", "c", "roles", "id"]), st.one_of(*children), max_size=4)


def _item(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        _obj(depth),
        st.builds(lambda i, o: {"id": i, **o}, _ids, _obj(depth)),
    )


_release_bodies = st.fixed_dictionaries(
    {},
    optional={
        "tender": _obj(2),
        "parties": st.lists(_item(1), max_size=3),
        "awards": st.lists(_item(2), max_size=2),
        "title": _scalars,
    },
)


# one ocid's releases, one to four of them, dated in order
random_releases = st.lists(_release_bodies, min_size=1, max_size=4).map(lambda bodies: [
    {"ocid": "ocds-1", "id": f"r{n}", "date": f"2024-01-0{n + 1}", "tag": ["tender"], **body}
    for n, body in enumerate(bodies)
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_releases, st.booleans())
def test_random_releases_merge_exactly_as_ocdsmerge_does(releases: list[dict[str, Any]], versioned: bool) -> None:
    merger = Merger(merge_rules=dict(RULES.flat))
    try:
        ours = (versioned_release if versioned else compile_release)(releases, RULES)
    except MergeConflict:
        return  # documented: we stop where OCDS Merge's result depends on the order of its flattened keys
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            theirs = (merger.create_versioned_release if versioned else merger.create_compiled_release)(releases)
        except InconsistentTypeError:
            pytest.fail("OCDS Merge refused releases we merged")
    assert ours == theirs
    # key order too, as ocdskit prints it
    assert repr(ours) == repr(theirs)
