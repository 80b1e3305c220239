"""Boot Debian's Linux 6.1 under qemu and record one swapoff, for the kernel-in-the-loop test.

The host side of `tests/kernel/guest/`: it installs what it needs from the Debian
registry (qemu, a static busybox, a C compiler), downloads the kernel package once into
`tests/kernel/.cache/` (gitignored; a second run reuses it), builds an initramfs around
the guest's init script and two small C programs, boots it with a plan (which
workloads to run, rotational or not, page-cluster) and unpacks what the guest sent
back: the /proc files `swaptui capture` reads, copied just before swapoff, and the
trace of swapoff (every unuse_pte_range call with its mm and VMA, every swap_readpage
with its slot, in order), which `trace.py` reads.

Anything that cannot be had (no registry, not root, no qemu) raises `Unavailable`
with one line saying what, so the test can skip; anything that goes wrong once the VM
runs raises `BootFailed` with the end of the console log.
"""

from __future__ import annotations

import base64
import hashlib
import io
import lzma
import os
import re
import shutil
import stat
import subprocess
import tarfile
import time
from pathlib import Path

from attrs import frozen

HERE = Path(__file__).resolve().parent
GUEST = HERE / "guest"
CACHE = HERE / ".cache"
USER_TOP_PAGE = (1 << 47) // 4096
# what the guest needs, by the Debian package that brings it
TOOLS = {
    "qemu-system-x86_64": "qemu-system-x86",
    "/bin/busybox": "busybox-static",
    "gcc": "gcc",
    "/usr/lib/x86_64-linux-gnu/libc.a": "libc6-dev",
}
KERNEL_META = "linux-image-amd64"  # depends on the current linux-image-6.1.0-N-amd64


class Unavailable(Exception):
    """The test cannot run here (no registry, no root, no qemu): skip, saying why."""


class BootFailed(Exception):
    """The VM ran but did not deliver a swapoff."""


@frozen
class Family:
    """One hog and its children (guest/hog.c): `family NAME MB KIDS TOUCH LEAVE LIMIT`."""

    name: str
    mb: int
    kids: int = 0
    touch_pct: int = 0  # each child rewrites this share of the inherited pages
    leave: bool = False  # the parent exits after forking: the children are reparented
    limit_mb: int = 0  # the family's memory.max (0: none; reclaim alone swaps it out)


@frozen
class Plan:
    name: str
    rotational: bool
    page_cluster: int
    families: tuple[Family, ...]

    def script(self) -> str:
        calls = [
            f"family {f.name} {f.mb} {f.kids} {f.touch_pct} {int(f.leave)} {f.limit_mb}"
            for f in self.families
        ]
        return (
            f"# plan {self.name}\nROTATIONAL={int(self.rotational)}\n"
            f"PAGE_CLUSTER={self.page_cluster}\nFAMILIES='{chr(10).join(calls)}'\n"
        )


@frozen
class Timings:
    install_s: float
    kernel_s: float
    build_s: float


@frozen
class Boot:
    """What one boot delivered: the rebuilt tree and the kernel's trace."""

    plan: Plan
    kernel: str  # the package's version, e.g. 6.1.0-40-amd64
    out: Path  # holds tree/{proc,sys}, trace, vmstat-before, swapoff-status
    seconds: float

    @property
    def tree(self) -> Path:
        return self.out / "tree"


# --------------------------------------------------------------------------- the host


def _run(argv: list[str], what: str, **kw: object) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True, **kw)  # type: ignore[call-overload]
    except FileNotFoundError:
        raise Unavailable(f"{what}: {argv[0]} is not installed") from None
    except subprocess.CalledProcessError as e:
        last = (e.stderr or e.stdout or "").strip().splitlines()[-1:] or ["(no output)"]
        raise Unavailable(f"{what} failed: {last[0]}") from None


def _have(tool: str) -> bool:
    return Path(tool).exists() if tool.startswith("/") else shutil.which(tool) is not None


_updated = False


def _apt_update() -> None:
    global _updated
    if not _updated:
        _run(["apt-get", "update", "-q"], "apt-get update")
        _updated = True


def ensure_tools() -> float:
    """Install what is missing; the seconds it took."""
    missing = sorted({pkg for tool, pkg in TOOLS.items() if not _have(tool)})
    if not missing:
        return 0.0
    if os.geteuid() != 0:
        raise Unavailable(f"needs {', '.join(missing)} (installing them needs root)")
    if not shutil.which("apt-get"):
        raise Unavailable(f"needs {', '.join(missing)} and there is no apt-get")
    t0 = time.monotonic()
    _apt_update()
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        f"apt-get install {' '.join(missing)}",
        env=env,
    )
    return time.monotonic() - t0


def _kernel_package() -> str:
    """The 6.1 image package that Debian's metapackage currently names."""

    def ask() -> str | None:
        try:
            out = _run(["apt-cache", "depends", KERNEL_META], "apt-cache depends").stdout
        except Unavailable:
            return None
        m = re.search(r"Depends: (linux-image-6\.1\.\S+-amd64)\s", out)
        return m.group(1) if m else None

    name = ask()
    if name is None:
        _apt_update()
        name = ask()
    if name is None:
        raise Unavailable(f"the registry names no Linux 6.1 image ({KERNEL_META})")
    return name


def ensure_kernel() -> tuple[Path, Path, str, float]:
    """(vmlinuz, brd.ko, version, seconds spent): from the cache, else downloaded."""
    t0 = time.monotonic()
    cached = sorted(CACHE.glob("kernel-*/vmlinuz"))
    if cached:
        d = cached[-1].parent
        return d / "vmlinuz", d / "brd.ko", d.name.removeprefix("kernel-"), 0.0
    package = _kernel_package()
    version = package.removeprefix("linux-image-")
    work = CACHE / "download"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _run(["apt-get", "download", "-q", package], f"apt-get download {package}", cwd=work)
    deb = next(work.glob("*.deb"), None)
    if deb is None:
        raise Unavailable(f"apt-get download {package} wrote no .deb")
    _run(["dpkg-deb", "-x", str(deb), str(work / "root")], "dpkg-deb -x")
    vmlinuz = next((work / "root" / "boot").glob("vmlinuz-*"), None)
    brd = next((work / "root").glob("lib/modules/*/kernel/drivers/block/brd.ko*"), None)
    if vmlinuz is None or brd is None:
        raise Unavailable(f"{package} holds no vmlinuz or no brd module")
    d = CACHE / f"kernel-{version}"
    d.mkdir(parents=True, exist_ok=True)
    shutil.copy(vmlinuz, d / "vmlinuz")
    data = brd.read_bytes()
    (d / "brd.ko").write_bytes(lzma.decompress(data) if brd.name.endswith(".xz") else data)
    shutil.rmtree(work)  # the package holds 400 MB of modules: keep the two files
    return d / "vmlinuz", d / "brd.ko", version, time.monotonic() - t0


def _compile(name: str) -> Path:
    """A static build of guest/NAME.c, cached by the source's hash."""
    src = GUEST / f"{name}.c"
    digest = hashlib.sha256(src.read_bytes()).hexdigest()[:16]
    out = CACHE / "bin" / f"{name}-{digest}"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        _run(["gcc", "-O2", "-static", "-o", str(tmp), str(src)], f"gcc {src.name}")
        tmp.rename(out)
    return out


# --------------------------------------------------------------------------- initramfs


def _cpio_entry(name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)) -> bytes:
    """One member of a "newc" cpio archive (the format the kernel unpacks)."""
    name_bytes = name.encode() + b"\0"
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    head = b"070701" + b"".join(f"{v:08x}".encode() for v in fields)
    out = head + name_bytes
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def build_initramfs(plan: Plan, brd: Path, dest: Path) -> Path:
    files = {
        "init": (GUEST / "init").read_bytes(),
        "plan": plan.script().encode(),
        "hog": _compile("hog").read_bytes(),
        "snap": _compile("snap").read_bytes(),
        "brd.ko": brd.read_bytes(),
        "bin/busybox": Path("/bin/busybox").read_bytes(),
    }
    archive = io.BytesIO()
    for d in ("bin", "dev", "proc", "sys", "tmp"):
        archive.write(_cpio_entry(d, stat.S_IFDIR | 0o755))
    archive.write(_cpio_entry("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1)))
    for name, data in files.items():
        archive.write(_cpio_entry(name, stat.S_IFREG | 0o755, data))
    archive.write(_cpio_entry("TRAILER!!!", 0))
    dest.write_bytes(archive.getvalue())
    return dest


# --------------------------------------------------------------------------- the boot


def boot(plan: Plan, workdir: Path, timeout: float = 600.0) -> Boot:
    """Boot the plan, wait for the guest to power off, unpack what it sent."""
    vmlinuz, brd, version, _ = ensure_kernel()
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        raise Unavailable("qemu-system-x86_64 is not installed")
    workdir.mkdir(parents=True, exist_ok=True)
    initrd = build_initramfs(plan, brd, workdir / "initramfs.cpio")
    console, data = workdir / "console.log", workdir / "data.b64"
    append = (
        "console=ttyS0 rdinit=/init panic=-1 quiet transparent_hugepage=never "
        "zswap.enabled=0 mitigations=off"
    )
    argv = [
        qemu,
        "-accel",
        os.environ.get("SWAPTUI_VM_ACCEL", "tcg"),
        *(["-cpu", "host"] if os.environ.get("SWAPTUI_VM_ACCEL") == "kvm" else []),
        "-m",
        "384",
        "-smp",
        "1",
        "-nodefaults",
        "-display",
        "none",
        "-no-reboot",
        "-kernel",
        str(vmlinuz),
        "-initrd",
        str(initrd),
        "-append",
        append,
        "-serial",
        f"file:{console}",
        "-serial",
        f"file:{data}",
    ]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BootFailed(f"no power-off after {timeout:.0f} s\n{_tail(console)}") from None
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise BootFailed(f"qemu exited with {proc.returncode}: {proc.stderr.strip()}")
    out = workdir / "out"
    shutil.rmtree(out, ignore_errors=True)
    _unpack(data, out, console)
    status = (out / "swapoff-status").read_text().strip()
    if status != "0":
        raise BootFailed(f"swapoff returned {status}\n{_tail(console)}")
    rebuild_pagemaps(out / "tree" / "proc")
    return Boot(plan=plan, kernel=version, out=out, seconds=seconds)


def _tail(console: Path, lines: int = 25) -> str:
    try:
        text = console.read_text(errors="replace")
    except OSError:
        return "(no console log)"
    return "\n".join(text.splitlines()[-lines:])


def _unpack(data: Path, out: Path, console: Path) -> None:
    """Decode the guest's @@begin MD5 / base64 / @@end block and untar it into `out`."""
    text = data.read_text(errors="replace") if data.exists() else ""
    m = re.search(r"@@begin ([0-9a-f]{32})\s*\n(.*?)@@end", text, re.S)
    if m is None:
        raise BootFailed(f"the guest sent no results\n{_tail(console)}")
    blob = base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", m.group(2)))
    if hashlib.md5(blob).hexdigest() != m.group(1):
        raise BootFailed("the results arrived damaged (MD5 mismatch)")
    out.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        tar.extractall(out, filter="data")


def rebuild_pagemaps(proc: Path) -> int:
    """Turn each PID/pagemap.parts into a sparse PID/pagemap at the kernel's offsets.

    The file ends after the highest part: a real pagemap answers every address, and the
    capture reads a pagemap that ends before a mapping as a process that exited.
    """
    rebuilt = 0
    for parts in proc.glob("[0-9]*/pagemap.parts"):
        raw = parts.read_bytes()
        top = 0
        with open(parts.with_name("pagemap"), "wb") as pm:
            at = 0
            while at + 16 <= len(raw):
                first = int.from_bytes(raw[at : at + 8], "little")
                count = int.from_bytes(raw[at + 8 : at + 16], "little")
                body = raw[at + 16 : at + 16 + count * 8]
                if first + count > USER_TOP_PAGE or len(body) != count * 8:
                    raise BootFailed(f"{parts}: a damaged part at byte {at}")
                pm.seek(first * 8)
                pm.write(body)
                top = max(top, first + count)
                at += 16 + count * 8
            pm.truncate(top * 8)
        parts.unlink()
        rebuilt += 1
    return rebuilt
