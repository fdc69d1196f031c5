"""The lesson networks: initial values from the seeds, read from data/ and never typed elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "data"
NAMES = ("one_weight", "two_layer", "three_layer")


def load(name):
    """Load one lesson by name.

    Args:
        name: "one_weight" (seed 000), "two_layer" (seed 001) or "three_layer" (seed 002).

    Returns:
        A SimpleNamespace; lists become float arrays, so ``lesson.W1 @ lesson.x`` works.
        For the networks, ``Ws``, ``bs`` gather the layers in order.

    Raises:
        ValueError: for an unknown name, saying which names exist.
    """
    if name not in NAMES:
        raise ValueError(f"no lesson called {name!r}; the lessons are {', '.join(NAMES)}")
    raw = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    lesson = SimpleNamespace(**{k: _convert(v) for k, v in raw.items()})
    if "activations" in raw:
        n = len(raw["activations"])
        lesson.Ws = [getattr(lesson, f"W{i}") for i in range(1, n + 1)]
        lesson.bs = [getattr(lesson, f"b{i}") for i in range(1, n + 1)]
    return lesson


def _convert(value):
    if isinstance(value, list) and all(not isinstance(v, str) for v in value):
        return np.array(value, dtype=float)
    if isinstance(value, dict):
        return SimpleNamespace(**{k: _convert(v) for k, v in value.items()})
    return value


def one_weight():
    return load("one_weight")


def two_layer():
    return load("two_layer")


def three_layer():
    return load("three_layer")
