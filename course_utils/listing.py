'''The source article's style-transfer listing, and small tools to take it apart.

The course grew from the article "AI作画原理与代码实现解析" (a Chinese blog post,
https://blog.csdn.net/myTomorrow_better/article/details/138259744). It ends with an
install line and a TensorFlow/Keras listing for neural style transfer that does not
run. The captured web page lost the listing's line breaks: each function stands on
one line. :data:`INSTALL` and :data:`PUBLISHED` are the course's restatement of it,
with the line breaks restored: the article's structure, its order, its names and
every one of its defects, and nothing else changed. The comments are the course's
own short headings, in English, where the article has its own. Where the page leaves
an indentation open (is ``grad = tape.gradient(...)`` inside the ``with`` block?),
the restatement takes the usual reading; no defect depends on it. The captured install
line ends in a stray ``|``, probably the page's layout, left out here. The ``tf.keras``
imports stay as the article has them: this is the article's code, kept as text; the
course's own code uses ``import keras``.

:data:`CORRECTED` is the same listing repaired, in the same order and with the same
names where they survive, as notebook 03 runs it (section 6.12);
``tests/test_listing.py`` tests it piece by piece.

Notebook 03 walks through every defect::

    from course_utils import listing
    listing.unused_requirements()                 # ['keras', 'opencv-python']
    listing.undefined_names()                     # {'img_height': 41, 'img_width': 41, ...}
    listing.unused_names()                        # {'decode_predictions': 4, ...}
    listing.error_of(listing.statements("print('Iteration"), {"i": 0, "loss_value": 1.0})
    # "TypeError: not enough arguments for format string"

- :func:`lines_with` finds the lines that contain a piece of text;
- :func:`undefined_names` and :func:`unused_names` are a tiny linter that knows
  Python's scopes: names read where nothing defines them, and names defined
  (imported, assigned, parameters) that nothing reads;
- :func:`imported_modules` and :func:`unused_requirements` compare the install
  line with what the code imports; :func:`with_keras` imports Keras 3 as ``keras``
  where the listing reaches it through TensorFlow;
- :func:`definition` and :func:`function` take one function out of the listing,
  to run it with the pieces around it replaced; :func:`statements` takes out a
  run of statements (a loop, a few lines of the script) to run with ``exec``;
- :func:`error_of` runs a fragment and reports its exception in one line.
'''

from __future__ import annotations

import ast
import builtins
import itertools
import linecache
import re
import textwrap
from typing import Callable

from .errors import SettingError
from .i18n import _

__all__ = ["ARTICLE", "INSTALL", "PUBLISHED", "CORRECTED", "lines_with", "undefined_names", "unused_names",
           "imported_modules", "unused_requirements", "with_keras", "definition", "function", "statements",
           "error_of"]

#: The article the listing comes from: its title and address.
ARTICLE = ("AI作画原理与代码实现解析", "https://blog.csdn.net/myTomorrow_better/article/details/138259744")

#: The article's install line (the stray ``|`` of the captured page left out).
INSTALL = "pip install tensorflow keras opencv-python numpy matplotlib"

#: The article's listing, restated with its line breaks restored; every defect kept.
PUBLISHED = """\
import tensorflow as tf
from tensorflow.keras.applications import vgg19
from tensorflow.keras.preprocessing import image
from tensorflow.keras.applications.vgg19 import preprocess_input, decode_predictions
import numpy as np
import matplotlib.pyplot as plt

# The pretrained network
model = vgg19.VGG19(include_top=False, weights='imagenet')

# The two pictures
content_image_path = 'path_to_content_image.jpg'
style_image_path = 'path_to_style_image.jpg'

# Load and preprocess a picture
def load_and_process_image(image_path):
    img = image.load_img(image_path, target_size=(512, 512))
    img_tensor = image.img_to_array(img)
    img_tensor = np.expand_dims(img_tensor, axis=0)
    img_tensor = preprocess_input(img_tensor)
    return img_tensor

content_image = load_and_process_image(content_image_path)
style_image = load_and_process_image(style_image_path)

# Content and style losses
def content_loss(base_content, target):
    return tf.reduce_mean(tf.square(base_content - target))

def gram_matrix(input_tensor):
    channels = int(input_tensor.shape[-1])
    a = tf.reshape(input_tensor, [-1, channels])
    n = tf.shape(a)[0]
    gram = tf.matmul(a, a, transpose_a=True)
    return gram / tf.cast(n, tf.float32)

def style_loss(style, combination):
    S = gram_matrix(style)
    C = gram_matrix(combination)
    channels = 3
    size = img_height * img_width
    return tf.reduce_sum(tf.square(S - C)) / (4. * (channels ** 2) * (size ** 2))

# Feature maps
def extract_features(tensor, model):
    layers_dict = dict([(layer.name, layer.output) for layer in model.layers])
    feature_layers = ['block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1', 'block5_conv1']
    features = [layers_dict[layer].name for layer in feature_layers]
    model_outputs = [model.get_layer(name).output for name in features]
    feature_extractor = tf.keras.models.Model(inputs=model.input, outputs=model_outputs)
    return feature_extractor(tensor)

# Features of the content and the style picture
content_outputs = extract_features(content_image, model)
style_outputs = extract_features(style_image, model)

# The loss
def compute_loss(model, base_input, gram_style_features, content_weight, style_weight, total_variation_weight):
    model_outputs = model(base_input)
    style_output_features = model_outputs[:len(gram_style_features)]
    content_output_features = [model_outputs[len(gram_style_features)]]
    style_score = 0
    content_score = 0
    # style
    weight_per_style_layer = 1.0 / float(len(style_layers))
    for target_style, comb_style in zip(gram_style_features, style_output_features):
        style_score += weight_per_style_layer * style_loss(target_style[0], comb_style[0])
    # content
    content_score += content_weight * content_loss(content_output_features[0][0], content_outputs[0])
    # total variation (optional)
    if total_variation_weight:
        x_rows = base_input.get_shape().as_list()
        x_cols = base_input.get_shape().as_list()
        a = tf.square(base_input[:, :x_rows-1, :x_cols-1, :] - base_input[:, 1:, :x_cols-1, :])
        b = tf.square(base_input[:, :x_rows-1, :x_cols-1, :] - base_input[:, :x_rows-1, 1:, :])
        total_variation = tf.reduce_sum(tf.pow(a + b, 1.25))
        total_variation_loss = total_variation_weight * total_variation
        return content_score + style_score + total_variation_loss
    else:
        return content_score + style_score

# Gradients
import tensorflow.keras.backend as K

def eval_loss_and_grads(model, x, y, gram_style_features, content_weight, style_weight, total_variation_weight):
    x = tf.constant(x)
    y = tf.constant(y)
    with tf.GradientTape() as tape:
        loss_value = compute_loss(model, x, gram_style_features, content_weight, style_weight, total_variation_weight)
    grad = tape.gradient(loss_value, x)
    return loss_value, grad

# Settings
num_iterations = 1000
content_weight = 1e3
style_weight = 1e-2
total_variation_weight = 1e-4
x = tf.Variable(content_image)
gram_style_features = extract_features(style_image, model)

# The optimisation
optimizer = tf.optimizers.Adam(learning_rate=5, beta_1=0.99, epsilon=1e-1)
for i in range(num_iterations):
    loss_value, grads = eval_loss_and_grads(model, x, y, gram_style_features, content_weight, style_weight, total_variation_weight)
    optimizer.apply_gradients([(grads, x)])
    if i % 100 == 0:
        print('Iteration %d: %d, Loss: %.2f' % (i, loss_value))

# The picture
output_image = x.numpy()
output_image = output_image.reshape((img_height, img_width, 3))
output_image = output_image * 255.0
output_image = np.clip(output_image, 0, 255).astype('uint8')

# Save it
imsave('style_transferred_image.png', output_image)

# Show it
plt.imshow(output_image)
plt.show()
"""

#: The listing repaired, in its own order and names (notebook 03, section 6). It expects
#: ``content_image_path``, ``style_image_path``, ``image_size``, ``num_iterations`` and
#: ``output_path`` to be set before it runs.
CORRECTED = """\
import numpy as np
import tensorflow as tf
import keras
import matplotlib.pyplot as plt
from keras.applications.vgg19 import preprocess_input
from course_utils import images, models

# The pretrained network, built once; offline, from the course's copy of the ImageNet weights
model = models.vgg19(verbose=False)

def load_and_process_image(image_path):
    img = images.load(image_path, image_size)              # (3) longest side image_size, shape kept
    img_tensor = np.expand_dims(img * 255.0, axis=0)       # RGB in 0..255, as load_img gives it
    return preprocess_input(img_tensor)                    # BGR, ImageNet mean removed

content_image = load_and_process_image(content_image_path)
style_image = load_and_process_image(style_image_path)

def content_loss(base_content, target):
    return tf.reduce_mean(tf.square(base_content - target))

def gram_matrix(input_tensor):
    channels = int(input_tensor.shape[-1])
    a = tf.reshape(input_tensor, [-1, channels])
    n = tf.shape(a)[0]
    gram = tf.matmul(a, a, transpose_a=True)
    return gram / tf.cast(n, tf.float32)                   # already divided by the layer's M = H * W

def style_loss(style_gram, combination):                   # (4, 5) Gatys et al.: the layer's own N
    channels = int(combination.shape[-1])
    C = gram_matrix(combination)
    return tf.reduce_sum(tf.square(style_gram - C)) / (4. * channels ** 2)

style_layers = ['block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1', 'block5_conv1']   # (10)
content_layers = ['block5_conv2']                          # (7) a deep layer, after the style layers

def extract_features(model, layer_names):                  # (6) layers by their names: a model, built once
    model_outputs = [model.get_layer(name).output for name in layer_names]
    return keras.Model(inputs=model.input, outputs=model_outputs)

feature_model = extract_features(model, style_layers + content_layers)     # (9) a list of six outputs
content_outputs = feature_model(content_image)
gram_style_features = [gram_matrix(f[0]) for f in feature_model(style_image)[:len(style_layers)]]   # (8, 11)

def compute_loss(model, base_input, gram_style_features, content_weight, style_weight, total_variation_weight):
    model_outputs = model(base_input)
    style_output_features = model_outputs[:len(gram_style_features)]
    content_output_features = model_outputs[len(gram_style_features):]
    weight_per_style_layer = 1.0 / float(len(style_layers))
    style_score = 0
    for target_gram, comb_style in zip(gram_style_features, style_output_features):
        style_score += weight_per_style_layer * style_loss(target_gram, comb_style[0])
    content_score = content_loss(content_output_features[0][0], content_outputs[-1][0])   # (7)
    a = tf.square(base_input[:, :-1, :-1, :] - base_input[:, 1:, :-1, :])       # (13) slices that need
    b = tf.square(base_input[:, :-1, :-1, :] - base_input[:, :-1, 1:, :])       # no sizes
    total_variation = tf.reduce_sum(tf.pow(a + b, 1.25))
    return (content_weight * content_score + style_weight * style_score           # (12) every weight used
            + total_variation_weight * total_variation)

@tf.function
def eval_loss_and_grads(model, x, gram_style_features, content_weight, style_weight, total_variation_weight):
    with tf.GradientTape() as tape:                        # (14) x is the tf.Variable itself
        loss_value = compute_loss(model, x, gram_style_features, content_weight, style_weight, total_variation_weight)
    grad = tape.gradient(loss_value, x)
    return loss_value, grad

content_weight = 1e3
style_weight = 1e-2                                        # (16) weights that fit this style loss
total_variation_weight = 1e-4
x = tf.Variable(content_image)
mean = np.array([103.939, 116.779, 123.68], np.float32)    # what preprocess_input took away (BGR)

optimizer = keras.optimizers.Adam(learning_rate=5.0, beta_1=0.99, epsilon=1e-1)   # (17) a float
history = []
for i in range(num_iterations):
    loss_value, grads = eval_loss_and_grads(feature_model, x, gram_style_features,            # (15) no y
                                            content_weight, style_weight, total_variation_weight)
    optimizer.apply_gradients([(grads, x)])
    x.assign(tf.clip_by_value(x, -mean, 255.0 - mean))     # (17) keep every pixel a colour
    history.append(float(loss_value))
    if i % 100 == 0:
        print('Iteration %d, Loss: %.4g' % (i, loss_value))   # (18) as many values as %-fields

output_image = x.numpy()[0]                                # (19) (H, W, 3): its own size
output_image = (output_image + mean)[:, :, ::-1]           # (20) undo preprocess_input: mean back, BGR -> RGB
output_image = np.clip(output_image, 0, 255).astype('uint8')
keras.utils.save_img(output_path, output_image)            # (21) a save function that exists

plt.imshow(output_image)
plt.axis('off')
plt.show()
"""


def _parse(source: str) -> ast.Module:
    if not isinstance(source, str):
        raise SettingError(_("source must be Python code as a string, got {kind}").format(
            kind=type(source).__name__))
    try:
        return ast.parse(source)
    except SyntaxError as err:
        raise SettingError(_("source is not valid Python: {problem} on line {line}").format(
            problem=err.msg, line=err.lineno)) from None


def lines_with(text: str, source: str = PUBLISHED) -> list[tuple[int, str]]:
    """The lines of ``source`` that contain ``text``, as (line number from 1, stripped line).

    Examples
    --------
    >>> lines_with("imsave(")
    [(116, "imsave('style_transferred_image.png', output_image)")]
    """
    if not isinstance(text, str) or not text:
        raise SettingError(_("text must be a non-empty string to look for, got {text!r}").format(text=text))
    return [(number, line.strip()) for number, line in enumerate(source.splitlines(), start=1) if text in line]


# ------------------------------------------------------------------ a small linter that knows scopes


class _Scope:
    """One of Python's scopes: the module, a function or lambda, a class body, a comprehension."""

    def __init__(self, kind: str, name: str, parent: "_Scope | None"):
        self.kind, self.name, self.parent = kind, name, parent
        self.bindings: dict[str, int] = {}  # name -> line where it is first bound here
        self.declared_global: set[str] = set()
        self.declared_nonlocal: set[str] = set()
        self.star_import = False

    @property
    def qualname(self) -> str:
        if self.parent is None:
            return ""
        outer = self.parent.qualname
        return f"{outer}.{self.name}" if outer else self.name

    def bind(self, name: str, line: int) -> None:
        self.bindings.setdefault(name, line)


class _Read:
    __slots__ = ("name", "line", "scope", "self_only")

    def __init__(self, name, line, scope, self_only):
        self.name, self.line, self.scope, self.self_only = name, line, scope, self_only


class _ScopeVisitor(ast.NodeVisitor):
    """Collects every scope with its bindings, and every read of a name with the scope it happens in.

    A read inside an assignment to the same name (``y = tf.constant(y)``, ``total += 1``) is marked
    ``self_only``: it feeds only the name's next value, so it does not make the name "used".
    """

    def __init__(self):
        self.module = _Scope("module", "", None)
        self.scopes = [self.module]
        self.scope = self.module
        self.reads: list[_Read] = []
        self._assigning: list[set[str]] = [set()]

    # --- scopes

    def _enter(self, kind, name):
        scope = _Scope(kind, name, self.scope)
        self.scopes.append(scope)
        self.scope = scope
        return scope

    def _leave(self, scope):
        self.scope = scope.parent

    def _function_scope_for_walrus(self):
        scope = self.scope
        while scope.kind == "comprehension":
            scope = scope.parent
        return scope

    # --- reads and simple bindings

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.reads.append(_Read(node.id, node.lineno, self.scope, node.id in self._assigning[-1]))
        elif isinstance(node.ctx, ast.Store):
            self.scope.bind(node.id, node.lineno)
        # ast.Del: neither a definition nor a use

    def _visit_assignment(self, targets, value):
        names = {leaf.id for target in targets for leaf in ast.walk(target) if isinstance(leaf, ast.Name)}
        if value is not None:
            self._assigning.append(names)
            self.visit(value)
            self._assigning.pop()
        for target in targets:
            self.visit(target)

    def visit_Assign(self, node):
        self._visit_assignment(node.targets, node.value)

    def visit_AnnAssign(self, node):
        self.visit(node.annotation)
        self._visit_assignment([node.target], node.value)

    def visit_AugAssign(self, node):  # x += 1 reads x, but only to make x's next value
        if isinstance(node.target, ast.Name):
            self.reads.append(_Read(node.target.id, node.lineno, self.scope, True))
        self._visit_assignment([node.target], node.value)

    def visit_NamedExpr(self, node):
        self.visit(node.value)
        self._function_scope_for_walrus().bind(node.target.id, node.lineno)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name == "*":
                self.scope.star_import = True
                continue
            name = alias.asname or alias.name.split(".")[0]
            self.scope.bind(name, getattr(alias, "lineno", node.lineno))

    visit_ImportFrom = visit_Import

    def visit_Global(self, node):
        self.scope.declared_global.update(node.names)

    def visit_Nonlocal(self, node):
        self.scope.declared_nonlocal.update(node.names)

    def visit_ExceptHandler(self, node):
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.scope.bind(node.name, node.lineno)
        for statement in node.body:
            self.visit(statement)

    def _visit_pattern_name(self, node):
        name = getattr(node, "name", None) or getattr(node, "rest", None)
        if name:
            self.scope.bind(name, node.lineno)
        self.generic_visit(node)

    visit_MatchAs = visit_MatchStar = visit_MatchMapping = _visit_pattern_name

    # --- definitions that open a scope

    def _visit_arguments_outside(self, args: ast.arguments):
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            self.visit(default)
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    def _bind_parameters(self, args: ast.arguments):
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if arg is not None:
                self.scope.bind(arg.arg, arg.lineno)

    def visit_FunctionDef(self, node):
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._visit_arguments_outside(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self.scope.bind(node.name, node.lineno)
        scope = self._enter("function", node.name)
        self._bind_parameters(node.args)
        for statement in node.body:
            self.visit(statement)
        self._leave(scope)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._visit_arguments_outside(node.args)
        scope = self._enter("function", "<lambda>")
        self._bind_parameters(node.args)
        self.visit(node.body)
        self._leave(scope)

    def visit_ClassDef(self, node):
        for expression in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(expression)
        self.scope.bind(node.name, node.lineno)
        scope = self._enter("class", node.name)
        for statement in node.body:
            self.visit(statement)
        self._leave(scope)

    def _visit_comprehension(self, node, name, parts):
        first, *rest = node.generators
        self.visit(first.iter)  # the first iterable is evaluated outside the comprehension
        scope = self._enter("comprehension", name)
        self.visit(first.target)
        for condition in first.ifs:
            self.visit(condition)
        for generator in rest:
            self.visit(generator.iter)
            self.visit(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        for part in parts:
            self.visit(part)
        self._leave(scope)

    def visit_ListComp(self, node):
        self._visit_comprehension(node, "<listcomp>", [node.elt])

    def visit_SetComp(self, node):
        self._visit_comprehension(node, "<setcomp>", [node.elt])

    def visit_GeneratorExp(self, node):
        self._visit_comprehension(node, "<genexpr>", [node.elt])

    def visit_DictComp(self, node):
        self._visit_comprehension(node, "<dictcomp>", [node.key, node.value])


class _Analysis:
    """Scopes, reads and where each read finds its name."""

    _MODULE_NAMES = {"__name__", "__file__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__"}

    def __init__(self, source: str):
        visitor = _ScopeVisitor()
        visitor.visit(_parse(source))
        self.module, self.scopes, self.reads = visitor.module, visitor.scopes, visitor.reads
        self._move_declared_bindings()
        self.star_import = any(scope.star_import for scope in self.scopes)

    def _move_declared_bindings(self):
        """``global x`` / ``nonlocal x`` in a function: an assignment there binds x further out."""
        for scope in self.scopes:
            for name in scope.declared_global:
                if name in scope.bindings:
                    self.module.bind(name, scope.bindings.pop(name))
            for name in scope.declared_nonlocal:
                owner = self._enclosing_function_with(scope.parent, name)
                if owner is not None and name in scope.bindings:
                    owner.bind(name, scope.bindings.pop(name))

    @staticmethod
    def _enclosing_function_with(scope, name):
        while scope is not None and scope.kind != "module":
            if scope.kind != "class" and name in scope.bindings and name not in scope.declared_nonlocal:
                return scope
            scope = scope.parent
        return None

    def resolve(self, read: _Read) -> _Scope | None:
        """The scope whose binding this read sees, or None (a builtin, or undefined)."""
        name, scope = read.name, read.scope
        if name in scope.declared_global:
            return self.module if name in self.module.bindings else None
        if name in scope.declared_nonlocal:
            return self._enclosing_function_with(scope.parent, name)
        if name in scope.bindings:
            return scope
        scope = scope.parent
        while scope is not None:
            if scope.kind == "module":
                return scope if name in scope.bindings else None
            if scope.kind != "class":  # a class body is not visible from the functions inside it
                if name in scope.declared_global:
                    return self.module if name in self.module.bindings else None
                if name in scope.bindings:
                    return scope
            scope = scope.parent
        return None

    def undefined(self) -> dict[str, int]:
        if self.star_import:
            return {}
        missing: dict[str, int] = {}
        for read in self.reads:
            if self.resolve(read) is None and not hasattr(builtins, read.name) \
                    and read.name not in self._MODULE_NAMES:
                missing[read.name] = min(read.line, missing.get(read.name, read.line))
        return dict(sorted(missing.items(), key=lambda item: item[1]))

    def unused(self) -> dict[str, int]:
        used = {(id(self.resolve(read)), read.name) for read in self.reads if not read.self_only}
        unused = {}
        for scope in self.scopes:
            if scope.kind == "class":  # class attributes are read as attributes, not as names
                continue
            for name, line in scope.bindings.items():
                if name.startswith("_") or (id(scope), name) in used or \
                        (scope.kind == "function" and name in ("self", "cls")):
                    continue
                unused[f"{scope.qualname}.{name}" if scope.qualname else name] = line
        return dict(sorted(unused.items(), key=lambda item: item[1]))


def undefined_names(source: str = PUBLISHED) -> dict[str, int]:
    """Names that ``source`` reads where nothing defines them (and Python's builtins do not have them).

    It follows Python's scopes: a name bound only inside one function (a local
    variable, a parameter) is undefined where another function or the module reads
    it; a module-level name is defined inside every function; a comprehension's
    variable exists only inside it; a class body is not visible from its methods.
    It does not follow the order of statements (a name assigned later in the same
    scope counts as defined). Returns name -> line of its first undefined read, in
    order of lines.

    Examples
    --------
    >>> undefined_names("def f(y):\\n    return y\\nprint(f(1) + y)")
    {'y': 3}
    """
    return _Analysis(source).undefined()


def unused_names(source: str = PUBLISHED) -> dict[str, int]:
    """Names that ``source`` imports, assigns, defines or takes as parameters, and never reads.

    Scope-aware like :func:`undefined_names`: a name counts as read only where the
    read sees this binding (a global read inside a function uses the global; a
    parameter read in another function does not use the parameter). A read that
    only feeds the same name's next value (``y = f(y)``, ``n += 1``) does not count.
    Names that start with ``_``, class attributes and ``self``/``cls`` are left out. Returns the name
    (``function.name`` for a local or a parameter) -> line where it is bound, in
    order of lines.

    Examples
    --------
    >>> unused_names("import os\\nrate = 0.1\\ndef f(a, b):\\n    return a * rate")
    {'os': 1, 'f': 3, 'f.b': 3}
    """
    return _Analysis(source).unused()


# ---------------------------------------------------------------- the install line against the imports

#: Install names whose module has another name; any other name is imported as itself.
_MODULE_OF = {"opencv-python": "cv2", "opencv-python-headless": "cv2", "opencv-contrib-python": "cv2",
              "pillow": "PIL", "scikit-image": "skimage", "scikit-learn": "sklearn", "tensorflow-cpu": "tensorflow",
              "pyyaml": "yaml", "beautifulsoup4": "bs4"}


def imported_modules(source: str = PUBLISHED) -> set[str]:
    """The top-level modules that ``source`` imports (``tensorflow`` for ``from tensorflow.keras import x``).

    Examples
    --------
    >>> sorted(imported_modules("import numpy as np\\nfrom tensorflow.keras import layers"))
    ['numpy', 'tensorflow']
    """
    modules = set()
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def unused_requirements(install: str = INSTALL, source: str = PUBLISHED) -> list[str]:
    """The packages a ``pip install`` line installs that ``source`` never imports, in the line's order.

    Examples
    --------
    >>> unused_requirements("pip install numpy opencv-python", "import numpy")
    ['opencv-python']
    """
    if not isinstance(install, str) or not re.match(r"\s*(pip3?|python3? -m pip) install\s", install):
        raise SettingError(_("install must be a 'pip install ...' line, got {install!r}").format(install=install))
    packages = [word for word in install.split(" install ", 1)[1].split() if not word.startswith("-")]
    imported = imported_modules(source)

    def module_of(package):
        bare = re.split(r"[<>=!~\[;]", package, maxsplit=1)[0].lower()
        return _MODULE_OF.get(bare, bare.replace("-", "_"))

    return [package for package in packages if module_of(package) not in imported]


def with_keras(source: str = PUBLISHED) -> str:
    """``source`` with Keras 3 imported as ``keras`` where it reaches Keras through TensorFlow.

    In TensorFlow 2.16 and later ``tf.keras`` is Keras 3 itself, so the article's
    imports run as they are; where it is not (an older TensorFlow, or
    ``TF_USE_LEGACY_KERAS=1``), this is the same code on the Keras the course uses.

    Examples
    --------
    >>> with_keras("from tensorflow.keras.applications import vgg19\\nm = tf.keras.models.Model")
    'import keras\\nfrom keras.applications import vgg19\\nm = keras.models.Model'
    """
    _parse(source)
    changed = re.sub(r"\b(from|import) tensorflow\.keras\b", r"\1 keras", source)
    changed = re.sub(r"\btf\.optimizers\b", "keras.optimizers", re.sub(r"\btf\.keras\b", "keras", changed))
    if changed != source and not re.search(r"^import keras$", changed, re.M):
        changed = "import keras\n" + changed
    return changed


# ------------------------------------------------------------------------ pieces of the listing to run


def definition(name: str, source: str = PUBLISHED) -> str:
    """The source code of the top-level function ``name`` in ``source``.

    Examples
    --------
    >>> print(definition("content_loss"))
    def content_loss(base_content, target):
        return tf.reduce_mean(tf.square(base_content - target))
    """
    tree = _parse(source)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            start = node.decorator_list[0] if node.decorator_list else node
            lines = source.splitlines()[start.lineno - 1:node.end_lineno]
            return "\n".join(lines)
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    raise SettingError(_("the listing defines no function {name!r}; it defines {defined}").format(
        name=name, defined=", ".join(defined)))


def _register(code: str, what: str) -> str:
    """A file name for ``code``, registered like a notebook cell, so that tracebacks show the
    listing's lines and tf.function (AutoGraph) can read the function's source."""
    filename = f"<listing {next(_counter)}: {what}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    return filename


def function(name: str, namespace: dict, source: str = PUBLISHED) -> Callable:
    """Define the listing's function ``name`` inside ``namespace`` (a dict) and return it.

    The function finds its global names (``tf``, other functions, settings) in
    ``namespace``, so they can be replaced: run one piece of the listing with
    the other pieces corrected.
    """
    if not isinstance(namespace, dict):
        raise SettingError(_("namespace must be a dict of the names the function uses, got {kind}").format(
            kind=type(namespace).__name__))
    code = definition(name, source) + "\n"
    exec(compile(code, _register(code, name), "exec"), namespace)  # noqa: S102
    return namespace[name]


def _statement_at(body: list[ast.stmt], offset: int, span) -> tuple[ast.stmt, list[ast.stmt]] | None:
    """The innermost statement of ``body`` (or of a block inside it) that holds byte ``offset``,
    with the list of statements it belongs to."""
    for statement in body:
        begin, end = span(statement)
        if begin <= offset < end:
            inner = [getattr(statement, field, None) or [] for field in ("body", "orelse", "finalbody")]
            inner += [handler.body for handler in getattr(statement, "handlers", [])]
            for block in inner:
                found = _statement_at(block, offset, span)
                if found is not None:
                    return found
            return statement, body
    return None


def statements(first: str, last: str | None = None, source: str = PUBLISHED) -> str:
    """The source of the innermost statement that contains ``first`` (up to the one that contains ``last``).

    ``first`` must occur once in ``source``; ``last``, when given, must be in a
    later statement of the same block (the same function body, loop or module).
    The result is dedented, ready for ``exec`` or :func:`error_of`.

    Examples
    --------
    >>> statements("print('Iteration")
    "print('Iteration %d: %d, Loss: %.2f' % (i, loss_value))"
    >>> print(statements("x = tf.constant(x)", "y = tf.constant(y)"))
    x = tf.constant(x)
    y = tf.constant(y)
    """
    for text, what in ((first, "first"), (last, "last")):
        if (text is not None or what == "first") and (not isinstance(text, str) or not text):
            raise SettingError(_("{what} must be a non-empty piece of the listing's text, got {text!r}").format(
                what=what, text=text))
    tree = _parse(source)
    count = source.count(first)
    if count != 1:
        if count == 0:
            raise SettingError(_("{first!r} does not occur in the listing; give a piece of text that occurs exactly "
                                 "once").format(first=first))
        raise SettingError(_("{first!r} occurs {count} times in the listing; give a piece of text that occurs "
                             "exactly once").format(first=first, count=count))
    lines = source.splitlines(keepends=True)
    line_starts = list(itertools.accumulate([0] + [len(line.encode()) for line in lines]))

    def span(statement):  # ast's columns count UTF-8 bytes
        return (line_starts[statement.lineno - 1] + statement.col_offset,
                line_starts[statement.end_lineno - 1] + statement.end_col_offset)

    def byte_offset(position):
        return len(source[:position].encode())

    found = _statement_at(tree.body, byte_offset(source.index(first)), span)
    if found is None:
        raise SettingError(_("{first!r} is not inside a statement of the listing (a comment?)").format(first=first))
    begin, block = found
    end = begin
    if last is not None:
        position = source.find(last, source.index(first) + len(first))
        if position < 0:
            raise SettingError(_("{last!r} does not occur after {first!r} in the listing").format(
                last=last, first=first))
        following = [s for s in block[block.index(begin):] if span(s)[0] <= byte_offset(position) < span(s)[1]]
        if not following:
            raise SettingError(_("{last!r} is not in the same block of the listing as {first!r}").format(
                last=last, first=first))
        end = following[0]
    return textwrap.dedent("".join(lines[begin.lineno - 1:end.end_lineno])).rstrip("\n")


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
        raise SettingError(_("code must be a string of Python or a function of no arguments, got {kind}").format(
            kind=type(code).__name__))
    if namespace is not None and not isinstance(namespace, dict):
        raise SettingError(_("namespace must be a dict, got {kind}").format(kind=type(namespace).__name__))
    try:
        if isinstance(code, str):
            compiled = compile(code, _register(code + "\n", "fragment"), "exec")
            exec(compiled, {} if namespace is None else namespace)  # noqa: S102
        else:
            code()
    except Exception as err:  # noqa: BLE001 - reporting it is the point
        return _one_line(err)
    return None
