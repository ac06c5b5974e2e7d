"""The project's documents hold what the code cites, and name nothing outside the repository.

Source files cite the product rules as "requirements S<n>" (also "requirements S4/S5"); every cited
section must be a "## S<n>." heading of docs/requirements.md.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "docs" / "requirements.md"
SCANNED = ["cecloud", "config", "bench", "tests", "scripts", "docs", ".ci"]
TOP_LEVEL = ["README.md", "CONTRIBUTING.md", "Makefile", ".env.example", "pyproject.toml", "conftest.py"]
TEXT_SUFFIXES = {".py", ".html", ".js", ".css", ".md", ".txt", ".toml", ".cfg", ".ini", ".sh", ""}
SKIPPED_DIRS = {"vendor", "node_modules", "__pycache__", "demo_media", "data"}

CITATION = re.compile(r"requirements(?:\.md)? (S\d+(?:\s*/\s*S\d+)*)")
SECTION = re.compile(r"^## (S\d+)\. ", re.MULTILINE)


def source_files() -> list[Path]:
    files = [ROOT / name for name in TOP_LEVEL if (ROOT / name).is_file()]
    for folder in SCANNED:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in TEXT_SUFFIXES and not SKIPPED_DIRS.intersection(path.parts):
                files.append(path)
    return files


def citations() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for path in source_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in CITATION.finditer(text):
            for section in re.findall(r"S\d+", match.group(1)):
                cited.setdefault(section, set()).add(str(path.relative_to(ROOT)))
    return cited


def test_the_code_cites_the_requirements():
    assert len({file for files in citations().values() for file in files}) >= 30


def test_every_cited_section_exists():
    sections = set(SECTION.findall(REQUIREMENTS.read_text(encoding="utf-8")))
    missing = {section: sorted(files) for section, files in citations().items() if section not in sections}
    assert not missing, f"cited but not in docs/requirements.md: {missing}"


def test_sections_are_s0_to_s13_in_order():
    sections = SECTION.findall(REQUIREMENTS.read_text(encoding="utf-8"))
    assert sections == [f"S{n}" for n in range(14)]


def test_nothing_cites_a_document_the_repository_does_not_hold():
    old_citation = re.compile(r"\bSPEC S\d")
    stale = [
        str(path.relative_to(ROOT)) for path in source_files() if old_citation.search(path.read_text(errors="replace"))
    ]
    assert not stale


def test_no_machine_paths_or_working_notes():
    this_file = Path(__file__).resolve()
    machine_path = re.compile(r"/work/|\.\./shared/|/home/\w+/")
    found = [
        str(path.relative_to(ROOT))
        for path in source_files()
        if path.resolve() != this_file and machine_path.search(path.read_text(errors="replace"))
    ]
    assert not found
    assert not (ROOT / "docs" / "HELPERS.md").exists()
