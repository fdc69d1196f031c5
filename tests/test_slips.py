"""The slips engine (helpers.checking.slips) on small computations of its own, and the structural
kinds of helpers.checking.numeric: each kind of slip is found and named, no variant equal to the
reference is ever offered, the sentences hold no value, and the time budget is respected."""

import numpy as np
import pytest

from helpers.checking import numeric, slips
from helpers.checking.slips import Quantities, Work, c, dsigmoid, mean, outer, sigmoid, total

Q = Quantities()
Q.add("W", np.array([[0.3, -1.2, 0.5], [0.8, 0.1, -0.7]]), "the weights W")   # 2×3: shapes tell W from Wᵀ
Q.add("x", np.array([0.4, -0.9, 1.3]), "the input x")
Q.add("z", np.array([0.2, -0.6]), "the net input z")
Q.add("a", sigmoid_of := 1 / (1 + np.exp(-np.array([0.2, -0.6]))), "the output a")
Q.add("t", np.array([1.0, 0.0]), "the target t")
Q.confuse(("z", "a"))
DELTA = ((Q["a"] - Q["t"]).named("∂E/∂a") * dsigmoid(Q["z"]).named("∂a/∂z, the sigmoid's slope")).named("δ")
GRAD = outer(DELTA, Q["x"])


def _slips(tree, **kwargs):
    expected = slips.Evaluator(lambda e: np.asarray(e.params["value"], dtype=float)[None], set())(tree)[0]
    return slips.Slips(Work("∇W", (tree,), **kwargs), expected, False, neighbours=())


def _found(s, answer):
    return s.match(np.asarray(answer, dtype=float)[None])


a, t, z, x = sigmoid_of, Q["t"].params["value"], Q["z"].params["value"], Q["x"].params["value"]
slope = a * (1 - a)


@pytest.mark.parametrize("answer, key, words", [
    (np.outer((a - t) * a, x), "function", "σ where its slope σ′ belongs"),
    (np.outer((a - t) * slope, x).T, "order", "outer product in the wrong order"),
    (np.outer(a - t, x), "missing-factor", "∂a/∂z, the sigmoid's slope"),
    (np.outer((a - t) * (1 / (1 + np.exp(-a))) * (1 - 1 / (1 + np.exp(-a))), x), "wrong-point", "σ′ is taken at the wrong point"),
    (np.outer((t - a) * slope, x), "sign", "wrong way round"),
])
def test_each_kind_of_slip_is_found_and_named(answer, key, words):
    found = _found(_slips(GRAD), answer)
    assert found is not None and found.key.split("+")[0] == key, found
    assert words in found.message


def test_an_outer_product_collapsed_by_a_1d_transpose():
    square = Quantities()
    square.add("d", np.array([0.5, -1.5]), "δ")
    square.add("v", np.array([2.0, 0.25]), "the input")
    found = _found(_slips(outer(square["d"], square["v"])), np.array([0.5, -1.5]) @ np.array([2.0, 0.25]).T)
    assert found.key == "collapsed" and ".T changes nothing" in found.message


def test_two_slips_at_once_are_found():
    answer = np.outer((t - a) * a, x)   # σ for σ′, and the difference reversed
    found = _found(_slips(GRAD), answer)
    assert found is not None and "+" in found.key and found.message.startswith("two slips")


def test_no_variant_equals_the_reference():
    s = _slips(GRAD)
    reference = s.reference()
    for variant in s.singles() + s.pairs():
        assert variant.value.shape != reference.shape or not np.allclose(variant.value, reference, rtol=1e-9)


def test_a_plainly_wrong_answer_matches_no_slip():
    s = _slips(GRAD)
    rng = np.random.default_rng(3)
    for _ in range(20):
        assert _found(s, rng.normal(size=(2, 3))) is None


def test_the_sentences_hold_no_number_of_the_answer():
    s = _slips(GRAD)
    answer = np.outer((a - t) * slope, x)
    digits = {f"{abs(v):.3g}" for v in answer.ravel()} | {f"{abs(v):.4f}" for v in answer.ravel()}
    for variant in s.singles() + s.pairs():
        assert not any(d in variant.message for d in digits), variant.message


def test_mean_and_sum_slips_and_the_divisor():
    batch = Quantities()
    batch.add("D", np.arange(12.0).reshape(4, 3) - 5.5, "Δ")
    s = _slips(mean(batch["D"], axis=0))
    D = batch["D"].params["value"]
    assert _found(s, D.sum(axis=0)).key == "mean-sum"
    assert _found(s, D.mean(axis=0) / 4).key == "extra-factor"       # 1/N twice
    assert _found(s, D.sum(axis=0) / 3).key == "divisor"            # the number of columns for N
    assert _found(s, D.mean(axis=1)).key == "axis"


def test_a_sum_of_one_term_and_a_neighbour():
    s = _slips(total(Q["z"]), neighbours=((np.array([5.0, 6.0]), "something else"),))
    assert _found(s, z[1]).key == "one-term"
    assert _found(s, np.array([5.0, 6.0])).key == "neighbour"


def test_the_search_stops_when_the_check_has_no_time_left(monkeypatch):
    s = _slips(GRAD)
    monkeypatch.setattr(slips.budget, "remaining", lambda: 0.0)
    assert s.match(np.outer(a - t, x)[None]) is None       # nothing computed, nothing claimed
    monkeypatch.setattr(slips.budget, "remaining", lambda: 1e9)
    assert s.match(np.outer(a - t, x)[None]) is not None   # and resumed at the next check


@pytest.mark.parametrize("answer, key", [
    (np.zeros((2, 3)), "zero"),
    (np.array([[0.8, 0.1, -0.7], [0.3, -1.2, 0.5]]), "order"),
    (np.array([[0.3, -1.2, 0.5], [0.8, 0.1, -0.7]]) * 3, "constant"),
    (np.array([[0.3, -1.2, 0.5], [9.0, 9.0, 9.0]]), "partial"),
])
def test_structural_kinds_of_an_array(answer, key):
    expected = np.array([[0.3, -1.2, 0.5], [0.8, 0.1, -0.7]])
    kind, sentence = numeric.structure(answer, expected)
    assert kind == key and "3" not in sentence and "0.8" not in sentence


def test_only_the_diagonal_and_explain_with_neighbours():
    full = np.array([[1.0, 0.2], [0.3, 2.0]])
    assert numeric.structure(np.diag(np.diag(full)), full)[0] == "diagonal-only"
    assert numeric.explain(np.ones((2, 2)), full, neighbours=(("dA itself", np.ones((2, 2))),)) == \
        ("neighbour", "this is dA itself")
    assert numeric.explain(full + 0.123, full) is None


def test_a_search_cut_off_in_the_middle_of_a_variant_resumes_it(monkeypatch):
    """The budget's OutOfTime can arrive in the middle of any variant: the next check must still see
    every variant (a search that lost its place would stay incomplete for the whole session)."""
    whole = _slips(GRAD)
    everything = [v.message for v in whole.singles()]
    cut = _slips(GRAD)
    calls = {"n": 0}
    evaluate = slips.Slips._evaluate

    def interrupted(self, evaluator, tree):
        calls["n"] += 1
        if calls["n"] == 7:
            raise slips.budget.OutOfTime
        return evaluate(self, evaluator, tree)

    monkeypatch.setattr(slips.Slips, "_evaluate", interrupted)
    with pytest.raises(slips.budget.OutOfTime):
        cut.singles()
    assert [v.message for v in cut.singles()] == everything
