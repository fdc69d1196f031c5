"""Helpers for the course "Backpropagation, from one weight to matrix form".

    from helpers import check, hint, solution
    check("3.4", dW2)      # in an exercise cell: the verdict, recorded in your progress
    hint("3.4")            # where to start; hint("3.4", 2) for the formula or the shapes
    solution("3.4", dW2)   # in a solution cell: verifies the reference, records nothing
    demo("4.4", wrong)     # in the course's own cells: what check says, recording nothing

    from helpers import progress
    progress.show()        # per notebook: correct, tried, not tried; progress.reset() forgets
"""

from helpers.checking import Feedback, check, demo, solution
from helpers.hints import hint
from helpers.progress import show as show_progress

__all__ = ["Feedback", "check", "demo", "hint", "solution", "show_progress"]
