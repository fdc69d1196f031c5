# Two commands: `make lab` opens the course, `make test` runs every test. Each creates .venv
# on its own the first time (with the Python 3.11+ found as $(PYTHON)).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_OK := import sys; sys.exit(sys.version_info < (3, 11))

# A .venv made with a Python older than 3.11 (or whose Python is gone) is rebuilt, not left broken.
ifneq ($(wildcard $(BIN)/python),)
  ifneq ($(shell $(BIN)/python -c "$(PY_OK)" >/dev/null 2>&1 && echo ok),ok)
    $(info $(VENV) was made with an unsuitable Python; removing it, to be rebuilt with $(PYTHON).)
    $(shell rm -rf $(VENV))
  endif
endif
# JupyterLab refuses to run as root unless told; CI runs as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test fuzz test-browser notebooks student bench classroom test-classroom bench-grading hub test-hub clean

$(BIN)/python:
	@$(PYTHON) -c "$(PY_OK)" 2>/dev/null || { echo "The course needs Python 3.11 or newer, and '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)."; echo "Name another one, for instance: make PYTHON=python3.12 lab"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setuptools' note on editable installs warns that a folder named like the package may shadow it:
# here that folder IS the package, so the note is silenced (it is the only one the install prints).
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet

$(VENV)/.lab: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'
	touch $@

## lab: open the course in JupyterLab, on 127.0.0.1 only, with Jupyter's token authentication
lab: $(VENV)/.lab
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=. $(ROOT_FLAG) notebooks/01_one_weight.ipynb

## test: unit tests, notebook hygiene, nbval over every notebook, the fuzz's CI part, notebook 01 in Chromium
test: $(VENV)/.test
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not browser_slow"

## test-browser: every notebook in JupyterLab in Chromium: axe-core accessibility, tables at 1024 px,
## figures' text alternatives, light and dark theme (slow; CI runs it after make test)
test-browser: $(VENV)/.test
	$(BIN)/python -m pytest -m browser_slow tests/test_accessibility.py

## fuzz: adversarial answers for every exercise (tools/fuzz.py, at least 20,000 inputs; not part of test)
fuzz: $(VENV)/.test
	$(BIN)/python tools/fuzz.py -n $(or $(FUZZ_INPUTS),20000)

## student: generate the student edition (solutions removed, outputs cleared) in build/student/
student: $(VENV)/.test
	$(BIN)/python tools/make_student.py

$(VENV)/.bench: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[bench]'
	touch $@

## bench: time one training step, numpy matrix form vs PyTorch (float64 and float32, one thread each) vs per-neuron loops; about 2 min (not part of test)
bench: $(VENV)/.bench
	$(BIN)/python bench/train_step.py

$(VENV)/.class: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test,class]'
	touch $@

# nbgrader runs `alembic` (its gradebook migrations) as a command: the venv's bin/ goes on PATH.
NBGRADER_ENV := PATH="$(CURDIR)/$(BIN):$$PATH"

## classroom: generate the nbgrader course in build/classroom/ (one assignment per notebook; docs/teaching.md)
classroom: $(VENV)/.class
	$(NBGRADER_ENV) $(BIN)/python tools/make_classroom.py

## test-classroom: nbgrader's own generate_assignment/autograde/export on the class, every attack of issue 20, the
## sandbox probed from inside, right answers under load (8 busy processes) (slow; needs bubblewrap)
test-classroom: $(VENV)/.class
	$(NBGRADER_ENV) $(BIN)/python -m pytest -p no:cacheprovider -o addopts="" -q -s tests/e2e/grading_sandbox.py \
		tests/e2e/classroom_grading.py tests/e2e/grading_under_load.py

## bench-grading: autograde N synthetic submissions (N=30; N=300 on request) and report submissions per minute
## and CPU per submission, in the sandbox and without it (SANDBOX=on: in the sandbox only)
N ?= 30
SANDBOX ?= both
bench-grading: $(VENV)/.class
	$(NBGRADER_ENV) $(BIN)/python bench/grading.py -n $(N) --sandbox $(SANDBOX)

## notebooks: re-execute every notebook in place, top to bottom, storing outputs (after editing one)
notebooks: $(VENV)/.test
	BACKPROP_PROGRESS=$$(mktemp -d)/progress.json $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False notebooks/*.ipynb

$(VENV)/.hub: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test,class,hub]'
	touch $@

# JupyterHub's proxy, pinned in hub/package-lock.json, installed into hub/node_modules (git-ignored)
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy
$(HUB_PROXY): hub/package.json hub/package-lock.json
	cd hub && npm ci --no-audit --no-fund
	touch $@

## hub: the course's demo JupyterHub on 127.0.0.1 (instructor, student1, student2; nbgrader); Ctrl-C stops it
hub: $(VENV)/.hub $(HUB_PROXY) classroom
	$(NBGRADER_ENV) $(BIN)/python tools/hub.py

## test-hub: the class on the hub, end to end, in headless Chromium: release, fetch, answer, submit, collect, autograde, export (slow)
test-hub: $(VENV)/.hub $(HUB_PROXY) classroom
	$(NBGRADER_ENV) $(BIN)/python -m pytest -s tests/e2e/class_e2e.py

clean:
	rm -rf build $(VENV) hub/node_modules
