# Two commands: `make lab` opens the course, `make test` runs every test. Each creates .venv
# on its own the first time (with the Python 3.11+ found as $(PYTHON)).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# JupyterLab refuses to run as root unless told; CI runs as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test notebooks student bench classroom test-classroom bench-grading clean

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

$(VENV)/.class: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,class]'
	touch $@

# nbgrader runs `alembic` (its gradebook migrations) as a command: the venv's bin/ goes on PATH.
NBGRADER_ENV := PATH="$(CURDIR)/$(BIN):$$PATH"

## classroom: generate the nbgrader course in build/classroom/ (one assignment per notebook; docs/teaching.md)
classroom: $(VENV)/.class
	$(NBGRADER_ENV) $(BIN)/python tools/make_classroom.py

## test-classroom: nbgrader's own generate_assignment/autograde/export on the class, tampering included (slow)
test-classroom: $(VENV)/.class
	BACKPROP_CLASSROOM=1 $(NBGRADER_ENV) $(BIN)/python -m pytest -p no:cacheprovider -o addopts="" -q tests/test_classroom_grading.py

## bench-grading: autograde N synthetic submissions (N=30; N=300 on request) and report submissions per minute
N ?= 30
bench-grading: $(VENV)/.class
	$(NBGRADER_ENV) $(BIN)/python bench/grading.py -n $(N)

## notebooks: re-execute every notebook in place, top to bottom, storing outputs (after editing one)
notebooks: $(VENV)/.test
	BACKPROP_PROGRESS=$$(mktemp -d)/progress.json $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False notebooks/*.ipynb

clean:
	rm -rf build $(VENV)
