"""The OCDS merge compiled with mypyc by set-up: built from merge.py as it is, never used once merge.py changes, and
merging exactly as the plain module does (the differential tests in tests/services run the compile with both)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweal.domain.ocds import merge
from commonweal.io.ocds.compiled_merge import BUILD_DIR, compiled_name, load, merge_module, source_bytes
from commonweal.io.ocds.read import release_schema
from tests.domain.ocds.test_merge import random_releases


def test_set_up_built_the_merge_for_the_current_sources() -> None:
    compiled = merge_module()
    assert compiled is not merge, "run scripts/setup.sh: it compiles the merge into build/mypyc/"
    assert compiled.__name__ == compiled_name(source_bytes())
    assert compiled.__file__ is not None and compiled.__file__.endswith(".so")
    assert type(compiled.compile_release).__name__ == "builtin_function_or_method"  # compiled, not Python


def test_an_edited_merge_is_never_shadowed_by_an_older_build() -> None:
    assert load(source_bytes(), BUILD_DIR) is merge_module()
    assert load(source_bytes() + b"\n# edited\n", BUILD_DIR) is merge
    assert compiled_name(source_bytes() + b" ") != compiled_name(source_bytes())


def _merged(module: Any, releases: list[dict[str, Any]], versioned: bool) -> tuple[str, Any]:
    rules = module.MergeRules.from_schema(release_schema())
    try:
        return "merged", (module.versioned_release if versioned else module.compile_release)(releases, rules)
    except module.MergeConflict as error:
        return "conflict", str(error)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_releases, st.booleans())
def test_the_compiled_merge_merges_as_the_plain_one(releases: list[dict[str, Any]], versioned: bool) -> None:
    plain, compiled = _merged(merge, releases, versioned), _merged(merge_module(), releases, versioned)
    assert compiled == plain
    assert repr(compiled) == repr(plain)  # key order too


@pytest.mark.parametrize("module", [merge, merge_module()], ids=["plain", "compiled"])
def test_both_stop_on_a_conflict_naming_the_ocid_and_path(module: Any) -> None:
    first = {"ocid": "o", "id": "1", "date": "2024-01-01", "tender": {"value": 5}}
    second = {"ocid": "o", "id": "2", "date": "2024-01-02", "tender": {"value": {"amount": 5}}}
    assert _merged(module, [first, second], versioned=False) == (
        "conflict", "ocid 'o', /tender/value: an object or array replaces a value, or vice versa")
