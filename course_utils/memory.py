"""How much memory a picture's work needs, and whether this machine has it.

A size too big for memory does not fail politely: ``course-stylize photo.jpg starry_night.jpg --size
100000`` was killed by the operating system's out-of-memory killer after taking 23.6 GB, with no
message at all. So the course estimates, before anything big is allocated, the memory each kind of
work needs for a picture, compares it with the memory this machine has free, and refuses a size that
does not fit with one sentence that says the largest that does::

    SettingError: size=100000 needs about 41,000 GB for style transfer (VGG19's forward and backward
    pass and L-BFGS's memory), and this machine has 12 GB free: use size=1700 or less.

**The estimate** is bytes per pixel of the picture for each kind of work (:data:`WORKS`), times its
height × width, plus the memory of the libraries the work loads (TensorFlow and VGG19's weights)
when this process does not hold them yet. The numbers were measured with real runs by
``benchmarks/memory_per_pixel.py`` (the growth of the process's peak resident memory between a tiny
picture and a large one, at two sizes each; on a 2-core x86-64 CPU, TensorFlow 2.20, Keras 3): the
work keeps everything it needs at once, so the memory grows in proportion to the pixels. An
optimisation step keeps every activation of VGG19 for the backward pass, and L-BFGS 2 × 20 copies of
the picture in float64 besides, so it needs the most; a network's forward pass keeps less. On a GPU,
TensorFlow puts the activations in the GPU's memory and reports running out of it itself; the bound
here is the computer's memory.

**The memory free** is the smallest of what the operating system can still give (Linux: MemAvailable
in ``/proc/meminfo``; elsewhere ``os.sysconf`` or, on Windows, ``GlobalMemoryStatusEx``) and what a
container's cgroup limit leaves (v2 ``memory.max``, v1 ``memory.limit_in_bytes``). On a shared server,
or to test, set ``COURSE_MEMORY_GB`` to the gigabytes the course may use (``COURSE_MEMORY_GB=4``); it
replaces what is measured. When nothing can be measured, nothing is refused.

Only the standard library is used, so that the command line refuses a size before TensorFlow is imported.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .errors import SettingError
from .i18n import _, language

__all__ = ["Work", "WORKS", "ENV", "available", "estimate", "largest_side", "check", "check_size"]

#: The environment variable that sets the memory the course may use, in gigabytes (10⁹ bytes).
ENV = "COURSE_MEMORY_GB"

GB = 1e9


@dataclasses.dataclass(frozen=True)
class Work:
    """A kind of work on a picture: what a sentence calls it and the memory it needs."""

    describe: Callable[[], str]  # completes "needs about 3 GB for ...", in the learner's language
    bytes_per_pixel: float  # per pixel (height × width) of the picture worked on
    libraries: float  # bytes a process doing this work holds before the first picture (peak, measured)

    @property
    def doing(self) -> str:
        """What the work is, completing "needs about 3 GB for ..." (in the course's current language)."""
        return self.describe()


#: Measured with ``benchmarks/memory_per_pixel.py`` (bytes per pixel at the two sizes in brackets), rounded up.
# TRANSLATORS: each work below completes "{subject} needs about 3 GB for {work}, ..."
WORKS = {
    # a PNG file enlarged to 2000 and 4000 px: 18, 19
    "load": Work(lambda: _("loading the picture"), 20, 0.1 * GB),
    # an array enlarged to 2000 and 4000 px (scikit-image works in float64): 22, 24
    "resize": Work(lambda: _("resizing the picture"), 25, 0.1 * GB),
    # VGG19's features up to block5_conv2 at 512 and 1024 px, forward only: 1214, 1410
    "features": Work(lambda: _("VGG19's features of the picture"), 1450, 1.1 * GB),
    # transfer.stylize with L-BFGS at 384 and 768 px (the style as large as the photo): 4045, 4013
    "transfer": Work(lambda: _("style transfer (VGG19's forward and backward pass and L-BFGS's memory)"),
                     4100, 1.1 * GB),
    # feedforward.stylize with the course's network (16, 32, 64 channels) at 512 and 1024 px: 1984, 1979
    "feedforward": Work(lambda: _("the feed-forward network's pass"), 2000, 0.9 * GB),
    # AdaINModel().stylize at 512 and 1024 px (the style at 256 px): 1298, 1543
    "adain": Work(lambda: _("AdaIN's encoder and decoder"), 1600, 1.0 * GB),
    # magenta.stylize at 1024 and 2048 px (it paints at 384 px and resizes back): 91, 73
    "magenta": Work(lambda: _("Magenta's network and the resizing back"), 100, 0.25 * GB),
}


# ------------------------------------------------------------------------ the memory free


def _from_environment() -> float | None:
    text = os.environ.get(ENV, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise SettingError(_("{variable} must be a number of gigabytes > 0, like {variable}=8; got {text!r}.").format(
            variable=ENV, text=text))
    return value * GB


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max" (no limit) and anything odd: None


def _inactive_file(path: Path, key: str) -> int:
    """Page cache the kernel can drop (counted in a cgroup's usage, yet free for the taking)."""
    try:
        for line in path.read_text().splitlines():
            name, _unused, value = line.partition(" ")
            if name == key and value.strip().isdigit():
                return int(value)
    except OSError:
        pass
    return 0


def _cgroup_free(root: Path = Path("/sys/fs/cgroup"), membership: Path = Path("/proc/self/cgroup")) -> float | None:
    """What the container's memory limit leaves, or None without a limit."""
    own = []
    try:
        for line in membership.read_text().splitlines():
            _unused, controllers, where = line.split(":", 2)
            if controllers in ("", "memory") or "memory" in controllers.split(","):
                own.append(where.lstrip("/"))
    except (OSError, ValueError):
        pass
    free = []
    # cgroup v2 (one tree), then v1 (a tree per controller); in a container the root is its own group
    for base, limit_name, usage_name, cache_key in ((root, "memory.max", "memory.current", "inactive_file"),
                                                    (root / "memory", "memory.limit_in_bytes",
                                                     "memory.usage_in_bytes", "total_inactive_file")):
        for folder in {base / where for where in own} | {base}:
            limit, usage = _read_int(folder / limit_name), _read_int(folder / usage_name)
            if limit is not None and usage is not None and limit < 2 ** 60:  # v1 writes "no limit" as ~2**63
                free.append(limit - usage + _inactive_file(folder / "memory.stat", cache_key))
    return float(max(0, min(free))) if free else None


def _system_free(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """What the operating system can still give without swapping, or None if it cannot be asked."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) * 1024  # kB
    except (OSError, IndexError, ValueError):
        pass
    if sys.platform == "win32":
        return _windows_free()
    try:
        pages = os.sysconf("SC_AVPHYS_PAGES")  # free pages (Linux without /proc, the BSDs)
    except (AttributeError, ValueError, OSError):
        try:
            pages = os.sysconf("SC_PHYS_PAGES")  # macOS has only the total
        except (AttributeError, ValueError, OSError):
            return None
    try:
        return float(pages) * os.sysconf("SC_PAGE_SIZE") if pages > 0 else None
    except (AttributeError, ValueError, OSError):
        return None


def _windows_free() -> float | None:
    import ctypes

    class MemoryStatus(ctypes.Structure):
        _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong),
                    ("ullTotalPhys", ctypes.c_ulonglong), ("ullAvailPhys", ctypes.c_ulonglong),
                    ("ullTotalPageFile", ctypes.c_ulonglong), ("ullAvailPageFile", ctypes.c_ulonglong),
                    ("ullTotalVirtual", ctypes.c_ulonglong), ("ullAvailVirtual", ctypes.c_ulonglong),
                    ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]

    status = MemoryStatus()
    status.dwLength = ctypes.sizeof(MemoryStatus)
    try:
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return float(status.ullAvailPhys)
    except (AttributeError, OSError):
        pass
    return None


def available() -> float | None:
    """Bytes of memory this process may still take: ``COURSE_MEMORY_GB`` if set, else the smallest of
    what the operating system and a cgroup limit leave; None when nothing can be measured."""
    explicit = _from_environment()
    if explicit is not None:
        return explicit
    known = [value for value in (_system_free(), _cgroup_free()) if value is not None]
    return min(known) if known else None


def _resident() -> float:
    """Bytes this process holds now (Linux), or 0 if that cannot be read."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return float(pages * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, IndexError, ValueError, AttributeError):
        return 0.0


# ------------------------------------------------------------------------ the estimate


def _work(work: str) -> Work:
    if work not in WORKS:
        raise SettingError(_("work must be one of {works}; got {work!r}.").format(
            works=", ".join(repr(w) for w in WORKS), work=work))
    return WORKS[work]


def _libraries(kind: Work) -> float:
    """The part of the libraries' memory this process does not hold yet."""
    return max(0.0, kind.libraries - _resident())


def estimate(work: str, pixels: float) -> float:
    """Bytes ``work`` (a key of :data:`WORKS`) needs for a picture of ``pixels`` (height × width) pixels,
    the libraries it loads included (those this process does not hold yet)."""
    kind = _work(work)
    return kind.bytes_per_pixel * max(0.0, float(pixels)) + _libraries(kind)


def _round_down(side: int) -> int:
    """Two significant digits, rounded down: 2934 -> 2900, 387 -> 380, 57 -> 57."""
    if side < 100:
        return side
    unit = 10 ** (len(str(side)) - 2)
    return side // unit * unit


def largest_side(work: str, free: float, aspect: float = 1.0, extra_pixels: float = 0.0) -> int:
    """The longest side (pixels, rounded down to two digits) of the largest picture whose ``work`` fits
    in ``free`` bytes, for a picture whose short side is ``aspect`` times its long side (1: square),
    when ``extra_pixels`` of other pictures take part in the same work. 0 if not even the libraries fit."""
    kind = _work(work)
    budget = free - estimate(work, extra_pixels)
    if budget <= 0:
        return 0
    aspect = min(1.0, max(aspect, 1e-6))
    return _round_down(int(math.sqrt(budget / kind.bytes_per_pixel / aspect)))


def _gigabytes(value: float) -> str | None:
    """``value`` bytes as "41,000 GB" or "3.2 GB" (two significant digits), or None below 0.1 GB."""
    gigabytes = value / GB
    if gigabytes >= 10:
        rounded = float(f"{gigabytes:.2g}")  # two significant digits: 41,001 -> 41,000
        # English groups the thousands (41,000 GB); Chinese writes numbers without separators (41000 GB)
        return f"{rounded:,.0f} GB" if language() == "en" else f"{rounded:.0f} GB"
    if gigabytes >= 0.1:
        return f"{gigabytes:.1f} GB"
    return None


def _amount(value: float) -> str:
    """Memory free, as "3.2 GB" or "less than 0.1 GB"."""
    # TRANSLATORS: an amount of memory, as in "this machine has less than 0.1 GB free"
    return _gigabytes(value) or _("less than 0.1 GB")


def _need(value: float) -> str:
    """Memory needed, as "about 3.2 GB" or "less than 0.1 GB"."""
    amount = _gigabytes(value)
    # TRANSLATORS: an amount of memory, as in "{subject} needs about 3.2 GB for {work}"
    return _("about {amount}").format(amount=amount) if amount else _("less than 0.1 GB")


def check(work: str, height: int, width: int, *, subject: str, fix, extra_pixels: float = 0.0) -> None:
    """Refuse, with one :class:`~course_utils.errors.SettingError`, ``work`` on a ``height`` × ``width``
    picture that would not fit in the memory free.

    ``subject`` starts the sentence (``"A 5000 x 4000 photo"``), ``fix`` ends it: a text with ``{}`` where
    the largest longest side that fits goes (``"load it with size={} or less"``), or a function of that
    side that returns the text. ``extra_pixels`` are other pictures' pixels in the same work (a style
    image's, say). Nothing is refused when the memory free is not known. Both are parts of the
    learner's sentence, so callers pass them in the course's language: ``subject=_("A {width} x {height}
    photo").format(...)``, ``fix=_("load it with size={} or less")``.
    """
    free = available()
    if free is None:
        return
    need = estimate(work, height * width + extra_pixels)
    if need <= free:
        return
    kind = WORKS[work]
    side = largest_side(work, free, min(height, width) / max(height, width, 1), extra_pixels)
    fields = dict(subject=subject, need=_need(need), work=kind.doing, free=_amount(free), variable=ENV)
    limited = bool(os.environ.get(ENV, "").strip())
    if side < 1:
        if limited:
            raise SettingError(_("{subject} needs {need} for {work}, and {variable} allows {free}, not enough for "
                                 "any picture: close other programs or notebooks, or set {variable} to the "
                                 "gigabytes free if more is free than measured.").format(**fields))
        raise SettingError(_("{subject} needs {need} for {work}, and this machine has {free} free, not enough "
                             "for any picture: close other programs or notebooks, or set {variable} to the "
                             "gigabytes free if more is free than measured.").format(**fields))
    fields["fix"] = fix(side) if callable(fix) else fix.format(side)
    if limited:
        raise SettingError(_("{subject} needs {need} for {work}, and {variable} allows {free}: {fix}.").format(
            **fields))
    raise SettingError(_("{subject} needs {need} for {work}, and this machine has {free} free: {fix}.").format(
        **fields))


def check_size(size: int, work: str, *, option: str = "size={}") -> None:
    """Refuse a longest side ``size`` whose ``work`` would not fit, before the picture exists.

    The picture's shape is not known yet, so it is taken square (the most pixels a longest side of
    ``size`` can have). ``option`` spells the setting with ``{}`` for the number: ``"size={}"`` in
    Python, ``"--size {}"`` on the command line.
    """
    # TRANSLATORS: {option} is a setting with {} for a number, like "size={}"; ends "...: use size=512 or less."
    check(work, size, size, subject=option.format(size), fix=_("use {option} or less").format(option=option))
