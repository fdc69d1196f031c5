"""Notebook 05's exercises: each reference passes, each named mistake gets its own diagnosis, the
placeholder counts as not attempted, and the expected values agree with an independent route.
Also what the notebook itself must be: ten exercises in order, one timing cell and no other
ignored output, the data loaded through the checksum."""

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import check, datasets, exercises, lessons, nets

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05_batches_and_training.ipynb"
IDS = [f"5.{i}" for i in range(1, 11)]
L = lessons.three_layer()
X, T = datasets.seed_batch()


def test_notebook_05_registers_ten_exercises():
    assert [i for i in exercises.ids() if i.startswith("5.")] == IDS


def test_generic_diagnoses_still_work_on_notebook_05():
    dW3 = exercises.expected("5.3")
    assert check("5.3", dW3.T).diagnosis == "transposed"
    assert check("5.3", -dW3).diagnosis == "sign"
    assert check("5.2", exercises.expected("5.2")[:, :2]).diagnosis == "shape"
    assert check("5.1", float(np.round(exercises.expected("5.1"), 3))).diagnosis == "rounded"


def test_expected_values_by_an_independent_route():
    fw = nets.forward(L.Ws, L.bs, X, L.activations)
    P = fw.out
    per_row = [nets.cross_entropy(p, t) for p, t in zip(P, T)]
    assert exercises.expected("5.1") == pytest.approx(np.mean(per_row), rel=1e-14)
    assert np.allclose(exercises.expected("5.2"), P - T, rtol=0, atol=1e-15)
    assert np.allclose(exercises.expected("5.3"), fw.a[2].T @ (P - T) / 4, rtol=1e-13)
    # 5.4 is computed by hand in the exercise module: it must equal the reference backward pass
    assert np.allclose(exercises.expected("5.4"), nets.backward(L.Ws, L.bs, X, T, L.activations, L.loss).dW[0],
                       rtol=1e-12, atol=0)
    assert np.allclose(exercises.expected("5.5"), (P - T).mean(axis=0), rtol=1e-13)
    p0 = exercises.expected("5.6")
    assert np.allclose(p0, nets.softmax(0.5 * L.W3.sum(axis=0)), rtol=1e-14) and not np.allclose(p0, 1 / 3)
    assert exercises.expected("5.9") == 0.25 and exercises.expected("5.10") == 0.25**6


def test_equal_weights_gradient_has_equal_rows():
    dW3 = exercises.expected("5.8")
    assert np.array_equal(dW3, np.repeat(dW3[:1], 3, axis=0)) and np.abs(dW3).max() > 0.05


def test_standardised_test_set_uses_the_training_statistics():
    iris = datasets.load_iris()
    X_train, X_test, _, _ = datasets.split(iris.X, iris.y)
    expected = exercises.expected("5.7")
    assert expected.shape == (30, 4)
    assert np.allclose(expected, datasets.standardise(X_train, X_test)[1], rtol=1e-14)
    assert not np.allclose(expected.mean(axis=0), 0, atol=0.05)  # not centred on its own mean


# --- the notebook as stored ------------------------------------------------------------------


def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_exactly_one_ignored_cell_and_it_is_the_timing():
    ignored = [c for c in _cells() if "nbval-ignore-output" in c.get("metadata", {}).get("tags", [])]
    assert len(ignored) == 1
    assert "best_time" in _source(ignored[0]) and "speed-up" in _source(ignored[0])


def test_the_notebook_has_ten_exercises_and_the_seed_questions():
    cells = _cells()
    exercise_cells = [c for c in cells if "exercise" in c.get("metadata", {}).get("tags", [])]
    assert [_source(c).splitlines()[0] for c in exercise_cells] == [f"# Exercise {i}" for i in IDS]
    text = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    for topic in ("## Errata", "## Summary", "## Further questions", "vanishing", "same number", "bias"):
        assert topic in text, topic
    assert "datasets.load_iris()" in "\n".join(_source(c) for c in cells if c["cell_type"] == "code")


def test_the_stored_outputs_show_the_experiments_working():
    outputs = "\n".join("".join(o.get("text", "")) for c in _cells() if c["cell_type"] == "code" for o in c["outputs"])
    assert "the two steps agree to 1e-12: True" in outputs
    assert "all weights 0.5: units of layer 1 differ by at most 0.000" in outputs
    assert "dW agrees to 1e-9: True, db agrees to 1e-9: True" in outputs


# --- hints, mistakes traced upstream, factors --------------------------------------------------


# (two different hints per exercise, none showing the answer's numbers: tests/test_hints.py, for every exercise)


@pytest.mark.parametrize("exercise_id", [i for i in IDS if exercises.get(i).upstream])
def test_the_right_method_on_a_wrong_upstream_answer_points_upstream(exercise_id, monkeypatch, tmp_path):
    from helpers import checking
    monkeypatch.setattr(checking, "_LAST", {})
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "p.json"))
    exercise = exercises.get(exercise_id)
    first = exercise.upstream[0]
    right = np.asarray(exercises.expected(first), dtype=float)
    wrong = right + 0.05 * np.arange(1, right.size + 1).reshape(right.shape)
    assert not check(first, wrong)
    theirs = exercise.from_upstream(wrong)
    assert not np.allclose(theirs, exercise.expected())
    feedback = check(exercise_id, theirs)
    assert feedback.diagnosis == f"upstream:{first}", str(feedback)
    assert check(first, right) and check(exercise_id, exercise.from_upstream(right))


def test_the_batch_mean_is_registered_as_a_factor_where_it_is_a_real_mistake():
    for exercise_id in ("5.1", "5.3", "5.4", "5.5"):
        assert [f for f, _ in exercises.get(exercise_id).factors] == [len(X)]
        # the sum instead of the mean is that factor exactly
        assert not check(exercise_id, len(X) * np.asarray(exercises.expected(exercise_id)))
    assert [f for f, _ in exercises.get("5.2").factors] == [1 / len(X)]
