"""The noise schedules and the forward and reverse formulas, against their closed forms (NumPy only)."""

import numpy as np
import pytest

from course_utils.diffusion import schedule as S
from course_utils.errors import SettingError


def test_linear_schedule_has_the_papers_endpoints_and_alpha_bar_is_the_product():
    s = S.linear(1000)
    assert s.betas[0] == pytest.approx(1e-4) and s.betas[-1] == pytest.approx(0.02)
    assert s.alpha_bars[0] == pytest.approx(1 - 1e-4)
    # the product of (1 - beta), written as a sum of logarithms
    assert s.alpha_bars[-1] == pytest.approx(np.exp(np.sum(np.log1p(-s.betas))), rel=1e-9)
    assert 1e-5 < s.alpha_bars[-1] < 1e-4  # almost no signal left after 1000 steps
    assert np.all(np.diff(s.alpha_bars) < 0)


def test_cosine_schedule_follows_its_cosine_and_ends_in_noise():
    s = S.cosine(1000)
    t = np.arange(1, 1001) / 1000
    f = np.cos((t + 0.008) / 1.008 * np.pi / 2) ** 2 / np.cos(0.008 / 1.008 * np.pi / 2) ** 2
    uncapped = s.betas < 0.999
    np.testing.assert_allclose(s.alpha_bars[uncapped], f[uncapped], rtol=1e-9)
    assert s.alpha_bars[0] > 0.9999 and s.alpha_bars[-1] < 1e-6
    assert s.betas.max() == pytest.approx(0.999)
    # the halfway point: cos²(π/4)-ish, half the variance is signal
    assert s.alpha_bars[499] == pytest.approx(0.5, abs=0.02)


def test_cosine_keeps_more_signal_than_linear_in_the_middle():
    # the reason the course uses it for small pictures
    assert S.cosine(1000).alpha_bars[600] > 5 * S.linear(1000).alpha_bars[600]


def test_alpha_bar_at_minus_one_is_clean_and_bad_times_are_refused():
    s = S.cosine(10)
    assert s.alpha_bar(-1) == 1.0
    assert s.alpha_bar(np.array([0, 9])).tolist() == [s.alpha_bars[0], s.alpha_bars[9]]
    for bad in (10, -2, np.array([0.5])):
        with pytest.raises(SettingError, match="times must be whole numbers"):
            s.alpha_bar(bad)


def test_timesteps_are_a_subsequence_from_noise_to_clean():
    s = S.cosine(1000)
    assert s.timesteps(1000).tolist() == list(range(999, -1, -1))
    for steps in (250, 50, 20, 10, 5, 2):
        times = s.timesteps(steps)
        assert len(times) == steps and times[0] == 999 and times[-1] == 0
        assert np.all(np.diff(times) < 0)
    assert s.timesteps(1).tolist() == [999]  # one step: from pure noise straight to the clean estimate
    with pytest.raises(SettingError, match="more steps"):
        s.timesteps(1001)
    with pytest.raises(SettingError, match="steps must be a whole number"):
        s.timesteps(0)


def test_make_names_the_schedules():
    assert S.make("linear", 10).kind == "linear" and S.make("cosine", 10).kind == "cosine"
    with pytest.raises(SettingError, match="'cosine', 'linear'"):
        S.make("sigmoid")


def test_forward_process_mean_and_variance_match_many_noisy_samples():
    s = S.cosine(100)
    rng = np.random.default_rng(0)
    x0 = np.full((20000, 1), 0.7)
    for t in (0, 30, 70, 99):
        mean, var = S.q_mean_variance(s, x0, np.full(len(x0), t))
        a = s.alpha_bars[t]
        assert mean[0, 0] == pytest.approx(np.sqrt(a) * 0.7) and var[0, 0] == pytest.approx(1 - a)
        x_t = S.q_sample(s, x0, np.full(len(x0), t), rng.standard_normal(x0.shape))
        # 20,000 samples: the mean is known to about 4 standard errors, the variance to a few percent
        assert abs(x_t.mean() - mean[0, 0]) < 4 * np.sqrt((1 - a) / len(x0)) + 1e-12
        if t:
            assert x_t.var() == pytest.approx(1 - a, rel=0.05)


def test_predict_x0_inverts_the_forward_process():
    s = S.linear(50)
    rng = np.random.default_rng(1)
    x0, eps = rng.uniform(-1, 1, (6, 4, 4, 1)), rng.standard_normal((6, 4, 4, 1))
    t = np.array([0, 5, 10, 20, 40, 49])
    x_t = S.q_sample(s, x0, t, eps)
    np.testing.assert_allclose(S.predict_x0(s, x_t, t, eps), x0, atol=1e-9)
    np.testing.assert_allclose(S.noise_from_x0(s, x_t, t, x0), eps, atol=1e-9)


def test_ddim_step_on_a_known_noise_prediction():
    s = S.cosine(20)
    rng = np.random.default_rng(2)
    x0, eps = rng.uniform(-1, 1, (5, 3)), rng.standard_normal((5, 3))
    t, prev = np.full(5, 15), np.full(5, 7)
    x_t = S.q_sample(s, x0, t, eps)
    # with the true noise the deterministic step lands exactly on the forward process at the earlier time
    x_prev, x0_hat = S.ddim_step(s, x_t, t, prev, eps)
    np.testing.assert_allclose(x0_hat, x0, atol=1e-9)
    np.testing.assert_allclose(x_prev, S.q_sample(s, x0, prev, eps), atol=1e-9)
    # and to the clean sample itself at s = -1
    np.testing.assert_allclose(S.ddim_step(s, x_t, t, np.full(5, -1), eps)[0], x0, atol=1e-9)
    # by hand, for one number
    a_t, a_s = s.alpha_bars[15], s.alpha_bars[7]
    x, e = 0.3, -1.2
    by_hand = np.sqrt(a_s) * (x - np.sqrt(1 - a_t) * e) / np.sqrt(a_t) + np.sqrt(1 - a_s) * e
    got = S.ddim_step(s, np.array([[x]]), np.array([15]), np.array([7]), np.array([[e]]))[0]
    assert got[0, 0] == pytest.approx(by_hand)


def test_eta_one_is_the_ddpm_posterior():
    s = S.linear(30)
    rng = np.random.default_rng(3)
    x_t, eps, z = rng.standard_normal((3, 4, 2))
    for t, prev in ((29, 28), (20, 10), (1, 0)):
        tt, pp = np.full(4, t), np.full(4, prev)
        x_prev, x0_hat = S.ddim_step(s, x_t, tt, pp, eps, eta=1.0, noise=z)
        mean, var = S.posterior_mean_variance(s, x_t, tt, pp, x0_hat)
        np.testing.assert_allclose(x_prev, mean + np.sqrt(var) * z, atol=1e-9)
    # one step of DDPM's own: beta-tilde = (1 - a_{t-1}) / (1 - a_t) * beta_t
    t = 12
    var = S.posterior_mean_variance(s, x_t, np.full(4, t), np.full(4, t - 1), x_t)[1][0, 0]
    assert var == pytest.approx((1 - s.alpha_bars[t - 1]) / (1 - s.alpha_bars[t]) * s.betas[t])


def test_clipping_keeps_the_estimate_in_range_and_the_step_consistent():
    s = S.cosine(1000)
    x_t, eps = np.array([[2.5]]), np.array([[-0.5]])
    t, prev = np.array([999]), np.array([500])
    raw = S.predict_x0(s, x_t, t, eps)
    assert abs(raw[0, 0]) > 100  # dividing by sqrt(alpha_bar) ~ 0 at the last step
    x_prev, x0_hat = S.ddim_step(s, x_t, t, prev, eps, clip=1.0)
    assert x0_hat[0, 0] == 1.0
    # the step is the forward process from the clipped estimate with the noise re-derived from it
    eps_clipped = S.noise_from_x0(s, x_t, t, x0_hat)
    np.testing.assert_allclose(x_prev, S.q_sample(s, x0_hat, prev, eps_clipped), atol=1e-9)
    with pytest.raises(SettingError, match="eta > 0 adds fresh noise"):
        S.ddim_step(s, x_t, t, prev, eps, eta=1.0)
