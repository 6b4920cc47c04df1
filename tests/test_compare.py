"""Comparing stylisation methods (course_utils.fast.compare): timing, perceptual losses, the table."""

import time

import numpy as np
import pytest

from course_utils import data, transfer
from course_utils.fast import compare
from course_utils.errors import CourseError, ImageError


def one_sentence(err) -> str:
    text = str(err.value)
    assert "\n" not in text and text.endswith("."), text
    assert isinstance(err.value, CourseError)
    return text


# ---------------------------------------------------------------------------- timing


class FakeClock:
    """Stands in for ``time.perf_counter`` inside ``compare``: it moves only when a call says so,
    so the median is tested exactly, without depending on how busy the machine is."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(compare, "time", fake)
    return fake


def test_seconds_per_image_calls_warmup_plus_repeats_times_and_takes_the_median(clock):
    calls = []
    # the warm-up call is slowest and must not count; the timed ones take 10, 200 and 30 ms: the median is 30
    # (counting the warm-up would give 115 ms, the mean 80 ms)
    durations = iter([0.3, 0.01, 0.2, 0.03])

    def method(a, b):
        calls.append((a, b))
        clock.now += next(durations)

    seconds = compare.seconds_per_image(method, "photo", "painting", repeats=3, warmup=1)
    assert calls == [("photo", "painting")] * 4
    assert seconds == pytest.approx(0.03, rel=1e-6)


def test_seconds_per_image_without_warmup(clock):
    calls = []

    def method():
        calls.append(1)
        clock.now += 0.5

    assert compare.seconds_per_image(method, repeats=2, warmup=0) == pytest.approx(0.5, rel=1e-6)
    assert len(calls) == 2


def test_seconds_per_image_measures_real_time():
    # with the real clock: never negative, and at least as long as the call sleeps (no upper bound)
    assert compare.seconds_per_image(time.sleep, 0.01, repeats=1, warmup=0) >= 0.009


def test_seconds_per_image_checks_its_arguments():
    with pytest.raises(compare.CompareError, match="repeats must be a whole number >= 1") as err:
        compare.seconds_per_image(print, repeats=0)
    one_sentence(err)
    with pytest.raises(compare.CompareError, match="warmup must be a whole number >= 0") as err:
        compare.seconds_per_image(print, warmup=-1)
    one_sentence(err)
    with pytest.raises(compare.CompareError, match="fn must be a function to call") as err:
        compare.seconds_per_image("magenta")
    one_sentence(err)


# ----------------------------------------------------------------------------- table


def test_number_formats():
    assert [compare.format_seconds(v) for v in (0.1054, 12.345, 1234.5, 3.0, 0.00123)] == \
        ["0.105", "12.3", "1230", "3.00", "0.00123"]
    assert compare.format_seconds(4.91e-7) == "4.91e-07"
    assert compare.format_loss(123456.0) == "1.23e+05" and compare.format_loss(0.0) == "0.00e+00"


@pytest.fixture
def table():
    return compare.Table(["method", "seconds", "style loss", "steps"],
                         [["photo", 1e-06, 5.03e10, None],
                          ["optimisation <L-BFGS>", 41.27, 2.5e9, 100]],
                         formats={"seconds": "seconds", "style loss": "loss"})


def test_table_as_text(table):
    assert str(table) == "\n".join([
        "method                  seconds  style loss  steps",
        "---------------------  --------  ----------  -----",
        "photo                  1.00e-06    5.03e+10      –",
        "optimisation <L-BFGS>      41.3    2.50e+09    100",
    ])
    assert repr(table) == str(table)


def test_table_as_html(table):
    page = table._repr_html_()
    assert page.startswith("<table><thead><tr>") and page.endswith("</tbody></table>")
    assert '<th style="text-align:left">method</th><th style="text-align:right">seconds</th>' in page
    assert '<td style="text-align:left">optimisation &lt;L-BFGS&gt;</td>' in page  # escaped
    assert '<td style="text-align:right">2.50e+09</td>' in page
    assert page.count("<tr>") == 3


def test_table_keeps_the_numbers(table):
    assert table.column("seconds") == [1e-06, 41.27]
    assert table.rows[1][3] == 100
    with pytest.raises(compare.CompareError, match="no column 'total'") as err:
        table.column("total")
    one_sentence(err)


def test_table_checks_its_rows_and_formats():
    with pytest.raises(compare.CompareError, match="Row 1 has 1 values for 2 columns") as err:
        compare.Table(["a", "b"], [[1, 2], [3]])
    one_sentence(err)
    with pytest.raises(compare.CompareError, match="formats names the column 'c'") as err:
        compare.Table(["a", "b"], [[1, 2]], formats={"c": "loss"})
    one_sentence(err)
    with pytest.raises(compare.CompareError, match="must be 'seconds', 'loss' or a function") as err:
        compare.Table(["a", "b"], [[1, 2]], formats={"b": "percent"})
    one_sentence(err)
    custom = compare.Table(["a"], [[0.5]], formats={"a": lambda v: f"{v:.0%}"})
    assert str(custom).splitlines()[-1] == "50%"


# ---------------------------------------------------------------------- judged by VGG19


@pytest.fixture(scope="module")
def content():
    return data.content("chelsea", size=64)  # 43 x 64


@pytest.fixture(scope="module")
def style():
    return data.style("swirl", size=48)  # square: another shape than the photo


@pytest.fixture(scope="module")
def objective(content, style, vgg):
    return transfer.Objective(content, style, base=vgg)


@pytest.mark.slow
def test_perceptual_losses_of_the_photo(content, objective):
    losses = compare.perceptual_losses(content, objective)
    assert set(losses) == {"content", "style", "tv", "total"}
    assert all(isinstance(v, float) for v in losses.values())
    assert losses["content"] == pytest.approx(0.0, abs=1e-6)
    assert losses["style"] > 0 and losses["tv"] > 0
    expected = sum(objective.weights[k] * losses[k] for k in ("content", "style", "tv"))
    # TensorFlow adds the float32 terms, this test the float64 ones: a few float32 roundings apart
    assert losses["total"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.slow
def test_perceptual_losses_resize_to_the_given_shape(content, objective):
    from course_utils import images

    bigger = data.content("chelsea", size=96)
    resized = images.resize(bigger, content.shape[:2])
    assert compare.perceptual_losses(bigger, objective, shape=content.shape[:2]) == \
        compare.perceptual_losses(resized, objective)
    with pytest.raises(ImageError, match="The picture is 64 x 96 pixels.*pass shape=content.shape") as err:
        compare.perceptual_losses(bigger, objective)
    one_sentence(err)
    with pytest.raises(compare.CompareError, match="objective must be a transfer.Objective") as err:
        compare.perceptual_losses(content, "gatys")
    one_sentence(err)


@pytest.mark.slow
def test_compare_orders_the_photo_and_the_painting_as_expected(content, style, objective):
    calls = []

    def photo(c, s):
        calls.append("photo")
        return c

    def painting(c, s):
        return s  # 48 x 48: resized to the photo's 43 x 64 before it is scored

    def cropped(c, s):
        return c[:-2, 1:]  # "slightly different size", as a network that pads and crops can return

    table, pictures = compare.compare({"photo": photo, "painting": painting, "cropped": cropped},
                                      content, style, objective=objective, repeats=2, warmup=1, progress=False)
    assert calls == ["photo"] * 3
    assert table.columns == ["method", "seconds per image", "content loss", "style loss", "tv loss", "total loss"]
    assert table.column("method") == ["photo", "painting", "cropped"]
    assert list(pictures) == ["photo", "painting", "cropped"]
    assert all(p.shape == content.shape and p.dtype == np.float32 for p in pictures.values())
    np.testing.assert_array_equal(pictures["photo"], content)
    assert all(0.0 <= s < 1.0 for s in table.column("seconds per image"))
    loss = {name: dict(zip(table.columns[2:], row[2:])) for name, row in zip(table.column("method"), table.rows)}
    assert loss["photo"]["content loss"] == pytest.approx(0.0, abs=1e-6)
    assert loss["photo"]["content loss"] < loss["cropped"]["content loss"] < loss["painting"]["content loss"]
    assert loss["painting"]["style loss"] < loss["photo"]["style loss"]
    assert loss["photo"]["total loss"] == pytest.approx(compare.perceptual_losses(content, objective)["total"])
    text = str(table)
    assert text.splitlines()[2].startswith("photo") and "e+" in text
    assert "<table>" in table._repr_html_()


@pytest.mark.slow
def test_compare_checks_its_arguments(content, style, objective, vgg):
    with pytest.raises(compare.CompareError, match="methods must be a dict") as err:
        compare.compare([lambda c, s: c], content, style, objective=objective)
    one_sentence(err)
    with pytest.raises(compare.CompareError, match="The method 'photo' must be a function") as err:
        compare.compare({"photo": content}, content, style, objective=objective)
    one_sentence(err)
    with pytest.raises(ImageError, match="The picture method 'broken' returned has shape") as err:
        compare.compare({"broken": lambda c, s: c[..., :2]}, content, style, objective=objective, progress=False)
    one_sentence(err)
    other = transfer.Objective(data.content("chelsea", size=96), style, base=vgg)
    with pytest.raises(compare.CompareError, match="objective was built from a photo of another size") as err:
        compare.compare({"photo": lambda c, s: c}, content, style, objective=other)
    one_sentence(err)
