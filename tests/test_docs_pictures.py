"""Every screenshot the README and the docs show is one docs/pictures.py makes from the
current app (so a UI change plus `python docs/pictures.py` refreshes all of them)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def made() -> set[str]:
    spec = importlib.util.spec_from_file_location("pictures", ROOT / "docs" / "pictures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {p.file for p in module.PICTURES}


def shown() -> dict[str, str]:
    """docs/ file name -> the markdown file that shows it."""
    out: dict[str, str] = {}
    for md in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for ref in re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", md.read_text(encoding="utf-8")):
            path = (md.parent / ref).resolve()
            assert path.parent == ROOT / "docs", f"{md.name}: {ref} is not under docs/"
            out[path.name] = md.name
    return out


def test_every_picture_shown_is_made_by_the_script() -> None:
    pictures = made()
    for name, md in shown().items():
        assert name in pictures, f"{md} shows docs/{name}, which docs/pictures.py does not make"


def test_every_picture_the_script_makes_is_there_and_shown() -> None:
    refs = shown()
    for name in made():
        assert (ROOT / "docs" / name).is_file(), f"run python docs/pictures.py: {name} is missing"
        assert name in refs, f"docs/{name} is made but no document shows it"
