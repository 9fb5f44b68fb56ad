"""Measure the credential rule on the corpus of real-world variable names.

`tests/unit/data/env_names.tsv` holds, one a line: a variable name from a public project's
documentation, whether its value is a `credential` or a `setting`, an example value (where the
value decides; empty: the name alone decides, and the rule sees `placeholder`), and the source.

Run `.venv/bin/python tests/unit/credentials_corpus.py` to print the counts and every miss
(a credential let through) and false alarm (a setting refused).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from components.config.credentials import credential_reason

CORPUS = Path(__file__).parent / "data" / "env_names.tsv"
PLACEHOLDER = "placeholder"


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    value: str
    source: str

    @property
    def key(self) -> str:
        """The row's name, with its example value when the value decides."""
        return f"{self.name}={self.value}" if self.value else self.name


def rows() -> list[Row]:
    with CORPUS.open(newline="") as f:
        return [Row(**r) for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def refused(row: Row) -> bool:
    return credential_reason(row.name, row.value or PLACEHOLDER) is not None


def measure() -> tuple[list[Row], list[Row]]:
    """(misses, false alarms) of the rule on the corpus."""
    all_rows = rows()
    misses = [r for r in all_rows if r.label == "credential" and not refused(r)]
    false_alarms = [r for r in all_rows if r.label == "setting" and refused(r)]
    return misses, false_alarms


def main() -> None:
    all_rows = rows()
    misses, false_alarms = measure()
    credentials = sum(r.label == "credential" for r in all_rows)
    print(
        f"{len(all_rows)} rows ({len({r.name for r in all_rows})} names): "
        f"{credentials} credentials, {len(all_rows) - credentials} settings"
    )
    print(f"misses: {len(misses)}")
    for r in misses:
        print(f"  {r.key}")
    print(f"false alarms: {len(false_alarms)}")
    for r in false_alarms:
        print(f"  {r.key}")


if __name__ == "__main__":
    main()
