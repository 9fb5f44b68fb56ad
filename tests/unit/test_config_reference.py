"""The README's configuration reference lists every key, as the config models define them."""

from __future__ import annotations

from pathlib import Path

from components.config import StackConfig
from components.config.reference import BEGIN, END, reference, with_reference

README = Path(__file__).parents[2] / "README.md"


def test_readme_reference_is_current() -> None:
    text = README.read_text()
    assert BEGIN in text and END in text
    assert with_reference(text) == text, (
        "README.md's configuration reference is stale: "
        "run `.venv/bin/python -m components.config.reference --write`"
    )


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
