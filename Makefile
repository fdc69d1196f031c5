# Two commands: `make lab` opens the course (your workbook), `make test` runs every test. Each
# creates .venv on its own the first time (with the Python 3.11+ found as $(PYTHON)).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_OK := import sys; sys.exit(sys.version_info < (3, 11))
# Compiled bytecode (and pytest's rewritten tests) kept in build/pycache, even where the environment
# sets PYTHONDONTWRITEBYTECODE: otherwise each test worker and each notebook kernel compiles the tests
# and helpers/ again on every run (measured: collecting make test's tests, 7.9 s of CPU -> 4.9 s).
export PYTHONDONTWRITEBYTECODE :=
export PYTHONPYCACHEPREFIX := $(CURDIR)/build/pycache

# A .venv made with a Python older than 3.11 (or whose Python is gone) is rebuilt, not left broken.
ifneq ($(wildcard $(BIN)/python),)
  ifneq ($(shell $(BIN)/python -c "$(PY_OK)" >/dev/null 2>&1 && echo ok),ok)
    $(info $(VENV) was made with an unsuitable Python; removing it, to be rebuilt with $(PYTHON).)
    $(shell rm -rf $(VENV))
  endif
endif
# JupyterLab refuses to run as root unless told; CI runs as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test fuzz corpus heldout test-load test-browser notebooks student bench classroom test-classroom bench-grading hub \
	test-hub clean workbook-update course-lab test-slow test-insights bench-insights class-report book test-book

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

# nbgrader too: make test's unit tests of the class (tests/test_classroom.py) import the grader
$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test,class]'
	touch $@

# The course's kernel extension (helpers/kernel.py: after a kernel restart, an undefined name gets
# one line saying what to do), enabled for every kernel of .venv in its etc/ipython/.
KERNEL_EXTENSION := $(VENV)/etc/ipython/ipython_kernel_config.py
$(KERNEL_EXTENSION): tools/lab.py | $(BIN)/python
	$(BIN)/python tools/lab.py --install-kernel-extension
	touch $@

## lab: your workbook (workbook/, made the first time, never overwritten) in JupyterLab, opened on notebook 01,
## on 127.0.0.1 only, with Jupyter's token authentication
lab: $(VENV)/.lab $(KERNEL_EXTENSION)
	$(BIN)/python tools/lab.py

## workbook-update NB=03: take the course's newer version of workbook notebook 03 (NB=all: every one);
## yours is kept beside it as notebooks/03_….yours-<date>.ipynb
workbook-update: $(VENV)/.lab
	@test -n "$(NB)" || { echo "Say which notebook: make workbook-update NB=03 (or NB=all)"; exit 1; }
	$(BIN)/python tools/editions.py workbook --take $(NB)

## course-lab: the course's own notebooks (stored with outputs) in JupyterLab, for editing the course
course-lab: $(VENV)/.lab $(KERNEL_EXTENSION)
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=. $(ROOT_FLAG) notebooks/01_one_weight.ipynb

## test: unit tests, notebook hygiene, nbval over every notebook, the planted workbook runs, the fuzz's and
## the mistake corpus's CI parts (what is slow has a target of its own: test-slow, test-browser, ...)
test: $(VENV)/.test $(KERNEL_EXTENSION)
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not browser_slow and not slow"

## test-slow: the slow checks that prove something: sympy on the larger networks and iris (three ways), the
## property tests, the fuzz tests with more examples than make test draws, and the time budget's backstop on
## a CPU crowded on purpose (CI runs it)
test-slow: $(VENV)/.test $(KERNEL_EXTENSION)
	BACKPROP_THOROUGH=1 $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "slow or thorough"

## test-browser: every notebook in JupyterLab in Chromium: axe-core accessibility, tables at 1024 px,
## figures' text alternatives, light and dark theme; notebook 01 answered as a learner does; the workbook
## as make lab opens it (notebook 01, 06's debugger, badges in Debian's fonts, figure text at 1280×800)
## (slow; CI runs it after make test)
test-browser: $(VENV)/.test $(KERNEL_EXTENSION)
	$(BIN)/python -m pytest -m browser_slow tests/test_browser.py tests/test_accessibility.py tests/test_workbook_browser.py

## fuzz: adversarial answers for every exercise (tools/fuzz.py, at least 20,000 inputs; not part of test),
## then the mistake corpus's share of specific diagnoses (tools/corpus.py)
fuzz: $(VENV)/.test
	status=0; $(BIN)/python tools/fuzz.py -n $(or $(FUZZ_INPUTS),20000) || status=1; \
	$(BIN)/python tools/corpus.py || status=1; exit $$status

## corpus: every learner mistake of tests/corpus/ through check: "mistakes: N, specific: P %" (about a minute)
corpus: $(VENV)/.test
	$(BIN)/python tools/corpus.py

## heldout: the held-out mistakes of tests/heldout/ (written before reading their exercises' diagnoses):
## "heldout: N mistakes, specific: P %", and every mistake that gets only the generic line
heldout: $(VENV)/.test
	$(BIN)/python tools/corpus.py --heldout

## test-load: the checker's correctness suite (every right answer, rewritten symbolic forms, every function
## exercise's reference) in a fresh Python process beside 2, then 8 busy processes; fails if a right answer is refused
test-load: $(VENV)/.test
	$(BIN)/python tools/load_test.py

## student: generate the student edition (solutions removed, outputs cleared) in build/student/
student: $(VENV)/.lab
	$(BIN)/python tools/editions.py student

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
	$(PIP_INSTALL) -e '.[test,class,hub,insights]'
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

# --- the class insights (issue 22): the service, its database and the class report -----------------

## test-insights: the insights service's tests again on PostgreSQL (Debian's, in a temporary directory), a restart keeps every event, the class report on a real gradebook (slow)
test-insights: $(VENV)/.hub
	$(NBGRADER_ENV) $(BIN)/python -m pytest -p no:cacheprovider -o addopts="" -q tests/e2e/insights_e2e.py

## bench-insights: 300 learners with their own hub tokens, 50 events each, on SQLite and PostgreSQL; then kill -9 mid-load (about 5 min)
bench-insights: $(VENV)/.hub $(HUB_PROXY)
	$(BIN)/python bench/insights.py

## class-report: after nbgrader autograde, per assignment: score distribution, share right and commonest mistakes (HTML, CSV) in build/class-report/
COURSE ?= build/classroom
class-report: $(VENV)/.class
	$(NBGRADER_ENV) $(BIN)/python -m helpers.insights.report --course $(COURSE) --out build/class-report

# (never workbook/: it holds the learner's work)
$(VENV)/.book: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test,book]'
	touch $@

# MathJax for the website, pinned in book/package-lock.json, installed into book/node_modules (git-ignored)
BOOK_MATHJAX := book/node_modules/mathjax/tex-mml-chtml.js
$(BOOK_MATHJAX): book/package.json book/package-lock.json
	cd book && npm ci --no-audit --no-fund
	touch $@

## book: the course as a static website in build/book/html/ (stored outputs, never re-executed; offline: MathJax served by the site)
book: $(VENV)/.book $(BOOK_MATHJAX)
	$(BIN)/python tools/make_book.py $(if $(BINDER),--binder $(BINDER))

## test-book: build the website and open every page in Chromium: offline, MathJax, alt text, axe-core, 1024 px, folded solutions (slow)
test-book: book
	$(BIN)/python -m pytest -p no:cacheprovider -o addopts="" -q tests/e2e/book_site.py

clean:
	rm -rf build $(VENV) hub/node_modules book/node_modules
