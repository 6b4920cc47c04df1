"""Import TensorFlow and Keras without TensorFlow's start-up noise.

TensorFlow writes notices (oneDNN, "could not find cuda drivers", absl) straight
to file descriptor 2 while it is imported, before any Python logging setting can
reach them; in Jupyter these land in the notebook as red text a learner cannot act
on. We point descriptor 2 at /dev/null for the duration of the import only, so
real errors printed later still show.

Every module of the course imports TensorFlow through here::

    from ._tf import tf, keras
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide C++ INFO and WARNING lines


def _import_quietly():
    if "tensorflow" in sys.modules:
        import tensorflow

        return tensorflow
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real descriptor 2 (some embedded consoles)
        import tensorflow

        return tensorflow
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow

        # Looking for devices once here keeps the "failed call to cuInit" notice of
        # GPU-less machines out of the notebook as well.
        tensorflow.config.list_physical_devices()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow


tf = _import_quietly()
tf.get_logger().setLevel("ERROR")

import keras  # noqa: E402  (after TensorFlow, so Keras finds its backend quietly)

__all__ = ["tf", "keras"]
