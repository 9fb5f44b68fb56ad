"""docs/configuration.md's configuration reference lists every key, as the config models
define them."""

from __future__ import annotations

from pathlib import Path

from components.config import StackConfig
from components.config.reference import BEGIN, DOC, END, reference, with_reference

REFERENCE_DOC = Path(__file__).parents[2] / DOC


def test_the_reference_doc_is_current() -> None:
    text = REFERENCE_DOC.read_text()
    assert BEGIN in text and END in text
    assert with_reference(text) == text, (
        f"{DOC}'s configuration reference is stale: "
        "run `.venv/bin/python -m components.config.reference --write`"
    )


def test_the_readme_leaves_the_reference_to_the_doc() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert BEGIN not in readme and END not in readme
    assert f"]({DOC})" in readme


def test_every_key_has_a_meaning_and_a_default() -> None:
    rows = reference().splitlines()[2:]
    assert len(rows) > 40
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert len(cells) == 3, row
        assert cells[1], f"no meaning for {cells[0]}"
        assert cells[2], f"no default for {cells[0]}"
    for name, field in StackConfig.model_fields.items():
        assert f"`dataplane:{field.alias or name}`" in reference()
