"""The README stays a five-minute read, and every relative link of the README and docs/ leads
somewhere: to a file that exists and, with a `#anchor`, to a heading of it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
README = REPO / "README.md"
MAX_README_LINES = 250

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
LINK = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


def markdown_files() -> list[Path]:
    return [README, *sorted((REPO / "docs").glob("*.md"))]


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks: links and headings in a fence are text."""
    lines, fence = [], ""
    for line in text.splitlines():
        m = FENCE.match(line)
        if m and not fence:
            fence = m.group(1)
            continue
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
            continue
        lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: its text without markup, lower case, punctuation
    dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose_lines(path.read_text()):
        found.update(HTML_ANCHOR.findall(line))
        m = HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def relative_links(path: Path) -> list[str]:
    links = []
    for line in prose_lines(path.read_text()):
        for target in LINK.findall(CODE_SPAN.sub("", line)):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                links.append(target)
    return links


def test_the_readme_is_short() -> None:
    n = len(README.read_text().splitlines())
    assert n <= MAX_README_LINES, (
        f"README.md has {n} lines, more than {MAX_README_LINES}: move the long parts to docs/ "
        "and link them"
    )


@pytest.mark.parametrize("doc", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_leads_somewhere(doc: Path) -> None:
    broken = []
    for target in relative_links(doc):
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading with that anchor in {dest.name}")
    assert not broken, f"{doc.relative_to(REPO)}: " + "; ".join(broken)


def test_the_checker_sees_links_and_headings() -> None:
    # The checks above pass vacuously if nothing is found: make sure they find things.
    assert "docs/configuration.md" in relative_links(README)
    assert "which-mode" in anchors(README)
    assert slug("Moving to standalone, data kept") == "moving-to-standalone-data-kept"
    assert slug("`langgraph-cloud` 0.3.2: standalone") == "langgraph-cloud-032-standalone"
    assert CODE_SPAN.sub("", "`[a](b)` and ``c `d` e`` [f](g)") == " and  [f](g)"


def tracked_folders() -> set[str]:
    """Every top-level folder of the repository, and every folder under tests/, as
    `name/`: from git when there is a clone, else from the files on disk."""
    try:
        files = subprocess.run(
            ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        files = [
            str(p.relative_to(REPO))
            for p in REPO.rglob("*")
            if p.is_file()
            and not any(
                (part.startswith(".") and part not in (".ci", ".github")) or part == "__pycache__"
                for part in p.relative_to(REPO).parts
            )
        ]
    folders = set()
    for f in files:
        parts = f.split("/")
        if len(parts) > 1:
            folders.add(parts[0] + "/")
        if parts[0] == "tests" and len(parts) > 2:
            folders.add(f"tests/{parts[1]}/")
    return folders


def test_the_layout_lists_every_folder() -> None:
    text = README.read_text()
    layout = text[text.index("## Layout") :]
    missing = sorted(f for f in tracked_folders() if f"`{f}" not in layout)
    assert not missing, f"README.md's Layout does not list {missing}"
