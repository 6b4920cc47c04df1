"""What a convolutional network computes and sees (notebook 01), in three modules:

- :mod:`.ops`        convolution, ReLU and max pooling written out in NumPy (``KERNELS``: classic 3×3 filters)
- :mod:`.fields`     receptive fields, and any Keras model's layers as a table
- :mod:`.digit_cnn`  a small CNN trained from scratch on handwritten digits (:func:`course_utils.data.digits`)

Their names are all here too, so a notebook writes ``cnn.conv2d``, ``cnn.layer_table``, ``cnn.small_cnn``.
"""

from .digit_cnn import TrainedCNN, layer_outputs, small_cnn, train_small_cnn
from .fields import LayerRow, LayerTable, format_layer_table, layer_table, receptive_field
from .ops import KERNELS, conv2d, max_pool2d, relu

__all__ = ["KERNELS", "conv2d", "relu", "max_pool2d", "receptive_field", "LayerRow", "LayerTable", "layer_table",
           "format_layer_table", "small_cnn", "TrainedCNN", "train_small_cnn", "layer_outputs"]
