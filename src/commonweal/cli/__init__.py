"""The Typer command line: a thin face over `commonweal.services`."""
