# The course's commands. On a fresh machine you need Python >= 3.11 and make; nothing else.
#   make lab    set up (once) and open JupyterLab on notebooks/
#   make test   set up (once), then unit tests, every notebook in quick mode, the book and the browser test
#   make book   every notebook executed in full mode and rendered as a static site in build/book/html
#   make book LANG=zh_CN   the same for the Chinese edition (notebooks/zh_CN), in build/book-zh_CN/html
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
# make book LANG=zh_CN: the Chinese book, from notebooks/zh_CN, in build/book-zh_CN(-quick). LANG is also the
# locale every shell sets (LANG=C.UTF-8): only a LANG given on make's command line chooses the book, and the
# commands below still get the environment's locale.
ENV_LANG := $(shell printenv LANG)
ifeq ($(origin LANG),command line)
BOOK_LANG := $(LANG)
ifeq ($(ENV_LANG),)
unexport LANG
else
override LANG := $(ENV_LANG)
endif
else
BOOK_LANG := en
endif
ifeq ($(filter en zh_CN,$(BOOK_LANG)),)
$(error The book's language is en or zh_CN (make book LANG=zh_CN), not "$(BOOK_LANG)")
endif
BOOK_SUFFIX := $(if $(filter zh_CN,$(BOOK_LANG)),-zh_CN)
BOOK_NOTEBOOKS := $(if $(BOOK_SUFFIX),notebooks/zh_CN/*.ipynb,notebooks/*.ipynb)
BOOK_DIR := build/book$(BOOK_SUFFIX)$(if $(QUICK),-quick)
export COURSE_BOOK_DIR ?= build/book-quick
# make test's quick Chinese book: notebooks 00 and 02 run in Chinese, the others' outputs taken from the
# English quick book (their code is the same); nbval runs the same two Chinese notebooks.
ZH_RUN ?= 00_setup_and_tour.ipynb 02_gram_matrices.ipynb
ZH_NBVAL := $(addprefix notebooks/zh_CN/,$(ZH_RUN))
ZH_TEST_BOOK := build/book-zh_CN-test
export COURSE_BOOK_ZH_DIR ?= $(ZH_TEST_BOOK)
# Colab's widget library (ipywidgets 7.7), beside the venv's 8.x: the widget tests run against both.
COLAB_WIDGETS := $(VENV)/colab-ipywidgets7
export COURSE_COLAB_WIDGETS := $(abspath $(COLAB_WIDGETS))
BOOK_STAMP := $(VENV)/.book-installed
BROWSER_STAMP := $(VENV)/.browser-installed

.PHONY: help setup weights lab test test-unit test-notebooks test-browser browser-setup chromium colab-widgets book styles strip clean
.PHONY: translations zh zh-check book-zh-test

help:
	@echo "make lab    - set up and open the course in JupyterLab"
	@echo "make test   - set up, then the unit tests, every notebook in quick mode, the book and the browser test"
	@echo "make book   - execute every notebook in full mode (about 45 minutes on a 2-core CPU) and render"
	@echo "              the course as a static site in build/book/html; make book QUICK=1 takes minutes"
	@echo "make book LANG=zh_CN - the Chinese book (build/book-zh_CN; QUICK=1 too)"
	@echo "make test-unit / test-notebooks / test-browser - one part of make test"
	@echo "make translations - bring the Chinese catalogues (book/locale/zh_CN) in line with the English notebooks"
	@echo "make zh     - regenerate the Chinese notebooks (notebooks/zh_CN) from the English ones and the catalogues"
	@echo "make zh-check - list what the Chinese edition lacks: untranslated, fuzzy or not regenerated"
	@echo "make styles - redraw the course's own style images in data/styles/"
	@echo "make strip  - remove outputs from the notebooks before committing"
	@echo "For instructors (book/instructors.md):"
	@echo "make kit [KIT=path]     - every wheel, the weights, paintings, book and the course in one folder (build/kit)"
	@echo "make lab KIT=path       - install from a kit with no network (make test KIT=path too)"
	@echo "make serve-kit KIT=path - serve a kit on the local network; learners: make lab COURSE_INDEX=http://host:8080/simple"
	@echo "make hub HUB_PASSWORD=… - a JupyterHub for the class on one server (HUB_IP, HUB_PORT, HUB_USERS)"
	@echo "make solutions          - the notebooks with every exercise answered, in build/solutions"
	@echo "make set-repo REPO=owner/name [BRANCH=main] - point the Colab and Binder badges at a fork"

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
	COURSE_QUICK=1 $(PY) -m pytest tests notebooks/*.ipynb $(ZH_NBVAL) --nbval-lax -q -rfEs -m "not book and not browser"
	@$(MAKE) --no-print-directory test-browser

test-unit: setup colab-widgets $(BOOK_STAMP)
	COURSE_QUICK=1 $(PY) -m pytest tests -q -rfEs -m "not book and not browser"

test-notebooks: setup
	COURSE_QUICK=1 $(PY) -m pytest notebooks/*.ipynb $(ZH_NBVAL) --nbval-lax -q -rfEs

colab-widgets: $(COLAB_WIDGETS)/.installed

$(COLAB_WIDGETS)/.installed: $(STAMP)
	$(PY) -m pip install --quiet --no-deps --target $(COLAB_WIDGETS) "ipywidgets==7.7.*" ipython_genutils
	@touch $@

# The rendered book (quick mode) and JupyterLab, both driven in Chromium; screenshots in build/test-output/.
test-browser: setup browser-setup
	@$(MAKE) --no-print-directory book QUICK=1
	@$(MAKE) --no-print-directory book-zh-test
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

BOOK_SOURCES := $(shell find book -type f -not -name '*.pyc') $(shell find course_utils -name "*.py" -o -name "*.po")
$(BOOK_DIR)/html/index.html: $(BOOK_STAMP) $(BOOK_NOTEBOOKS) $(BOOK_SOURCES) | weights
	$(if $(QUICK),COURSE_QUICK=1) $(PY) book/build.py --out $(BOOK_DIR) --language $(BOOK_LANG)

# The quick Chinese book of make test (build/book-zh_CN-test), after the English quick book it borrows from.
book-zh-test: $(ZH_TEST_BOOK)/html/index.html

$(ZH_TEST_BOOK)/html/index.html: build/book-quick/html/index.html notebooks/zh_CN/*.ipynb $(BOOK_SOURCES) | weights
	COURSE_QUICK=1 $(PY) book/build.py --out $(ZH_TEST_BOOK) --language zh_CN \
	  --reuse-outputs build/book-quick/src --execute $(ZH_RUN)

# The Chinese edition (book/translate.py): after editing an English notebook, `make translations`; after
# translating in book/locale/zh_CN/notebooks/*.po, `make zh`; `make zh-check` lists what is missing.
translations: $(STAMP)
	$(PY) book/translate.py update

zh: $(STAMP)
	$(PY) book/translate.py generate

zh-check: $(STAMP)
	$(PY) book/translate.py check

styles: $(STAMP)
	$(PY) -m course_utils.art data/styles

strip: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --log-level=WARN --inplace --ClearOutputPreprocessor.enabled=True --ClearMetadataPreprocessor.enabled=True notebooks/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache

# ------------------------------------------------------------------------ for instructors (issue 19)
# make kit [KIT=path]: one folder that installs the course without a network (classroom/kit.py).
# make lab KIT=/media/usb/kit (and make test KIT=...): install from that folder, asking no index.
# make lab COURSE_INDEX=http://teacher:8080/simple: install from `make serve-kit` on the instructor's laptop.
KIT ?=
KIT_DIR := $(abspath $(or $(KIT),build/kit))
KIT_TARGETS ?= linux-x86_64 macos-arm64 windows-x86_64
KIT_PYTHONS ?= 3.11 3.12 3.13
KIT_EXTRAS ?= lab test book browser hub
# KIT_BOOK=no leaves the book out (make kit otherwise builds it first, as make book does)
KIT_BOOK ?= yes
COURSE_INDEX ?=
SERVE_PORT ?= 8080
SERVE_HOST ?= 0.0.0.0
# make hub: a JupyterHub for the class (classroom/hub/jupyterhub_config.py explains each setting)
HUB_IP ?= 0.0.0.0
HUB_PORT ?= 8000
HUB_API_PORT ?= 8081
HUB_PROXY_API_PORT ?= 8001
HUB_STATE ?= build/hub
HUB_CACHE ?= $(HUB_STATE)/cache
HUB_PASSWORD ?=
HUB_USERS ?=
HUB_THREADS ?= 2
HUB_MEM_LIMIT ?= 3G
HUB_PROXY_DIR := build/hub-proxy
HUB_PROXY := $(HUB_PROXY_DIR)/node_modules/.bin/configurable-http-proxy

# Installing from a kit: pip reads only the kit's wheels. (Not while make kit writes one.)
ifneq ($(KIT),)
ifeq ($(filter kit,$(MAKECMDGOALS)),)
export PIP_NO_INDEX := 1
export PIP_FIND_LINKS := $(KIT_DIR)/wheels
KIT_SOURCE := $(KIT_DIR)
endif
endif
# Installing from the instructor's server: its index, its paintings and its weights.
ifneq ($(COURSE_INDEX),)
COURSE_SERVER := $(patsubst %/simple,%,$(patsubst %/,%,$(COURSE_INDEX)))
export PIP_INDEX_URL := $(COURSE_INDEX)
export PIP_TRUSTED_HOST := $(firstword $(subst :, ,$(word 2,$(subst //, ,$(COURSE_INDEX)))))
export COURSE_PAINTINGS_URL ?= $(COURSE_SERVER)/paintings
KIT_SOURCE := $(COURSE_SERVER)
endif

# a kit carries JupyterHub's proxy too, so that make test KIT=... needs no npm registry
KIT_PROXY := $(if $(KIT_SOURCE),$(wildcard $(KIT_SOURCE)/hub-proxy/node_modules))

.PHONY: kit kit-ready kit-cache serve-kit hub hub-setup solutions set-repo

ifneq ($(KIT_SOURCE),)
# Before anything is installed: is this a kit, and does it hold wheels for this machine's Python?
$(STAMP): | kit-ready
weights: kit-cache
endif

kit-ready:
	@$(PYTHON) -m classroom.kit ready --kit $(KIT_SOURCE)

kit-cache: $(STAMP)
	$(PY) -m classroom.kit install-cache --kit $(KIT_SOURCE)

kit: setup $(HUB_PROXY) $(if $(filter yes,$(KIT_BOOK)),book)
	$(PY) -m classroom.kit build --kit $(KIT_DIR) --platforms $(KIT_TARGETS) --pythons $(KIT_PYTHONS) \
	  --extras $(KIT_EXTRAS) $(if $(filter yes,$(KIT_BOOK)),--book $(abspath $(BOOK_DIR))/html)

# Serves the kit folder: the package index in simple/, paintings/, book/ (classroom/serve.py).
serve-kit:
	$(PYTHON) -m classroom.serve --kit $(KIT_DIR) --host $(SERVE_HOST) --port $(SERVE_PORT)

hub: setup hub-setup
	$(PY) -m classroom.hub prepare-cache $(HUB_CACHE)
	COURSE_HUB_PASSWORD='$(HUB_PASSWORD)' COURSE_HUB_USERS='$(HUB_USERS)' COURSE_HUB_IP=$(HUB_IP) \
	COURSE_HUB_PORT=$(HUB_PORT) COURSE_HUB_API_PORT=$(HUB_API_PORT) COURSE_HUB_PROXY_API_PORT=$(HUB_PROXY_API_PORT) \
	COURSE_HUB_STATE=$(abspath $(HUB_STATE)) COURSE_HUB_CACHE=$(abspath $(HUB_CACHE)) COURSE_HUB_THREADS=$(HUB_THREADS) \
	COURSE_HUB_MEM_LIMIT=$(HUB_MEM_LIMIT) COURSE_HUB_PROXY=$(abspath $(HUB_PROXY)) \
	  exec $(PY) -m jupyterhub -f classroom/hub/jupyterhub_config.py

# JupyterHub from PyPI (pyproject's `hub` extra) and its proxy from npm, into build/hub-proxy (never globally).
hub-setup: $(HUB_PROXY)
	@$(PY) -c "import jupyterhub" 2>/dev/null || $(PY) -m pip install --quiet -e ".[lab,hub]"

$(HUB_PROXY): classroom/hub/package.json classroom/hub/package-lock.json
	@test -n "$(KIT_PROXY)" || command -v npm >/dev/null || { echo "make hub needs Node.js 20 or newer and npm, e.g. apt-get install nodejs npm."; exit 1; }
	mkdir -p $(HUB_PROXY_DIR)
	cp classroom/hub/package.json classroom/hub/package-lock.json $(HUB_PROXY_DIR)/
	$(if $(KIT_PROXY),cp -R $(KIT_PROXY) $(HUB_PROXY_DIR)/,npm ci --prefix $(HUB_PROXY_DIR) --no-audit --no-fund --silent)
	@touch $@

# The hub's test (tests/test_hub.py) needs JupyterHub and its proxy.
test test-unit: hub-setup

# make solutions: the notebooks with every exercise answered (classroom/solutions.py, answers in classroom/answers.md).
SOLUTIONS ?= build/solutions
SOLUTIONS_FROM ?= notebooks
solutions: setup
	$(PY) -m classroom.solutions --notebooks $(SOLUTIONS_FROM) --out $(SOLUTIONS)

# make set-repo REPO=owner/name [BRANCH=main]: every badge, the Colab set-up cells and config.REPO point at a fork.
set-repo:
	@test -n "$(REPO)" || { echo "Say which repository: make set-repo REPO=owner/name [BRANCH=main]"; exit 2; }
	@$(PYTHON) -m classroom.set_repo "$(REPO)" $(if $(BRANCH),--branch "$(BRANCH)")
