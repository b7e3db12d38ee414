"""The docs stay honest: every price formula and every tender.yaml key is documented (datasette's habit)."""

import re
from pathlib import Path

from commonweal.domain.evaluation.price import FORMULAS
from commonweal.io.tender_folder import YAML_KEYS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_price_formula_is_documented_with_its_formula() -> None:
    text = (DOCS / "evaluation.md").read_text()
    for formula in FORMULAS.values():
        assert f"### `{formula.name}`" in text, formula.name
        assert formula.formula in text, formula.name


def test_every_tender_yaml_key_is_documented() -> None:
    text = (DOCS / "tender-folder.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", text))
    missing = {key for keys in YAML_KEYS.values() for key in keys} - documented
    assert not missing, f"undocumented tender.yaml keys: {sorted(missing)}"


def test_every_default_we_chose_is_labelled_as_ours() -> None:
    paragraphs = (DOCS / "evaluation.md").read_text().split("\n\n")
    for phrase in ("below_mean_of_others_percent", "spread_threshold_percent", "weight_band", "fragile_below"):
        paragraph = next(p for p in paragraphs if phrase in p)
        assert "Commonweal default" in paragraph, phrase


def test_every_command_is_documented() -> None:
    from commonweal.cli.main import AREAS, area_command

    text = "\n".join(p.read_text() for p in [*DOCS.glob("*.md"), DOCS.parent / "README.md"])
    missing = []
    for area in AREAS:
        command = area_command(area)
        subcommands = list(getattr(command, "commands", None) or ())
        missing += [name for name in ([f"commonweal {area} {s}" for s in subcommands] or [f"commonweal {area}"])
                    if name not in text]
    assert not missing, f"commands no doc names: {missing}"
