"""Sphinx settings for the course book.

book/build.py copies this file next to the executed notebooks (``<out>/src/``) and renders them
from there; it is not meant to be run on notebooks/ directly, whose notebooks have no outputs.
Nothing here reaches the network: notebooks are not executed again (myst-nb execution is off),
no widget JavaScript is loaded, and MathJax is the copy build.py put in ``_static/mathjax/``.
"""

from course_utils import config

project = "AI painting with TensorFlow"
author = "The course's authors"
copyright = "the course's authors, MIT licence"  # noqa: A001 - the name Sphinx reads

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "_static", "**.ipynb_checkpoints"]
language = "en"

# ---------------------------------------------------------------- notebooks and Markdown (myst-nb)
nb_execution_mode = "off"  # build.py executed every notebook already
nb_ipywidgets_js = {}  # static pages: widget views are dropped, so no widget manager from a CDN
nb_output_stderr = "show"  # build.py reports what stderr holds; learners see what JupyterLab shows
nb_merge_streams = True  # one block per stream, as in JupyterLab, not one per write
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# ---------------------------------------------------------------- maths, offline
mathjax_path = "mathjax/tex-chtml-full.js"  # relative to _static/
mathjax3_config = {"chtml": {"matchFontHeight": False}}

# ---------------------------------------------------------------- the look (sphinx-book-theme)
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": config.REPO_URL,
    "repository_branch": config.BRANCH,
    "path_to_docs": "notebooks",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
if config.QUICK:
    # A banner on every page, not just the index: quick pictures must not pass for the real ones.
    html_theme_options["announcement"] = (
        "Quick build: the notebooks ran with <code>COURSE_QUICK=1</code>, so sizes and steps were "
        "shrunk and the pictures are small. <code>make book</code> builds the full-size course."
    )
