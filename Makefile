# The course's commands. On a fresh machine you need Python >= 3.11 and make; nothing else.
#   make lab    set up (once) and open JupyterLab on notebooks/
#   make test   set up (once), then unit tests, every notebook in quick mode, the book and the browser test
#   make book   every notebook executed in full mode and rendered as a static site in build/book/html
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.course-installed
export TF_CPP_MIN_LOG_LEVEL ?= 2
# The browser test drives this Chromium; on Debian/Ubuntu the test set-up installs it with apt-get.
CHROMIUM ?= /usr/bin/chromium
export COURSE_CHROMIUM := $(CHROMIUM)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# make book QUICK=1: the notebooks in quick mode (minutes), in build/book-quick
QUICK ?=
BOOK_DIR := build/book$(if $(QUICK),-quick)
export COURSE_BOOK_DIR ?= build/book-quick
# Colab's widget library (ipywidgets 7.7), beside the venv's 8.x: the widget tests run against both.
COLAB_WIDGETS := $(VENV)/colab-ipywidgets7
export COURSE_COLAB_WIDGETS := $(abspath $(COLAB_WIDGETS))
BOOK_STAMP := $(VENV)/.book-installed
BROWSER_STAMP := $(VENV)/.browser-installed

.PHONY: help setup weights lab test test-unit test-notebooks test-browser browser-setup chromium colab-widgets book styles strip clean

help:
	@echo "make lab    - set up and open the course in JupyterLab"
	@echo "make test   - set up, then the unit tests, every notebook in quick mode, the book and the browser test"
	@echo "make book   - execute every notebook in full mode (about 45 minutes on a 2-core CPU) and render"
	@echo "              the course as a static site in build/book/html; make book QUICK=1 takes minutes"
	@echo "make test-unit / test-notebooks / test-browser - one part of make test"
	@echo "make styles - redraw the course's own style images in data/styles/"
	@echo "make strip  - remove outputs from the notebooks before committing"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "The course needs Python 3.11 or newer; this is " + sys.version.split()[0] + ". Install a newer Python or run: make PYTHON=python3.12 ...")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[lab,test]"
	@touch $(STAMP)

setup: $(STAMP) weights

# Converts pretrained VGG19 weights into the course's cache (once; later runs only check it).
weights: $(STAMP)
	$(PY) -m course_utils.models prepare

# Jupyter refuses to start as root unless told to; a container, a cloud server or a CI machine runs as root.
ROOT_USER := $(shell [ "$$(id -u)" = 0 ] && echo yes)
# make lab LAB_ARGS="--port=8890 --no-browser": more options for JupyterLab
LAB_ARGS ?=

lab: setup
	@$(if $(ROOT_USER),echo "Running as root (a container or a server?): starting JupyterLab with --allow-root.")
	$(VENV)/bin/jupyter lab $(if $(ROOT_USER),--allow-root) $(LAB_ARGS) notebooks/

test: setup colab-widgets $(BOOK_STAMP)
	COURSE_QUICK=1 $(PY) -m pytest tests notebooks --nbval-lax -q -rfEs -m "not book and not browser"
	@$(MAKE) --no-print-directory test-browser

test-unit: setup colab-widgets $(BOOK_STAMP)
	COURSE_QUICK=1 $(PY) -m pytest tests -q -rfEs -m "not book and not browser"

test-notebooks: setup
	COURSE_QUICK=1 $(PY) -m pytest notebooks --nbval-lax -q -rfEs

colab-widgets: $(COLAB_WIDGETS)/.installed

$(COLAB_WIDGETS)/.installed: $(STAMP)
	$(PY) -m pip install --quiet --no-deps --target $(COLAB_WIDGETS) "ipywidgets==7.7.*" ipython_genutils
	@touch $@

# The rendered book (quick mode) and JupyterLab, both driven in Chromium; screenshots in build/test-output/.
test-browser: setup browser-setup
	@$(MAKE) --no-print-directory book QUICK=1
	COURSE_QUICK=1 $(PY) -m pytest tests -q -rfEs -m "book or browser"

browser-setup: $(BROWSER_STAMP) chromium

$(BROWSER_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[lab,test,browser]"
	@touch $@

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser test (once)"; \
	    $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else \
	    echo "The browser test needs Chromium: install it and run 'make test CHROMIUM=/path/to/chromium', or run 'make test-unit test-notebooks' without it."; \
	    exit 1; \
	  fi; \
	fi

$(BOOK_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[lab,test,book]"
	@touch $@

# Rebuilt only when a notebook, the book's sources or course_utils changed.
book: $(BOOK_DIR)/html/index.html

$(BOOK_DIR)/html/index.html: $(BOOK_STAMP) notebooks/*.ipynb $(shell find book -type f -not -name '*.pyc') $(shell find course_utils -name "*.py") | weights
	$(if $(QUICK),COURSE_QUICK=1) $(PY) book/build.py --out $(BOOK_DIR)

styles: $(STAMP)
	$(PY) -m course_utils.art data/styles

strip: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --log-level=WARN --inplace --ClearOutputPreprocessor.enabled=True --ClearMetadataPreprocessor.enabled=True notebooks/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache
