"""GANs: a generator and a discriminator trained against each other (notebooks 05 and 06).

- :mod:`.losses`    the discriminator's and the generator's losses (minimax, non-saturating,
                    WGAN-GP) and the gradient penalty
- :mod:`.training`  :class:`GAN`, a Keras 3 model whose ``train_step`` plays one round of the game
- :mod:`.quality`   a Fréchet distance on a small classifier's features ("FID-like") and class coverage
- :mod:`.toy`       notebook 05's game in the plane: Gaussians on a ring, small MLPs, mode coverage,
                    snapshots of the discriminator's surface during ``fit``
- :mod:`.dcgan`     convolutional generator and discriminator (the digits: :func:`course_utils.data.digits`)
- :mod:`.trainer`   :class:`~.trainer.GANTrainer`: epochs with fixed-noise sample grids, GIFs and atomic
                    checkpoints that resume exactly (:mod:`course_utils.grids`, :mod:`course_utils.checkpoints`)
- :mod:`.judge`     a small digit classifier whose features give the FID-like score
- :mod:`.latent`    paths through noise space (lerp, slerp) and class-by-noise grids
- :mod:`.patches`   random patches of a painting and the Gram statistics of sets of patches

Import the notebook-sized parts by name: ``from course_utils.gan import toy, dcgan, trainer``.
"""

from . import losses, quality, training
from .losses import discriminator_loss, generator_loss, gradient_penalty, interpolate
from .quality import class_coverage, fid_like, frechet_distance
from .training import GAN

__all__ = ["losses", "quality", "training", "GAN", "discriminator_loss", "generator_loss",
           "gradient_penalty", "interpolate", "fid_like", "frechet_distance", "class_coverage"]
