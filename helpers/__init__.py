"""Helpers for the course "Backpropagation, from one weight to matrix form".

    from helpers import check, hint, solution
    check("3.4", dW2)      # in an exercise cell: the verdict, recorded in your progress
    hint("3.4")            # where to start; hint("3.4", 2) for the method or the shapes
    solution("3.4", dW2)   # in a solution cell: verifies the reference, records nothing
    demo("4.4", wrong)     # in the course's own cells: what check says, recording nothing

    from helpers import progress
    progress.show()        # per notebook: correct, tried, not tried; progress.reset() forgets
"""

import importlib

__all__ = ["Feedback", "check", "demo", "hint", "solution", "show_progress"]

# Imported on first use, so that importing a light module of the package (helpers.kernel, which
# every kernel of the course loads at start) does not import numpy and sympy.
_LAZY = {
    "Feedback": ("helpers.checking", "Feedback"),
    "check": ("helpers.checking", "check"),
    "demo": ("helpers.checking", "demo"),
    "solution": ("helpers.checking", "solution"),
    "hint": ("helpers.hints", "hint"),
    "show_progress": ("helpers.progress", "show"),
}


def __getattr__(name):
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value  # once: later look-ups find it directly
        return value
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
