"""Helpers for the course "Backpropagation, from one weight to matrix form".

    from helpers import check
    check("3.4", dW2)   # -> Feedback; bool(feedback) is True only for a correct answer
"""

from helpers.checking import Feedback, check

__all__ = ["Feedback", "check"]
