"""Every command that writes a file writes a regular file, whole, or nothing at all.

The writers: `run --trace`, `scenario export -o`, `record -o` (and `--svg-dir`) and
`capture -o`.  Each refuses, before any work, a directory, a device, a FIFO, a
symbolic link, an existing file without --force and a place where no file can be
created; a failure during the write (a full disk, a signal) leaves the old file and
no temporary file.  Every refusal is one line on stderr and exit status 2.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from swaptui import atomic
from swaptui.cli import main
from tests.procfs import Tree
from tests.signal_child import signal_while_writing

REPO = Path(__file__).resolve().parent.parent


def proc_tree(root: Path) -> Path:
    """The smallest /proc that `capture` turns into a scenario: one process, one slot."""
    t = Tree(root).area("/dev/sda2", 8192, used_kib=4)
    t.process(100, "web").vma(0x7F0000000000, 4).swap(0, 10)
    t.write()
    return t.proc


def run_argv(out: str, _root: Path) -> list[str]:
    return ["run", "demo", "--algo", "linear", "--trace", out]


def export_argv(out: str, _root: Path) -> list[str]:
    return ["scenario", "export", "demo", "-o", out]


def record_argv(out: str, _root: Path) -> list[str]:
    return ["record", "demo", "-o", out, "--frames", "1", "--size", "80x24"]


def capture_argv(out: str, root: Path) -> list[str]:
    return ["capture", "--proc-root", str(proc_tree(root / "machine")), "-o", out]


WRITERS: dict[str, Callable[[str, Path], list[str]]] = {
    "run --trace": run_argv,
    "scenario export": export_argv,
    "record": record_argv,
    "capture": capture_argv,
}
writers = pytest.mark.parametrize("argv", WRITERS.values(), ids=WRITERS.keys())


def refused(capsys: pytest.CaptureFixture[str], argv: list[str], *words: str) -> str:
    """Run the command: exit 2, one line on stderr holding `words`, no traceback."""
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (status, err)
    assert out == ""  # nothing on stdout either
    assert err.count("\n") == 1 and err.startswith("swaptui: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


def listing(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


# ---- refused before any work ------------------------------------------------------------
@writers
@pytest.mark.parametrize("force", [False, True])
def test_a_directory_is_refused(
    argv: Callable[[str, Path], list[str]],
    force: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "out.cast"
    target.mkdir()
    refused(
        capsys, argv(str(target), tmp_path) + ["--force"] * force, str(target), "is a directory"
    )
    assert listing(target) == []


def a_device(tmp_path: Path) -> Path:
    """A character device that a broken writer may replace without harm.

    As root, a copy of /dev/null made in tmp_path (a regression once replaced the real
    one with a regular file while this test was being written).  Without root, mknod
    fails, and so would any rename over /dev/null: the real one is safe to name.
    """
    dev = tmp_path / "null.cast"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return dev


@writers
@pytest.mark.parametrize("force", [False, True])
def test_a_device_is_refused_even_with_force(
    argv: Callable[[str, Path], list[str]],
    force: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dev = a_device(tmp_path)
    refused(capsys, argv(str(dev), tmp_path) + ["--force"] * force, str(dev), "is a device")
    assert dev.is_char_device()


@writers
def test_a_fifo_is_refused_without_blocking(
    argv: Callable[[str, Path], list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.cast"
    os.mkfifo(fifo)
    # opening a FIFO for writing would wait for a reader for ever: it is never opened
    refused(capsys, [*argv(str(fifo), tmp_path), "--force"], "is a FIFO")
    assert fifo.is_fifo()


@writers
@pytest.mark.parametrize("force", [False, True])
def test_a_symlink_is_not_followed(
    argv: Callable[[str, Path], list[str]],
    force: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = tmp_path / "real.txt"
    real.write_text("keep me\n")
    link = tmp_path / "link.cast"
    link.symlink_to(real)
    refused(
        capsys, argv(str(link), tmp_path) + ["--force"] * force, "is a symbolic link to", str(real)
    )
    assert link.is_symlink() and real.read_text() == "keep me\n"


@writers
def test_an_existing_file_needs_force(
    argv: Callable[[str, Path], list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.cast"
    out.write_text("old\n")
    refused(capsys, argv(str(out), tmp_path), "exists (use --force to overwrite)")
    assert out.read_text() == "old\n"
    assert main([*argv(str(out), tmp_path), "--force"]) == 0
    capsys.readouterr()
    assert out.read_text() != "old\n" and out.stat().st_size > 0
    assert not [n for n in listing(tmp_path) if n.endswith(".tmp") or "probe" in n]


@writers
def test_a_missing_directory_is_named(
    argv: Callable[[str, Path], list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nowhere" / "out.cast"
    refused(capsys, argv(str(out), tmp_path), f"directory {tmp_path / 'nowhere'} does not exist")


@writers
def test_a_file_used_as_a_directory(
    argv: Callable[[str, Path], list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    plain.write_text("")
    refused(capsys, argv(str(plain / "out.cast"), tmp_path), str(plain / "out.cast"))
    assert plain.read_text() == ""


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
@writers
def test_a_directory_that_takes_no_files(
    argv: Callable[[str, Path], list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # /proc is a directory, writable by root as far as permission bits go, but it
    # refuses new files: only trying tells (this was a FileNotFoundError traceback)
    refused(capsys, argv("/proc/x.out", tmp_path), "/proc/x.out", "cannot write in /proc")


# ---- failures during the write -------------------------------------------------------------
FAST = {k: WRITERS[k] for k in ("run --trace", "scenario export")}
fast_writers = pytest.mark.parametrize("argv", FAST.values(), ids=FAST.keys())


@fast_writers
def test_a_full_disk_leaves_the_old_file(
    argv: Callable[[str, Path], list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out.cast"
    out.write_text("old\n")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    refused(capsys, [*argv(str(out), tmp_path), "--force"], str(out), "no space left on device")
    assert out.read_text() == "old\n"
    assert listing(tmp_path) == ["out.cast"]


@fast_writers
def test_ctrl_c_during_the_write_leaves_no_temporary_file(
    argv: Callable[[str, Path], list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    assert main(argv(str(tmp_path / "out.cast"), tmp_path)) == 130
    assert listing(tmp_path) == []


SIGTERM_CHILD = """
import os, sys, time
from swaptui import atomic

def stall(fd):
    print("writing", flush=True)  # the temporary file exists now
    time.sleep(60)

atomic.os.fsync = stall
atomic.write_atomic(sys.argv[1], "x" * 100000)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_the_write_leaves_no_temporary_file(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "out.cast"
    status, err = signal_while_writing(
        SIGTERM_CHILD,
        [str(out)],
        sig,
        holding=lambda: any(n.endswith(".tmp") for n in listing(tmp_path)),
    )
    assert status == 128 + sig, err
    assert listing(tmp_path) == []


# ---- record --svg-dir --------------------------------------------------------------------------
SVG = ["record", "demo", "--frames", "1", "--size", "80x24", "--svg-dir"]


def test_svg_dir_must_be_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain"
    plain.write_text("")
    refused(capsys, [*SVG, str(plain)], str(plain), "exists and is not a directory")
    refused(capsys, [*SVG, str(plain / "frames")], str(plain / "frames"), "is not a directory")
    assert listing(tmp_path) == ["plain"]


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_svg_dir_where_nothing_can_be_written(capsys: pytest.CaptureFixture[str]) -> None:
    refused(capsys, [*SVG, "/proc/frames"], "/proc/frames", "cannot write in /proc")


def test_svg_dir_is_created_with_its_parents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "a" / "b"
    assert main([*SVG, str(d)]) == 0
    capsys.readouterr()
    assert listing(d) == ["frame-00000.svg"]
