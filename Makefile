# Two commands: `make lab` opens the course, `make test` runs every test. Each creates .venv
# on its own the first time (with the Python 3.11+ found as $(PYTHON)).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# JupyterLab refuses to run as root unless told; CI runs as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test notebooks student bench hub test-class clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## lab: open the course in JupyterLab, on 127.0.0.1 only, with Jupyter's token authentication
lab: $(VENV)/.lab
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=. $(ROOT_FLAG) notebooks/01_one_weight.ipynb

## test: unit tests, notebook hygiene, and nbval over every notebook
test: $(VENV)/.test
	$(BIN)/python -m pytest -n 2 --dist loadfile

## student: generate the student edition (solutions removed, outputs cleared) in build/student/
student: $(VENV)/.test
	$(BIN)/python tools/make_student.py

$(VENV)/.bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

## bench: time one training step, numpy matrix form vs PyTorch vs per-neuron loops (not part of test)
bench: $(VENV)/.bench
	$(BIN)/python bench/train_step.py

## notebooks: re-execute every notebook in place, top to bottom, storing outputs (after editing one)
notebooks: $(VENV)/.test
	BACKPROP_PROGRESS=$$(mktemp -d)/progress.json $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False notebooks/*.ipynb

$(VENV)/.hub: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,hub]'
	touch $@

# JupyterHub's proxy, pinned in hub/package-lock.json, installed into hub/node_modules (git-ignored)
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy
$(HUB_PROXY): hub/package.json hub/package-lock.json
	cd hub && npm ci --no-audit --no-fund
	touch $@

## hub: the course's demo JupyterHub on 127.0.0.1 (instructor, student1, student2; nbgrader); Ctrl-C stops it
hub: $(VENV)/.hub $(HUB_PROXY) classroom
	$(BIN)/python tools/hub.py

## test-class: the class end to end in headless Chromium: hub, fetch, answer, submit, autograde, export (not part of test)
test-class: $(VENV)/.hub $(HUB_PROXY) classroom
	$(BIN)/python -m pytest -s tests/e2e/class_e2e.py

clean:
	rm -rf build $(VENV) hub/node_modules
