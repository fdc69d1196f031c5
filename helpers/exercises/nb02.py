"""Notebook 02, Jacobians: elementwise maps, y = A x + b, and the chain rule (seed 001's appendix).

The course writes Jacobians in the numerator layout: ∂y/∂x has one row per entry of y and one
column per entry of x. Symbolic answers are built from symbols the notebook defines
(x_1, x_2, a_11 … a_22, g_1, g_2, t_1, t_2); the checker matches them by name.
"""

import numpy as np
import sympy as sp

from helpers import lessons
from helpers.checking import slips as S
from helpers.exercises import Exercise, Mistake, register
from helpers.symbolic import matrix_symbols, sigmoid, vector_symbols

x = vector_symbols("x", 2)          # x_1, x_2
A = matrix_symbols("a", 2, 2)       # a_11 … a_22
g = vector_symbols("g", 2)          # an upstream gradient ∂E/∂y, as a column
t = vector_symbols("t", 2)          # targets
X_NUM = lessons.two_layer().x       # the input of notebook 03's network, for the numeric 3-tensor


def _diag(f):
    """diag(f(x_1), f(x_2))."""
    return sp.diag(*[f(xi) for xi in x])


def _sig_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def _dy_dA_blocks():
    """∂y/∂A for y = A x + b, numerator layout: the blocks ∂y_1/∂A, ∂y_2/∂A stacked (4×2)."""
    y = A * x
    return sp.Matrix.vstack(*[sp.Matrix(2, 2, lambda j, k, i=i: sp.diff(y[i], A[j, k])) for i in range(2)])


def _dy_dA_tensor(xv):
    """T[i, j, k] = ∂y_i/∂A_jk = [i == j]·x_k, at the numbers xv."""
    return np.einsum("ij,k->ijk", np.eye(2), np.asarray(xv, dtype=float))


def _seed_block_labels(xv):
    """Seed 001's labels read literally: block 1 = [∂y1/∂a11, ∂y1/∂a12; ∂y2/∂a21, ∂y2/∂a22], block 2 the rest."""
    x1, x2 = xv
    return [[[x1, x2], [x1, x2]], [[0, 0], [0, 0]]]


def _chain_sigma_Ax():
    z = A * x
    return sp.diag(*[_sig_prime(zi) for zi in z]) * A


def _grad_E_x_row():
    z = A * x
    out = z.applyfunc(sigmoid)
    D = sp.diag(*[_sig_prime(zi) for zi in z])
    return (out - t).T * D * A


# --- the quantities a learner has at hand, and which ones they take one for another ---------------

b = vector_symbols("b", 2)
Q = S.Quantities()
Q.add("x", x, "x")
Q.add("A", A, "A")
Q.add("g", g, "g")
Q.add("t", t, "the target t")
Q.add("z", A * x, "z = A x")
Q.add("Aᵀx", A.T * x, "Aᵀ x")
Q.confuse_one_way("z", "x", "Aᵀx")
BLOCKS = [sp.Matrix(2, 2, lambda j, k, i=i: x[k] if j == i else 0) for i in range(2)]   # ∂y_i/∂A
SYMBOLS = tuple(sorted(set().union(*(m.free_symbols for m in (x, A, g, t, b))), key=lambda s: s.name))


def Work(label, trees=(), **kwargs):
    """A Work of this notebook: any of its symbols may appear in a wrong answer."""
    return S.Work(label, trees, symbols=SYMBOLS, **kwargs)


def _work_2_1():
    return Work("∂y/∂x for y = 1/x", (S.diag(-(Q["x"] ** -2).named("the derivative of 1/x_i")),), neighbours=(
        (sp.diag(*[1 / xi for xi in x]), "diag(1/x), y itself put on a diagonal, not its derivative"),
        (sp.diag(*[sp.log(xi) for xi in x]), "log x, a function whose derivative is 1/x: the exercise differentiates "
                                             "1/x itself"),))


def _work_2_2():
    inner = S.exp(-Q["x"]).named("e^(−x_i)")
    return Work("∂y/∂x for y = e^(−x)", (S.diag(-inner),), neighbours=(
        (sp.diag(*[-xi * sp.exp(-xi - 1) for xi in x]), "the power rule applied to e^(−x): e is a constant base, "
                                                         "the variable is in the exponent"),))


def _work_2_3():
    quotient = S.exp(-Q["x"]).named("the numerator, the inner derivative's e^(−x)") / (
        (1 + S.exp(-Q["x"])) ** 2).named("the denominator squared, from the quotient rule")
    product = S.sigmoid(Q["x"]).named("σ(x)") * (1 - S.sigmoid(Q["x"])).named("1 − σ(x)")
    return Work("∂σ(x)/∂x", (S.diag(quotient), S.diag(product)))


def _work_2_8():
    return Work("∇_A E = Σ_i g_i ∂y_i/∂A", (Q["g"].named("g, the upstream gradient") @ Q["x"].T,), neighbours=(
        (BLOCKS[0] + BLOCKS[1], "the blocks added without their weights g_1, g_2"),
        (sp.Matrix.vstack(g[0] * BLOCKS[0], g[1] * BLOCKS[1]), "the weighted blocks stacked, not added up"),))


def _work_2_9():
    slope_forms = (S.dsigmoid(Q["z"]), S.sigmoid(Q["z"]) * (1 - S.sigmoid(Q["z"])))
    return Work("∂σ(A x)/∂x", tuple(
        S.diag(form).named("∂σ/∂z, the sigmoid's Jacobian at z") @ Q["A"].named("∂z/∂x = A") for form in slope_forms))


def _work_2_10():
    out = (S.sigmoid(Q["z"]) - Q["t"]).named("a − t")
    return Work("∂E/∂x, a row", tuple(
        (out.T.named("∂E/∂a, a row") @ S.diag(form).named("∂a/∂z, the sigmoid's Jacobian at z")
         @ Q["A"].named("∂z/∂x = A")) for form in (S.dsigmoid(Q["z"]), S.sigmoid(Q["z"]) * (1 - S.sigmoid(Q["z"])))))


register(
    Exercise(
        "2.1", "∂y/∂x for y = 1/x (entry by entry), a 2×2 sympy Matrix in x_1, x_2",
        lambda: _diag(lambda xi: -1 / xi**2),
        mistakes=(
            Mistake("the minus sign of d(1/x)/dx lost",
                    "1/x = x⁻¹: the power rule brings the exponent down as a factor, minus sign included.",
                    lambda: _diag(lambda xi: 1 / xi**2)),
            Mistake("a full matrix for an elementwise map",
                    "y_1 = 1/x_1 does not depend on x_2, so ∂y_1/∂x_2 = 0: only the diagonal is non-zero.",
                    lambda: sp.Matrix(2, 2, lambda i, j: -1 / x[j] ** 2)),
        ),
        hints=("Entry [i, j] of the Jacobian is ∂y_i/∂x_j. Which x's does y_1 = 1/x_1 contain?",
               "Off the diagonal every entry is 0. On it you need d(1/u)/du: write 1/u as a power of u and use "
               "the power rule. sp.diag(d1, d2) builds a diagonal matrix."),
        work=_work_2_1,
    ),
    Exercise(
        "2.2", "∂y/∂x for y = e^(−x) (entry by entry), a 2×2 sympy Matrix in x_1, x_2",
        lambda: _diag(lambda xi: -sp.exp(-xi)),
        mistakes=(
            Mistake("the inner derivative −1 forgotten",
                    "e^(−x) is e^u with u = −x: the chain rule multiplies by du/dx as well.",
                    lambda: _diag(lambda xi: sp.exp(-xi))),
        ),
        hints=('Entry [i, j] is ∂y_i/∂x_j, and y_i = e^(−x_i) contains x_i only: a diagonal matrix.',
               'd/du e^(−u) needs the chain rule: the outer function e^v is its own derivative, and the inner '
               'function v = −u has a slope of its own.'),
        work=_work_2_2,
    ),
    Exercise(
        "2.3", "∂σ(x)/∂x for the sigmoid (entry by entry), a 2×2 sympy Matrix in x_1, x_2",
        lambda: _diag(_sig_prime),
        mistakes=(
            Mistake("seed 001's −Σ E_ii out e_i",
                    "That is −diag(σ(x)): the pattern of e^(−x)'s Jacobian with σ put in, a spurious minus "
                    "and a factor missing. Differentiate σ itself.",
                    lambda: _diag(lambda xi: -sigmoid(xi))),
            Mistake("the factor (1 − σ) forgotten",
                    "diag(σ(x)) is only the first factor of the sigmoid's slope.",
                    lambda: _diag(sigmoid)),
            Mistake("σ′ taken at the output",
                    "σ′ is taken at the input x; you applied it to σ(x), which puts σ in twice.",
                    lambda: _diag(lambda xi: _sig_prime(sigmoid(xi)))),
        ),
        hints=('The sigmoid acts entry by entry, like 1/x and e^(−x) above: the Jacobian is diagonal.',
               'σ(u) = 1/(1 + e^(−u)) = (1 + e^(−u))⁻¹: differentiate with the chain rule (2.1 and 2.2 give the '
               'two pieces), then rewrite the result with σ(u) alone, as sigma(x1) and sigma(x2).'),
        work=_work_2_3,
    ),
    Exercise(
        "2.4", "∂y/∂x for y = A x + b, a 2×2 sympy Matrix in a_11 … a_22",
        lambda: sp.Matrix(A),
        mistakes=(
            Mistake("the denominator layout (Aᵀ)",
                    "Your matrix has ∂y_i/∂x_j in row j, column i: the denominator layout, which seed 001's "
                    "appendix (2) uses. The course's numerator layout puts output i in row i.",
                    lambda: sp.Matrix(A).T),
        ),
        hints=('Write y_1 and y_2 out in full (the cell above shows them) and differentiate each by x_1 and by x_2.',
               "∂y_1/∂x_1 is the coefficient of x_1 in y_1 (the other terms do not contain x_1). Find the four "
               "coefficients and place them by the numerator layout: row i for y_i, column j for x_j."),
        work=lambda: Work("∂y/∂x for y = A x + b", (Q["A"].named("A"),), neighbours=(
            (A * x + b, "y = A x + b itself, not its derivative"),
            (A * x, "A x, the part of y that depends on x, not its derivative"),
            (sp.Matrix([A[0, 0] + A[0, 1], A[1, 0] + A[1, 1]]),
             "each row of the Jacobian added up: the Jacobian keeps ∂y_i/∂x_j for every pair apart"),)),
    ),
    Exercise(
        "2.5", "∂y/∂b for y = A x + b, a 2×2 matrix (numbers or a sympy Matrix)",
        lambda: np.eye(2),
        mistakes=(
            Mistake("a vector of ones",
                    "The derivative of two outputs by two biases has 2 × 2 entries, one per pair (y_i, b_j), "
                    "so it is a 2×2 matrix, not a vector.", lambda: np.ones(2)),
            Mistake("a matrix of ones",
                    "y_1 = … + b_1 does not depend on b_2: off the diagonal the entries vanish.",
                    lambda: np.ones((2, 2))),
        ),
        hints=('Write y_i = a_i1 x_1 + a_i2 x_2 + b_i: which of b_1, b_2 does each y_i contain?',
               'Two outputs and two biases: a 2×2 matrix whose entry [i, j] is ∂y_i/∂b_j. For each pair, is b_j '
               'in y_i at all, and with which coefficient?'),
        work=lambda: Work("∂y/∂b", ()),
    ),
    Exercise(
        "2.6", "∂y/∂A for y = A x + b: the blocks ∂y_1/∂A and ∂y_2/∂A stacked, a 4×2 sympy Matrix in x_1, x_2",
        _dy_dA_blocks,
        mistakes=(
            Mistake("seed 001's block labels",
                    "The seed's first block mixes ∂y_1/∂a_1k with ∂y_2/∂a_2k. Block i holds ∂y_i/∂a_jk for "
                    "all j, k: y_1 depends on the first row of A only.",
                    lambda: sp.Matrix([[x[0], x[1]], [x[0], x[1]], [0, 0], [0, 0]])),
            Mistake("each block transposed",
                    "Entry [j, k] of block i is ∂y_i/∂a_jk: it follows a_jk, whose column index k is the index "
                    "of the x it multiplies.",
                    lambda: sp.Matrix.vstack(*[sp.Matrix(2, 2, lambda j, k, i=i: x[j] if k == i else 0) for i in range(2)])),
            Mistake("the blocks in the wrong order",
                    "The first block is ∂y_1/∂A, and y_1 involves the first row of A.",
                    lambda: sp.Matrix.vstack(_dy_dA_blocks()[2:, :], _dy_dA_blocks()[:2, :])),
        ),
        hints=('Block i is the 2×2 matrix of ∂y_i/∂a_jk: row j, column k. Start with y_1 = a_11 x_1 + a_12 x_2 + b_1.',
               "y_i contains only row i of A, so in block i every row j ≠ i is zero. What is ∂y_i/∂a_ik, the "
               "derivative by the weight that multiplies x_k?"),
        work=lambda: Work("∂y/∂A, the two blocks stacked", (), neighbours=(
            (sp.Matrix.hstack(*BLOCKS), "the two blocks side by side: the exercise stacks them, one above the other "
                                        "(sp.Matrix.vstack)"),)),
    ),
    Exercise(
        "2.7", "∂y/∂A at x = (0.05, 0.1) as a numpy array T of shape (2, 2, 2), T[i, j, k] = ∂y_i/∂a_jk",
        lambda: _dy_dA_tensor(X_NUM),
        mistakes=(
            Mistake("seed 001's block labels",
                    "With the seed's labels T[0] would have both rows filled; but ∂y_1/∂a_2k = 0.",
                    lambda: np.array(_seed_block_labels(X_NUM), dtype=float)),
            Mistake("the derivative's index last",
                    "The course puts the index of y first: T[i] is the block ∂y_i/∂A.",
                    lambda: _dy_dA_tensor(X_NUM).transpose(1, 2, 0)),
        ),
        hints=('Same object as 2.6, now as a (2, 2, 2) array at x = x_num: T[i] is the block of y_i.',
               "Start from np.zeros((2, 2, 2)); block i has one non-zero row (which one, by 2.6?), and that row "
               "holds the numbers of x_num."),
        work=lambda: Work("∂y/∂A as a (2, 2, 2) array", (), neighbours=(
            (np.broadcast_to(X_NUM, (2, 2, 2)).copy(), "x in every row of every block: block i is zero outside "
                                                       "its row i"),)),
    ),
    Exercise(
        "2.8", "∇_A E = Σ_i g_i ∂y_i/∂A for an upstream gradient g = ∇_y E, a 2×2 sympy Matrix (shaped like A) in g_1, g_2, x_1, x_2",
        lambda: g * x.T,
        mistakes=(
            Mistake("the outer product in the wrong order",
                    "Entry [j, k] follows a_jk: the row index j comes from the g of output j, the column index k "
                    "from the x_k that a_jk multiplies. Yours has them the other way round.",
                    lambda: x * g.T),
            Mistake("one term of the sum",
                    "E depends on A through both y_1 and y_2: the sum has a term for each.",
                    lambda: sp.Matrix([[g[0] * x[0], g[0] * x[1]], [0, 0]])),
        ),
        hints=('Scale block i of 2.6 by g_i and add the two blocks.',
               "Entry [j, k] of the sum is Σ_i g_i · (entry [j, k] of block i). Only one block has a non-zero "
               "row j: which, and what is left of the sum? Then look for the product that builds that table."),
        work=_work_2_8,
    ),
    Exercise(
        "2.9", "∂σ(A x)/∂x by the chain rule, a 2×2 sympy Matrix in a_11 … a_22, x_1, x_2",
        _chain_sigma_Ax,
        mistakes=(
            Mistake("the product in the wrong order",
                    "In the numerator layout the chain is written from the output back: the outer function's "
                    "Jacobian comes first, then the inner one's.",
                    lambda: sp.Matrix(A) * sp.diag(*[_sig_prime(zi) for zi in A * x])),
            Mistake("the denominator layout",
                    "Aᵀ and the product in the other order give the transpose of the answer: the denominator "
                    "layout's order and shapes.",
                    lambda: sp.Matrix(A).T * sp.diag(*[_sig_prime(zi) for zi in A * x])),
            Mistake("σ′ forgotten",
                    "The sigmoid's own Jacobian is a factor of the chain.",
                    lambda: sp.Matrix(A)),
        ),
        hints=("Two maps in a row: z = A x, then σ(z). Their Jacobians are 2.4's (without b) and 2.3's (at z).",
               "In the numerator layout the chain rule multiplies the Jacobians from the last map back to the "
               "first. Evaluate 2.3's Jacobian at z = A x, not at x, and mind the order of the product."),
        work=_work_2_9,
    ),
    Exercise(
        "2.10", "∂E/∂x for E = ½‖σ(A x) − t‖², a 1×2 row (numerator layout), a sympy Matrix",
        _grad_E_x_row,
        mistakes=(
            Mistake("σ′ forgotten",
                    "Between ∂E/∂a (a row) and ∂z/∂x = A sits the sigmoid's own Jacobian.",
                    lambda: ((A * x).applyfunc(sigmoid) - t).T * A),
            Mistake("the Jacobians multiplied in the wrong order",
                    "Start from the loss and go back: ∂E/∂a first, then ∂a/∂z, then ∂z/∂x.",
                    lambda: ((A * x).applyfunc(sigmoid) - t).T * A * sp.diag(*[_sig_prime(zi) for zi in A * x])),
        ),
        hints=('Three Jacobians, from the loss backwards: ∂E/∂a, then ∂a/∂z, then ∂z/∂x, with a = σ(z) and z = A x.',
               "Their shapes are 1×2, 2×2 and 2×2, multiplied in that order; 2.9 already holds the last two. "
               "∂E/∂a is given above the exercise, as a row (.T of a column)."),
        work=_work_2_10,
    ),
)
