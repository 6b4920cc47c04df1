"""Course-wide settings: the quick-mode switch, the language, where files are cached, seeding.

This module imports nothing else of the course at load time but :mod:`course_utils.i18n`, where
the language switch lives (both are at the bottom of the import graph); what the course runs on is :func:`course_utils.models.environment`.

Quick mode is read here and nowhere else. ``make test`` sets ``COURSE_QUICK=1``
so that every notebook runs in a minute or two on a laptop CPU; learners get the
full sizes by default. Notebooks take their parameters through :func:`pick`::

    IMAGE_SIZE = config.pick(full=384, quick=96)
    STEPS = config.pick(full=300, quick=10)
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np

# The language switch lives in i18n (at the bottom of the import graph, beside the catalogues); it is a
# setting like quick mode, so it is reachable from here: config.language(), config.set_language("zh_CN").
from .i18n import LANGUAGE_VARIABLE, LANGUAGES, language, set_language  # noqa: F401

#: Where the course's source lives (Colab installs from here; notebook badges point here).
REPO = "ai-painting-course/ai-painting-tensorflow"
REPO_URL = f"https://github.com/{REPO}"
BRANCH = "main"

_TRUE = {"1", "true", "yes", "on"}


#: The environment variable that turns quick mode on.
QUICK_VARIABLE = "COURSE_QUICK"


def _read_quick() -> bool:
    return os.environ.get(QUICK_VARIABLE, "").strip().lower() in _TRUE


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
    from .validate import seed_value

    value = seed_value(value)
    random.seed(value)
    np.random.seed(value)
    from ._tf import keras

    keras.utils.set_random_seed(value)


class Initializers:
    """The course's one seeding policy for network builders.

    Every function that builds a network (``cnn.small_cnn``, ``gan.judge.classifier``,
    ``gan.dcgan.generator`` and ``discriminator``, ``fast.feedforward.transform_net``,
    ``fast.adain.decoder``; ``gan.toy``'s MLPs derive theirs the same way) takes ``seed=`` and
    seeds its *initialisers only*: it makes ``init = Initializers(seed)`` and gives each layer
    with weights ``kernel_initializer=init.kernel()`` (``init.embedding()`` for an embedding,
    ``seed=init.seed()`` for dropout). So the same seed builds the same network, and building
    one leaves Python's, NumPy's and TensorFlow's global random state alone: what a notebook
    draws afterwards does not depend on how many networks it built. (:func:`seed` is the
    notebook's own call that seeds everything.)
    """

    def __init__(self, seed: int = 0):
        from .validate import seed_value

        self.base = seed_value(seed)
        self.count = 0

    def seed(self) -> int:
        """A new seed for the next layer: a function of the builder's seed and the layer's place."""
        self.count += 1
        return (self.base * 7919 + self.count) % 2 ** 31

    def kernel(self):
        """Keras' default kernel initialiser (Glorot uniform), seeded."""
        from ._tf import keras

        return keras.initializers.GlorotUniform(seed=self.seed())

    def embedding(self):
        """Keras' default embedding initialiser (uniform in ±0.05), seeded."""
        from ._tf import keras

        return keras.initializers.RandomUniform(-0.05, 0.05, seed=self.seed())
