"""Mistakes learners make in notebook 02 (Jacobians), each computed the way a learner computes it
with the notebook's own symbols: x1, x2 (real), sigma = helpers.symbolic.sigmoid, A (a_11 … a_22),
b, g_sym, t, x_num = the input of notebook 03's network, and sympy.
"""

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
blocks = [sp.Matrix([[x1, x2], [0, 0]]), sp.Matrix([[0, 0], [x1, x2]])]
T_right = np.einsum("ij,k->ijk", np.eye(2), x_num)


def slope(v):
    return sigma(v) * (1 - sigma(v))


def on_diagonal(f, v=x):
    return sp.diag(*[f(vi) for vi in v])


CASES = [
    # 2.1 ∂(1/x)/∂x
    ("2.1", "−1/x for the derivative of 1/x", lambda: on_diagonal(lambda v: -1 / v), "slip:power"),
    ("2.1", "the derivatives as a column", lambda: sp.Matrix([-1 / x1**2, -1 / x2**2]), "slip:diagonal-vector"),
    ("2.1", "y itself on the diagonal", lambda: on_diagonal(lambda v: 1 / v), "neighbour"),
    ("2.1", "the diagonal reversed", lambda: sp.diag(-1 / x2**2, -1 / x1**2), "order"),
    ("2.1", "−1/x³", lambda: on_diagonal(lambda v: -1 / v**3), "slip:power"),
    ("2.1", "the minus lost", lambda: on_diagonal(lambda v: 1 / v**2), "mistake:the minus sign of d(1/x)/dx lost"),
    ("2.1", "every column filled", lambda: sp.Matrix(2, 2, lambda i, j: -1 / x[j] ** 2),
     "mistake:a full matrix for an elementwise map"),
    # 2.2 ∂e^(−x)/∂x
    ("2.2", "e^(x) with the minus", lambda: on_diagonal(lambda v: -sp.exp(v)), "slip:sign"),
    ("2.2", "e^(x)", lambda: on_diagonal(sp.exp), "slip:sign+sign"),
    ("2.2", "every column filled", lambda: sp.Matrix(2, 2, lambda i, j: -sp.exp(-x[j])), "slip:full-matrix"),
    ("2.2", "the derivatives as a column", lambda: sp.Matrix([-sp.exp(-x1), -sp.exp(-x2)]), "slip:diagonal-vector"),
    ("2.2", "the power rule on e^(−x)", lambda: on_diagonal(lambda v: -v * sp.exp(-v - 1)), "neighbour"),
    ("2.2", "the inner −1 forgotten", lambda: on_diagonal(lambda v: sp.exp(-v)), "mistake:the inner derivative −1 forgotten"),
    # 2.3 the sigmoid's Jacobian
    ("2.3", "the quotient rule's denominator not squared",
     lambda: on_diagonal(lambda v: sp.exp(-v) / (1 + sp.exp(-v))), "slip:power"),
    ("2.3", "σ(1 + σ)", lambda: on_diagonal(lambda v: sigma(v) * (1 + sigma(v))), "slip:sign"),
    ("2.3", "the derivatives as a column", lambda: sp.Matrix([slope(x1), slope(x2)]), "slip:diagonal-vector"),
    ("2.3", "every column filled", lambda: sp.Matrix(2, 2, lambda i, j: slope(x[j])), "slip:full-matrix"),
    ("2.3", "the minus of the inner derivative lost", lambda: on_diagonal(lambda v: -sp.exp(-v) / (1 + sp.exp(-v)) ** 2),
     "sign"),
    ("2.3", "σ alone", lambda: on_diagonal(sigma), "mistake:the factor (1 − σ) forgotten"),
    ("2.3", "σ′ at σ(x)", lambda: on_diagonal(lambda v: slope(sigma(v))), "mistake:σ′ taken at the output"),
    # 2.4 ∂(Ax + b)/∂x
    ("2.4", "y itself", lambda: A * x + b, "neighbour"),
    ("2.4", "∂y/∂b's identity", lambda: sp.eye(2), "neighbour"),
    ("2.4", "the diagonal of A only", lambda: sp.diag(A[0, 0], A[1, 1]), "diagonal-only"),
    ("2.4", "each row added up", lambda: sp.Matrix([A[0, 0] + A[0, 1], A[1, 0] + A[1, 1]]), "neighbour"),
    ("2.4", "the rows swapped", lambda: sp.Matrix([[A[1, 0], A[1, 1]], [A[0, 0], A[0, 1]]]), "order"),
    ("2.4", "x's in the matrix", lambda: sp.Matrix([[x1, x2], [x1, x2]]), "extra-symbols"),
    ("2.4", "Aᵀ", lambda: A.T, "mistake:the denominator layout (Aᵀ)"),
    # 2.5 ∂(Ax + b)/∂b
    ("2.5", "A", lambda: A, "neighbour"),
    ("2.5", "zeros", lambda: sp.zeros(2, 2), "zero"),
    ("2.5", "y_1 paired with b_2", lambda: np.array([[0.0, 1.0], [1.0, 0.0]]), "order"),
    ("2.5", "a column of ones", lambda: np.array([[1.0], [1.0]]), "shape"),
    ("2.5", "the number 1", lambda: 1, "shape"),
    ("2.5", "a vector of ones", lambda: np.ones(2), "mistake:a vector of ones"),
    ("2.5", "a matrix of ones", lambda: np.ones((2, 2)), "mistake:a matrix of ones"),
    # 2.6 the blocks of ∂y/∂A
    ("2.6", "side by side", lambda: sp.Matrix.hstack(*blocks), "neighbour"),
    ("2.6", "x_1 and x_2 swapped", lambda: sp.Matrix([[x2, x1], [0, 0], [0, 0], [x2, x1]]), "order"),
    ("2.6", "the whole stack transposed", lambda: sp.Matrix.vstack(*blocks).T, "shape"),
    ("2.6", "A in each block", lambda: sp.Matrix.vstack(A, A), "extra-symbols"),
    ("2.6", "the second block's row wrong", lambda: sp.Matrix([[x1, x2], [0, 0], [x1, x2], [0, 0]]), "order"),
    ("2.6", "the seed's labels", lambda: sp.Matrix([[x1, x2], [x1, x2], [0, 0], [0, 0]]), "mistake:seed 001's block labels"),
    # 2.7 the 3-tensor
    ("2.7", "x in the middle index", lambda: np.einsum("ik,j->ijk", np.eye(2), x_num),
     "mistake:the derivative's index last"),
    ("2.7", "x in the first index", lambda: np.einsum("jk,i->ijk", np.eye(2), x_num), "axes"),
    ("2.7", "x everywhere", lambda: np.broadcast_to(x_num, (2, 2, 2)).copy(), "neighbour"),
    ("2.7", "the blocks swapped", lambda: T_right[::-1].copy(), "order"),
    ("2.7", "x reversed", lambda: T_right[:, :, ::-1].copy(), "order"),
    ("2.7", "stacked as 4×2", lambda: T_right.reshape(4, 2), "shape"),
    ("2.7", "zeros", lambda: np.zeros((2, 2, 2)), "zero"),
    ("2.7", "the index of y last", lambda: T_right.transpose(1, 2, 0), "mistake:the derivative's index last"),
    # 2.8 ∇_A E
    ("2.8", "xᵀ g, a number", lambda: x.T * g_sym, "slip:order"),
    ("2.8", "the diagonal only", lambda: sp.diag(g_sym[0] * x1, g_sym[1] * x2), "diagonal-only"),
    ("2.8", "the weighted blocks stacked", lambda: sp.Matrix.vstack(g_sym[0] * blocks[0], g_sym[1] * blocks[1]), "neighbour"),
    ("2.8", "the blocks added without g", lambda: blocks[0] + blocks[1], "neighbour"),
    ("2.8", "gᵀ x", lambda: g_sym.T * x, "slip:order"),
    ("2.8", "x gᵀ", lambda: x * g_sym.T, "mistake:the outer product in the wrong order"),
    ("2.8", "one term", lambda: g_sym[0] * blocks[0], "mistake:one term of the sum"),
    # 2.9 ∂σ(Ax)/∂x
    ("2.9", "σ′ at x, not at z", lambda: on_diagonal(slope) * A, "slip:wrong-point"),
    ("2.9", "σ for σ′", lambda: on_diagonal(sigma, z) * A, "slip:function"),
    ("2.9", "∂z/∂x forgotten", lambda: on_diagonal(slope, z), "slip:missing-factor"),
    ("2.9", "an elementwise product", lambda: on_diagonal(slope, z).multiply_elementwise(A), "slip:elementwise"),
    ("2.9", "σ′ as z(1 − z)", lambda: on_diagonal(lambda v: v * (1 - v), z) * A, "slip:function"),
    ("2.9", "σ′ at Aᵀx", lambda: on_diagonal(slope, A.T * x) * A, "slip:wrong-point"),
    ("2.9", "the wrong order", lambda: A * on_diagonal(slope, z), "mistake:the product in the wrong order"),
    # 2.10 ∂E/∂x
    ("2.10", "σ′ at x", lambda: (z.applyfunc(sigma) - t).T * on_diagonal(slope) * A, "slip:wrong-point"),
    ("2.10", "σ for σ′", lambda: (z.applyfunc(sigma) - t).T * on_diagonal(sigma, z) * A, "slip:function"),
    ("2.10", "∂z/∂x forgotten", lambda: (z.applyfunc(sigma) - t).T * on_diagonal(slope, z), "slip:missing-factor"),
    ("2.10", "a column", lambda: A.T * on_diagonal(slope, z) * (z.applyfunc(sigma) - t), "shape"),
    ("2.10", "Aᵀ for A", lambda: (z.applyfunc(sigma) - t).T * on_diagonal(slope, z) * A.T, "slip:transpose"),
    ("2.10", "t − a", lambda: (t - z.applyfunc(sigma)).T * on_diagonal(slope, z) * A, "sign"),
    ("2.10", "σ′ forgotten", lambda: (z.applyfunc(sigma) - t).T * A, "mistake:σ′ forgotten"),
]
