"""Fixtures for the web workspace tests: the demo world on the real database with migrations applied."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `db` is the project's marker for tests scripts/test.sh re-runs on PostgreSQL; pytest-django needs its own.
    for item in items:
        if item.get_closest_marker("db") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _spend_folder(settings, tmp_path_factory):
    # each test's uploaded spend files and spend stores in a folder of its own, never under the checkout's var/
    settings.COMMONWEAL_SPEND_DIR = str(tmp_path_factory.mktemp("spend"))


@pytest.fixture
def world(db):
    """The demo world: Northfield's tender mid-evaluation, Southdale's with prices opened."""
    from commonweal.web.demo import seed_demo
    from commonweal.web.models import Tender

    seeded = seed_demo(password="demo password for tests")
    northfield = Tender.objects.get(organisation=seeded.northfield)
    southdale = Tender.objects.get(organisation=seeded.southdale)
    return {"seeded": seeded, "northfield": northfield, "southdale": southdale}


@pytest.fixture
def client_for(client):
    """A test client signed in as the named demo user."""
    from django.contrib.auth.models import User
    from django.test import Client

    def make(username: str) -> Client:
        fresh = Client()
        fresh.force_login(User.objects.get(username=username))
        return fresh

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs seconds per demo user; tests of signing in do not depend on the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # bid documents a test stores go to its own folder, never the repository's var/media
    settings.COMMONWEAL_MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def _plain_http_test_server():
    """Django's test client and live_server speak plain http, which production settings redirect to https
    (tests/web/test_serving.py checks the production settings themselves). Session-wide, because live_server is a
    session fixture whose SecurityMiddleware reads the setting once, when the server starts; autouse fixtures of a
    scope come before the others of that scope, so this is in place first."""
    from django.test.utils import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield
