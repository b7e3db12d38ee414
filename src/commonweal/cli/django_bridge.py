"""Run a Django management command of the web app from the CLI.

The CLI and the web app never import each other (import-linter's independence contract); the CLI names the
settings module and the command as strings and lets Django load the web app itself.
"""

from __future__ import annotations

import os

SETTINGS = "commonweal.web.settings"


def call(command: str, *args: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django
    from django.core.management import call_command

    django.setup()
    call_command(command, *args)
