"""Diffusion models: noise in, picture out (notebook 08).

- :mod:`.schedule`  the noise schedules (cosine, linear) and the formulas of the forward process,
                    the DDIM / DDPM step and DDPM's posterior, in NumPy
- :mod:`.nets`      the networks that predict the noise: an MLP for points, a small U-Net for pictures
- :mod:`.model`     :class:`Diffusion`, a Keras model whose ``train_step`` learns the noise (EMA weights,
                    label dropout for classifier-free guidance) and whose samplers undo it; SDEdit
- :mod:`.trainer`   epochs with fixed-noise frames, GIFs and atomic checkpoints that resume exactly
- :mod:`.toy`       notebook 05's ring of Gaussians, noised and denoised in the plane
- :mod:`.measure`   notebook 06's judge on samplers, steps and guidance scales; Markdown tables

Import the parts by name: ``from course_utils.diffusion import nets, schedule, trainer``.
"""

from . import measure, model, nets, schedule, toy, trainer
from .model import Diffusion, guided_noise

__all__ = ["measure", "model", "nets", "schedule", "toy", "trainer", "Diffusion", "guided_noise"]
