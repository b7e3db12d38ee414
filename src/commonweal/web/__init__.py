"""The Django web workspace: a thin face over `commonweal.services` (issue 7)."""
