"""Which precision the convolutions run in: the CPU's flags, the GPU's capability and the override."""

import pytest

from course_utils import precision
from course_utils.errors import SettingError

EPYC = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R14
flags\t\t: fpu vme de pse avx2 avx512f avx512bw avx512_bf16 avx512vnni

processor\t: 1
flags\t\t: fpu vme de pse avx2 avx512f avx512bw avx512_bf16 avx512vnni
"""
SAPPHIRE = "processor : 0\nflags : fpu avx512f amx_bf16 amx_tile amx_int8\n"
OLD_XEON = "processor : 0\nflags : fpu sse4_2 avx avx2 avx512f avx512bw\n"
ARM = "processor : 0\nFeatures : fp asimd evtstrm aes pmull sha1 sha2 crc32 bf16\n"


def test_cpu_flags_are_read_from_cpuinfo_text():
    flags = precision.cpu_flags(EPYC)
    assert {"avx2", "avx512f", "avx512_bf16"} <= flags
    assert "AuthenticAMD" not in flags and "EPYC" not in flags
    assert precision.cpu_flags("") == set()


@pytest.mark.parametrize("text, native", [(EPYC, True), (SAPPHIRE, True), (OLD_XEON, False), (ARM, False)])
def test_native_bfloat16_on_the_cpu_needs_avx512_bf16_or_amx(text, native):
    assert precision.cpu_has_bfloat16(text) is native


def test_a_gpu_decides_by_its_compute_capability():
    assert precision.gpu_has_bfloat16([(8, 0)]) and precision.gpu_has_bfloat16([(9, 0)])
    assert not precision.gpu_has_bfloat16([(7, 5)])
    # with a GPU, the CPU's flags no longer matter: the convolutions run on the GPU
    assert precision.native_bfloat16(OLD_XEON, capabilities=[(8, 6)])
    assert not precision.native_bfloat16(EPYC, capabilities=[(7, 0)])


def test_auto_follows_the_detection(monkeypatch):
    monkeypatch.delenv(precision.VARIABLE, raising=False)
    monkeypatch.setattr(precision, "has_gpu", lambda: False)
    assert precision.compute_dtype(cpuinfo=EPYC) == "bfloat16"
    assert precision.compute_dtype(cpuinfo=OLD_XEON) == "float32"
    assert precision.compute_dtype("auto", cpuinfo=OLD_XEON) == "float32"


@pytest.mark.parametrize("value", ["float32", "bfloat16", " BFloat16 "])
def test_the_environment_overrides_the_detection(monkeypatch, value):
    monkeypatch.setattr(precision, "has_gpu", lambda: False)
    monkeypatch.setenv(precision.VARIABLE, value)
    expected = value.strip().lower()
    assert precision.compute_dtype(cpuinfo=EPYC) == expected
    assert precision.compute_dtype(cpuinfo=OLD_XEON) == expected
    assert precision.compute_dtype("float32", cpuinfo=EPYC) == "float32"  # an argument beats the environment


def test_a_wrong_precision_is_one_sentence(monkeypatch):
    monkeypatch.setenv(precision.VARIABLE, "half")
    with pytest.raises(SettingError, match="COURSE_PRECISION='half' is not a precision"):
        precision.compute_dtype()
    with pytest.raises(SettingError, match="precision='fp16' is not a precision"):
        precision.compute_dtype("fp16")
