"""Fixtures shared by the whole suite."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_data_dir() -> Path:
    override = os.environ.get("COMMONWEAL_SHARED_DATA")
    return Path(override) if override else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data in ../shared/data (never copied into the repository); skip when it is absent."""
    folder = _shared_data_dir()
    if not folder.is_dir():
        pytest.skip(f"real data folder {folder} is absent (set COMMONWEAL_SHARED_DATA to point at shared/data)")
    return folder


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """../shared/reference (OCDS schemas, open proxy values); skip when absent."""
    folder = _shared_data_dir().parent / "reference"
    if not folder.is_dir():
        pytest.skip(f"reference folder {folder} is absent")
    return folder


@pytest.fixture(scope="session")
def ocds_generator() -> ModuleType:
    """benchmarks/ocds_generate.py: Contracts Finder-shaped releases, valid against OCDS 1.1.5."""
    spec = importlib.util.spec_from_file_location("ocds_generate", REPO / "benchmarks" / "ocds_generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
