"""`swaptui capture` on trees that are hostile or merely unusual (issue #18, item 9).

Names the kernel leaves unescaped (a carriage return, an escape sequence) or escapes
(a newline), a process beyond the default vm.max_map_count, and files that are not
files: the capture writes a file that loads, or stops with one line and status 2,
never "does not validate (a swaptui bug)", never a hang.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.engine import RunOptions, run_swapoff
from models.scenario import parse_scenario
from models.scenario_model import PAGE_SIZE, Scenario
from swaptui.commands import capture
from swaptui.commands.capture import collect, render
from tests.procfs import FakeVma, Tree

HEAP = 0x7F0000000000
REPO = Path(__file__).resolve().parent.parent


def run_capture(*argv: str) -> int:
    top = argparse.ArgumentParser(prog="swaptui")
    capture.add_parser(top.add_subparsers(dest="command"))
    return capture.run(top.parse_args(["capture", *argv]))


def captured(t: Tree) -> tuple[Scenario, str]:
    text = render(collect(str(t.proc)))
    return parse_scenario(text, "captured.toml"), text


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    ["/swap\nfile", "/swap\rfile", "/swap\x1bfile", "/swap\x1b[2J\x1b[Hfile", "/swap\u2028file"],
    ids=["newline", "carriage-return", "escape", "escape-sequence", "line-separator"],
)
def test_swap_file_names_with_controls(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # /proc/swaps escapes blanks, newlines and backslashes as \ooo and nothing else
    t = Tree(tmp_path).area(name, 4096, kind="file")
    t.mounts = [("/dev/sda1", "/")]
    t.rotational["sda"] = 1
    t.process(5, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    s, text = captured(t)
    assert s.disk.kind == "hdd"  # the whole name was read: it lies under the / mount
    head = text.split("format =")[0]
    assert all(line.startswith("#") or not line for line in head.split("\n"))
    assert "# swap area: /swap?" in head
    # the summary line on stderr stays one line and sends the terminal nothing
    assert run_capture("--proc-root", str(t.proc)) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\r" not in err


def test_unknown_swap_name_message_stays_one_harmless_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = Tree(tmp_path).area("/dev/sda2\x1b]0;owned\x07", 4096)
    t.process(5, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    assert run_capture("--proc-root", str(t.proc), "--swap", "/dev/nope\n") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\x07" not in err
    assert err.startswith(
        "swaptui: no swap area named '/dev/nope\\n' (active: /dev/sda2?]0;owned?)"
    )


def test_mapped_file_and_process_names_with_controls(tmp_path: Path) -> None:
    # maps escapes only the newline; a shared mapping's name becomes a [[shmem]] name
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    p = t.process(6, "ev\x1bil\rcomm")
    p.vma(HEAP, 4).swap(0, 3)
    p.vma(0x7F1000000000, 4, perms="rw-s", path="/dev/shm/a\rb\x1b[31m c", dev="00:1a", inode=9)
    p.vmas[1].swap(1, 4)
    t.write()
    s, text = captured(t)
    assert s.mms[0].comm == "ev\x1bil\rcomm"  # kept verbatim, written escaped
    assert [f.name for f in s.shmem] == ["/dev/shm/a\rb\x1b[31m c"]
    assert "\x1b" not in text and "\r" not in text


# ---------------------------------------------------------------- many mappings


@pytest.mark.slow
def test_more_mappings_than_a_scenario_holds(tmp_path: Path) -> None:
    """65,540 one-page mappings two pages apart (vm.max_map_count raised past 65,530).

    The first page table (512 pages) holds mappings 0-255: mapping 0 has a swapped
    page, mapping 1 a resident one, so all 256 are walked, one unuse_pte_range call
    each.  The other 65,284 lie in page tables without a page: nothing walks them.  The
    ten left out are the highest of those, and the walk is the same as with all of them.
    """
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    p = t.process(7, "many")
    # appended in address order directly: FakeProc.vma() sorts at every call
    p.vmas = [FakeVma(HEAP + 2 * k * PAGE_SIZE, 1) for k in range(65540)]
    p.vmas[0].swap(0, 3)
    p.vmas[1].present(0)
    t.write()
    got = collect(str(t.proc))
    text = render(got)  # which checks that the text loads
    s = got.scenario
    vmas = s.mms[0].vmas
    assert len(vmas) == 65530
    assert vmas[-1].start == HEAP + 2 * 65529 * PAGE_SIZE  # the top ten went
    assert (
        "65540 mappings, a scenario holds 65530 per process: 10 left out (nothing the walk sees)"
        in text
    )
    run = run_swapoff(s, RunOptions(algorithm="linear", keep_events=False))
    assert run.counters.unuse_pte_range_calls == 256
    assert run.counters.unuse_pte_calls == 1


def test_mappings_left_out_by_what_the_walk_sees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order of leaving out, on a limit of 3 made small for the test.

    Six mappings, one page table each (512 pages apart): A swapped, B resident and
    private (walked), C empty and alone in its table (nothing), D a file mapping with a
    resident page in a table no walked mapping crosses (nothing), E empty, F swapped.
    Over the limit by 3: C and D go first (they change nothing), then the highest
    without swap entries: E.
    """
    monkeypatch.setattr("swaptui.capture.build.MAX_VMAS", 3)
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    p = t.process(8, "few")
    table = 512 * PAGE_SIZE
    p.vma(HEAP, 4).swap(0, 3)  # A
    p.vma(HEAP + table, 4).present(0)  # B
    p.vma(HEAP + 2 * table, 4)  # C
    p.vma(HEAP + 3 * table, 4, perms="r--p", path="/usr/lib/x.so", dev="08:01", inode=5).present(
        0, file=True
    )  # D
    p.vma(HEAP + 4 * table, 4)  # E
    p.vma(HEAP + 5 * table, 4).swap(1, 4)  # F
    t.write()
    s, text = captured(t)
    assert [v.start for v in s.mms[0].vmas] == [HEAP, HEAP + table, HEAP + 5 * table]
    assert "6 mappings, a scenario holds 3 per process: 3 left out (nothing the walk sees)" in text


# ---------------------------------------------------------------- files that are not files


@pytest.mark.parametrize(
    "where", ["swaps", "vmstat", "sys/kernel/hostname", "7/maps", "7/pagemap", "7/smaps"]
)
def test_a_fifo_in_the_tree_stops_with_one_line(tmp_path: Path, where: str) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(7, "x", smaps=True).vma(HEAP, 4).swap(0, 3)
    t.write()
    path = t.proc / where
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    out = tmp_path / "out.toml"
    # a subprocess with a deadline: a capture that blocks on the FIFO fails, not hangs
    proc = subprocess.run(
        [sys.executable, "-m", "swaptui", "capture", "--proc-root", str(t.proc), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"swaptui: {path} is a FIFO, not a file as /proc has there\n"
    assert not out.exists()


def test_a_device_or_directory_in_the_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(7, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    pagemap = t.proc / "7" / "pagemap"
    pagemap.unlink()
    pagemap.symlink_to("/dev/zero")  # would read zeros for ever
    assert run_capture("--proc-root", str(t.proc)) == 2
    assert (
        capsys.readouterr().err
        == f"swaptui: {pagemap} is a character device, not a file as /proc has there\n"
    )
    pagemap.unlink()
    pagemap.mkdir()
    assert run_capture("--proc-root", str(t.proc)) == 2
    assert "is a directory, not a file as /proc has there" in capsys.readouterr().err
