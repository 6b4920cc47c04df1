# The course's commands. On a fresh machine you need Python >= 3.11 and make; nothing else.
#   make lab    set up (once) and open JupyterLab on notebooks/
#   make test   set up (once), then unit tests and every notebook in quick mode
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.course-installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help setup weights lab test test-unit test-notebooks styles strip clean

help:
	@echo "make lab    - set up and open the course in JupyterLab"
	@echo "make test   - set up, then run the unit tests and every notebook in quick mode"
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

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

test: setup
	COURSE_QUICK=1 $(PY) -m pytest tests notebooks --nbval-lax -q -rfEs

test-unit: setup
	COURSE_QUICK=1 $(PY) -m pytest tests -q -rfEs

test-notebooks: setup
	COURSE_QUICK=1 $(PY) -m pytest notebooks --nbval-lax -q -rfEs

styles: $(STAMP)
	$(PY) -m course_utils.art data/styles

strip: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --log-level=WARN --inplace --ClearOutputPreprocessor.enabled=True --ClearMetadataPreprocessor.enabled=True notebooks/*.ipynb

clean:
	rm -rf $(VENV) .pytest_cache
