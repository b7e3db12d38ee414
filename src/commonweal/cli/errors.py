"""How every command reports bad input."""

from __future__ import annotations

import typer

from commonweal.io.errors import InputError


def fail_on_input_error(error: InputError) -> typer.Exit:
    """Print every problem (file, row, column, what was expected) to stderr; exit code 2 means bad input."""
    from rich.console import Console  # only on failure: rich takes a tenth of a second to import

    # soft wrap: a problem stays on one line, so paths and messages can be read (and grepped) whole
    console = Console(stderr=True, soft_wrap=True)
    console.print(f"[bold red]Nothing was saved or written: {len(error.problems)} problem(s) in the input[/]")
    for problem in error.problems:
        console.print(f"  {problem}", highlight=False, markup=False)
    return typer.Exit(code=2)
