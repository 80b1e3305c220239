"""Bad input never produces a traceback: mutated scenario files through the parser and the CLI."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.scenario import ScenarioError, parse_scenario
from swaptui.cli import main
from tests.profiles import examples

SEED_TEXT = """format = "swaptui-scenario/1"

[scenario]
name = "fuzz"
seed = 3
page_cluster = 2

[swap]
slots = 24
bad = [7]

[disk]
kind = "hdd"

[memory]
free_pages = 40

[[mm]]
pid = 10
comm = "a"
  [[mm.vma]]
  start = 0x400000
  pages = 8
  anon = true
  resident = [[0, 2]]
  swapped = [[2, 3], [3, 4], [5, 9]]

[[mm]]
pid = 11
comm = "b"
parent = 10
  [[mm.vma]]
  start = 0x400000
  pages = 8
  swapped = [[2, 3], [6, 12]]

[[shmem]]
name = "/dev/shm/f"
pages = 4
swapped = [[0, 14], [1, 15]]

[[fault]]
kind = "touch"
pid = 11
after = 1
"""

_TOKENS = [
    "0",
    "-1",
    "99999999999999999999",
    "1.5",
    '"x"',
    "[",
    "]",
    "[[",
    "=",
    "\n",
    "true",
    "[[mm]]",
    "[[mm.vma]]",
    "[swap]",
    "slots",
    "pid",
    "0x",
    "\x00",
    "\ud7ff",
    "#",
    '"""',
]


@st.composite
def mutated(draw) -> str:
    rng = random.Random(draw(st.integers(0, 2**32)))
    text = SEED_TEXT
    for _ in range(draw(st.integers(1, 4))):
        op = rng.randrange(5)
        i = rng.randrange(len(text))
        if op == 0:  # delete a stretch
            text = text[:i] + text[i + rng.randrange(1, 12) :]
        elif op == 1:  # insert a token
            text = text[:i] + rng.choice(_TOKENS) + text[i:]
        elif op == 2:  # change a number
            digits = [k for k, c in enumerate(text) if c.isdigit()]
            k = rng.choice(digits)
            text = (
                text[:k]
                + str(rng.choice([0, 1, 2, 23, 24, 25, 62, 63, 4096, 2**26 + 1]))
                + text[k + 1 :]
            )
        elif op == 3:  # duplicate a line
            lines = text.split("\n")
            j = rng.randrange(len(lines))
            lines.insert(j, lines[j])
            text = "\n".join(lines)
        else:  # swap two lines
            lines = text.split("\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    return text


@settings(max_examples=examples(2000))
@given(text=mutated())
def test_parser_refuses_with_one_scenario_error(text: str) -> None:
    try:
        parse_scenario(text, "f.toml")
    except ScenarioError as e:
        message = str(e)
        assert message.startswith("f.toml") and "\n" not in message


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=mutated())
def test_cli_run_never_tracebacks(text: str, tmp_path_factory, capsys) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    status = main(["run", str(path), "--algo", "all", "--json"])
    out, err = capsys.readouterr()
    assert status in (0, 1, 2)
    if status == 2:
        assert err.count("\n") == 1 and err.startswith("swaptui: ") and out == ""
    else:
        assert "Traceback" not in err
