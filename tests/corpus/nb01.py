"""Mistakes learners make in notebook 01 (one weight), each computed the way a learner computes it
from the notebook's own inputs: x, w0, t, eta from lessons.one_weight(), the sympy symbols of
section 3, and L.chain for the two-weight chain.

Each case: (exercise, what the learner did, the answer as the learner computes it, the diagnosis
check must give). See tests/test_mistake_corpus.py.
"""

import sympy as sp

from helpers import lessons

L = lessons.one_weight()
x, w0, t, eta = L.a, L.w, L.y, L.rate
x_s, w_s, t_s, eta_s = sp.symbols("x w t eta", real=True)
E_s = (x_s * w_s - t_s) ** 2
c = L.chain
a1 = c.a0 * c.w1              # the chain's hidden output
a2 = a1 * c.w2                # and its output


def dE_da():
    return 2 * (x * w0 - t)


def dE_dw():
    return x * 2 * (x * w0 - t)


CASES = [
    # 1.1 ∂E/∂a
    ("1.1", "forgot the 2 of the square", lambda: x * w0 - t, "slip:missing-factor"),
    ("1.1", "differentiated (t − a)² the other way round", lambda: 2 * (t - x * w0), "sign"),
    ("1.1", "went on to ∂E/∂w", lambda: x * 2 * (x * w0 - t), "neighbour"),
    ("1.1", "gave the error E itself", lambda: (x * w0 - t) ** 2, "neighbour"),
    ("1.1", "2 times a, minus t (brackets)", lambda: 2 * x * w0 - t, "slip:brackets"),
    ("1.1", "used the weight for the output", lambda: 2 * (w0 - t), "slip:swapped"),
    ("1.1", "used the input for the output", lambda: 2 * (x - t), "slip:swapped"),
    ("1.1", "forgot the target", lambda: 2 * x * w0, "slip:missing-term"),
    # 1.2 ∂a/∂w
    ("1.2", "differentiated x·w by x", lambda: w0, "slip:wrong-variable"),
    ("1.2", "seed 000's a for ∂a/∂w", lambda: x * w0, "mistake:seed 000's slip ∂a/∂w = a"),
    ("1.2", "the slope of w alone", lambda: 1.0, "neighbour"),
    ("1.2", "gave ∂E/∂a", lambda: 2 * (x * w0 - t), "neighbour"),
    ("1.2", "gave ∂E/∂w", lambda: x * 2 * (x * w0 - t), "neighbour"),
    ("1.2", "gave E", lambda: (x * w0 - t) ** 2, "neighbour"),
    # 1.3 ∂E/∂w
    ("1.3", "only ∂E/∂a", lambda: 2 * (x * w0 - t), "mistake:∂E/∂a instead of ∂E/∂w"),
    ("1.3", "seed 000's chain with a", lambda: x * w0 * 2 * (x * w0 - t), "mistake:seed 000's slip ∂a/∂w = a"),
    ("1.3", "∂a/∂w taken as w (the derivative by x)", lambda: w0 * 2 * (x * w0 - t), "slip:wrong-variable"),
    ("1.3", "forgot the 2", lambda: x * (x * w0 - t), "slip:missing-factor"),
    ("1.3", "x twice", lambda: x * x * 2 * (x * w0 - t), "slip:extra-factor"),
    ("1.3", "multiplied in the learning rate", lambda: eta * x * 2 * (x * w0 - t), "slip:extra-factor"),
    ("1.3", "sign of the difference", lambda: x * 2 * (t - x * w0), "sign"),
    ("1.3", "the product of the wrong 1.1 and a right 1.2", lambda: (x * w0 - t) * x, "upstream:1.1",
     {"1.1": x * w0 - t, "1.2": x}),
    # 1.4 one step
    ("1.4", "the gradient without ∂a/∂w", lambda: w0 - eta * 2 * (x * w0 - t), "slip:missing-factor"),
    ("1.4", "the gradient without the 2", lambda: w0 - eta * x * (x * w0 - t), "slip:missing-factor"),
    ("1.4", "seed 000's gradient in the step", lambda: w0 - eta * x * w0 * 2 * (x * w0 - t), "slip:swapped"),
    ("1.4", "the step alone, without w0", lambda: -eta * dE_dw(), "slip:missing-term"),
    ("1.4", "uphill", lambda: w0 + eta * dE_dw(), "mistake:a step uphill (gradient ascent)"),
    ("1.4", "η left out", lambda: w0 - dE_dw(), "mistake:the learning rate left out"),
    ("1.4", "x twice in the gradient", lambda: w0 - eta * x * x * 2 * (x * w0 - t), "slip:extra-factor"),
    ("1.4", "the step from the wrong gradient of 1.3", lambda: w0 - eta * 2 * (x * w0 - t), "upstream:1.3",
     {"1.3": 2 * (x * w0 - t)}),
    # 1.5 the update rule
    ("1.5", "no x from ∂a/∂w", lambda: w_s - eta_s * 2 * (x_s * w_s - t_s), "slip:missing-factor"),
    ("1.5", "no 2", lambda: w_s - eta_s * x_s * (x_s * w_s - t_s), "slip:missing-factor"),
    ("1.5", "differentiated by x", lambda: w_s - eta_s * sp.diff(E_s, x_s), "slip:wrong-variable"),
    ("1.5", "E in place of its derivative", lambda: w_s - eta_s * E_s, "slip:not-differentiated"),
    ("1.5", "no η", lambda: w_s - sp.diff(E_s, w_s), "slip:missing-factor"),
    ("1.5", "the target dropped", lambda: w_s - eta_s * 2 * x_s * x_s * w_s, "slip:missing-term"),
    ("1.5", "seed 000's a for ∂a/∂w", lambda: w_s - eta_s * 2 * x_s * w_s * (x_s * w_s - t_s),
     "mistake:seed 000's slip ∂a/∂w = a"),
    ("1.5", "ascent", lambda: w_s + eta_s * sp.diff(E_s, w_s), "mistake:a step uphill (gradient ascent)"),
    # 1.6 the factor q
    ("1.6", "x not squared", lambda: 1 - 2 * eta * x, "slip:power"),
    ("1.6", "plus where minus belongs", lambda: 1 + 2 * eta * x**2, "slip:sign"),
    ("1.6", "without the 1", lambda: 2 * eta * x**2, "slip:missing-term"),
    ("1.6", "no 2 and x not squared", lambda: 1 - eta * x, "slip:missing-factor+power"),
    ("1.6", "no η", lambda: 1 - 2 * x**2, "slip:missing-factor"),
    ("1.6", "the weight in place of x", lambda: 1 - 2 * eta * w0**2, "slip:swapped"),
    ("1.6", "the 2 of the square left out", lambda: 1 - eta * x**2, "mistake:the 2 of the square left out"),
    # 1.7 the edge of divergence
    ("1.7", "x not squared", lambda: 1 / x, "slip:power"),
    ("1.7", "solved 1 − ηx² = −1", lambda: 2 / x**2, "slip:missing-factor"),
    ("1.7", "the fraction upside down", lambda: x**2, "slip:inverted"),
    ("1.7", "q = 0, not q = −1", lambda: 1 / (2 * x**2), "mistake:the edge of monotone convergence"),
    ("1.7", "rounded to three digits", lambda: 0.0308, "rounded"),
    ("1.7", "a minus sign too many", lambda: -1 / x**2, "sign"),
    # 1.8 the two-weight chain
    ("1.8", "the middle link w⁽²⁾ forgotten", lambda: c.a0 * 2 * (a2 - c.y), "slip:missing-factor"),
    ("1.8", "∂E/∂w⁽²⁾ instead", lambda: a1 * 2 * (a2 - c.y), "neighbour"),
    ("1.8", "no 2", lambda: c.a0 * c.w2 * (a2 - c.y), "slip:missing-factor"),
    ("1.8", "the hidden output in the last link", lambda: c.a0 * c.w2 * 2 * (a1 - c.y), "slip:swapped"),
    ("1.8", "only the last link", lambda: 2 * (a2 - c.y), "neighbour"),
    ("1.8", "w⁽¹⁾ where x belongs", lambda: c.w1 * c.w2 * 2 * (a2 - c.y), "slip:swapped"),
    ("1.8", "seed 000's four factors", lambda: c.a0 * c.w2 * 2 * (a2 - c.y) * a1, "mistake:seed 000's four-factor chain"),
]
