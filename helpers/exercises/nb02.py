"""Notebook 02, Jacobians: elementwise maps, y = A x + b, and the chain rule (seed 001's appendix).

The course writes Jacobians in the numerator layout: ∂y/∂x has one row per entry of y and one
column per entry of x. Symbolic answers are built from symbols the notebook defines
(x_1, x_2, a_11 … a_22, g_1, g_2, t_1, t_2); the checker matches them by name.
"""

import numpy as np
import sympy as sp

from helpers import lessons
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


register(
    Exercise(
        "2.1", "∂y/∂x for y = 1/x (entry by entry), a 2×2 sympy Matrix in x_1, x_2",
        lambda: _diag(lambda xi: -1 / xi**2),
        mistakes=(
            Mistake("the minus sign of d(1/x)/dx lost",
                    "1/x = x⁻¹, so its derivative is −x⁻² = −1/x²: the diagonal is negative.",
                    lambda: _diag(lambda xi: 1 / xi**2)),
            Mistake("a full matrix for an elementwise map",
                    "y_1 = 1/x_1 does not depend on x_2, so ∂y_1/∂x_2 = 0: only the diagonal is non-zero.",
                    lambda: sp.Matrix(2, 2, lambda i, j: -1 / x[j] ** 2)),
        ),
        hint="Entry [i, j] is ∂y_i/∂x_j; y_i depends on x_i alone.",
        hints=("Entry [i, j] of the Jacobian is ∂y_i/∂x_j. Which x's does y_1 = 1/x_1 contain?",
               'Off the diagonal every entry is 0; on it, d(1/u)/du = −1/u². sp.diag(d1, d2) builds the matrix.'),
    ),
    Exercise(
        "2.2", "∂y/∂x for y = e^(−x) (entry by entry), a 2×2 sympy Matrix in x_1, x_2",
        lambda: _diag(lambda xi: -sp.exp(-xi)),
        mistakes=(
            Mistake("the inner derivative −1 forgotten",
                    "d/dx e^(−x) = e^(−x)·d(−x)/dx = −e^(−x): the chain rule brings a −1.",
                    lambda: _diag(lambda xi: sp.exp(-xi))),
        ),
        hint="Entry [i, j] is ∂y_i/∂x_j; y_i depends on x_i alone.",
        hints=('Entry [i, j] is ∂y_i/∂x_j, and y_i = e^(−x_i) contains x_i only: a diagonal matrix.',
               'd/du e^(−u) needs the chain rule: the inner function −u has slope −1.'),
    ),
    Exercise(
        "2.3", "∂σ(x)/∂x for the sigmoid (entry by entry), a 2×2 sympy Matrix in x_1, x_2",
        lambda: _diag(_sig_prime),
        mistakes=(
            Mistake("seed 001's −Σ E_ii out e_i",
                    "That is −diag(σ(x)): the pattern of e^(−x)'s Jacobian with σ put in, a spurious minus "
                    "and no factor (1 − σ). The sigmoid's is diag(σ(x) ⊙ (1 − σ(x))).",
                    lambda: _diag(lambda xi: -sigmoid(xi))),
            Mistake("the factor (1 − σ) forgotten",
                    "σ′(x) = σ(x)(1 − σ(x)); diag(σ(x)) is only the first factor.",
                    lambda: _diag(sigmoid)),
            Mistake("σ′ taken at the output",
                    "σ′ is σ(x)(1 − σ(x)) at the input x; you applied σ′ to σ(x), i.e. σ(σ(x))(1 − σ(σ(x))).",
                    lambda: _diag(lambda xi: _sig_prime(sigmoid(xi)))),
        ),
        hint="σ(x) = 1/(1 + e^(−x)); differentiate with the chain rule, or sp.diff, and write the result with σ.",
        hints=('The sigmoid acts entry by entry, like 1/x and e^(−x) above: the Jacobian is diagonal.',
               'Each diagonal entry is σ′(x_i) = σ(x_i)(1 − σ(x_i)): use sigma(x1) and sigma(x2).'),
    ),
    Exercise(
        "2.4", "∂y/∂x for y = A x + b, a 2×2 sympy Matrix in a_11 … a_22",
        lambda: sp.Matrix(A),
        mistakes=(
            Mistake("the denominator layout (Aᵀ)",
                    "Entry [i, j] of the course's Jacobian is ∂y_i/∂x_j = a_ij, so the answer is A itself; "
                    "Aᵀ is the same derivative in the denominator layout, which seed 001's appendix (2) uses.",
                    lambda: sp.Matrix(A).T),
        ),
        hint="y_i = a_i1 x_1 + a_i2 x_2 + b_i: differentiate it by x_j.",
        hints=('Write y_1 and y_2 out in full (the cell above shows them) and differentiate each by x_1 and by x_2.',
               '∂y_i/∂x_j = a_ij: row i of the Jacobian is row i of A (numerator layout: one row per output).'),
    ),
    Exercise(
        "2.5", "∂y/∂b for y = A x + b, a 2×2 matrix (numbers or a sympy Matrix)",
        lambda: np.eye(2),
        mistakes=(
            Mistake("a vector of ones",
                    "The derivative of two outputs by two biases has 2 × 2 entries, one per pair (y_i, b_j), "
                    "so it is a 2×2 matrix, not a vector.", lambda: np.ones(2)),
            Mistake("a matrix of ones",
                    "y_1 = … + b_1 does not depend on b_2: the off-diagonal entries are 0.",
                    lambda: np.ones((2, 2))),
        ),
        hints=('Write y_i = a_i1 x_1 + a_i2 x_2 + b_i: which of b_1, b_2 does each y_i contain?',
               'Two outputs and two biases: a 2×2 matrix whose entry [i, j] is ∂y_i/∂b_j; differentiate y_i by each b_j.'),
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
                    "Entry [j, k] of block i is ∂y_i/∂a_jk, which is x_k when j = i: the x's run along a row.",
                    lambda: sp.Matrix.vstack(*[sp.Matrix(2, 2, lambda j, k, i=i: x[j] if k == i else 0) for i in range(2)])),
            Mistake("the blocks in the wrong order",
                    "The first block is ∂y_1/∂A, and y_1 = a_11 x_1 + a_12 x_2 + b_1 involves the first row of A.",
                    lambda: sp.Matrix.vstack(_dy_dA_blocks()[2:, :], _dy_dA_blocks()[:2, :])),
        ),
        hint="y_i = a_i1 x_1 + a_i2 x_2 + b_i: block i is the 2×2 matrix of ∂y_i/∂a_jk.",
        hints=('Block i is the 2×2 matrix of ∂y_i/∂a_jk: row j, column k. Start with y_1 = a_11 x_1 + a_12 x_2 + b_1.',
               'y_i contains only row i of A, so block i is zero except its row i, which is (x_1, x_2): e_i xᵀ.'),
    ),
    Exercise(
        "2.7", "∂y/∂A at x = (0.05, 0.1) as a numpy array T of shape (2, 2, 2), T[i, j, k] = ∂y_i/∂a_jk",
        lambda: _dy_dA_tensor(X_NUM),
        mistakes=(
            Mistake("seed 001's block labels",
                    "With the seed's labels T[0] would be [[x_1, x_2], [x_1, x_2]]; but ∂y_1/∂a_2k = 0.",
                    lambda: np.array(_seed_block_labels(X_NUM), dtype=float)),
            Mistake("the derivative's index last",
                    "The course puts the index of y first: T[i] is the block ∂y_i/∂A.",
                    lambda: _dy_dA_tensor(X_NUM).transpose(1, 2, 0)),
        ),
        hint="T[i, j, k] is x_k when i == j and 0 otherwise (np.einsum('ij,k->ijk', np.eye(2), x) builds it).",
        hints=('Same object as 2.6, now as a (2, 2, 2) array at x = x_num: T[i] is the block of y_i.',
               'T[i, j, k] = x_k when i == j and 0 otherwise: start from np.zeros((2, 2, 2)) and fill two rows.'),
    ),
    Exercise(
        "2.8", "∇_A E = Σ_i g_i ∂y_i/∂A for an upstream gradient g = ∇_y E, a 2×2 sympy Matrix (shaped like A) in g_1, g_2, x_1, x_2",
        lambda: g * x.T,
        mistakes=(
            Mistake("the outer product in the wrong order",
                    "Entry [j, k] is g_j x_k: the gradient has the shape of A, rows from g, columns from x: g xᵀ.",
                    lambda: x * g.T),
            Mistake("one term of the sum",
                    "E depends on A through both y_1 and y_2: add g_2 ∂y_2/∂A as well.",
                    lambda: sp.Matrix([[g[0] * x[0], g[0] * x[1]], [0, 0]])),
        ),
        hint="Multiply block i by g_i and add the blocks.",
        hints=('Scale block i of 2.6 by g_i and add the two blocks.',
               'Entry [j, k] is Σ_i g_i [i = j] x_k = g_j x_k: rows from g, columns from x, an outer product.'),
    ),
    Exercise(
        "2.9", "∂σ(A x)/∂x by the chain rule, a 2×2 sympy Matrix in a_11 … a_22, x_1, x_2",
        _chain_sigma_Ax,
        mistakes=(
            Mistake("the product in the wrong order",
                    "In the numerator layout the outer function's Jacobian comes first: "
                    "∂σ/∂z · ∂z/∂x = diag(σ′(z)) A, not A diag(σ′(z)).",
                    lambda: sp.Matrix(A) * sp.diag(*[_sig_prime(zi) for zi in A * x])),
            Mistake("the denominator layout",
                    "Aᵀ diag(σ′(z)) is the transpose of the answer: the denominator layout's order and shapes.",
                    lambda: sp.Matrix(A).T * sp.diag(*[_sig_prime(zi) for zi in A * x])),
            Mistake("σ′ forgotten",
                    "The sigmoid's own Jacobian diag(σ′(z)) is a factor of the chain.",
                    lambda: sp.Matrix(A)),
        ),
        hint="z = A x, then σ(z): the chain is ∂σ/∂z · ∂z/∂x, with z = A x inside σ′.",
        hints=("Two maps in a row: z = A x, then σ(z). Their Jacobians are 2.4's (without b) and 2.3's (at z).",
               "Numerator layout: the last map's Jacobian first, ∂σ/∂z · ∂z/∂x = diag(σ′(z)) · A, with z = A x."),
    ),
    Exercise(
        "2.10", "∂E/∂x for E = ½‖σ(A x) − t‖², a 1×2 row (numerator layout), a sympy Matrix",
        _grad_E_x_row,
        mistakes=(
            Mistake("σ′ forgotten",
                    "Between ∂E/∂out = (σ(z) − t)ᵀ and ∂z/∂x = A sits the sigmoid's Jacobian diag(σ′(z)).",
                    lambda: ((A * x).applyfunc(sigmoid) - t).T * A),
            Mistake("the Jacobians multiplied in the wrong order",
                    "Start from the loss: ∂E/∂out · ∂out/∂z · ∂z/∂x = (σ(z) − t)ᵀ diag(σ′(z)) A.",
                    lambda: ((A * x).applyfunc(sigmoid) - t).T * A * sp.diag(*[_sig_prime(zi) for zi in A * x])),
        ),
        hint="Three Jacobians: ∂E/∂out (1×2), ∂out/∂z (2×2, diagonal), ∂z/∂x (2×2).",
        hints=('Three Jacobians, from the loss backwards: ∂E/∂a, then ∂a/∂z, then ∂z/∂x, with a = σ(z) and z = A x.',
               '∂E/∂a = (a − t)ᵀ is 1×2, ∂a/∂z = diag(σ′(z)) is 2×2, ∂z/∂x = A is 2×2: (a − t)ᵀ diag(σ′(z)) A.'),
    ),
)
