"""Tests of course_utils.gan.toy: the ring of Gaussians, mode coverage, small networks, snapshots, figures."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils.gan import toy


# ---------------------------------------------------------------------------- data


def test_centres_lie_evenly_on_the_circle():
    c = toy.centres(8, radius=2.0)
    assert c.shape == (8, 2) and c.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0, rtol=1e-6)
    np.testing.assert_allclose(c[0], [2.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(c[2], [0.0, 2.0], atol=1e-6)  # counter-clockwise, 45° apart
    gaps = np.linalg.norm(np.diff(np.vstack([c, c[:1]]), axis=0), axis=1)
    np.testing.assert_allclose(gaps, gaps[0], rtol=1e-5)
    assert toy.centres(3, radius=1.0).shape == (3, 2)


def test_ring_points_sit_near_every_centre_with_the_given_spread():
    x = toy.ring(8000, modes=8, radius=2.0, std=0.05, seed=3)
    assert x.shape == (8000, 2) and x.dtype == np.float32
    c = toy.centres(8, 2.0)
    d = np.linalg.norm(x[:, None] - c[None], axis=-1)
    nearest, offset = d.argmin(axis=1), x - c[d.argmin(axis=1)]
    counts = np.bincount(nearest, minlength=8)
    assert counts.min() > 800 and counts.max() < 1200           # modes equally likely
    assert abs(offset.std() - 0.05) < 0.003                     # the spread asked for
    assert np.all(d.min(axis=1) < 6 * 0.05)


def test_ring_is_reproducible_by_seed():
    np.testing.assert_array_equal(toy.ring(100, seed=5), toy.ring(100, seed=5))
    assert not np.allclose(toy.ring(100, seed=5), toy.ring(100, seed=6))


@pytest.mark.parametrize("call, words", [
    (lambda: toy.ring(0), "n must be a whole number >= 1"),
    (lambda: toy.ring(10.5), "n must be a whole number"),
    (lambda: toy.ring(10, std=-1), "std must be a positive number"),
    (lambda: toy.ring(10, modes=0), "modes must be a whole number >= 1"),
    (lambda: toy.ring(10, seed=-1), "seed must be a whole number >= 0"),
    (lambda: toy.centres(8, radius=0), "radius must be a positive number"),
])
def test_bad_data_arguments_get_one_sentence(call, words):
    with pytest.raises(ValueError, match=words) as err:
        call()
    assert "\n" not in str(err.value)


# ------------------------------------------------------------------------ coverage


def test_coverage_of_the_data_itself_is_complete():
    centres = toy.centres()
    cov = toy.mode_coverage(toy.ring(4000, std=0.02, seed=1), centres, std=0.02)
    assert cov.covered == 8 and cov.n_modes == 8
    assert cov.good > 0.98                         # within 3 std: 98.9 % of a 2-D Gaussian
    assert cov.shares.shape == (8,) and abs(cov.shares.sum() - cov.good) < 1e-9
    assert str(cov).startswith("8 of 8 modes")


def test_coverage_of_a_collapsed_set_is_one_mode():
    centres = toy.centres()
    collapsed = centres[3] + np.random.default_rng(0).normal(0, 0.02, (1000, 2))
    cov = toy.mode_coverage(collapsed, centres, std=0.02)
    assert cov.covered == 1 and cov.good > 0.95 and np.argmax(cov.shares) == 3


def test_coverage_counts_nothing_for_points_off_the_modes():
    centres = toy.centres()
    middle = np.random.default_rng(0).normal(0, 0.3, (500, 2))       # in the centre of the ring
    between = 2.0 * np.stack([np.cos(np.pi / 8 + np.arange(8) * np.pi / 4),
                              np.sin(np.pi / 8 + np.arange(8) * np.pi / 4)], axis=1)  # halfway between modes
    for points in (middle, between):
        cov = toy.mode_coverage(points, centres, std=0.02)
        assert cov.covered == 0 and cov.good == 0.0


def test_coverage_needs_a_share_of_the_points_per_mode():
    centres = toy.centres()
    rng = np.random.default_rng(1)
    # 97 points on mode 0, 3 points on mode 1: mode 1 has 3 %, above the default 2.5 %.
    points = np.vstack([centres[0] + rng.normal(0, 0.01, (97, 2)), centres[1] + rng.normal(0, 0.01, (3, 2))])
    assert toy.mode_coverage(points, centres, 0.02).covered == 2
    assert toy.mode_coverage(points, centres, 0.02, min_share=0.05).covered == 1
    # 2 points of 100 on mode 1: below a fifth of a fair share, so stray points do not count.
    points[-1] = centres[0]
    assert toy.mode_coverage(points, centres, 0.02).covered == 1
    # A point just outside 3 std is not good; just inside, it is.
    edge = np.array([[2.0 + 0.061, 0.0], [2.0 + 0.059, 0.0]])
    cov = toy.mode_coverage(edge, centres, 0.02, min_share=0.5)
    assert cov.good == 0.5 and cov.covered == 1


@pytest.mark.parametrize("points, centres, kwargs, words", [
    (np.zeros((5, 3)), toy.centres(), {}, r"points must be an array of points with shape \(N, 2\)"),
    (np.zeros((0, 2)), toy.centres(), {}, "points is empty"),
    (np.full((3, 2), np.nan), toy.centres(), {}, "NaN or infinite"),
    (np.zeros((5, 2)), np.zeros(2), {}, "centres must be an array of points"),
    (np.zeros((5, 2)), toy.centres(), {"std": 0}, "std must be a positive number"),
    (np.zeros((5, 2)), toy.centres(), {"min_share": 1.5}, r"min_share must be a number in \(0, 1\]"),
    ("points", toy.centres(), {}, "points must be an array of points"),
])
def test_bad_coverage_arguments_get_one_sentence(points, centres, kwargs, words):
    with pytest.raises(ValueError, match=words) as err:
        toy.mode_coverage(points, centres, **kwargs)
    assert "\n" not in str(err.value)


# ------------------------------------------------------------------------ networks


def test_builders_shapes_and_seeded_weights():
    g = toy.mlp_generator(latent_dim=5, hidden=16, layers=3, seed=2)
    d = toy.mlp_discriminator(hidden=8, layers=1, seed=4)
    assert g.input_shape == (None, 5) and g.output_shape == (None, 2)
    assert d.input_shape == (None, 2) and d.output_shape == (None, 1)
    assert len([layer for layer in g.layers if layer.weights]) == 4   # 3 hidden + the output layer
    assert len([layer for layer in d.layers if layer.weights]) == 2
    again = toy.mlp_generator(latent_dim=5, hidden=16, layers=3, seed=2)
    other = toy.mlp_generator(latent_dim=5, hidden=16, layers=3, seed=3)
    for a, b in zip(g.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(g.get_weights()[0], other.get_weights()[0])
    points = toy.sample(g, 50, seed=1)
    assert points.shape == (50, 2) and points.dtype == np.float32
    np.testing.assert_array_equal(points, toy.sample(g, 50, seed=1))


def test_builders_refuse_bad_sizes_in_one_sentence():
    with pytest.raises(ValueError, match="hidden must be a whole number >= 1"):
        toy.mlp_generator(hidden=0)
    with pytest.raises(ValueError, match="layers must be a whole number >= 1"):
        toy.mlp_discriminator(layers=1.5)


# ------------------------------------------------------------------------ snapshots


@pytest.fixture(scope="module")
def short_run():
    """A toy GAN fitted for 12 steps with a snapshot every 5: (model, snapshots callback, history)."""
    from course_utils import gan
    from course_utils._tf import keras

    keras.utils.set_random_seed(0)
    model = gan.GAN(toy.mlp_generator(latent_dim=3, hidden=16), toy.mlp_discriminator(hidden=16), seed=0)
    model.compile(loss="non_saturating")
    snaps = toy.Snapshots(every=5, n_points=64, resolution=12, centres=toy.centres(), std=0.02)
    history = model.fit(toy.ring(12 * 32, seed=0), batch_size=32, epochs=1, shuffle=False, verbose=0,
                        callbacks=[snaps])
    return model, snaps, history


def test_snapshots_are_taken_at_the_start_and_every_few_steps(short_run):
    model, snaps, history = short_run
    assert [s.step for s in snaps.snapshots] == [0, 5, 10]
    first, last = snaps.snapshots[0], snaps.snapshots[-1]
    assert first.points.shape == (64, 2) and first.surface.shape == (12, 12)
    assert first.xs.shape == (12,) and first.xs[0] == -3.0 and first.xs[-1] == 3.0
    assert first.probability and np.all((last.surface > 0) & (last.surface < 1))
    assert not np.allclose(first.points, last.points)       # the generator has moved
    assert not np.allclose(first.surface, last.surface)     # and so has the discriminator
    assert last.coverage is not None and 0 <= last.coverage.covered <= 8
    assert set(last.logs) >= {"d_loss", "g_loss"} and first.logs == {}
    assert last.title.startswith("step 10 · ") and last.title.endswith("/8 modes")
    # The same noise at every snapshot: a snapshot taken now repeats the generator's current output.
    np.testing.assert_allclose(snaps.take().points, model.generator(snaps._noise).numpy(), rtol=1e-6)


def test_the_surface_is_the_discriminators_probability_on_the_grid(short_run):
    model, snaps, _ = short_run
    snap = snaps.take()
    xs, ys, grid = toy.decision_grid(3.0, 12)
    logits = model.discriminator(grid).numpy().reshape(12, 12)
    np.testing.assert_allclose(snap.surface, 1 / (1 + np.exp(-logits)), rtol=1e-5)
    # Row i is at ys[i], column j at xs[j]: what contourf(xs, ys, surface) expects.
    i, j = 2, 9
    at = model.discriminator(np.array([[xs[j], ys[i]]], np.float32)).numpy()[0, 0]
    np.testing.assert_allclose(logits[i, j], at, rtol=1e-5)


def test_snapshots_of_a_critic_keep_its_raw_scores():
    from course_utils import gan
    from course_utils._tf import keras

    keras.utils.set_random_seed(0)
    model = gan.GAN(toy.mlp_generator(latent_dim=2, hidden=8), toy.mlp_discriminator(hidden=8), seed=0)
    model.compile(loss="wgan-gp", d_steps=2)
    snaps = toy.Snapshots(every=2, n_points=16, resolution=8)
    model.fit(toy.ring(64, seed=0), batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[snaps])
    last = snaps.snapshots[-1]
    assert [s.step for s in snaps.snapshots] == [0, 2, 4] and not last.probability and last.coverage is None
    np.testing.assert_allclose(last.surface, model.discriminator(toy.decision_grid(3.0, 8)[2]).numpy().reshape(8, 8),
                               rtol=1e-5)


def test_snapshots_refuse_bad_arguments():
    with pytest.raises(ValueError, match="every must be a whole number >= 1"):
        toy.Snapshots(every=0)
    with pytest.raises(ValueError, match="resolution must be a whole number >= 2"):
        toy.Snapshots(resolution=1)
    with pytest.raises(ValueError, match="a model that has a generator and a discriminator"):
        toy.Snapshots().take()   # not attached to a GAN


# ------------------------------------------------------------------------ training


@pytest.fixture(scope="module")
def trained():
    """toy.train for 10 small steps, twice with the same seed and once with another."""
    real = toy.ring(640, seed=0)
    kwargs = dict(steps=10, every=5, batch_size=32, hidden=8, centres=toy.centres(), progress=False)
    return (toy.train(real, seed=3, **kwargs), toy.train(real, seed=3, **kwargs),
            toy.train(real, seed=4, loss="wgan-gp", d_steps=2, **kwargs))


def test_train_runs_the_steps_with_snapshots_and_history(trained):
    run, _, critic_run = trained
    assert [s.step for s in run.snapshots] == [0, 5, 10] and int(run.model.steps.numpy()) == 10
    assert len(run.history["d_loss"]) == 2 and len(run.history["g_loss"]) == 2   # one mean per 5 steps
    assert run.final is run.snapshots[-1] and run.coverage is run.snapshots[-1].coverage
    assert run.settings["seed"] == 3 and run.settings["update"] == "simultaneous" and run.seconds > 0
    assert run.model.generator.layers[1].units == 8
    assert critic_run.settings["update"] == "alternating" and "gp" in critic_run.history
    assert not critic_run.final.probability


def test_train_is_repeatable_by_seed(trained):
    first, again, other = trained
    np.testing.assert_array_equal(first.final.points, again.final.points)
    np.testing.assert_array_equal(first.history["d_loss"], again.history["d_loss"])
    assert not np.allclose(first.final.points, other.final.points)


def test_train_refuses_bad_arguments_in_one_sentence():
    real = toy.ring(64)
    with pytest.raises(ValueError, match=r"steps \(10\) must be a multiple of every \(3\)"):
        toy.train(real, steps=10, every=3, progress=False)
    with pytest.raises(ValueError, match="real has 64 points, fewer than one batch of 256"):
        toy.train(real, steps=10, every=5, progress=False)
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        toy.train(real, steps=10, every=5, batch_size=8, learning_rate=0, progress=False)


def test_coverage_table_has_a_row_per_setting_and_a_cell_per_run(trained):
    run = trained[0]
    cov = toy.ModeCoverage(covered=8, n_modes=8, good=0.804, shares=np.full(8, 0.1))
    table = toy.coverage_table({"collapsed": [run, run], "remedy": [cov]})
    lines = table.splitlines()
    assert lines[0] == "| setting | run 1 | run 2 |" and lines[1] == "|---|---|---|"
    assert lines[2].startswith("| collapsed | ") and lines[2].count(f"{run.coverage.covered}/8 modes") == 2
    assert lines[3] == "| remedy | 8/8 modes, 80 % good |  |"
    with pytest.raises(ValueError, match="must hold Run or ModeCoverage objects"):
        toy.coverage_table({"bad": [3]})
    with pytest.raises(ValueError, match="results must be a dict"):
        toy.coverage_table([])


# ------------------------------------------------------------------------- figures


def _snapshot(step=100, probability=True, covered=3):
    xs, ys, grid = toy.decision_grid(3.0, 10)
    surface = 1 / (1 + np.exp(-(grid[:, 0] - grid[:, 1]))).reshape(10, 10)
    cov = toy.ModeCoverage(covered=covered, n_modes=8, good=0.5, shares=np.zeros(8))
    return toy.Snapshot(step=step, points=toy.ring(50, seed=1), xs=xs, ys=ys,
                        surface=surface if probability else 5 * surface - 2, probability=probability, coverage=cov)


def test_points_figure_has_both_sets_a_legend_and_a_title():
    fig = toy.points_figure(toy.ring(100), toy.ring(60, seed=2) * 0.5, centres=toy.centres(), title="the ring")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "the ring"
    assert [len(c.get_offsets()) for c in ax.collections] == [100, 60]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["real", "generated"]
    assert len(ax.patches) == 8          # the 3-std circles
    assert ax.get_xlim() == (-3.0, 3.0)


def test_surface_figure_draws_a_filled_contour_with_a_colour_bar():
    fig = toy.surface_figure(_snapshot(), real=toy.ring(40))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "step 100 · 3/8 modes"
    assert len(fig.axes) == 2 and "probability" in fig.axes[1].get_ylabel()
    critic = toy.surface_figure(_snapshot(probability=False), title="a critic")
    assert critic.axes[0].get_title() == "a critic" and "score" in critic.axes[1].get_ylabel()


def test_snapshots_figure_titles_each_panel_with_step_and_modes():
    snaps = [_snapshot(step, covered=c) for step, c in ((0, 0), (500, 2), (1000, 8))]
    fig = toy.snapshots_figure(snaps, real=toy.ring(30), suptitle="training")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["step 0 · 0/8 modes", "step 500 · 2/8 modes", "step 1000 · 8/8 modes"]
    assert fig._suptitle.get_text() == "training"
    bar = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bar) == 1 and "probability" in bar[0].get_ylabel()       # one colour bar for all panels
    critics = toy.snapshots_figure([_snapshot(probability=False)] * 2)
    assert "critic" in [ax for ax in critics.axes if ax.get_label() == "<colorbar>"][0].get_ylabel()
    grid = toy.snapshots_figure(snaps * 2, ncols=4, titles=[f"run {i}" for i in range(6)])
    panels = [ax for ax in grid.axes if ax.get_title()]
    assert len(panels) == 6 and panels[-1].get_title() == "run 5"


@pytest.mark.parametrize("call, words", [
    (lambda: toy.points_figure(), "give real or generated points"),
    (lambda: toy.points_figure(np.zeros((4, 3))), r"real must be an array of points with shape \(N, 2\)"),
    (lambda: toy.surface_figure("a snapshot"), "snapshot must be a Snapshot"),
    (lambda: toy.snapshots_figure([]), "snapshots must be a non-empty list"),
    (lambda: toy.snapshots_figure([_snapshot(), 3]), r"snapshots\[1\] must be a Snapshot"),
    (lambda: toy.snapshots_figure([_snapshot()], titles=["a", "b"]), "give one title per snapshot"),
])
def test_bad_figure_arguments_get_one_sentence(call, words):
    with pytest.raises(ValueError, match=words) as err:
        call()
    assert "\n" not in str(err.value)
