"""Held-out mistakes of notebook 02 (see nb00.py and tools/corpus.py --heldout)."""

import numpy as np
import sympy as sp

from helpers import lessons, symbolic

x1, x2 = sp.symbols("x_1 x_2", real=True)
x = sp.Matrix([x1, x2])
sigma = symbolic.sigmoid
A = symbolic.matrix_symbols("a", 2, 2)
b = symbolic.vector_symbols("b", 2)
g_sym = symbolic.vector_symbols("g", 2)
t = symbolic.vector_symbols("t", 2)
z = A * x
x_num = lessons.two_layer().x


def d(v):
    return sigma(v) * (1 - sigma(v))


sig_jac = sp.diag(d(z[0]), d(z[1]))
block1 = sp.Matrix([[x1, x2], [0, 0]])
block2 = sp.Matrix([[0, 0], [x1, x2]])


def tensor(fill):
    T = np.zeros((2, 2, 2))
    fill(T)
    return T


def _t_wrong_axis(T):
    T[0, :, 0] = x_num
    T[1, :, 1] = x_num


def _t_everywhere(T):
    T[:, :, :] = x_num


def _t_ones(T):
    T[0, 0, :] = 1
    T[1, 1, :] = 1


def _t_reversed(T):
    T[0, 0, :] = x_num[::-1]
    T[1, 1, :] = x_num[::-1]


def _t_swapped_rows(T):
    T[0, 1, :] = x_num
    T[1, 0, :] = x_num


CASES = [
    ("2.1", "sign", lambda: sp.diag(1 / x1**2, 1 / x2**2), "*"),
    ("2.1", "not squared", lambda: sp.diag(-1 / x1, -1 / x2), "*"),
    ("2.1", "every entry filled", lambda: sp.Matrix([[-1 / x1**2, -1 / x2**2], [-1 / x1**2, -1 / x2**2]]), "*"),
    ("2.1", "log for the derivative", lambda: sp.diag(sp.log(x1), sp.log(x2)), "*"),
    ("2.1", "a column, not a matrix", lambda: sp.Matrix([-1 / x1**2, -1 / x2**2]), "*"),
    ("2.1", "x1 in both", lambda: sp.diag(-1 / x1**2, -1 / x1**2), "*"),

    ("2.2", "forgot the inner −1", lambda: sp.diag(sp.exp(-x1), sp.exp(-x2)), "*"),
    ("2.2", "e^x", lambda: sp.diag(-sp.exp(x1), -sp.exp(x2)), "*"),
    ("2.2", "u·e^u", lambda: sp.diag(-x1 * sp.exp(-x1), -x2 * sp.exp(-x2)), "*"),
    ("2.2", "a column", lambda: sp.Matrix([-sp.exp(-x1), -sp.exp(-x2)]), "*"),
    ("2.2", "every entry filled", lambda: sp.Matrix([[-sp.exp(-x1), -sp.exp(-x2)], [-sp.exp(-x1), -sp.exp(-x2)]]), "*"),
    ("2.2", "−I", lambda: -sp.eye(2), "*"),

    ("2.3", "σ itself", lambda: sp.diag(sigma(x1), sigma(x2)), "*"),
    ("2.3", "σ(x)(1 − x)", lambda: sp.diag(sigma(x1) * (1 - x1), sigma(x2) * (1 - x2)), "*"),
    ("2.3", "quotient rule, denominator not squared", lambda: sp.diag(sp.exp(-x1) / (1 + sp.exp(-x1)), sp.exp(-x2) / (1 + sp.exp(-x2))), "*"),
    ("2.3", "every entry filled", lambda: sp.Matrix([[d(x1), d(x2)], [d(x1), d(x2)]]), "*"),
    ("2.3", "a column", lambda: sp.Matrix([d(x1), d(x2)]), "*"),
    ("2.3", "x1 in both", lambda: sp.diag(d(x1), d(x1)), "*"),
    ("2.3", "the softmax's form diag(s) − s sᵀ", lambda: sp.diag(sigma(x1), sigma(x2)) - sp.Matrix([sigma(x1), sigma(x2)]) * sp.Matrix([[sigma(x1), sigma(x2)]]), "*"),

    ("2.4", "Aᵀ (denominator layout)", lambda: A.T, "*"),
    ("2.4", "the identity", lambda: sp.eye(2), "*"),
    ("2.4", "x in every row", lambda: sp.Matrix([[x1, x2], [x1, x2]]), "*"),
    ("2.4", "Ax", lambda: A * x, "*"),
    ("2.4", "the diagonal of A", lambda: sp.diag(A[0, 0], A[1, 1]), "*"),

    ("2.5", "A", lambda: A, "*"),
    ("2.5", "zeros", lambda: sp.zeros(2, 2), "*"),
    ("2.5", "ones", lambda: sp.ones(2, 2), "*"),
    ("2.5", "diag(b)", lambda: sp.diag(b[0], b[1]), "*"),
    ("2.5", "a column of ones", lambda: sp.Matrix([1, 1]), "*"),
    ("2.5", "the number 1", lambda: 1, "*"),

    ("2.6", "blocks in the wrong order", lambda: sp.Matrix.vstack(block2, block1), "*"),
    ("2.6", "x in columns", lambda: sp.Matrix.vstack(sp.Matrix([[x1, 0], [x2, 0]]), sp.Matrix([[0, x1], [0, x2]])), "*"),
    ("2.6", "A's entries for x", lambda: sp.Matrix.vstack(sp.Matrix([[A[0, 0], A[0, 1]], [0, 0]]), sp.Matrix([[0, 0], [A[1, 0], A[1, 1]]])), "*"),
    ("2.6", "x in both rows of both blocks", lambda: sp.Matrix.vstack(sp.Matrix([[x1, x2], [x1, x2]]), sp.Matrix([[x1, x2], [x1, x2]])), "*"),
    ("2.6", "hstack", lambda: sp.Matrix.hstack(block1, block2), "*"),
    ("2.6", "ones for x", lambda: sp.Matrix.vstack(sp.Matrix([[1, 1], [0, 0]]), sp.Matrix([[0, 0], [1, 1]])), "*"),

    ("2.7", "x along the middle axis", lambda: tensor(_t_wrong_axis), "*"),
    ("2.7", "x everywhere", lambda: tensor(_t_everywhere), "*"),
    ("2.7", "ones for x", lambda: tensor(_t_ones), "*"),
    ("2.7", "x reversed", lambda: tensor(_t_reversed), "*"),
    ("2.7", "rows swapped", lambda: tensor(_t_swapped_rows), "*"),
    ("2.7", "the 4×2 vstack as numbers", lambda: np.vstack([[x_num, [0, 0]], [[0, 0], x_num]]).reshape(4, 2), "*"),

    ("2.8", "x gᵀ", lambda: x * g_sym.T, "*"),
    ("2.8", "g ⊙ x", lambda: sp.Matrix([g_sym[0] * x1, g_sym[1] * x2]), "*"),
    ("2.8", "first block only", lambda: g_sym[0] * block1, "*"),
    ("2.8", "blocks without g", lambda: block1 + block2, "*"),
    ("2.8", "gᵀx", lambda: g_sym.T * x, "*"),
    ("2.8", "g paired with the other block", lambda: g_sym[0] * block2 + g_sym[1] * block1, "*"),

    ("2.9", "A first", lambda: A * sig_jac, "*"),
    ("2.9", "σ′ at x", lambda: sp.diag(d(x1), d(x2)) * A, "*"),
    ("2.9", "σ for σ′", lambda: sp.diag(sigma(z[0]), sigma(z[1])) * A, "*"),
    ("2.9", "forgot A", lambda: sig_jac, "*"),
    ("2.9", "Aᵀ", lambda: sig_jac * A.T, "*"),
    ("2.9", "the row σ′(z)ᵀ A", lambda: sp.Matrix([[d(z[0]), d(z[1])]]) * A, "*"),

    ("2.10", "forgot σ in a", lambda: (z - t).T * sig_jac * A, "*"),
    ("2.10", "t − a", lambda: (t - z.applyfunc(sigma)).T * sig_jac * A, "*"),
    ("2.10", "forgot A", lambda: (z.applyfunc(sigma) - t).T * sig_jac, "*"),
    ("2.10", "Aᵀ", lambda: (z.applyfunc(sigma) - t).T * sig_jac * A.T, "*"),
    ("2.10", "a column (denominator layout)", lambda: A.T * sig_jac * (z.applyfunc(sigma) - t), "*"),
    ("2.10", "forgot the sigmoid's Jacobian", lambda: (z.applyfunc(sigma) - t).T * A, "*"),
    ("2.10", "σ for σ′", lambda: (z.applyfunc(sigma) - t).T * sp.diag(sigma(z[0]), sigma(z[1])) * A, "*"),
]
