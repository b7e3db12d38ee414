from typer.testing import CliRunner

from commonweal import __version__
from commonweal.cli.main import app


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


def test_help_lists_every_area() -> None:
    from commonweal.cli.main import AREAS

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("│ ")]
    listed = [row[1] for row in rows if row[1][0].isalpha()]
    assert [name for name in listed if name in AREAS or name == "version"] == ["version", *AREAS]


def test_ocds_compile_imports_no_other_area() -> None:
    """Areas load lazily: compiling OCDS must not pay for pandas, Ibis, DuckDB, polars, NumPy or Django starting up."""
    import subprocess
    import sys

    heavy = ("pandas", "ibis", "duckdb", "numpy", "django", "pyarrow", "polars")
    code = (
        "import sys; from typer.testing import CliRunner; from commonweal.cli.main import app; "
        "result = CliRunner().invoke(app, ['ocds', 'compile', '--help']); assert result.exit_code == 0; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""
