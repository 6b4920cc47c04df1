"""The benchmark scripts run (at a tiny size) and compare like with like; their timings are not tested."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import style_transfer_speed as speed  # noqa: E402

pytestmark = pytest.mark.slow


def test_style_transfer_benchmark_runs_both_methods_on_one_objective(capsys, vgg):
    assert speed.main(["--size", "32", "--steps", "4"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| same objective"))
    tutorial, course = (float(part.split()[0]) for part in row.split("start loss ")[1].split(" vs "))
    assert tutorial == pytest.approx(course, rel=1e-4)
    for label in ("baseline: tutorial Adam", "course: L-BFGS", "speed-up", "GFLOP/s"):
        assert label in out


def test_vgg19_flops_are_counted_from_the_layer_shapes(vgg):
    # block1_conv1 alone on a 10 x 12 image: 10 * 12 positions, 3 x 3 x 3 inputs, 64 outputs, 2 flops each
    assert speed.conv_flops(vgg, 10, 12, "block1_conv1") == 2 * 10 * 12 * 9 * 3 * 64
    # a pooling halves both sides before block2_conv1 (64 -> 128 channels)
    second = speed.conv_flops(vgg, 10, 12, "block2_conv1") - speed.conv_flops(vgg, 10, 12, "block1_conv2")
    assert second == 2 * 5 * 6 * 9 * 64 * 128
