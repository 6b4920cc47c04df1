'''The source article's style-transfer listing, and small tools to take it apart.

The article this course grew from printed a TensorFlow/Keras style-transfer
listing that does not run. We do not have the article's text, so :data:`PUBLISHED`
is a reconstruction from its description, written in the manner of the old Keras
``neural_style_transfer.py`` example: it has the article's defects, and no others.
Notebook 03 walks through them one by one::

    from course_utils import listing
    listing.lines_with("channels = 3")            # [(34, 'channels = 3')]
    listing.undefined_names(listing.PUBLISHED)    # {'img_height': 35, ...}
    listing.error_of("y + 1")                     # "NameError: name 'y' is not defined"

- :func:`lines_with` finds the lines that contain a piece of text;
- :func:`undefined_names` and :func:`unused_names` are a tiny linter: names read
  but never defined, and settings defined but never read;
- :func:`definition` and :func:`function` take one function out of the listing,
  to run it with the pieces around it replaced;
- :func:`error_of` runs a fragment and reports its exception in one line.
'''

from __future__ import annotations

import ast
import builtins
import itertools
import linecache
import re
from typing import Callable

__all__ = ["PUBLISHED", "lines_with", "undefined_names", "unused_names", "definition", "function", "error_of"]

#: The listing as published (reconstructed from the article's description; defects included).
PUBLISHED = """\
import numpy as np
import tensorflow as tf
import keras
from keras.applications import vgg19
from keras.preprocessing.image import load_img, img_to_array

base_image_path = "photo.jpg"
style_image_path = "painting.jpg"
content_weight = 1e4
style_weight = 1e-2
total_variation_weight = 30.0
num_iterations = 1000
content_layer = "block5_conv2"
style_layers = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]

def preprocess_image(path):
    img = img_to_array(load_img(path, target_size=(512, 512)))
    return vgg19.preprocess_input(np.expand_dims(img, axis=0))

def extract_features(image):
    vgg = vgg19.VGG19(weights="imagenet", include_top=False)
    outputs = [vgg.get_layer(name).output for name in style_layers + [content_layer]]
    model = keras.Model(vgg.input, outputs)
    return model(image)

def gram_matrix(x, size, channels):
    features = tf.reshape(x, (size, channels))
    return tf.matmul(features, features, transpose_a=True)

def content_loss(base, combination):
    return tf.reduce_mean(tf.square(combination - base))

def style_loss(style, combination):
    channels = 3
    size = img_height * img_width
    S = gram_matrix(style, size, channels)
    C = gram_matrix(combination, size, channels)
    return tf.reduce_sum(tf.square(S - C)) / (4.0 * (channels ** 2) * (size ** 2))

def total_variation_loss(x):
    shape = x.get_shape().as_list()
    a = tf.square(x[:, : shape[1] - 1, : shape[2] - 1, :] - x[:, 1:, : shape[2] - 1, :])
    b = tf.square(x[:, : shape[1] - 1, : shape[2] - 1, :] - x[:, : shape[1] - 1, 1:, :])
    return tf.reduce_sum(a + b)

def compute_loss(combination):
    features = extract_features(combination)
    loss = content_weight * content_loss(content_target[0], features[-1][0])
    for target, layer in zip(style_targets, features[:-1]):
        loss += style_loss(target[0], layer[0]) / len(style_layers)
    loss += total_variation_weight * total_variation_loss(y)
    return loss

base_image = preprocess_image(base_image_path)
content_target = extract_features(base_image)[-1]
style_targets = extract_features(preprocess_image(style_image_path))[:-1]
combination = tf.Variable(base_image)
optimizer = keras.optimizers.Adam(learning_rate=5.0)

for i in range(num_iterations):
    with tf.GradientTape() as tape:
        loss = compute_loss(combination)
    grads = tape.gradient(loss, combination)
    optimizer.apply_gradients([(grads, combination)])
    if i % 100 == 0:
        print(f"iteration {i}: loss {float(loss):.4g}")

img = np.clip(combination.numpy()[0] * 255, 0, 255).astype("uint8")
imsave("result.png", img)
"""


def _parse(source: str) -> ast.Module:
    if not isinstance(source, str):
        raise ValueError(f"source must be Python code as a string, got {type(source).__name__}")
    try:
        return ast.parse(source)
    except SyntaxError as err:
        raise ValueError(f"source is not valid Python: {err.msg} on line {err.lineno}") from None


def lines_with(text: str, source: str = PUBLISHED) -> list[tuple[int, str]]:
    """The lines of ``source`` that contain ``text``, as (line number from 1, stripped line).

    Examples
    --------
    >>> lines_with("imsave(")
    [(69, 'imsave("result.png", img)')]
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty string to look for, got {text!r}")
    return [(number, line.strip()) for number, line in enumerate(source.splitlines(), start=1) if text in line]


class _Names(ast.NodeVisitor):
    """Every name bound anywhere and every name read, with the line of its first read."""

    def __init__(self):
        self.bound: set[str] = set()
        self.read: dict[str, int] = {}

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.read.setdefault(node.id, node.lineno)
        else:
            self.bound.add(node.id)

    def visit_AugAssign(self, node):  # x += 1 reads x as well as setting it
        if isinstance(node.target, ast.Name):
            self.read.setdefault(node.target.id, node.lineno)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self.bound.add(node.name)
        every = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        every += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
        self.bound.update(a.arg for a in every)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.bound.add(node.name)
        self.generic_visit(node)

    def visit_Lambda(self, node):
        self.bound.update(a.arg for a in node.args.args + node.args.kwonlyargs)
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            self.bound.add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_ExceptHandler(self, node):
        if node.name:
            self.bound.add(node.name)
        self.generic_visit(node)


def _names(source: str) -> _Names:
    names = _Names()
    names.visit(_parse(source))
    return names


def undefined_names(source: str = PUBLISHED) -> dict[str, int]:
    """Names that ``source`` reads but never defines, imports or gets from Python's builtins.

    A rough linter: it ignores scopes, so a name defined anywhere counts as
    defined everywhere. Returns name -> line of its first use, in order of lines.

    Examples
    --------
    >>> undefined_names("x = 1\\nprint(x + y)")
    {'y': 2}
    """
    names = _names(source)
    missing = {n: line for n, line in names.read.items() if n not in names.bound and not hasattr(builtins, n)}
    return dict(sorted(missing.items(), key=lambda item: item[1]))


def unused_names(source: str = PUBLISHED) -> list[str]:
    """Names assigned at the top level of ``source`` (settings, results) that nothing reads.

    Examples
    --------
    >>> unused_names("rate = 0.1\\nsteps = 3\\nprint(steps)")
    ['rate']
    """
    names = _names(source)
    assigned = []
    for node in _parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name) and leaf.id not in assigned:
                    assigned.append(leaf.id)
    return [name for name in assigned if name not in names.read]


def definition(name: str, source: str = PUBLISHED) -> str:
    """The source code of the top-level function ``name`` in ``source``.

    Examples
    --------
    >>> print(definition("content_loss"))
    def content_loss(base, combination):
        return tf.reduce_mean(tf.square(combination - base))
    """
    for node in _parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return ast.get_source_segment(source, node)
    defined = [n.name for n in _parse(source).body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    raise ValueError(f"the listing defines no function {name!r}; it defines {', '.join(defined)}")


def function(name: str, namespace: dict, source: str = PUBLISHED) -> Callable:
    """Define the listing's function ``name`` inside ``namespace`` (a dict) and return it.

    The function finds its global names (``tf``, other functions, settings) in
    ``namespace``, so they can be replaced: run one piece of the listing with
    the other pieces corrected.
    """
    if not isinstance(namespace, dict):
        raise ValueError(f"namespace must be a dict of the names the function uses, got {type(namespace).__name__}")
    code = definition(name, source) + "\n"
    filename = f"<listing {next(_counter)}: {name}>"
    # Registered like a notebook cell, so that tracebacks show the listing's lines and
    # tf.function (AutoGraph) can read the function's source.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    exec(compile(code, filename, "exec"), namespace)  # noqa: S102
    return namespace[name]


_counter = itertools.count(1)
_TF_PREFIX = re.compile(r"^\{\{function_node [^}]*\}\}\s*")


def _one_line(err: BaseException) -> str:
    name = type(err).__name__
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    if not lines:
        return name
    if lines[0] == "in user code:":  # tf.function's report: the traceback, then "TypeError: ..." last
        return lines[-1] if lines[-1].startswith(f"{name}: ") else f"{name}: {lines[-1]}"
    return f"{name}: {_TF_PREFIX.sub('', lines[0])}"


def error_of(code, namespace: dict | None = None) -> str | None:
    """Run ``code`` and return its exception as one line, or None if it ran without one.

    Parameters
    ----------
    code : str or callable
        Python statements (run with ``exec`` in ``namespace``), or a function
        called with no arguments.
    namespace : dict, optional
        The global names for a string of code (a new empty dict by default);
        what the code assigns stays in it.

    Returns
    -------
    ``"ExceptionName: first line of its message"`` (TensorFlow's
    ``{{function_node ...}}`` prefix removed; for an error inside ``tf.function``,
    the line that names the original error), or None.

    Examples
    --------
    >>> error_of("loss = 2 * y")
    "NameError: name 'y' is not defined"
    >>> error_of(lambda: [1, 2][1]) is None
    True
    """
    if not isinstance(code, str) and not callable(code):
        raise ValueError(f"code must be a string of Python or a function of no arguments, got {type(code).__name__}")
    if namespace is not None and not isinstance(namespace, dict):
        raise ValueError(f"namespace must be a dict, got {type(namespace).__name__}")
    try:
        if isinstance(code, str):
            exec(compile(code, "<fragment>", "exec"), {} if namespace is None else namespace)  # noqa: S102
        else:
            code()
    except Exception as err:  # noqa: BLE001 - reporting it is the point
        return _one_line(err)
    return None
