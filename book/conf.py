"""Sphinx settings for the course book.

book/build.py copies this file next to the executed notebooks (``<out>/src/``) and renders them
from there; it is not meant to be run on notebooks/ directly, whose notebooks have no outputs.
Nothing here reaches the network: notebooks are not executed again (myst-nb execution is off),
no widget JavaScript is loaded, and MathJax is the copy build.py put in ``_static/mathjax/``.
The Chinese book (``build.py --language zh_CN``, which sets ``COURSE_LANG``) gets its title, Sphinx's
``language = "zh_CN"`` (the theme's labels and the search in Chinese), the Colab and repository buttons
at notebooks/zh_CN, and course-zh.css (the CJK web font build.py copied into ``_static/fonts/``).
"""

from course_utils import config

ZH = config.language() == "zh_CN"
project = "用 TensorFlow 学 AI 作画" if ZH else "AI painting with TensorFlow"
author = "The course's authors"
copyright = "the course's authors, MIT licence"  # noqa: A001 - the name Sphinx reads

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "_static", "**.ipynb_checkpoints"]
language = "zh_CN" if ZH else "en"
if ZH:  # Sphinx's Chinese search splits words with jieba, which announces its dictionary on stderr
    import logging

    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:  # then Sphinx indexes no Chinese words: the book extra installs jieba
        pass

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
html_css_files = ["course.css"] + (["course-zh.css"] if ZH else [])
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": config.REPO_URL,
    "repository_branch": config.BRANCH,
    "path_to_docs": "notebooks/zh_CN" if ZH else "notebooks",
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
        "快速构建：笔记本以 <code>COURSE_QUICK=1</code> 运行，尺寸和步数都缩小了，图片很小。"
        "<code>make book LANG=zh_CN</code> 按完整尺寸构建。" if ZH else
        "Quick build: the notebooks ran with <code>COURSE_QUICK=1</code>, so sizes and steps were "
        "shrunk and the pictures are small. <code>make book</code> builds the full-size course."
    )
