"""Generated presets are kept in the cache directory and read back, never trusted blindly.

conftest.py points $SWAPTUI_CACHE_DIR at a fresh directory for every test, and at one
of the session for module- and session-scoped fixtures (which are set up before any
test's own fixtures).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.scenario import cache, export_scenario, presets
from models.scenario.load import parse_scenario as real_parse
from swaptui import config

NAME = "fragmented"  # a generated preset that builds in a fraction of a second


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No preset remembered in this process: every load goes to the cache or the recipe."""
    monkeypatch.setattr(presets, "_loaded", {})


@pytest.fixture(scope="module")
def module_cache_dir() -> Iterator[Path | None]:
    """Where a module-scoped fixture's preset load would be cached, after swaptui.cli
    configured the user's directory in this process (as any test of `cli.main` does)."""
    before = cache._directory
    cache.use_directory(config.cache_dir())
    try:
        yield cache.directory()
    finally:
        cache._directory = before


def test_wider_fixtures_do_not_reach_the_user_cache(
    module_cache_dir: Path | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # module-scoped fixtures (test_calibration loads vineeth-6g in one) run before the
    # per-test directory is set: the session's directory must already be in force
    assert module_cache_dir is not None
    assert module_cache_dir != config.cache_dir()
    assert module_cache_dir.is_relative_to(tmp_path_factory.getbasetemp())


def _generations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the presets parsed (generated) from their text."""
    calls: list[str] = []

    def counting(text, filename="<scenario>", note=None):
        calls.append(filename)
        return real_parse(text, filename, note)

    monkeypatch.setattr(presets, "parse_scenario", counting)
    return calls


def _files() -> list[Path]:
    return sorted(Path(os.environ[cache.ENV_DIR]).glob("*.pickle"))


def test_the_second_load_reads_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _generations(monkeypatch)
    first = presets.load_preset(NAME)
    assert calls == [f"preset:{NAME}"] and len(_files()) == 1
    presets._loaded.clear()
    second = presets.load_preset(NAME)
    assert calls == [f"preset:{NAME}"]  # not generated again
    assert second == first and export_scenario(second) == export_scenario(first)


def test_an_explicit_preset_is_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _generations(monkeypatch)
    presets.load_preset("demo")
    assert calls == ["preset:demo"] and _files() == []


def test_the_key_follows_the_text_and_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    text = presets.preset_text(NAME)
    k = cache.key(NAME, text)
    assert cache.key(NAME, text + "\n") != k
    assert cache.key("other", text) != k
    monkeypatch.setattr(cache, "_code_digest", "another version of models/")
    assert cache.key(NAME, text) != k
    monkeypatch.undo()
    assert cache.key(NAME, text) == k
    monkeypatch.setattr(cache, "_runtime", lambda: "python 3.99, attrs 1.0")
    assert cache.key(NAME, text) != k


@pytest.mark.parametrize("damage", ["truncate", "body", "magic"])
def test_a_damaged_file_is_ignored_and_replaced(monkeypatch, damage: str) -> None:
    calls = _generations(monkeypatch)
    good = presets.load_preset(NAME)
    (path,) = _files()
    data = bytearray(path.read_bytes())
    head = len(cache.MAGIC) + 32
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "body":  # another valid scenario under the old digest
        data[head:] = pickle.dumps(real_parse(presets.preset_text("demo")))
    else:
        data[:4] = b"XXXX"
    path.write_bytes(bytes(data))
    presets._loaded.clear()
    assert presets.load_preset(NAME) == good
    assert len(calls) == 2  # generated again
    presets._loaded.clear()
    assert presets.load_preset(NAME) == good and len(calls) == 2  # and rewritten


RAN: list[str] = []


def _payload(what: str) -> None:
    """What a hostile cache file would make the unpickler call."""
    RAN.append(what)


class _Hostile:
    def __reduce__(self):
        return (_payload, ("called while reading the cache",))


def test_a_file_naming_anything_else_is_not_unpickled(monkeypatch) -> None:
    calls = _generations(monkeypatch)
    good = presets.load_preset(NAME)
    (path,) = _files()
    body = pickle.dumps(_Hostile())
    path.write_bytes(cache.MAGIC + hashlib.sha256(body).digest() + body)
    RAN.clear()
    presets._loaded.clear()
    assert presets.load_preset(NAME) == good
    assert RAN == [] and len(calls) == 2


def test_a_directory_others_can_write_is_not_read(monkeypatch) -> None:
    calls = _generations(monkeypatch)
    presets.load_preset(NAME)
    d = Path(os.environ[cache.ENV_DIR])
    d.chmod(0o777)
    presets._loaded.clear()
    presets.load_preset(NAME)
    assert len(calls) == 2
    d.chmod(0o700)


def test_an_empty_setting_caches_nothing(monkeypatch) -> None:
    monkeypatch.setenv(cache.ENV_DIR, "")
    calls = _generations(monkeypatch)
    presets.load_preset(NAME)
    presets._loaded.clear()
    presets.load_preset(NAME)
    assert len(calls) == 2


def test_a_cache_that_cannot_be_written_costs_only_the_time(tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv(cache.ENV_DIR, str(blocked / "cache"))
    scenario = presets.load_preset(NAME)
    assert scenario.name == NAME
    assert blocked.read_text() == "not a directory"
