"""The real data set of notebook 05, Fisher's iris, read from data/ with its checksum verified.

``load_iris()`` refuses a file that is missing or whose sha256 differs from the one recorded
here and in data/README.md, with a one-sentence error that says how to restore it. The
helpers around it split the data (stratified, seeded), standardise it with the training
set's statistics only, and turn labels into one-hot rows.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "data"
IRIS_FILE = "iris.csv"
# sha256 of data/iris.csv (byte for byte scikit-learn 1.9.1's sklearn/datasets/data/iris.csv),
# taken with LF line endings so that a Windows checkout (CRLF) verifies too.
IRIS_SHA256 = "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449"
IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")


class DataFileError(RuntimeError):
    """A shipped data file is missing or is not the file the course was written for."""


def sha256(path):
    """The sha256 (hex) of a file's bytes, line endings normalised to LF."""
    data = Path(path).read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def verified_bytes(path, expected_sha256):
    """The bytes of a data file, after checking that it exists and has the expected sha256.

    Raises:
        DataFileError: if the file is missing or altered (one sentence, with the remedy).
    """
    path = Path(path)
    shown = f"data/{path.name}" if path.parent == DATA else str(path)
    if not path.is_file():
        raise DataFileError(
            f"the data file {shown} is missing: it ships with the course, so restore it with "
            f"`git checkout -- data/{path.name}` (see data/README.md)."
        )
    actual = sha256(path)
    if actual != expected_sha256:
        raise DataFileError(
            f"the data file {shown} has been altered (its sha256 is {actual[:12]}…, not the "
            f"{expected_sha256[:12]}… recorded in data/README.md): restore it with "
            f"`git checkout -- data/{path.name}`."
        )
    return path.read_bytes().replace(b"\r\n", b"\n")


def load_iris(path=None):
    """Fisher's iris: 150 flowers, 4 measurements in cm, 3 species (50 each).

    Args:
        path: the CSV file; by default data/iris.csv. Its first line is
            "150,4,setosa,versicolor,virginica", then one flower per line, the species as 0, 1, 2.

    Returns:
        SimpleNamespace with X (150, 4) floats, y (150,) ints, feature_names, target_names.

    Raises:
        DataFileError: if the file is missing or its checksum differs.
    """
    text = verified_bytes(path or DATA / IRIS_FILE, IRIS_SHA256).decode("ascii")
    lines = text.strip().split("\n")
    head = lines[0].split(",")
    n, d, names = int(head[0]), int(head[1]), tuple(head[2:])
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]]).reshape(n, d + 1)
    return SimpleNamespace(X=rows[:, :d], y=rows[:, d].astype(int), feature_names=IRIS_FEATURES,
                           target_names=names)


def split(X, y, test_fraction=0.2, seed=0):
    """A stratified train/test split: the same share of each class goes to the test set.

    Args:
        X, y: examples (one per row) and their integer labels.
        test_fraction: the share of each class held out.
        seed: fixes the split, so every run (and every exercise check) sees the same one.

    Returns:
        (X_train, X_test, y_train, y_test), each set in shuffled order.
    """
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        k = int(round(test_fraction * len(idx)))
        test.append(idx[:k])
        train.append(idx[k:])
    train, test = rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
    return X[train], X[test], y[train], y[test]


def standardise(X_train, *others):
    """Scale every column to mean 0 and standard deviation 1, with the training set's statistics.

    The test set is scaled with the same mean and std: it must not inform the model in any way.

    Returns:
        (X_train scaled, *others scaled, mean, std).
    """
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (*[(X - mean) / std for X in (X_train, *others)], mean, std)


def one_hot(y, k=None):
    """Integer labels (N,) as one-hot rows (N, k): row n has a 1 in column y[n]."""
    y = np.asarray(y, dtype=int)
    k = int(y.max()) + 1 if k is None else k
    T = np.zeros((len(y), k))
    T[np.arange(len(y)), y] = 1.0
    return T


def seed_batch(n=4, seed=10):
    """A small batch for the three-layer network of seed 002: the seed's example first.

    The other n − 1 inputs are drawn uniformly from [0, 1) with a fixed seed and rounded to
    one decimal like the seed's; their classes are drawn too.

    Returns:
        (X, T): inputs (n, 3) and one-hot targets (n, 3).
    """
    from helpers import lessons

    L = lessons.three_layer()
    rng = np.random.default_rng(seed)
    X = np.vstack([L.x, np.round(rng.uniform(0, 1, (n - 1, 3)), 1)])
    y = np.concatenate([[int(np.argmax(L.target))], rng.integers(0, 3, n - 1)])
    return X, one_hot(y, 3)
