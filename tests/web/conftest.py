"""Fixtures for the web workspace tests: the demo world on the real database with migrations applied."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `db` is the project's marker for tests scripts/test.sh re-runs on PostgreSQL; pytest-django needs its own.
    for item in items:
        if item.get_closest_marker("db") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)
