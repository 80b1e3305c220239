"""The themes: registered in Textual, every state colour defined, glyphs all distinct."""

from __future__ import annotations

from pathlib import Path

import pytest

import themes
from swaptui import config


def test_four_themes_each_define_every_state() -> None:
    assert len(themes.THEMES) >= 4
    for theme in themes.THEMES:
        for state in themes.STATES:
            assert theme.variables[f"swap-{state}"].startswith("#")


def test_glyphs_differ_so_colour_is_never_the_only_cue() -> None:
    glyphs = [themes.GLYPHS[s] for s in themes.STATES]
    assert len(set(glyphs)) == len(glyphs)


def test_short_names_resolve() -> None:
    assert themes.resolve("light") == "swaptui-light"
    assert themes.resolve("okabe-ito") == "swaptui-okabe-ito"
    assert themes.resolve("nope") is None


def test_light_theme_is_light() -> None:
    assert not themes.LIGHT.dark and themes.DARK.dark


def test_config_roundtrip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.ENV_DIR, str(tmp_path))
    assert config.load() == {}
    config.save(theme='a"b')
    assert config.load() == {"theme": 'a"b'}
    (tmp_path / "config.toml").write_text("not toml [")
    assert config.load() == {}
