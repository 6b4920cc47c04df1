"""The reconstructed article listing has exactly its reported defects, and the tools that show them work."""

import json
import linecache
from pathlib import Path

import numpy as np
import pytest

from course_utils import listing
from course_utils._tf import tf

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "03_loss_terms.ipynb"


def test_listing_is_python_of_the_promised_length():
    compile(listing.PUBLISHED, "<listing>", "exec")
    assert 50 <= len(listing.PUBLISHED.splitlines()) <= 70
    assert "tf.keras" not in listing.PUBLISHED


def test_listing_has_each_reported_defect():
    text = listing.PUBLISHED
    style_loss = listing.definition("style_loss")
    assert "channels = 3" in style_loss and "img_height * img_width" in style_loss
    assert "vgg19.VGG19(" in listing.definition("extract_features")
    assert "total_variation_loss(y)" in listing.definition("compute_loss")
    assert "get_shape().as_list()" in listing.definition("total_variation_loss")
    assert "style_weight" not in listing.definition("compute_loss")
    assert "preprocess_input" in text and "* 255" in text and "deprocess" not in text
    assert "imsave(" in text and "import imsave" not in text
    assert "Adam(learning_rate=5.0)" in text and "for i in range(num_iterations)" in text
    assert "clip_by_value" not in text  # nothing keeps the pixels in range


def test_the_linter_finds_the_missing_and_the_unused_names():
    assert listing.undefined_names() == {"img_height": 35, "img_width": 35, "y": 51, "imsave": 69}
    assert listing.unused_names() == ["style_weight"]
    assert listing.lines_with("channels = 3") == [(34, "channels = 3")]


def test_undefined_names_knows_what_defines_a_name():
    source = """
import os.path
from math import sqrt as root
def f(a, *args, b=1, **kw):
    g = lambda c: c + a
    return [x for x in args] + [root(b)], kw, g, os
class K:
    pass
for i in range(3):
    try:
        pass
    except ValueError as err:
        print(err, i, K, f, missing)
total = later
"""
    assert listing.undefined_names(source) == {"missing": 13, "later": 14}
    assert listing.unused_names(source) == ["total"]
    assert listing.unused_names("a, (b, c) = 1, (2, 3)\nprint(b)\nd: int = 4\nd += 1") == ["a", "c"]


def test_bad_sources_and_texts_are_one_sentence_errors():
    with pytest.raises(ValueError, match="source is not valid Python: .* on line 1"):
        listing.undefined_names("def (:")
    with pytest.raises(ValueError, match="source must be Python code as a string, got int"):
        listing.unused_names(3)
    with pytest.raises(ValueError, match="text must be a non-empty string"):
        listing.lines_with("")


def test_definition_and_function():
    assert listing.definition("content_loss").startswith("def content_loss(base, combination):")
    with pytest.raises(ValueError, match="the listing defines no function 'main'; it defines preprocess_image, "):
        listing.definition("main")
    namespace = {"tf": tf}
    content_loss = listing.function("content_loss", namespace)
    assert namespace["content_loss"] is content_loss
    assert float(content_loss(np.zeros(3, np.float32), np.full(3, 2.0, np.float32))) == 4.0
    with pytest.raises(ValueError, match="namespace must be a dict"):
        listing.function("content_loss", None)


def test_function_source_is_readable_for_tracebacks_and_autograph():
    import inspect

    tv = listing.function("total_variation_loss", {"tf": tf})
    assert inspect.getsource(tv) == listing.definition("total_variation_loss") + "\n"
    assert tv.__code__.co_filename in linecache.cache


def test_function_takes_an_edited_source_and_shows_the_unused_style_weight():
    namespace = {"extract_features": lambda image: [image, image], "content_loss": lambda a, b: 1.0,
                 "style_loss": lambda a, b: 10.0, "total_variation_loss": lambda x: 100.0,
                 "content_target": [0], "style_targets": [[0]], "style_layers": ["one"],
                 "content_weight": 1.0, "total_variation_weight": 1.0}
    published = listing.function("compute_loss", namespace)
    assert listing.error_of(lambda: published([0])) == "NameError: name 'y' is not defined"
    fixed_y = listing.PUBLISHED.replace("total_variation_loss(y)", "total_variation_loss(combination)")
    compute_loss = listing.function("compute_loss", namespace, fixed_y)
    values = set()
    for weight in (0.0, 1.0, 1e6):
        namespace["style_weight"] = weight
        values.add(compute_loss([0]))
    assert values == {111.0}


def test_error_of_reports_one_line():
    assert listing.error_of("x = 1") is None
    namespace = {}
    assert listing.error_of("x = 1\ny = x + 1", namespace) is None and namespace["y"] == 2
    assert listing.error_of("loss = 2 * y") == "NameError: name 'y' is not defined"
    assert listing.error_of(lambda: 1 / 0) == "ZeroDivisionError: division by zero"
    assert listing.error_of("def f(:") .startswith("SyntaxError: ")

    def raises_multiline():
        raise RuntimeError("first line\nsecond line")

    assert listing.error_of(raises_multiline) == "RuntimeError: first line"
    assert listing.error_of(lambda: (_ for _ in ()).throw(KeyError())) == "KeyError"


def test_error_of_strips_tensorflows_function_node_prefix():
    message = listing.error_of(lambda: tf.reshape(tf.zeros((4, 4, 64)), (16, 3)))
    assert message.startswith("InvalidArgumentError: Input to reshape is a tensor with 1024 values, but the "
                              "requested shape has 48")
    assert "function_node" not in message and "\n" not in message


def test_error_of_argument_checks():
    with pytest.raises(ValueError, match="code must be a string of Python or a function of no arguments, got int"):
        listing.error_of(3)
    with pytest.raises(ValueError, match="namespace must be a dict, got list"):
        listing.error_of("x = 1", [])


def test_published_style_loss_fails_on_64_channel_features():
    namespace = {"tf": tf}
    listing.function("gram_matrix", namespace)
    style_loss = listing.function("style_loss", namespace)
    features = np.ones((6, 8, 64), np.float32)
    assert listing.error_of(lambda: style_loss(features, features)) == "NameError: name 'img_height' is not defined"
    namespace["img_height"], namespace["img_width"] = 6, 8
    assert listing.error_of(lambda: style_loss(features, features)).startswith(
        "InvalidArgumentError: Input to reshape is a tensor with 3072 values, but the requested shape has 144")


def test_published_total_variation_fails_without_known_sizes():
    tv = listing.function("total_variation_loss", {"tf": tf})
    image = np.random.default_rng(0).uniform(size=(1, 5, 6, 3)).astype(np.float32)
    cropped = image[:, :4, :5]
    expected = ((image[:, 1:, :5] - cropped) ** 2).sum() + ((image[:, :4, 1:] - cropped) ** 2).sum()
    assert float(tv(tf.constant(image))) == pytest.approx(expected, rel=1e-5)
    any_size = [tf.TensorSpec((1, None, None, 3), tf.float32)]
    assert listing.error_of(lambda: tf.function(tv, input_signature=any_size).get_concrete_function()) == \
        "TypeError: unsupported operand type(s) for -: 'NoneType' and 'int'"


def test_notebook_03_shows_the_listing_verbatim():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert f"```python\n{listing.PUBLISHED}```" in markdown
    assert "the listing as published (reconstructed from the article's description)" in markdown
