"""Every diagnosis of check(), and every kind of input a learner can pass."""

import fractions
import math

import numpy as np
import pytest
import sympy as sp

from helpers import Feedback, check
from helpers.checking import compare_numeric, compare_symbolic, normalise, BadInput, Unanswered

E = np.array([[0.082167041, 0.082667628], [-0.02260254, -0.022740242]])  # a 2×2 non-symmetric reference
MISTAKE = ("the named slip", "Here is how to fix it.", E * 3.7 + 1)


def diagnose(answer, expected=E, mistakes=(MISTAKE,)):
    return compare_numeric(np.asarray(answer, dtype=float), np.asarray(expected, dtype=float), 1e-6, 1e-9, mistakes)


# --- numeric diagnoses -------------------------------------------------------------------------


def test_exact_answer_is_correct():
    assert diagnose(E.copy())[:2] == ("correct", "correct")


def test_answer_within_tolerance_is_correct():
    assert diagnose(E * (1 + 5e-7))[0] == "correct"


def test_known_mistake_is_named_with_its_hint():
    status, diagnosis, message = diagnose(MISTAKE[2])
    assert (status, diagnosis) == ("wrong", "mistake:the named slip")
    assert "the named slip" in message and "Here is how to fix it." in message


def test_known_mistake_rounded_is_still_named():
    assert diagnose(np.round(MISTAKE[2], 4))[1] == "mistake:the named slip"


def test_transposed_matrix():
    assert diagnose(E.T)[1] == "transposed"


def test_wrong_shape_says_transpose_fits():
    status, diagnosis, message = diagnose(np.vstack([E, E]).T, expected=np.vstack([E, E]))
    assert diagnosis == "shape" and "transpose of the expected one" in message


def test_wrong_shape_with_right_numbers_suggests_reshape():
    status, diagnosis, message = diagnose(E.ravel())
    assert diagnosis == "shape" and "reshape" in message and "(2, 2)" in message


def test_wrong_shape_unrelated():
    status, diagnosis, message = diagnose(np.ones(3))
    assert diagnosis == "shape" and "(3,)" in message and "(2, 2)" in message


def test_single_number_wrapped_in_a_list():
    status, diagnosis, message = diagnose([4.2], expected=4.2, mistakes=())
    assert diagnosis == "shape" and "single number" in message


def test_wrong_sign():
    assert diagnose(-E)[1] == "sign"


@pytest.mark.parametrize("factor, words", [(2, "twice"), (0.5, "half")])
def test_the_factors_of_a_squared_error_are_named(factor, words):
    status, diagnosis, message = diagnose(factor * E)
    assert diagnosis == "factor" and words in message


@pytest.mark.parametrize("factor", [3, -2, 1.2345, 162450])
def test_any_other_factor_is_named_as_a_kind_and_reveals_nothing(factor):
    """Saying "the expected value times 162450" gives the answer away (divide by it): the kind
    ("a constant is off") is said, never the factor."""
    status, diagnosis, message = diagnose(factor * E)
    assert diagnosis == "constant" and str(factor) not in message and "times" not in message
    assert "same factor" in message


def test_a_registered_factor_is_named():
    status, diagnosis, message = compare_numeric(4 * E, E, factors=((4, "four times too large: the 1/N of the mean is missing"),))
    assert diagnosis == "factor" and "1/N" in message


def test_odd_factor_on_a_single_number_is_not_called_a_factor():
    # any number is a multiple of any other: only simple fractions say something
    assert diagnose(12.3456, expected=7.0, mistakes=())[1] == "wrong"


def test_rounded_too_early():
    status, diagnosis, message = diagnose(np.round(E, 4))
    assert diagnosis == "rounded" and "significant digits" in message


def test_plainly_wrong_points_at_furthest_entry():
    answer = E.copy()
    answer[1, 0] = 5.0
    answer[0, 1] = 0.09
    status, diagnosis, message = diagnose(answer)
    assert (status, diagnosis) == ("wrong", "wrong")
    assert "entry [1, 0]" in message and "2 of 4 entries differ" in message
    assert "too large" not in message and "%" not in message  # neither direction nor distance: no homing in


def test_plainly_wrong_single_number_gives_neither_direction_nor_the_answer():
    """"too large" would let a learner bisect their way to the answer without computing it."""
    status, diagnosis, message = diagnose(1.0, expected=-363.54, mistakes=())
    assert diagnosis == "wrong" and "too large" not in message and "363" not in message


def test_mistake_near_the_answer_does_not_hide_rounding():
    near = ("a slip that lands close", "", E * (1 + 1e-3))
    assert diagnose(np.round(E, 5), mistakes=(near,))[1] == "rounded"


# --- understanding what the learner passed ---------------------------------------------------

NOT_ANSWERED = [..., None, [..., ...], np.array([..., 1.0], dtype=object), [[1.0, None]]]


def stable_ids(values):
    """Test ids without memory addresses, so that every xdist worker collects the same names."""
    return [f"{i}-{type(v).__name__}" for i, v in enumerate(values)]


@pytest.mark.parametrize("value", NOT_ANSWERED, ids=stable_ids(NOT_ANSWERED))
def test_placeholders_are_not_answered(value):
    with pytest.raises(Unanswered):
        normalise(value)


BAD = [
    ("abc", "text"), ("-363.54", "without quotes"), (b"1", "text"), ({"a": 1}, "dict"), ({1.0}, "set"),
    (print, "function"), (lambda: 1, "function"), (True, "truth value"), (np.bool_(False), "truth value"),
    (float("nan"), "NaN"), (float("inf"), "infinity"), (-math.inf, "infinity"), ([1.0, float("nan")], "NaN"),
    (1 + 2j, "complex"), ([], "empty"), (np.array([]), "empty"), ([[1, 2], [3]], "different lengths"),
    (["1", 2], "text"), ([True, False], "True/False"), (np.array([True]), "True/False"),
    (np.array(["a"]), "not numbers"), (sp.nan, "not a finite number"), (sp.zoo, "not a finite number"),
    (sp.Eq(sp.Symbol("x"), 1), "equation"), (sp.true, "not an expression"), (object(), "cannot be checked"),
    (np.array([1 + 1j]), "complex"), (sp.Matrix([[sp.I]]), "complex"),
]


@pytest.mark.parametrize("value, words", BAD, ids=stable_ids([v for v, _ in BAD]))
def test_bad_input_gets_a_sentence(value, words):
    with pytest.raises(BadInput) as info:
        normalise(value)
    assert words in str(info.value)
    assert str(info.value).endswith(".")


GOOD = [
    (3, 3.0), (3.5, 3.5), (np.float32(2.5), 2.5), (np.int64(4), 4.0), (fractions.Fraction(1, 4), 0.25),
    (sp.Rational(1, 3), 1 / 3), (sp.Float(2.5), 2.5), (sp.sqrt(2), math.sqrt(2)), (1 + 0j, 1.0),
    ([1, 2], [1.0, 2.0]), ((1, 2), [1.0, 2.0]), ([[1, 2], [3, 4]], [[1, 2], [3, 4]]),
    (np.array([[1, 2]]), [[1.0, 2.0]]), (sp.Matrix([[1, 2], [3, 4]]), [[1, 2], [3, 4]]),
    ([sp.Rational(1, 2), 2], [0.5, 2.0]), (np.array([sp.Integer(1), 0.5], dtype=object), [1.0, 0.5]),
]


@pytest.mark.parametrize("value, as_array", GOOD, ids=stable_ids([v for v, _ in GOOD]))
def test_numbers_in_every_form_are_understood(value, as_array):
    kind, array = normalise(value)
    assert kind == "numeric"
    np.testing.assert_allclose(array, np.asarray(as_array, dtype=float))


def test_symbolic_inputs_stay_symbolic():
    x = sp.Symbol("x")
    assert normalise(x**2)[0] == "symbolic"
    assert normalise(sp.Matrix([[x, 0], [0, 1]]))[0] == "symbolic"
    assert normalise([x, 1])[0] == "symbolic"


# --- symbolic diagnoses ------------------------------------------------------------------------

x1, x2 = sp.symbols("x_1 x_2", real=True)
J = sp.Matrix([[-1 / x1**2, 0], [x2, -1 / x2**2]])


def test_equivalent_forms_are_correct():
    s = 1 / (1 + sp.exp(-x1))
    assert compare_symbolic(s * (1 - s), sp.exp(-x1) / (1 + sp.exp(-x1)) ** 2)[0] == "correct"


def test_symbols_match_by_name_whatever_their_assumptions():
    plain = sp.Symbol("x_1")  # no real=True
    assert compare_symbolic(2 * plain, 2 * x1)[0] == "correct"


def test_unknown_symbol_is_named():
    status, _, message = compare_symbolic(x1 + sp.Symbol("z"), x1 + x2)
    assert status == "invalid" and "z" in message and "x_1, x_2" in message


def test_symbolic_sign_factor_transpose_mistake_and_shape():
    assert compare_symbolic(-J, J)[1] == "sign"
    assert compare_symbolic(2 * J, J)[1] == "factor"
    assert compare_symbolic(J.T, J)[1] == "transposed"
    assert compare_symbolic(J[:, 0], J)[1] == "shape"
    slip = ("the diagonal only", "keep the off-diagonal entries", sp.diag(J[0, 0], J[1, 1]))
    assert compare_symbolic(sp.diag(J[0, 0], J[1, 1]), J, mistakes=(slip,))[1] == "mistake:the diagonal only"


def test_symbolic_wrong_matrix_names_first_differing_entry():
    wrong = J.copy()
    wrong[1, 0] = x1
    status, diagnosis, message = compare_symbolic(wrong, J)
    assert diagnosis == "wrong" and "[1, 0]" in message


# --- check(): the public surface ------------------------------------------------------------


def test_feedback_text_and_html():
    fb = check("1.1", ...)
    assert isinstance(fb, Feedback) and not fb and fb.status == "unanswered"
    assert str(fb).startswith("… Exercise 1.1: not answered yet")
    assert "<div" in fb._repr_html_() and "Exercise 1.1" in fb._repr_html_()


def test_check_correct_and_wrong():
    assert check("1.3", -2072.178)
    assert not check("1.3", 2072.178)
    assert check("1.3", 2072.178).diagnosis == "sign"


def test_a_numeric_id_is_refused_with_the_right_form():
    """3.10 as a float is 3.1: checking (and recording) exercise 3.1 for it would be a silent error."""
    fb = check(3.10, 1.0)
    assert fb.status == "invalid" and 'check("3.10"' in fb.message and not fb
    assert check(1.3, -2072.178).status == "invalid"


@pytest.mark.parametrize("bad_id", ["9.9", "1.1.1", "x"])
def test_unknown_exercise_is_a_sentence(bad_id):
    fb = check(bad_id, 1.0)
    assert fb.status == "invalid" and "there is no exercise" in fb.message and "the exercises are" in fb.message


@pytest.mark.parametrize("bad_id", ["", None, ["1.1"], object()])
def test_an_id_that_is_not_text_is_a_sentence(bad_id):
    fb = check(bad_id, 1.0)
    assert fb.status == "invalid" and "exercise" in fb.message and 'check("3.4"' in fb.message


def test_number_for_a_symbolic_exercise_and_symbols_for_a_numeric_one():
    # a number where a formula is asked is a wrong answer (a derivative can be a constant), told so
    fb = check("1.5", 3.0)
    assert fb.status == "wrong" and fb.diagnosis == "no-symbols" and "sympy symbols" in fb.message
    fb = check("1.3", sp.Symbol("a") * 2)
    assert fb.status == "invalid" and "substitute" in fb.message


def test_a_plainly_wrong_answer_points_to_the_hints():
    fb = check("1.1", 1.0)
    assert fb.diagnosis == "wrong" and 'hint("1.1")' in fb.message


def test_check_never_reads_the_callers_globals():
    # same answer, different surroundings: same verdict
    dC_dw = 123.0  # noqa: F841 -- a tempting global the checker must ignore
    assert check("1.3", -2072.178) and not check("1.3", None)


def test_lists_of_matrices_and_sympy_arrays():
    x = sp.Symbol("x_1")
    block = sp.Matrix([[x, 0], [0, x]])
    with pytest.raises(BadInput, match="vstack"):
        normalise([block, block])
    kind, array = normalise([sp.eye(2), 2 * sp.eye(2)])  # numbers: a 3-D array
    assert kind == "numeric" and array.shape == (2, 2, 2)
    assert normalise(sp.Array([[1, 2], [3, 4]]))[1].shape == (2, 2)
    assert normalise(sp.Array([[x, 1]]))[0] == "symbolic"


def test_expression_defined_nowhere_is_a_sentence():
    y = sp.Symbol("x_1")
    status, _, message = compare_symbolic(sp.zoo * y, 2 * y)
    assert status == "invalid" and "cannot be evaluated" in message
