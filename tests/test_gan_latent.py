"""Walking through noise space: straight lines, great-circle arcs, the class grid's inputs."""

import numpy as np
import pytest

from course_utils.gan import latent


def angle(a, b):
    return np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))


def test_slerp_starts_and_ends_at_the_two_vectors_and_keeps_their_length():
    rng = np.random.default_rng(0)
    z0, z1 = rng.normal(size=64), rng.normal(size=64)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)  # equal lengths
    np.testing.assert_allclose(latent.slerp(z0, z1, 0.0), z0, atol=1e-12)
    np.testing.assert_allclose(latent.slerp(z0, z1, 1.0), z1, atol=1e-12)
    points = latent.path(z0, z1, steps=9)
    assert points.shape == (9, 64) and points.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(points, axis=1), np.linalg.norm(z0), rtol=1e-10)
    # equal angles between neighbours: constant speed along the arc, and all in the plane of z0 and z1
    steps = [angle(points[i], points[i + 1]) for i in range(8)]
    np.testing.assert_allclose(steps, angle(z0, z1) / 8, rtol=1e-8)
    basis, _ = np.linalg.qr(np.stack([z0, z1], axis=1))
    np.testing.assert_allclose(points @ basis @ basis.T, points, atol=1e-10)


def test_the_straight_line_passes_closer_to_the_origin():
    rng = np.random.default_rng(1)
    z0, z1 = rng.normal(size=128).astype(np.float32), rng.normal(size=128).astype(np.float32)
    middle_line, middle_arc = latent.lerp(z0, z1, 0.5), latent.slerp(z0, z1, 0.5)
    assert middle_line.dtype == middle_arc.dtype == np.float32
    ratio = np.linalg.norm(middle_line) / np.linalg.norm(z0)
    assert 0.6 < ratio < 0.8  # about 1/sqrt(2) for independent normal vectors
    assert abs(np.linalg.norm(middle_arc) / np.linalg.norm(z0) - 1) < 0.05
    np.testing.assert_allclose(latent.path(z0, z1, 3, kind="lerp")[1], middle_line, rtol=1e-6)


def test_slerp_of_parallel_vectors_is_the_straight_line_and_opposite_ones_are_refused():
    z0 = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(latent.slerp(z0, 2.5 * z0, 0.4), latent.lerp(z0, 2.5 * z0, 0.4))
    assert np.all(np.isfinite(latent.slerp(z0, z0, [0.0, 0.5, 1.0])))
    np.testing.assert_allclose(latent.slerp(np.zeros(3), z0, 0.5), 0.5 * z0)
    with pytest.raises(ValueError, match="opposite directions"):
        latent.slerp(z0, -z0, 0.5)


def test_scalar_and_array_t_and_unequal_lengths():
    rng = np.random.default_rng(2)
    z0, z1 = rng.normal(size=5), 3 * rng.normal(size=5)
    ts = np.array([0.0, 0.3, 1.0])
    rows = latent.slerp(z0, z1, ts)
    assert rows.shape == (3, 5)
    np.testing.assert_allclose(rows[1], latent.slerp(z0, z1, 0.3))
    np.testing.assert_allclose(rows[[0, 2]], [z0, z1], atol=1e-12)
    omega = angle(z0, z1)
    expected = np.sin(0.7 * omega) / np.sin(omega) * z0 + np.sin(0.3 * omega) / np.sin(omega) * z1
    np.testing.assert_allclose(rows[1], expected)


def test_class_inputs_repeat_the_noise_in_every_row():
    noise, labels = latent.class_inputs(10, 4, 16, seed=3)
    assert noise.shape == (40, 16) and noise.dtype == np.float32 and labels.dtype == np.int32
    assert labels.tolist() == [c for c in range(10) for _ in range(4)]
    np.testing.assert_array_equal(noise[:4], noise[36:])
    assert len({tuple(row) for row in noise[:4]}) == 4
    np.testing.assert_array_equal(latent.class_inputs(10, 4, 16, seed=3)[0], noise)


@pytest.mark.parametrize("call, pattern", [
    (lambda: latent.slerp(np.zeros(3), np.zeros(4), 0.5), "same length"),
    (lambda: latent.slerp(np.zeros((2, 3)), np.zeros((2, 3)), 0.5), "same length"),
    (lambda: latent.lerp(np.ones(3), np.ones(3), [[0.5]]), "t must be a number"),
    (lambda: latent.slerp(np.ones(3), np.array([1.0, np.nan, 0.0]), 0.5), "finite"),
    (lambda: latent.path(np.ones(3), np.ones(3), 1), "steps must be a whole number >= 2"),
    (lambda: latent.path(np.ones(3), np.ones(3), 4, kind="arc"), "kind must be 'slerp' or 'lerp'"),
    (lambda: latent.class_inputs(0, 4, 16), "n_classes must be a whole number"),
])
def test_bad_arguments_get_one_sentence(call, pattern):
    with pytest.raises(ValueError, match=pattern) as err:
        call()
    assert "\n" not in str(err.value)
