"""The exercise machinery (checks.core) and notebook 00's checks.

Core: a function not written yet is "not attempted" (one line, no ✓, nothing raised), a wrong one fails
with one sentence, hint() and solution() print what they should. Notebook 00: every check passes right
answers written in several ways and names each common mistake.
"""

import re

import numpy as np
import pytest

from conftest import fails_with, passes
from course_utils import images
from course_utils.checks import CheckFailed, Exercise, core, nb00

def _all_exercises():
    """Every exercise of every notebook's check module (checks.nb00, nb01, ...), found, not listed."""
    import importlib
    import pkgutil

    from course_utils import checks

    found = []
    for info in sorted(pkgutil.iter_modules(checks.__path__), key=lambda m: m.name):
        if re.fullmatch(r"nb\d\d", info.name):
            module = importlib.import_module(f"course_utils.checks.{info.name}")
            found += [value for name, value in sorted(vars(module).items())
                      if re.fullmatch(r"q\d+", name) and isinstance(value, Exercise)]
    return found


ALL_EXERCISES = _all_exercises()


def _ids(exercise):
    return exercise.label.replace(" ", "_")


def _double(x):
    return x * 2


def _doubling(trials=3, hint="multiply by two."):
    return Exercise("q9 double", _double, lambda rng: (rng.normal(size=4),), trials=trials, hint=hint)


# ------------------------------------------------------------------ core: not attempted yet


def _dots(x):
    """Not written yet."""
    ...  # your code here: replace the ... with your own lines and return the result


def _pass(x):
    pass


def _return_none(x):
    return None


def _not_implemented(x):
    raise NotImplementedError


@pytest.mark.parametrize("unwritten", [_dots, _pass, _return_none, _not_implemented], ids=lambda f: f.__name__)
def test_a_function_not_written_yet_is_not_attempted(unwritten, capsys):
    exercise = _doubling()
    exercise(_double)
    assert exercise.passed
    capsys.readouterr()

    assert exercise(unwritten) is None                  # nothing raised
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("○ q9 double: not attempted yet"), out
    assert "✓" not in out and unwritten.__name__ in out
    assert "check.q9.hint()" in out and "check.q9.solution()" in out
    assert not exercise.passed, "a check that did not pass resets passed"


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=_ids)
def test_every_check_waits_for_an_empty_function(exercise, capsys):
    exercise(_dots_of(exercise))
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "not attempted yet" in out and "✓" not in out
    assert not exercise.passed


def _dots_of(exercise):
    def unwritten(*args):
        ...  # your code here: replace the ... with your own lines and return the result
    unwritten.__name__ = exercise.label.split()[1]
    return unwritten


def test_none_or_not_implemented_on_a_later_trial_fails_with_one_sentence(capsys):
    calls = []

    def sometimes_none(x):
        calls.append(x)
        return None if len(calls) == 2 else x * 2

    message = fails_with(_doubling(), sometimes_none, r"sometimes_none returned None on input shape \(4,\) float64; "
                                                     r"every path through it must `return` a result\.")
    assert message.endswith("Stuck? check.q9.hint()") and "✓" not in capsys.readouterr().out

    def later_not_implemented(x):
        calls.append(x)
        if len(calls) > 3:
            raise NotImplementedError("the rest")
        return x * 2

    fails_with(_doubling(), later_not_implemented, "raised NotImplementedError on input .* but not on an earlier one")


def test_a_right_function_passes_and_says_so(capsys):
    exercise = _doubling(trials=4)
    assert passes(exercise, lambda x: x + x) == 4
    out = capsys.readouterr().out
    assert out == "✓ q9 double: <lambda> matches the reference on 4 random inputs.\n" and exercise.passed


# ------------------------------------------------------------------ core: failures are one sentence


def test_failures_are_one_sentence_course_errors():
    with pytest.raises(CheckFailed) as err:
        nb00.q1(lambda p: p)
    assert isinstance(err.value, AssertionError) and "\n" not in str(err.value)
    assert "q1 to_float_image" in str(err.value) and "on input shape" in str(err.value)
    assert str(err.value).endswith(". Stuck? check.q1.hint()")


def test_an_error_message_over_several_lines_is_told_in_one():
    def raises_long(x):
        raise ValueError("first line\n  second line\n\nthird")

    message = fails_with(_doubling(), raises_long, "raised ValueError: first line second line third")
    assert "Hint" not in message


def test_a_value_with_a_multiline_repr_is_described_in_one_line():
    import tensorflow as tf

    fails_with(_doubling(), lambda x: [np.eye(3)] * 2, "should be a NumPy array")   # repr of arrays in a list
    with pytest.raises(CheckFailed, match="pass your function itself") as err:
        _doubling()(tf.ones((3, 3)))                                              # a result, not the function
    assert "\n" not in str(err.value)


def test_an_explanation_that_does_not_fit_the_answer_leaves_it_to_compare():
    def fragile(args, got, expected):
        return "off by " + str(got.shape[5])                                      # raises for this answer

    exercise = Exercise("q9 double", _double, lambda rng: (rng.normal(size=4),), explain=fragile)
    fails_with(exercise, lambda x: x * 3, "1.5 times the expected values")


def test_without_a_hint_the_failure_does_not_point_to_one(capsys):
    exercise = _doubling(hint="")
    message = fails_with(exercise, lambda x: x, "0.5 times the expected values")
    assert "Stuck?" not in message
    exercise.hint()
    assert "there is no hint for this one; try solution()" in capsys.readouterr().out


# ------------------------------------------------------------------ core: hint() and solution()


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=_ids)
def test_hint_prints_the_hint(exercise, capsys):
    exercise.hint()
    out = capsys.readouterr().out
    assert out == f"Hint for {exercise.label}: {exercise.hint_text}\n"
    assert len(exercise.hint_text) > 40


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=_ids)
def test_solution_prints_source_that_runs_and_passes_its_own_check(exercise, capsys):
    name = exercise.label.split()[1]
    exercise.solution()
    out = capsys.readouterr().out
    head, source = out.split("\n\n", 1)
    assert head == f"A solution for {exercise.label}:"
    assert re.match(rf"def {name}\(", source), "the def carries the learner's name"
    assert "check.solution" not in source and not re.search(r"\b_\w+\(", source.split("\n", 1)[1]), \
        "the answer shown uses no private helper of the check module"
    namespace = {"np": np}
    exec(compile(source, f"<solution of {exercise.label}>", "exec"), namespace)
    exercise(namespace[name])
    assert exercise.passed and capsys.readouterr().out.startswith("✓")


def test_solution_source_renames_only_the_def():
    def helper_user(x):
        return _double(x)

    source = core.solution_source(helper_user, "mine")
    assert source.startswith("def mine(x):") and "_double(x)" in source


# ------------------------------------------------------------------ core: compare


def test_compare_covers_nan_and_scalars():
    assert core.compare(np.array([1.0, np.nan]), np.array([1.0, 2.0])) == "the result contains NaN or infinite values"
    assert core.compare(2.0, 2.0) is None
    assert "to be 2, got 3" in core.compare(3.0, 2.0)
    assert "should be a number" in core.compare("2", 2.0)


def test_exercise_checks_the_learner_gets_copies():
    def mutating(x):
        x[...] = 0
        return x

    ex = Exercise("qx", lambda x: x * 2, lambda rng: (rng.normal(size=3),), trials=2)
    with pytest.raises(CheckFailed, match="qx"):
        ex(mutating)


# ------------------------------------------------------------------ nb00 q1 to_float_image


def test_nb00_q1_right_and_wrong():
    assert passes(nb00.q1, nb00.q1.reference) == 5
    assert passes(nb00.q1, lambda p: (p / 255.0).astype(np.float32)) == 5
    assert passes(nb00.q1, lambda p: p.astype(np.float32) * np.float32(1 / 255)) == 5
    cases = {
        "expected dtype float32, got float64": lambda p: p / 255.0,
        "did you divide by 255": lambda p: p.astype(np.float32),
        "times the expected values": lambda p: (p / 256.0).astype(np.float32),
        "expected shape": lambda p: (p[..., 0] / 255.0).astype(np.float32),
        "raised ZeroDivisionError": lambda p: 1 / 0,
        "should be a NumPy array of shape": lambda p: "an image",
    }
    for message, wrong in cases.items():
        fails_with(nb00.q1, wrong, message)


# ------------------------------------------------------------------ nb00 q2 resized_shape


def test_nb00_q2_reference_is_images_load_rule():
    rng = np.random.default_rng(0)
    for _ in range(300):
        h, w, n = nb00._sizes(rng)
        assert nb00.q2.reference(h, w, n) == images.target_shape(h, w, n)
        assert max(nb00.q2.reference(h, w, n)) == n


def test_nb00_q2_right_answers_written_other_ways():
    assert passes(nb00.q2, nb00.q2.reference) == 20
    assert passes(nb00.q2, images.target_shape) == 20

    def with_a_scale(h, w, n):            # rounds h * (n / max) instead of h * n / max: the same away from .5
        scale = n / max(h, w)
        return max(1, round(h * scale)), max(1, round(w * scale))

    def half_up(h, w, n):
        scale = n / max(h, w)
        return max(1, int(h * scale + 0.5)), max(1, int(w * scale + 0.5))

    assert passes(nb00.q2, with_a_scale) == 20
    assert passes(nb00.q2, half_up) == 20


def test_nb00_q2_inputs_never_land_on_a_half():
    # On exactly .5, Python's round() goes to the even neighbour and int(x + 0.5) up: both are right answers.
    rng = np.random.default_rng(1)
    for _ in range(2000):
        h, w, n = nb00._sizes(rng)
        for side in (h, w):
            assert (2 * side * n) % (2 * max(h, w)) != max(h, w)
    assert nb00._is_tie(1000, 101, 2000) and not nb00._is_tie(1000, 100, 2000)


def test_nb00_q2_wrong_answers():
    seen = []
    nb00.q2(lambda h, w, n: seen.append((h, w, n)) or images.target_shape(h, w, n))
    assert seen[0] == (3, 2900, 64), "every check starts with a very thin picture"
    fails_with(nb00.q2, lambda h, w, n: (round(h * n / max(h, w)), round(w * n / max(h, w))),
               r"expected item 0 of the result to be 1, got 0")                 # no max(1, ...)
    fails_with(nb00.q2, lambda h, w, n: (max(1, int(h * n / max(h, w))), max(1, int(w * n / max(h, w)))),
               r"expected item \d of the result to be \d+, got \d+")             # truncates instead of rounding
    fails_with(nb00.q2, lambda h, w, n: n, "should be a tuple of 2 values")
    with pytest.raises(CheckFailed, match="pass your function itself"):
        nb00.q2(nb00.q2.reference(3, 4, 5))


# ------------------------------------------------------------------ nb00 q3 vgg_preprocess


MEAN = np.array(images.VGG_MEAN_BGR)


def test_nb00_q3_reference_is_the_course_functions():
    assert np.array_equal(nb00._MEAN_BGR, MEAN)
    rng = np.random.default_rng(2)
    for _ in range(5):
        x = nb00._picture(rng)
        forward = nb00.q3.reference(x, False)
        np.testing.assert_allclose(forward, images.vgg_preprocess(x), rtol=0, atol=1e-4)      # 0..255 scale
        np.testing.assert_allclose(nb00.q3.reference(forward, True), images.vgg_deprocess(forward), rtol=0, atol=1e-6)
        np.testing.assert_allclose(nb00.q3.reference(forward, True), x, rtol=0, atol=1e-5)   # the exact inverse
        assert forward.dtype == np.float32


def test_nb00_q3_trials_go_both_ways_and_stray_outside_the_picture():
    seen = []
    nb00.q3(lambda x, inverse: seen.append((x.copy(), inverse)) or nb00.q3.reference(x, inverse))
    assert [inverse for _, inverse in seen[:2]] == [False, True] and len(seen) == 8
    assert {inverse for _, inverse in seen[2:]} == {False, True}
    for x, inverse in seen:
        if inverse:
            picture = images.vgg_deprocess(x)
            assert picture.min() < -0.02 and picture.max() > 1.02, "the inverse is tried outside [0, 1]"
        else:
            assert 0 <= x.min() and x.max() <= 1


def _np_right(x, inverse):
    mean = np.array([103.939, 116.779, 123.68], dtype=np.float32)
    if inverse:
        return ((x + mean)[..., ::-1] / 255).astype(np.float32)
    return (x[..., ::-1] * 255 - mean).astype(np.float32)


def _tf_right(x, inverse):
    import tensorflow as tf

    x = tf.constant(x)
    mean = tf.constant(images.VGG_MEAN_BGR)                 # float32
    if inverse:
        return tf.reverse(x + mean, axis=[-1]) / 255.0
    return tf.reverse(x, axis=[-1]) * 255.0 - mean


def _keras_right(x, inverse):
    import keras

    if inverse:
        return images.vgg_deprocess(x)
    return keras.applications.vgg19.preprocess_input(x * 255.0)


def _float64_then_cast(x, inverse):
    y = x.astype(np.float64)
    out = (y + MEAN)[..., ::-1] / 255 if inverse else y[..., ::-1] * 255 - MEAN
    return out.astype(np.float32)


def _two_decimals(x, inverse):                     # means written 103.94, 116.78, 123.68: close enough
    mean = np.array([103.94, 116.78, 123.68], dtype=np.float32)
    out = (x + mean)[..., ::-1] / 255 if inverse else x[..., ::-1] * 255 - mean
    return out.astype(np.float32)


@pytest.mark.parametrize("right", [_np_right, _tf_right, _keras_right, _float64_then_cast, _two_decimals,
                                   lambda x, inverse: images.vgg_deprocess(x) if inverse else images.vgg_preprocess(x)],
                         ids=["numpy", "tensorflow", "keras", "float64_then_cast", "two_decimals", "images"])
def test_nb00_q3_right_answers(right):
    assert passes(nb00.q3, right) == 8


def _forward_wrong(forward):
    """Right for inverse=True, ``forward`` for inverse=False: the first trial names the mistake."""
    def answer(x, inverse):
        return _np_right(x, True) if inverse else np.asarray(forward(x.astype(np.float64)), np.float32)
    return answer


def _inverse_wrong(inverse_fn):
    def answer(x, inverse):
        return np.asarray(inverse_fn(x.astype(np.float64)), np.float32) if inverse else _np_right(x, False)
    return answer


@pytest.mark.parametrize("wrong, message", [
    (lambda x: x * 255 - MEAN, "the channels were not swapped: VGG19 was trained on BGR pictures"),
    (lambda x: x * 255 - MEAN[::-1], "you subtracted each colour's mean but kept the RGB order"),
    (lambda x: x[..., ::-1] * 255 - MEAN[::-1], r"the means are in RGB order \(red's 123.68 first\)"),
    (lambda x: x[..., ::-1] * 255, "the ImageNet means were not subtracted"),
    (lambda x: x[..., ::-1] - MEAN, "the × 255 is missing"),
    (lambda x: x[..., ::-1] / 255 - MEAN, "you divided by 255"),
    (lambda x: (x[..., ::-1] - MEAN) * 255, "multiply by 255 first, then subtract them"),
    (lambda x: x[..., ::-1] * 255 + MEAN, "you added the means"),
    (lambda x: x[..., ::-1] * 255 - MEAN.mean(), "you subtracted one mean for all three channels"),
    (lambda x: x * 2 - 1, "the \\[-1, 1\\] scaling other networks use"),
    (lambda x: (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225], "PyTorch's normalisation"),
    (lambda x: (x + MEAN)[..., ::-1] / 255, "with inverse=False you undid the preprocessing"),
    (lambda x: x[..., ::-1] * 255 - [104, 117, 124], "up to 0.32 away from the right ones .* use the ImageNet "
                                                     "means exactly"),
    (lambda x: x[..., ::-1] * 255 - MEAN + 3 * x[..., :1], "the values differ: at index"),
])
def test_nb00_q3_names_each_mistake_of_the_preprocessing(wrong, message):
    fails_with(nb00.q3, _forward_wrong(wrong), message + r".*\(on input shape .*, False\)")


@pytest.mark.parametrize("wrong, message", [
    (lambda y: (y + MEAN) / 255, "the channels were not swapped back"),
    (lambda y: (y[..., ::-1] + MEAN) / 255, "the means were added in the wrong order"),
    (lambda y: y[..., ::-1] / 255, "the ImageNet means were not added back"),
    (lambda y: (y + MEAN)[..., ::-1], "the ÷ 255 is missing"),
    (lambda y: (y + MEAN)[..., ::-1] * 255, "you multiplied by 255 again"),
    (lambda y: y * 255, "you scaled VGG19's input as if it were a picture in \\[0, 1\\]"),
    (lambda y: (y - MEAN)[..., ::-1] / 255, "you subtracted the means again"),
    (lambda y: np.clip((y + MEAN)[..., ::-1] / 255, 0, 1), "you clipped the result to \\[0, 1\\]"),
    (lambda y: y[..., ::-1] * 255 - MEAN, "with inverse=True you applied the preprocessing again"),
])
def test_nb00_q3_names_each_mistake_of_the_inverse(wrong, message):
    fails_with(nb00.q3, _inverse_wrong(wrong), message + r".*\(on input shape .*, True\)")


def test_nb00_q3_float64_means_are_named():
    def float64(x, inverse):
        return (x + MEAN)[..., ::-1] / 255 if inverse else x[..., ::-1] * 255 - MEAN

    fails_with(nb00.q3, float64, "the values are right, but the dtype is float64: np.array\\(VGG_MEAN_BGR\\) is "
                                 "float64")
    fails_with(nb00.q3, lambda x, inverse: _np_right(x, inverse)[None], "expected shape")
