"""The source article's listing as restated in course_utils.listing: it is the article's code, every defect
notebook 03 names is found in it by the listing's own tools, the linter knows Python's scopes, and the
corrected listing runs and paints."""

import ast
import inspect
import io
import json
import linecache
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest

from course_utils import data, errors, images, listing, losses
from course_utils._tf import keras, tf

ROOT = Path(__file__).parent.parent
NOTEBOOK = ROOT / "notebooks" / "03_loss_terms.ipynb"
SEED_DIR = ROOT.parent / "shared" / "seed"
STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]


def _seed_text():
    """The captured article, from ../shared/seed/ beside the repository (CI has it), or None."""
    if SEED_DIR.is_dir():
        for path in sorted(SEED_DIR.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            if listing.ARTICLE[1] in text.splitlines()[1]:
                return text
    return None


def _code_without_comments(source):
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return "".join(t.string for t in tokens if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                                                               tokenize.INDENT, tokenize.DEDENT))


def _article():
    """The article's imports, run as published (TensorFlow 2.16+: tf.keras is Keras 3)."""
    names = {}
    imports = listing.statements("import tensorflow as tf", "import matplotlib.pyplot as plt")
    assert listing.error_of(imports, names) is None
    assert names["vgg19"].VGG19 is keras.applications.vgg19.VGG19 and names["image"].load_img is keras.utils.load_img
    return names


def _six_outputs(vgg):
    """What compute_loss expects of its model: the five style layers, then a content layer."""
    return keras.Model(vgg.input, [vgg.get_layer(name).output for name in [*STYLE_LAYERS, "block5_conv2"]])


def _photo(height=32, width=48, seed=0):
    """A smooth picture in [0, 1] with a little texture: big enough for VGG19's five blocks."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    base = np.stack([0.5 + 0.4 * np.sin(3 * x + c) * np.cos(2 * y - c) for c in (0.0, 1.0, 2.0)], axis=-1)
    return np.clip(base + rng.normal(0, 0.02, base.shape), 0, 1).astype(np.float32)


# ------------------------------------------------------------------------------- the text itself


def test_published_is_the_articles_python_with_its_tf_keras_imports():
    compile(listing.PUBLISHED, "<listing>", "exec")
    assert "from tensorflow.keras.applications import vgg19" in listing.PUBLISHED
    assert "tf.keras.models.Model(" in listing.definition("extract_features")
    assert listing.INSTALL == "pip install tensorflow keras opencv-python numpy matplotlib"
    assert listing.ARTICLE == ("AI作画原理与代码实现解析", "https://blog.csdn.net/myTomorrow_better/article/details/138259744")


def test_published_keeps_the_articles_functions_code_and_order():
    seed = _seed_text()
    if seed is None:
        pytest.skip(f"the captured article is not at {SEED_DIR} (CI has it); nothing to compare the restatement with")
    start, end = seed.index("import tensorflow as tf"), seed.index("plt.show()") + len("plt.show()")
    article = seed[start:end]
    functions = [n.name for n in ast.parse(listing.PUBLISHED).body if isinstance(n, ast.FunctionDef)]
    assert functions == re.findall(r"\bdef (\w+)\(", article)
    # The same code, token for token: only line breaks, indentation and comments differ (the page's
    # comments are Chinese words without spaces, each on the line where the page put it).
    assert re.sub(r"\s+", "", re.sub(r"#\s*\S+", "", article)) == re.sub(r"\s+", "", _code_without_comments(listing.PUBLISHED))
    assert re.search(r"^pip install (.*?)\s*\|?\s*$", seed, re.M).group(1) == listing.INSTALL[len("pip install "):]
    assert listing.ARTICLE[0] == seed.splitlines()[0].strip()


def test_notebook_03_shows_and_runs_the_listing_through_listing():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert f"```python\n{listing.PUBLISHED}```" in markdown
    assert f"```bash\n{listing.INSTALL}\n```" in markdown
    assert listing.ARTICLE[0] in markdown and listing.ARTICLE[1] in markdown
    assert listing.CORRECTED.rstrip("\n") in code                     # the corrected listing, as tested below
    assert not any("tf.keras" in cell for cell in code)
    table = re.findall(r"^\| (\d+) \| ", markdown, re.M)
    assert table == [str(n) for n in range(1, 22)] and "Twenty-one things are wrong" in markdown


# ------------------------------------------------------------------------- the linter, on snippets


@pytest.mark.parametrize("source, undefined, unused", [
    # a parameter of one function, read in another: undefined there
    ("def f(a):\n    return a\ndef g():\n    return a\nprint(f(1), g())", {"a": 4}, {}),
    # a global read inside a function: defined there, and used
    ("rate = 0.1\ndef f():\n    return rate\nprint(f())", {}, {}),
    # a comprehension's variable exists only inside it; its first iterable is read outside
    ("def f(items):\n    return [v * v for v in items]\nprint(f([1]), v)", {"v": 3}, {}),
    # an import used only inside another function
    ("import math\ndef f():\n    return math.pi\nprint(f())", {}, {}),
    # a class body is not visible from its methods; class attributes are not reported
    ("class K:\n    size = 3\n    def m(self):\n        return size\nprint(K)", {"size": 4}, {}),
    # global and nonlocal move the binding outwards
    ("def f():\n    global total\n    total = 1\nf()\nprint(total)", {}, {}),
    ("def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n = n + 1\n    inner()\n    return n\n"
     "print(outer())", {}, {}),
    # a read that only feeds the same name's next value does not use it
    ("def f(y):\n    y = str(y)\n    return 1\nprint(f(2))", {}, {"f.y": 1}),
    ("count = 0\ncount += 1", {}, {"count": 1}),
    # walrus in a comprehension binds in the enclosing scope
    ("if any((hit := n) > 2 for n in range(5)):\n    print(hit)", {}, {}),
    # defaults are read outside the lambda; builtins and module names are defined
    ("scale = 2\nf = lambda x, k=scale: x * k\nprint(f(1), len([]), __name__)", {}, {}),
    # imports, assignments, loop variables and parameters nobody reads
    ("import os\nfrom json import dumps as d\nfor i in range(2):\n    pass\ndef g(a, b):\n    return a\nprint(g(1, 2))",
     {}, {"os": 1, "d": 2, "i": 3, "g.b": 5}),
    # except-as, with-as, star-import
    ("try:\n    pass\nexcept ValueError as err:\n    print(err)\nwith open('f') as fh:\n    print(fh)", {}, {}),
    ("from math import *\nprint(sqrt(2), nothing)", {}, {}),
])
def test_the_linter_follows_pythons_scopes(source, undefined, unused):
    assert listing.undefined_names(source) == undefined
    assert listing.unused_names(source) == unused


def test_unused_names_are_in_order_of_lines_with_qualified_names():
    source = "import os\nrate = 0.1\ndef f(a, b):\n    def g(c):\n        return a\n    return g\nprint(f, rate)"
    assert list(listing.unused_names(source).items()) == [("os", 1), ("f.b", 3), ("f.g.c", 4)]


def test_imported_modules_and_unused_requirements():
    assert listing.imported_modules("import a.b as c\nfrom d.e import f\nfrom . import g") == {"a", "d"}
    assert listing.unused_requirements("pip install numpy opencv-python scikit-image>=0.2 -q", "import skimage\nimport numpy") \
        == ["opencv-python"]
    with pytest.raises(errors.SettingError, match="install must be a 'pip install ...' line, got 'numpy'"):
        listing.unused_requirements("numpy")


def test_bad_sources_texts_and_pieces_are_one_sentence_errors():
    with pytest.raises(errors.SettingError, match="source is not valid Python: .* on line 1"):
        listing.undefined_names("def (:")
    with pytest.raises(ValueError, match="source must be Python code as a string, got int"):
        listing.unused_names(3)
    with pytest.raises(errors.SettingError, match="text must be a non-empty string"):
        listing.lines_with("")
    with pytest.raises(errors.SettingError, match=r"'tf.reduce_sum' occurs \d+ times in the listing; give a piece"):
        listing.statements("tf.reduce_sum")
    with pytest.raises(errors.SettingError, match="'no such text' does not occur in the listing"):
        listing.statements("no such text")
    with pytest.raises(errors.SettingError, match="is not in the same block of the listing"):
        listing.statements("x = tf.constant(x)", "num_iterations = 1000")
    with pytest.raises(errors.SettingError, match="is not inside a statement of the listing"):
        listing.statements("# Feature maps")


def test_statements_take_out_runs_of_the_listing():
    assert listing.statements("print('Iteration") == "print('Iteration %d: %d, Loss: %.2f' % (i, loss_value))"
    body = listing.statements("x = tf.constant(x)", "return loss_value, grad")
    assert body.startswith("x = tf.constant(x)\ny = tf.constant(y)\nwith tf.GradientTape() as tape:\n    loss_value")
    loop = listing.statements("for i in range(num_iterations)")
    assert loop.startswith("for i in range") and loop.endswith("print('Iteration %d: %d, Loss: %.2f' % (i, loss_value))")
    compile(listing.statements("output_image = x.numpy()", "plt.show()"), "<end>", "exec")


def test_definition_and_function():
    assert listing.definition("content_loss").startswith("def content_loss(base_content, target):")
    assert listing.definition("eval_loss_and_grads", listing.CORRECTED).startswith("@tf.function\ndef eval_loss")
    with pytest.raises(errors.SettingError, match="the listing defines no function 'main'; it defines load_and_process_image, "):
        listing.definition("main")
    namespace = {"tf": tf}
    content_loss = listing.function("content_loss", namespace)
    assert namespace["content_loss"] is content_loss
    assert float(content_loss(np.zeros(3, np.float32), np.full(3, 2.0, np.float32))) == pytest.approx(4.0)
    with pytest.raises(errors.SettingError, match="namespace must be a dict"):
        listing.function("content_loss", None)
    gram = listing.function("gram_matrix", {"tf": tf})
    assert inspect.getsource(gram) == listing.definition("gram_matrix") + "\n"
    assert gram.__code__.co_filename in linecache.cache


def test_error_of_reports_one_line():
    assert listing.error_of("x = 1") is None
    namespace = {}
    assert listing.error_of("x = 1\ny = x + 1", namespace) is None and namespace["y"] == 2
    assert listing.error_of("loss = 2 * y") == "NameError: name 'y' is not defined"
    assert listing.error_of(lambda: 1 / 0) == "ZeroDivisionError: division by zero"
    assert listing.error_of("def f(:").startswith("SyntaxError: ")

    def raises_multiline():
        raise RuntimeError("first line\nsecond line")

    assert listing.error_of(raises_multiline) == "RuntimeError: first line"
    assert listing.error_of(lambda: (_ for _ in ()).throw(KeyError())) == "KeyError"
    message = listing.error_of(lambda: tf.reshape(tf.zeros((4, 4, 64)), (16, 3)))
    assert message.startswith("InvalidArgumentError: Input to reshape is a tensor with 1024 values")
    assert "function_node" not in message and "\n" not in message
    with pytest.raises(errors.SettingError, match="code must be a string of Python or a function of no arguments, got int"):
        listing.error_of(3)
    with pytest.raises(errors.SettingError, match="namespace must be a dict, got list"):
        listing.error_of("x = 1", [])


# ------------------------------------------------------------ every defect, found in PUBLISHED itself


def test_the_linter_finds_the_articles_names_exactly():
    undefined = listing.undefined_names(listing.PUBLISHED)
    assert set(undefined) == {"img_height", "img_width", "style_layers", "y", "imsave"}        # defects 4, 10, 15, 19, 21
    lines = listing.PUBLISHED.splitlines()
    assert all(name in lines[line - 1] for name, line in undefined.items())
    style_loss_starts = listing.lines_with("def style_loss(")[0][0]
    assert 0 < undefined["img_height"] - style_loss_starts < len(listing.definition("style_loss").splitlines())
    assert lines[undefined["y"] - 1].lstrip().startswith("loss_value, grads = eval_loss_and_grads(model, x, y,")
    unused = listing.unused_names(listing.PUBLISHED)
    assert set(unused) == {"decode_predictions", "K", "style_outputs",                          # defects 2, 8
                           "compute_loss.style_weight", "eval_loss_and_grads.y"}                # defects 12, 14
    assert listing.unused_requirements(listing.INSTALL, listing.PUBLISHED) == ["keras", "opencv-python"]   # defect 1
    assert listing.imported_modules(listing.PUBLISHED) == {"tensorflow", "numpy", "matplotlib"}


def test_the_articles_imports_run_under_keras_3_and_two_are_unused():
    names = _article()
    assert listing.error_of(listing.statements("import tensorflow.keras.backend as K"), names) is None
    assert {"decode_predictions", "K"} <= set(names) and {"decode_predictions", "K"} <= set(listing.unused_names())


def test_with_keras_runs_the_same_listing_on_keras_3():
    changed = listing.with_keras(listing.PUBLISHED)
    assert "tf.keras" not in changed and "tensorflow.keras" not in changed and "tf.optimizers" not in changed
    assert set(listing.undefined_names(changed)) == set(listing.undefined_names(listing.PUBLISHED))
    names = {}
    assert listing.error_of(listing.statements("import keras\n", "import matplotlib.pyplot as plt", changed), names) is None
    assert names["vgg19"].VGG19 is keras.applications.vgg19.VGG19 and names["image"].load_img is keras.utils.load_img
    assert listing.with_keras("import numpy as np") == "import numpy as np"


def test_defect_3_load_and_process_image_squashes_to_a_square(tmp_path):
    assert listing.lines_with("target_size=(512, 512)") == \
        [(17, "img = image.load_img(image_path, target_size=(512, 512))")]
    path = images.save(_photo(30, 60), tmp_path / "wide.png")
    loaded = listing.function("load_and_process_image", _article())(str(path))
    assert loaded.shape == (1, 512, 512, 3)


def test_defects_4_and_5_style_loss_has_no_sizes_then_the_wrong_ones():
    names = {"tf": tf}
    listing.function("gram_matrix", names)
    style_loss = listing.function("style_loss", names)
    rng = np.random.default_rng(0)
    for channels in (16, 64):
        style, made = (np.maximum(rng.normal(size=(6, 8, channels)), 0).astype(np.float32) for _ in range(2))
        names.pop("img_height", None)
        assert listing.error_of(lambda: style_loss(style, made)) == "NameError: name 'img_height' is not defined"
        names["img_height"] = names["img_width"] = 512
        gatys = float(losses.style_layer_loss(made, losses.gram_matrix(style), kind="gatys"))
        assert float(style_loss(style, made)) / gatys == pytest.approx(channels**2 / (9 * (512 * 512) ** 2), rel=1e-3)


@pytest.mark.slow
def test_defects_6_and_7_extract_features_asks_for_tensor_names_and_has_no_content_layer(vgg):
    names = _article()
    extract_features = listing.function("extract_features", names)
    batch = images.vgg_preprocess(_photo()[np.newaxis])
    message = listing.error_of(lambda: extract_features(batch, vgg))
    assert message.startswith("ValueError: No such layer: ") and "No such layer: block" not in message
    by_name = listing.PUBLISHED.replace("[layers_dict[layer].name for layer in feature_layers]", "feature_layers")
    content_outputs = listing.function("extract_features", names, by_name)(batch, vgg)
    assert len(content_outputs) == 5 and content_outputs[0].shape == (1, 32, 48, 64)      # block1_conv1
    assert "content_outputs[0])" in listing.definition("compute_loss")


@pytest.mark.slow
def test_defects_7_9_10_11_12_13_compute_loss_one_error_at_a_time(vgg):
    names = _article()
    listing.function("content_loss", names)
    listing.function("gram_matrix", names)
    listing.function("style_loss", names)
    names["img_height"] = names["img_width"] = 512
    by_name = listing.PUBLISHED.replace("[layers_dict[layer].name for layer in feature_layers]", "feature_layers")
    extract_features = listing.function("extract_features", names, by_name)
    content, painting = (tf.constant(images.vgg_preprocess(_photo(seed=s)[np.newaxis])) for s in (0, 1))
    names["content_outputs"] = extract_features(content, vgg)
    gram_style_features = extract_features(painting, vgg)
    assert gram_style_features[0].shape == (1, 32, 48, 64)                                # defect 11: features
    assert "S = gram_matrix(style)" in listing.definition("style_loss")                    # Grams at every call
    compute_loss = listing.function("compute_loss", names)

    def run(model):
        return listing.error_of(lambda: compute_loss(model, content, gram_style_features, 1e3, 1e-2, 1e-4))

    assert vgg(content).shape == (1, 1, 1, 512)                                             # defect 9: one tensor
    assert run(vgg).startswith("InvalidArgumentError: slice index 5 of dimension 0 out of bounds")
    six = _six_outputs(vgg)
    assert run(six) == "NameError: name 'style_layers' is not defined"                     # defect 10
    names["style_layers"] = STYLE_LAYERS
    assert run(six).startswith("InvalidArgumentError: Incompatible shapes: [2,3,512] vs. [1,32,48,64]")  # defect 7
    names["content_outputs"] = [six(content)[-1]]
    assert run(six) == "TypeError: unsupported operand type(s) for -: 'list' and 'int'"   # defect 13
    sizes = listing.PUBLISHED.replace("x_rows = base_input.get_shape().as_list()", "x_rows = base_input.shape[1]") \
                             .replace("x_cols = base_input.get_shape().as_list()", "x_cols = base_input.shape[2]")
    compute_loss = listing.function("compute_loss", names, sizes)
    totals = [float(compute_loss(six, content, gram_style_features, 1e3, w, 1e-4)) for w in (1e-2, 1.0, 1e2)]
    assert totals[0] > 0 and np.allclose(totals, totals[0], rtol=1e-6)                     # defect 12


def test_defects_14_15_17_18_the_gradient_and_the_loop():
    names = {"tf": tf, "compute_loss": lambda model, x, *settings: tf.reduce_sum(tf.square(x))}
    eval_loss_and_grads = listing.function("eval_loss_and_grads", names)
    x = tf.Variable(np.ones((1, 4, 4, 3), np.float32))
    loss_value, grad = eval_loss_and_grads(None, x, 0.0, [], 1e3, 1e-2, 1e-4)
    assert float(loss_value) == pytest.approx(48.0) and grad is None                      # defect 14
    assert listing.error_of(listing.statements("optimizer = tf.optimizers.Adam"), names).startswith(
        "ValueError: Argument `learning_rate` should be float")                              # defect 17, Keras 3
    assert "clip" not in listing.statements("for i in range(num_iterations)")                # nothing keeps the range
    names.update(model=None, x=x, gram_style_features=[], num_iterations=1, content_weight=1e3, style_weight=1e-2,
                 total_variation_weight=1e-4, optimizer=keras.optimizers.Adam(learning_rate=5.0, beta_1=0.99, epsilon=0.1))
    loop = listing.statements("for i in range(num_iterations)")
    assert listing.error_of(loop, names) == "NameError: name 'y' is not defined"            # defect 15
    names["y"] = 0.0
    assert listing.error_of(loop, names) == "ValueError: No gradients provided for any variable."
    listing.function("eval_loss_and_grads", names, listing.PUBLISHED.replace("    x = tf.constant(x)\n", ""))
    assert listing.error_of(loop, names) == "TypeError: not enough arguments for format string"   # defect 18
    assert float(tf.reduce_max(x)) < 0                                                     # Adam's step of about 5


def test_defect_16_the_settings_are_the_articles():
    settings = {"tf": tf, "content_image": np.zeros((1, 2, 2, 3), np.float32), "extract_features": lambda *a: None,
                "model": None, "style_image": None}
    assert listing.error_of(listing.statements("num_iterations = 1000", "gram_style_features = extract_features"),
                            settings) is None
    assert (settings["content_weight"], settings["style_weight"], settings["total_variation_weight"]) == (1e3, 1e-2, 1e-4)
    # What these weights do to the listing's own loss: the last test below (it needs VGG19).


def test_defects_19_20_21_the_way_back_to_a_picture():
    photo = _photo()
    preprocessed = images.vgg_preprocess(photo[np.newaxis])
    ending = listing.statements("output_image = x.numpy()", "plt.show()")
    names = {"np": np, "x": tf.Variable(preprocessed)}
    assert listing.error_of(ending, names) == "NameError: name 'img_height' is not defined"          # defect 19
    names["img_height"], names["img_width"] = photo.shape[:2]
    assert listing.error_of(ending, names) == "NameError: name 'imsave' is not defined"              # defect 21
    saved = names["output_image"]
    assert saved.dtype == np.uint8 and np.mean((saved == 0) | (saved == 255)) > 0.9                   # defect 20
    (line, text), = listing.lines_with("output_image = output_image * 255.0")
    assert listing.lines_with("preprocess_input(img_tensor)")[0][0] < line and "deprocess" not in listing.PUBLISHED


# ------------------------------------------------------------------------------ the corrected listing


def test_corrected_listing_defines_everything_it_reads_and_reads_everything_it_defines():
    assert set(listing.undefined_names(listing.CORRECTED)) == {"image_size", "content_image_path", "style_image_path",
                                                               "num_iterations", "output_path"}
    assert listing.unused_names(listing.CORRECTED) == {}
    assert "tf.keras" not in listing.CORRECTED and "tensorflow.keras" not in listing.CORRECTED
    assert [n for n in ("load_and_process_image", "content_loss", "gram_matrix", "style_loss", "extract_features",
                        "compute_loss", "eval_loss_and_grads") if f"def {n}(" in listing.CORRECTED] == \
        ["load_and_process_image", "content_loss", "gram_matrix", "style_loss", "extract_features", "compute_loss",
         "eval_loss_and_grads"]


def test_corrected_pieces_load_the_shape_and_compute_gatys_style_loss(tmp_path):
    names = {"np": np, "images": images, "preprocess_input": keras.applications.vgg19.preprocess_input, "image_size": 64}
    load = listing.function("load_and_process_image", names, listing.CORRECTED)
    photo = _photo(30, 60)
    loaded = load(str(images.save(photo, tmp_path / "wide.png")))
    assert loaded.shape == (1, 32, 64, 3)                                     # the longest side 64, the shape kept
    names = {"tf": tf}
    gram_matrix = listing.function("gram_matrix", names, listing.CORRECTED)
    style_loss = listing.function("style_loss", names, listing.CORRECTED)
    rng = np.random.default_rng(1)
    style, made = (np.maximum(rng.normal(size=(5, 7, 12)), 0).astype(np.float32) for _ in range(2))
    assert float(style_loss(gram_matrix(style), made)) == pytest.approx(
        float(losses.style_layer_loss(made, losses.gram_matrix(style), kind="gatys")), rel=1e-4)


@pytest.mark.slow
def test_corrected_compute_loss_uses_every_weight_and_its_gradient_lowers_it(vgg):
    names = {"tf": tf, "keras": keras, "style_layers": STYLE_LAYERS, "content_layers": ["block5_conv2"]}
    for name in ("content_loss", "gram_matrix", "style_loss", "extract_features", "compute_loss", "eval_loss_and_grads"):
        listing.function(name, names, listing.CORRECTED)
    feature_model = names["extract_features"](vgg, STYLE_LAYERS + ["block5_conv2"])
    content, painting = (images.vgg_preprocess(_photo(seed=s)[np.newaxis]) for s in (0, 1))
    outputs = feature_model(content)
    assert [o.shape[-1] for o in outputs] == [64, 128, 256, 512, 512, 512]
    names["content_outputs"] = outputs
    grams = [names["gram_matrix"](f[0]) for f in feature_model(painting)[:5]]
    x = tf.Variable(content)
    parts = {}
    for key, weights in {"content": (1, 0, 0), "style": (0, 1, 0), "tv": (0, 0, 1)}.items():
        parts[key] = float(names["compute_loss"](feature_model, x, grams, *weights))
    elsewhere = float(names["compute_loss"](feature_model, tf.Variable(painting), grams, 1, 0, 0))
    assert parts["content"] <= 1e-6 * elsewhere and parts["style"] > 0 and parts["tv"] > 0
    total = float(names["compute_loss"](feature_model, x, grams, 1e3, 1e-2, 1e-4))
    assert total == pytest.approx(1e3 * parts["content"] + 1e-2 * parts["style"] + 1e-4 * parts["tv"], rel=1e-4)
    loss_value, grad = names["eval_loss_and_grads"](feature_model, x, grams, 1e3, 1e-2, 1e-4)
    assert grad is not None and grad.shape == x.shape and bool(tf.reduce_all(tf.math.is_finite(grad)))
    step = tf.Variable(x - 0.5 * grad / tf.reduce_max(tf.abs(grad)))
    assert float(names["compute_loss"](feature_model, step, grams, 1e3, 1e-2, 1e-4)) < float(loss_value)


def test_corrected_way_back_undoes_preprocess_input():
    photo = _photo()
    names = {"np": np, "x": tf.Variable(images.vgg_preprocess(photo[np.newaxis])),
             "mean": np.array([103.939, 116.779, 123.68], np.float32)}
    exec(listing.statements("output_image = x.numpy()[0]", "output_image = np.clip(", listing.CORRECTED), names)
    assert names["output_image"].dtype == np.uint8
    assert np.max(np.abs(names["output_image"].astype(np.float32) - photo * 255)) <= 1.0


@pytest.mark.slow
def test_corrected_listing_runs_paints_and_the_published_loss_prefers_the_photo(tmp_path, vgg):
    photo, painting = data.content("chelsea", 48), data.style("swirl", 48)      # notebook 03's pictures, small
    names = {"content_image_path": str(images.save(photo, tmp_path / "photo.png")),
             "style_image_path": str(images.save(painting, tmp_path / "painting.png")),
             "image_size": 48, "num_iterations": 3, "output_path": str(tmp_path / "out.png")}
    exec(compile(listing.CORRECTED, "<corrected listing>", "exec"), names)
    final, _ = names["eval_loss_and_grads"](names["feature_model"], names["x"], names["gram_style_features"],
                                            1e3, 1e-2, 1e-4)
    assert float(final) < names["history"][0]
    saved = images.load(names["output_path"])
    assert saved.shape == photo.shape == (32, 48, 3)
    assert np.mean(np.abs(saved - photo)) > 0.01                                # it painted something
    # Defect 16: the listing's own loss (only its crashes repaired) scores the photo better than the painting.
    article = _article()
    for name in ("content_loss", "gram_matrix", "style_loss"):
        listing.function(name, article)
    article.update(img_height=512, img_width=512, style_layers=STYLE_LAYERS)
    six = _six_outputs(vgg)
    preprocessed = tf.constant(images.vgg_preprocess(photo[np.newaxis]))
    article["content_outputs"] = [six(preprocessed)[-1]]
    sizes = listing.PUBLISHED.replace("x_rows = base_input.get_shape().as_list()", "x_rows = base_input.shape[1]") \
                             .replace("x_cols = base_input.get_shape().as_list()", "x_cols = base_input.shape[2]")
    published_loss = listing.function("compute_loss", article, sizes)
    style_features = six(images.vgg_preprocess(painting[np.newaxis]))[:5]
    score = {name: float(published_loss(six, picture, style_features, 1e3, 1e-2, 1e-4))
             for name, picture in {"photo": preprocessed, "painted": names["x"]}.items()}
    assert score["photo"] < score["painted"]
