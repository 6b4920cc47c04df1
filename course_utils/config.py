"""Course-wide settings: the quick-mode switch, where files are cached, seeding.

Quick mode is read here and nowhere else. ``make test`` sets ``COURSE_QUICK=1``
so that every notebook runs in a minute or two on a laptop CPU; learners get the
full sizes by default. Notebooks take their parameters through :func:`pick`::

    IMAGE_SIZE = config.pick(full=384, quick=96)
    STEPS = config.pick(full=300, quick=10)
"""

from __future__ import annotations

import os
import sys
import random
from pathlib import Path

import numpy as np

#: Where the course's source lives (Colab installs from here; notebook badges point here).
REPO = "ai-painting-course/ai-painting-tensorflow"
REPO_URL = f"https://github.com/{REPO}"
BRANCH = "main"

_TRUE = {"1", "true", "yes", "on"}


def _read_quick() -> bool:
    return os.environ.get("COURSE_QUICK", "").strip().lower() in _TRUE


#: True when ``COURSE_QUICK`` is set to 1/true/yes/on: tiny sizes and few steps, for CI.
QUICK: bool = _read_quick()


def pick(full, quick):
    """Return ``quick`` in quick mode and ``full`` otherwise.

    >>> pick(full=512, quick=64) in (512, 64)
    True
    """
    return quick if QUICK else full


def cache_dir() -> Path:
    """The folder where the course keeps converted weights and downloads.

    ``COURSE_CACHE_DIR`` overrides it; otherwise ``~/.cache/ai-painting-course``
    (or ``$XDG_CACHE_HOME/ai-painting-course``). The folder is created if missing.
    """
    explicit = os.environ.get("COURSE_CACHE_DIR")
    if explicit:
        path = Path(explicit).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        path = Path(base).expanduser() / "ai-painting-course"
    path.mkdir(parents=True, exist_ok=True)
    return path


def project_root() -> Path | None:
    """The checkout this package was installed from (editable install), or None."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def seed(value: int = 0) -> None:
    """Seed Python, NumPy and TensorFlow/Keras so that a run can be repeated.

    Returns None, so that the set-up cell that ends with it shows nothing.
    """
    from ._args import seed as _seed

    value = _seed(value)
    random.seed(value)
    np.random.seed(value)
    from ._tf import keras

    keras.utils.set_random_seed(value)


def environment() -> dict:
    """What the course runs on: versions, devices, quick mode, cache and weights.

    Notebook 00 shows this as a table; paste it into a question when asking for help.
    """
    import platform

    from ._tf import keras, tf
    from . import models

    gpus = tf.config.list_physical_devices("GPU")
    weights = models.weights_info()
    return {
        "Python": platform.python_version(),
        "TensorFlow": tf.__version__,
        "Keras": keras.__version__,
        "NumPy": np.__version__,
        "Devices": f"{len(gpus)} GPU(s): " + ", ".join(g.name for g in gpus) if gpus else "CPU only",
        "CPU cores": os.cpu_count(),
        "Quick mode": "on (COURSE_QUICK=1): small sizes, few steps" if QUICK else "off: full sizes",
        "Cache folder": str(cache_dir()),
        "VGG19 weights": (f"{weights.kind} ({weights.source})" if weights
                          else "not prepared yet: run `python -m course_utils.models prepare`"),
        "Running in": "Google Colab" if "google.colab" in sys.modules else "Jupyter / Python",
    }
