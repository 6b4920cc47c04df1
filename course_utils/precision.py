"""Which number format the network's convolutions run in: float32, or bfloat16 where the hardware has it.

bfloat16 keeps float32's range with 8 bits of mantissa instead of 24. Processors made for it
(x86 CPUs with AVX512_BF16 or AMX, recent GPUs) run a convolution in it about twice as fast;
elsewhere it is emulated and slower than float32. So the course uses it only where it is
*detected*, never assumed, and only for the convolutions: Gram matrices, losses and the
optimiser's state stay float32 (:class:`course_utils.transfer.Objective`).

The choice is read in one place, :func:`compute_dtype`:

- ``COURSE_PRECISION=float32`` (or ``bfloat16``) in the environment forces it;
- ``auto`` (the default, also when unset) asks :func:`native_bfloat16`.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import SettingError
from .i18n import _

#: The environment variable that overrides the detection.
VARIABLE = "COURSE_PRECISION"
CHOICES = ("auto", "float32", "bfloat16")
#: CPU flags (as in Linux's /proc/cpuinfo) of native bfloat16 arithmetic.
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
#: GPUs from this CUDA compute capability on (Ampere) have bfloat16 tensor cores.
BF16_GPU_CAPABILITY = (8, 0)


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The flags of the CPU, from the text of /proc/cpuinfo (read when not given; empty set if unreadable)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return set()
    flags = set()
    for line in cpuinfo.splitlines():
        key, _unused, value = line.partition(":")
        if key.strip().lower() in ("flags", "features"):  # x86 says flags, ARM says Features
            flags.update(value.split())
    return flags


def cpu_has_bfloat16(cpuinfo: str | None = None) -> bool:
    """True if the CPU computes in bfloat16 natively (AVX512_BF16 or AMX-BF16)."""
    return bool(cpu_flags(cpuinfo) & set(BF16_CPU_FLAGS))


def gpu_has_bfloat16(capabilities=None) -> bool:
    """True if there is a GPU with bfloat16 tensor cores. ``capabilities``: a list of (major, minor),
    by default those of TensorFlow's visible GPUs."""
    if capabilities is None:
        from ._tf import tf

        capabilities = []
        for gpu in tf.config.list_physical_devices("GPU"):
            try:
                capabilities.append(tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability")
                                          or (0, 0)))
            except (ValueError, RuntimeError, TypeError):
                capabilities.append((0, 0))
    return any(tuple(c) >= BF16_GPU_CAPABILITY for c in capabilities)


def has_gpu() -> bool:
    from ._tf import tf

    return bool(tf.config.list_physical_devices("GPU"))


def native_bfloat16(cpuinfo: str | None = None, capabilities=None) -> bool:
    """True if the device the convolutions run on computes bfloat16 natively: the GPU if there is one
    (``capabilities`` given counts as "there is one"), otherwise the CPU."""
    if capabilities is not None or has_gpu():
        return gpu_has_bfloat16(capabilities)
    return cpu_has_bfloat16(cpuinfo)


def setting(value: str | None = None) -> str:
    """``value``, or ``COURSE_PRECISION`` when ``value`` is None, checked: "auto", "float32" or "bfloat16"."""
    if value is None:
        value = os.environ.get(VARIABLE, "").strip().lower() or "auto"
        where = f"{VARIABLE}={value!r}"
    else:
        where = f"precision={value!r}"
    if value not in CHOICES:
        raise SettingError(_("{where} is not a precision; use one of {choices}, like {variable}=float32.").format(
            where=where, choices=", ".join(CHOICES), variable=VARIABLE))
    return value


def compute_dtype(value: str | None = None, *, cpuinfo: str | None = None, capabilities=None) -> str:
    """The dtype name the convolutions use: "float32" or "bfloat16".

    ``value`` is "auto", "float32", "bfloat16" or None (then ``COURSE_PRECISION`` decides,
    "auto" when unset); "auto" is bfloat16 exactly when :func:`native_bfloat16` says so.
    """
    chosen = setting(value)
    if chosen == "auto":
        return "bfloat16" if native_bfloat16(cpuinfo, capabilities) else "float32"
    return chosen
