"""course_utils.grids: the one pixel-grid layout behind tile, patchwork and plotting's panels."""

import numpy as np
import pytest

from course_utils import grids, plotting
from course_utils.errors import SettingError


def test_tile_and_to_pixels():
    x = np.stack([np.full((2, 3, 1), v, np.float32) for v in (-1.0, 0.0, 1.0)])
    grid = grids.tile(x, ncols=2, pad=1, scale=2)
    assert grid.shape == (1 + 2 * 5, 1 + 2 * 7, 3) and grid.dtype == np.uint8
    assert grid[1, 1].tolist() == [0, 0, 0] and grid[1, 8].tolist() == [128] * 3 and grid[6, 1].tolist() == [255] * 3
    assert grid[0, 0].tolist() == [128] * 3 and grid[6, 8].tolist() == [128] * 3  # padding, and the empty cell
    np.testing.assert_allclose(grids.to_pixels(np.array([-1.0, 0.0, 1.0, 3.0])), [0.0, 0.5, 1.0, 1.0])
    with pytest.raises(SettingError, match="tile needs a batch of images"):
        grids.tile(np.zeros((4, 4)))


def test_patchwork_lays_patches_in_rows_without_gaps():
    x = np.stack([np.full((4, 4, 3), v, np.float32) for v in np.linspace(-1, 1, 6)])
    grid = grids.patchwork(x, 2, 3)
    assert grid.shape == (8, 12, 3) and grid.dtype == np.float32
    assert grid[0, 0, 0] == 0.0 and grid[0, 4, 0] == pytest.approx(0.2) and grid[4, 0, 0] == pytest.approx(0.6)
    assert grid[7, 11, 0] == pytest.approx(1.0)
    with pytest.raises(SettingError, match="needs 9 patches; got 6"):
        grids.patchwork(x, 3, 3)
    with pytest.raises(SettingError, match=r"\[-1, 1\]"):
        grids.patchwork(np.full((4, 4, 4, 3), 2.0, np.float32), 1, 1)


def test_one_layout_for_pixel_grids_and_figures():
    assert grids.grid_shape(10, 4) == (3, 4)
    assert grids.grid_shape(3, 8) == (1, 3)
    assert grids.tile(np.zeros((10, 2, 2, 1), np.float32), 4, pad=0).shape == (3 * 2, 4 * 2, 3)
    fig = plotting.grid_figure([np.zeros((4, 4, 3))] * 10, ncols=4)
    try:
        assert len(fig.axes) == 12 or len([ax for ax in fig.axes if ax.get_images()]) == 10
        rows, cols = fig.axes[0].get_subplotspec().get_gridspec().get_geometry()
        assert (rows, cols) == grids.grid_shape(10, 4)
    finally:
        plotting.close(fig)
    with pytest.raises(SettingError, match="ncols must be a whole number >= 1"):
        grids.tile(np.zeros((2, 2, 2, 1), np.float32), 0)


def test_save_gif_checks_its_settings(tmp_path):
    frames = [np.zeros((4, 4, 3), np.uint8), np.full((4, 4, 3), 255, np.uint8)]
    path = grids.save_gif(frames, tmp_path / "a.gif", fps=4)
    assert path.read_bytes()[:6] in (b"GIF89a", b"GIF87a")
    for kwargs, pattern in [({"fps": 0}, "fps must be a number > 0 and <= 50"),
                            ({"hold": -1}, "hold must be a number >= 0")]:
        with pytest.raises(SettingError, match=pattern):
            grids.save_gif(frames, tmp_path / "b.gif", **kwargs)
    assert not (tmp_path / "b.gif").exists()
