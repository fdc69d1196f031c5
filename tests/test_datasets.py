"""The shipped data set: its checksum, the clear errors for a missing or altered file, and the
helpers around it (split, standardise, one-hot, the seed batch)."""

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from helpers import datasets, lessons

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_file_has_the_recorded_checksum():
    assert datasets.sha256(ROOT / "data" / "iris.csv") == datasets.IRIS_SHA256


def test_data_readme_records_the_same_checksum_size_and_licence():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("iris.csv"):]
    assert datasets.IRIS_SHA256 in section
    assert "CC BY 4.0" in section
    assert f"{(ROOT / 'data' / 'iris.csv').stat().st_size} bytes" in section


def test_iris_loads_with_its_known_shape_and_values():
    iris = datasets.load_iris()
    assert iris.X.shape == (150, 4) and iris.y.shape == (150,)
    assert np.bincount(iris.y).tolist() == [50, 50, 50]
    assert iris.target_names == ("setosa", "versicolor", "virginica")
    assert iris.X[0].tolist() == [5.1, 3.5, 1.4, 0.2]
    assert iris.X[-1].tolist() == [5.9, 3.0, 5.1, 1.8] and iris.y[-1] == 2
    # Fisher's table (as in R), not the UCI file with its two wrong entries (rows 35 and 38)
    assert iris.X[34].tolist() == [4.9, 3.1, 1.5, 0.2]
    assert iris.X[37].tolist() == [4.9, 3.6, 1.4, 0.1]


def _one_sentence(message):
    return message.count("\n") == 0 and message.endswith(".") and len(re.findall(r"[.!?](\s|$)", message)) == 1


def test_a_missing_file_gives_one_clear_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DATA", tmp_path)
    with pytest.raises(datasets.DataFileError) as caught:
        datasets.load_iris()
    message = str(caught.value)
    assert "data/iris.csv is missing" in message and "git checkout -- data/iris.csv" in message
    assert _one_sentence(message), message


def test_an_altered_file_gives_one_clear_sentence(tmp_path, monkeypatch):
    altered = tmp_path / "iris.csv"
    altered.write_bytes((ROOT / "data" / "iris.csv").read_bytes().replace(b"5.1,3.5,1.4,0.2", b"5.1,3.5,1.4,0.3", 1))
    monkeypatch.setattr(datasets, "DATA", tmp_path)
    with pytest.raises(datasets.DataFileError) as caught:
        datasets.load_iris()
    message = str(caught.value)
    assert "data/iris.csv has been altered" in message and datasets.IRIS_SHA256[:12] in message
    assert _one_sentence(message), message


def test_a_truncated_file_and_an_explicit_missing_path_are_refused(tmp_path):
    cut = tmp_path / "iris.csv"
    cut.write_bytes((ROOT / "data" / "iris.csv").read_bytes()[:-20])
    with pytest.raises(datasets.DataFileError, match="altered"):
        datasets.load_iris(cut)
    with pytest.raises(datasets.DataFileError, match="missing"):
        datasets.load_iris(tmp_path / "nowhere.csv")


def test_windows_line_endings_still_verify(tmp_path):
    crlf = tmp_path / "iris.csv"
    crlf.write_bytes((ROOT / "data" / "iris.csv").read_bytes().replace(b"\n", b"\r\n"))
    iris = datasets.load_iris(crlf)
    assert np.array_equal(iris.X, datasets.load_iris().X)


def test_a_copy_of_the_file_elsewhere_loads(tmp_path):
    shutil.copy(ROOT / "data" / "iris.csv", tmp_path / "copy.csv")
    assert datasets.load_iris(tmp_path / "copy.csv").X.shape == (150, 4)


def test_split_is_stratified_disjoint_complete_and_fixed_by_its_seed():
    iris = datasets.load_iris()
    X_train, X_test, y_train, y_test = datasets.split(iris.X, iris.y, test_fraction=0.2, seed=0)
    assert X_train.shape == (120, 4) and X_test.shape == (30, 4)
    assert np.bincount(y_train).tolist() == [40, 40, 40] and np.bincount(y_test).tolist() == [10, 10, 10]
    rows = {tuple(r) + (c,) for r, c in zip(np.vstack([X_train, X_test]), np.concatenate([y_train, y_test]))}
    assert rows == {tuple(r) + (c,) for r, c in zip(iris.X, iris.y)}  # every flower once (duplicates merge alike)
    again = datasets.split(iris.X, iris.y, test_fraction=0.2, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip((X_train, X_test, y_train, y_test), again))
    other = datasets.split(iris.X, iris.y, test_fraction=0.2, seed=1)
    assert not np.array_equal(X_test, other[1])


def test_standardise_uses_the_training_statistics_only():
    rng = np.random.default_rng(3)
    A, B = rng.normal(5, 2, (50, 3)), rng.normal(9, 4, (20, 3))
    A_s, B_s, mean, std = datasets.standardise(A, B)
    assert np.allclose(A_s.mean(axis=0), 0) and np.allclose(A_s.std(axis=0), 1)
    assert np.allclose(B_s, (B - A.mean(axis=0)) / A.std(axis=0))
    assert np.allclose(mean, A.mean(axis=0)) and np.allclose(std, A.std(axis=0))


def test_one_hot():
    assert datasets.one_hot([2, 0, 1]).tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert datasets.one_hot([0], 3).shape == (1, 3)


def test_the_seed_batch_starts_with_the_seed_example():
    X, T = datasets.seed_batch()
    L = lessons.three_layer()
    assert X.shape == (4, 3) and T.shape == (4, 3)
    assert np.array_equal(X[0], L.x) and np.array_equal(T[0], L.target)
    assert np.allclose(T.sum(axis=1), 1) and np.array_equal(X, np.round(X, 1))
    assert np.unique(X, axis=0).shape[0] == 4
