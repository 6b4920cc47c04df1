"""Fréchet distance against closed forms, FID-like on samples, class coverage."""

import numpy as np
import pytest

from course_utils.gan import quality


def test_frechet_distance_of_one_dimensional_gaussians():
    # For N(m1, s1²) and N(m2, s2²) the squared 2-Wasserstein distance is (m1 - m2)² + (s1 - s2)².
    assert quality.frechet_distance([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(4 + 1)


def test_frechet_distance_of_diagonal_gaussians_and_identical_ones():
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 4.0, 1.0])
    m1, m2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    assert quality.frechet_distance(m1, np.diag(s1), m2, np.diag(s2)) == pytest.approx(expected)
    cov = np.cov(np.random.default_rng(0).normal(size=(50, 5)), rowvar=False)
    assert quality.frechet_distance(m1[:2], cov[:2, :2], m1[:2], cov[:2, :2]) == pytest.approx(0, abs=1e-7)


def test_frechet_distance_is_symmetric_for_full_covariances():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    s1, s2 = a @ a.T, b @ b.T
    m1, m2 = rng.normal(size=6), rng.normal(size=6)
    assert quality.frechet_distance(m1, s1, m2, s2) == pytest.approx(quality.frechet_distance(m2, s2, m1, s1))


def test_fid_like_is_small_for_the_same_distribution_and_grows_with_a_shift():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(2000, 8))
    same = rng.normal(size=(2000, 8))
    shifted = rng.normal(size=(2000, 8)) + 0.5
    narrow = rng.normal(size=(2000, 8)) * 0.3  # a collapsed generator: too little variety
    assert quality.fid_like(real, same) < 0.1
    assert quality.fid_like(real, shifted) == pytest.approx(8 * 0.25, rel=0.15)
    assert quality.fid_like(real, narrow) == pytest.approx(8 * 0.49, rel=0.15)


def test_fid_like_with_fewer_samples_than_features_stays_finite():
    rng = np.random.default_rng(3)
    value = quality.fid_like(rng.normal(size=(10, 30)), rng.normal(size=(12, 30)))
    assert np.isfinite(value) and value > 0


def test_bad_features_are_one_sentence():
    with pytest.raises(ValueError, match=r"2-D array \(samples, features\)"):
        quality.fid_like(np.zeros((4, 2, 2)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="differ in length"):
        quality.fid_like(np.ones((4, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        quality.fid_like(np.ones((1, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        quality.fid_like(np.full((3, 3), np.nan), np.ones((4, 3)))
    with pytest.raises(ValueError, match="3×3 matrices"):
        quality.frechet_distance(np.zeros(3), np.eye(2), np.zeros(3), np.eye(3))


def test_class_coverage_counts_classes_with_a_fair_share():
    every = np.arange(100) % 10
    assert quality.class_coverage(every).covered == 10
    collapsed = np.array([3] * 97 + [1, 2, 4])  # three stray samples are not a covered class
    coverage = quality.class_coverage(collapsed)
    assert coverage.covered == 1 and coverage.shares[3] == pytest.approx(0.97)
    assert str(coverage) == "1 of 10 classes"
    probabilities = np.eye(10)[every] * 0.9 + 0.01
    assert quality.class_coverage(probabilities).covered == 10
    assert quality.class_coverage(collapsed, min_share=0.01).covered == 4


def test_class_coverage_rejects_mismatched_probabilities():
    with pytest.raises(ValueError, match="5 columns but n_classes is 10"):
        quality.class_coverage(np.ones((4, 5)))
