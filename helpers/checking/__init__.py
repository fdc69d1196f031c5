"""Compare a learner's answer with the expected one and say, in one sentence, what is wrong.

``check(exercise_id, answer)`` is the course's public surface, for the learner's exercise cells;
it records progress. ``solution(exercise_id, value)`` is for solution cells: it verifies the
reference solution and records nothing. ``demo(exercise_id, answer)`` shows what ``check`` says
about a typical mistake, in the course's own cells, and records nothing. Neither ever raises: anything a learner can type gets a
Feedback back, and ``bool(feedback)`` is True only for a correct answer.

The package, one job per module:

- ``understanding``: turning an answer into plain values (a float array or a plain sympy
  object), or a sentence saying why it cannot be checked;
- ``numeric``: comparing numbers and arrays, and naming the mistake;
- ``symbolic``: deciding the equivalence of expressions over the symbols' whole domain;
- ``slips``: the slips learners make in an exercise's computation, named by kind;
- ``feedback``: the verdict, as text and as HTML.

The diagnoses, tried in this order once the answer is understood: correct → right for the
learner's own wrong answer upstream ("fix 3.1 first") → a known mistake registered for the
exercise → transposed, wrong sign → one slip of the exercise's computation ("σ′ is taken at the
wrong point", "a factor is missing: ∂a/∂w", the answer to a neighbouring exercise) → off by the
2 or ½ of a square or a registered factor → two slips at once → wrong shape (transpose?
reshape?) → a structural kind (zero, the right entries in another order, only the diagonal, off
by a constant, some rows right) → close but rounded too early → plainly wrong. No diagnosis
gives the answer: not its value, not a factor to multiply by, not its formula.
"""

from __future__ import annotations

import numpy as np

from helpers import insights
from helpers.checking import budget
from helpers.checking.feedback import STATUS_COLOUR, STATUS_MARK, Feedback
from helpers.checking.numeric import compare_numeric
from helpers.checking.symbolic import compare_symbolic
from helpers.checking.understanding import BadInput, TooComplex, Unanswered, normalise, read

__all__ = ["Feedback", "check", "demo", "solution", "STATUS_MARK", "STATUS_COLOUR", "BadInput", "Unanswered", "normalise", "read",
           "compare_numeric", "compare_symbolic"]

# The last answer given to each exercise in this kernel, (kind, plain value, correct?), so that a
# later exercise can tell "right for your own wrong z1" from "wrong" (see Exercise.upstream).
_LAST = {}


def _lookup(exercise_id):
    """(exercise or None, the id as a string to show)."""
    from helpers import exercises

    key = exercise_id.strip() if type(exercise_id) is str else None
    key = key or None
    return (exercises.get(key) if key else None), key


def _exercise_or_feedback(exercise_id):
    """The registered Exercise, or the Feedback that says why there is none (never raises)."""
    try:
        exercise, key = _lookup(exercise_id)
    except Exception as exc:  # a broken registry is our bug: say so plainly, never a traceback
        return Feedback("?", "invalid", f"the checker could not load its exercises ({type(exc).__name__}); please report it.", "invalid")
    return exercise if exercise is not None else _unknown(exercise_id, key)


def _unknown(exercise_id, key):
    from helpers import exercises

    known = exercises.ids()
    if key is None:
        if type(exercise_id) in (int, float):
            shown = repr(exercise_id)
            longer = f"{shown}0" if "." in shown else f"{shown}.10"
            return Feedback(shown, "invalid", (
                f"give the exercise id as text, in quotes: check(\"{shown}\", …) for exercise {shown}, or "
                f"check(\"{longer}\", …) for exercise {longer} (a number such as {longer} is the same as {shown})."),
                "invalid")
        return Feedback("?", "invalid", (
            "the first argument is the exercise id, as text in quotes, for instance check(\"3.4\", dW2)."), "invalid")
    prefix = key.split(".")[0]
    same = [i for i in known if i.split(".")[0] == prefix]
    listing = ", ".join(same) if same else ", ".join(known[:8]) + ("…" if len(known) > 8 else "")
    shown = key if len(key) <= 12 else key[:9] + "..."
    return Feedback(shown, "invalid", f"there is no exercise {shown}; the exercises are {listing}.", "invalid")


def check(exercise_id, answer):
    """Check a learner's answer to one exercise, and record it in their progress.

    Args:
        exercise_id: "<notebook>.<exercise>" as text, e.g. "3.4".
        answer: what the learner computed: a number, a list, a numpy array, a sympy number,
            expression or matrix (or, in notebook 06, a function); ``...`` or None while not
            answered.

    Returns:
        Feedback; ``bool(feedback)`` is True only for a correct answer. Never raises.
    """
    from helpers import progress

    exercise = _exercise_or_feedback(exercise_id)
    if isinstance(exercise, Feedback):
        return exercise
    feedback = _judge(exercise, answer)
    if feedback.status in ("correct", "wrong"):  # a verdict on the learner's answer (⚠ and … are not)
        problem = progress.record(exercise.id, "correct" if feedback else "tried")
        if problem:
            feedback.message = f"{feedback.message} {problem}"
    insights.record_check(exercise.id, feedback)  # C5: on a class hub, one event for the teacher; never raises or waits
    if feedback.status == "wrong":
        try:
            if progress.hints_taken(exercise.id) == 0 and exercise.hints:
                feedback.message = f"{feedback.message} Stuck? hint(\"{exercise.id}\") gives a first hint."
        except Exception:
            pass
    return feedback


def solution(exercise_id, value):
    """Verify a reference solution, in a solution cell. Records nothing: credit comes only from
    the learner's own answer, given to ``check`` in the exercise cell.

    Returns:
        Feedback with status "solution" (or a plain verdict if the value is not the reference).
    """
    exercise = _exercise_or_feedback(exercise_id)
    if isinstance(exercise, Feedback):
        return exercise
    verdict = _judge(exercise, value, remember=False)
    if verdict:
        return Feedback(exercise.id, "solution", (
            "the reference answer, which the checker accepts. Solutions earn no credit: your own "
            "answer in the exercise cell above does."), "solution", exercise.title)
    verdict.message = (f"this is no longer the reference solution ({verdict.message}) Solution cells "
                       "verify and never credit: answer in the exercise cell above.")
    return verdict


def demo(exercise_id, answer):
    """What ``check`` says about an answer, without recording anything: for the course's own cells
    that show a typical mistake and its diagnosis.

    Returns:
        Feedback, the verdict ``check`` would give, shown with a badge of its own ("Example of a
        mistake (not your answer)"). Never raises.
    """
    exercise = _exercise_or_feedback(exercise_id)
    if isinstance(exercise, Feedback):
        return exercise
    feedback = _judge(exercise, answer, remember=False)
    feedback.example = True  # rendered as an example, never as the learner's verdict
    return feedback


def _judge(exercise, answer, remember=True):
    """The Feedback for an answer, within the time budget (CPU time, see ``budget``); never raises
    (but the learner's own Ctrl-C, a KeyboardInterrupt, stops it)."""
    try:
        finished, feedback = budget.run(_settled, exercise, answer, remember)
        if not finished:
            feedback = Feedback(exercise.id, "invalid", _out_of_time(feedback), "timeout", exercise.title)
    except KeyboardInterrupt:  # the learner's Ctrl-C stops the check
        raise
    except BaseException:  # a bug in the checker must not look like the learner's fault, nor escape
        feedback = Feedback(exercise.id, "invalid", (
            "the checker failed on this answer; please report it. Your answer was not judged."),
            "invalid", exercise.title)
    return feedback


def _settled(exercise, answer, remember):
    """_check with numpy's and Python's warning settings of our own: a learner's
    np.seterr(all="raise") or warnings.simplefilter("error") must not turn the checker's own
    arithmetic (an underflow in a comparison) into an error."""
    import warnings

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _check(exercise, answer, remember)


def _out_of_time(spent):
    """The refusal's wording says which clock ran out: "too complex" only when the check really
    needed more than its CPU budget."""
    if spent.reason == "cpu":
        return (f"cannot check this: it needs more than {spent.seconds:g} s of computing to check, which is too "
                "complex; simplify it first (or compute the number itself).")
    if spent.waiting:
        return (f"cannot check this: checking it was stopped after {spent.wall:.0f} s of waiting, while it "
                "hardly computed (does something in your answer sleep or wait?). Run the cell again.")
    return (f"cannot check this now: the computer is too busy (checking got only {spent.cpu:.1f} s of computing "
            f"in {spent.wall:.0f} s). Run the cell again in a moment.")


def _check(exercise, answer, remember):
    def make(status, diagnosis, message):
        return Feedback(exercise.id, status, message, diagnosis, exercise.title)

    if exercise.kind == "function":
        from helpers.checking import functions

        return make(*functions.compare_function(exercise, answer))
    try:
        given = read(answer)
        kind, value = given.kind, given.value
    except Unanswered:
        return make("unanswered", "unanswered", "not answered yet: replace the ... with your answer and run the cell again.")
    except BadInput as bad:
        return make("invalid", "invalid", f"cannot check this: {bad}")
    except TooComplex as bad:
        return make("invalid", "timeout", f"cannot check this: {bad}")
    except RecursionError:
        return make("invalid", "invalid", "cannot check this: it is nested too deeply to read.")
    except Exception:  # an object nobody foresaw: still a sentence, never a traceback
        return make("invalid", "invalid", (
            "cannot check this: it could not be read as a number, an array or an expression; give a "
            "number, a list of numbers, a numpy array or a sympy expression."
        ))
    expected = exercise.expected()
    mistakes = [(m.name, m.hint, m.value()) for m in exercise.mistakes]
    found = _slips(exercise)
    if exercise.symbolic:
        if kind == "numeric":
            named = _numbers_for_symbols(value, expected, found) or _constant_for_symbols(
                value, expected, mistakes, exercise.factors, found)
            if named is not None:
                return make(*named)
            return make("invalid", "invalid", (
                "cannot check this: you gave a number, but this exercise asks for an expression "
                f"in {', '.join(sorted(s.name for s in expected.free_symbols))} (build it from the sympy symbols)."
            ))
        status, diagnosis, message = compare_symbolic(value, expected, mistakes, exercise.factors, slips=found)
    else:
        if kind == "symbolic":
            status, diagnosis, message = _symbols_for_numbers(exercise, value, found)
        else:
            numeric_mistakes = [(n, h, np.asarray(v, dtype=float)) for n, h, v in mistakes]
            base = exercise.base() if exercise.base is not None else None
            status, diagnosis, message = compare_numeric(
                value, np.asarray(expected, dtype=float), exercise.rtol, exercise.atol, numeric_mistakes,
                exercise.factors, given.low_precision, slips=found, upstream=lambda v: _upstream(exercise, v), base=base)
    if remember:
        _LAST[exercise.id] = (kind, value, status == "correct")
    if status == "wrong" and diagnosis == "wrong" and exercise.hint:
        message = f"{message} Hint: {exercise.hint}"
    return make(status, diagnosis, message)


def _slips(exercise):
    """The exercise's slips, built when first needed (None if it declares no Work). Building them
    runs the exercise's own registry code: if that fails, the learner loses only the finer
    diagnosis, never the verdict (see _SafeSlips)."""
    from helpers.checking import slips

    if exercise.work is None:
        return None
    return _SafeSlips(slips.Lazy(exercise))


class _SafeSlips:
    """Slips whose failures (a bug of ours) mean "no slip found", never a failed check."""

    def __init__(self, lazy):
        self._lazy = lazy

    def match(self, *args, **kwargs):
        try:
            return self._lazy.match(*args, **kwargs)
        except budget.OutOfTime:
            raise
        except Exception:  # noqa: BLE001
            return None

    def __getattr__(self, name):
        return getattr(self._lazy, name)


def _numbers_for_symbols(value, expected, found):
    """Numbers where an expression is asked: the answer of a neighbouring question that is itself
    numbers (2.4 answered with 2.5's identity matrix) gets its name; anything else gets None (and
    the sentence asking for symbols). Only constants are compared: this is quick."""
    from helpers.checking.slips import SPARE

    if found is None or budget.remaining() <= SPARE:
        return None
    array = np.asarray(value, dtype=float)
    try:
        neighbours = found.all_neighbours()
    except budget.OutOfTime:
        raise
    except Exception:  # noqa: BLE001 - the finer diagnosis is lost, never the verdict
        return None
    for other, label in neighbours:
        if getattr(other, "free_symbols", None) or not hasattr(other, "__len__") and not np.isscalar(other):
            continue
        try:
            other = np.asarray(other, dtype=float)
        except (TypeError, ValueError):
            continue
        if other.shape == array.shape and np.allclose(array, other, rtol=1e-9, atol=1e-12):
            return "wrong", "neighbour", f"not yet: this is {label}; this exercise asks for {found.work.label}."
    return None


def _constant_for_symbols(value, expected, mistakes, factors, found):
    """Numbers where an expression is asked: a derivative can be a constant (1/u · u for log(2x),
    −I for a Jacobian), so the numbers are judged as a constant expression, a slip of the exercise
    named if one fits; if none does, the sentence says the answer depends on the symbols. None when
    the numbers do not fit the answer's shape (then the sentence asking for symbols)."""
    import sympy as sp

    array = np.asarray(value, dtype=float)
    try:
        if isinstance(expected, sp.MatrixBase):
            if array.ndim == 0 or array.size != expected.rows * expected.cols and array.ndim != 2:
                return None
            constant = sp.Matrix(array.tolist() if array.ndim == 2 else array.reshape(-1, 1).tolist())
            constant = constant.applyfunc(sp.nsimplify)
        else:
            if array.ndim != 0:
                return None
            constant = sp.nsimplify(float(array))
        status, diagnosis, message = compare_symbolic(constant, expected, mistakes, factors, slips=found)
    except budget.OutOfTime:
        raise
    except Exception:  # noqa: BLE001 - the finer diagnosis is lost, never the verdict
        return None
    if status == "correct" or (status == "wrong" and diagnosis not in ("wrong", "shape")):
        return status, diagnosis, message
    names = ", ".join(sorted(s.name for s in expected.free_symbols))
    return "wrong", "no-symbols", (
        f"not yet: your answer is a constant, and the answer changes with {names}. If you computed it at a "
        "point, write it with the sympy symbols instead; if it is your derivative, a factor that depends on "
        f"{names} has gone: look for a term that cancelled, or a derivative taken one step too far.")


def _symbols_for_numbers(exercise, value, found):
    """A sympy expression with symbols, where the exercise asks for numbers: the answer to a
    neighbouring symbolic question (2.5 answered with 2.4's A), or a sentence."""
    from helpers import exercises

    names = ", ".join(sorted(s.name for s in value.free_symbols))
    notebook = exercise.id.split(".")[0]
    symbolic = [i for i in exercises.ids() if i.split(".")[0] == notebook and i != exercise.id and exercises.get(i).symbolic]
    if not symbolic:  # numbers computed with symbols still in them
        return "invalid", "invalid", (
            f"cannot check this: your answer still contains the symbols {names}; this exercise "
            "asks for numbers: substitute the values (for instance with .subs).")
    from helpers.checking.slips import SPARE

    for other_id in symbolic:
        if budget.remaining() <= SPARE:
            break  # no time left to compare with the other answers: the plain sentence
        other = exercises.get(other_id)
        try:
            same = compare_symbolic(value, other.expected())[0] == "correct"
        except budget.OutOfTime:
            raise
        except Exception:  # noqa: BLE001
            same = False
        if same:
            work = other.work() if callable(other.work) else other.work
            label = work.label if work is not None else other.title
            asked = found.work.label if found is not None else exercise.title
            return "wrong", "neighbour", (
                f"not yet: this is {label}, the answer to exercise {other_id}; this exercise asks for {asked}.")
    # a notebook of symbolic exercises: either a formula not yet evaluated, or a derivative that kept a
    # quantity it does not depend on (∂y/∂b given as diag(b)); the sentence covers both
    return "invalid", "invalid", (
        f"cannot check this: your answer still contains {names}, and this exercise asks for numbers. If they "
        "stand for values the exercise gives, substitute them (for instance with .subs); if not, this derivative "
        "does not depend on them: look again at which quantities it depends on.")


def _upstream(exercise, value):
    """If the answer is what this exercise's method gives for the learner's own (wrong) upstream
    answers, say so and name the exercise to fix first; else None."""
    if not exercise.upstream or exercise.from_upstream is None:
        return None
    from helpers import exercises

    wrong = [i for i in exercise.upstream if i in _LAST and not _LAST[i][2] and _LAST[i][0] == "numeric"]
    if not wrong:
        return None
    inputs = []
    for upstream_id in exercise.upstream:
        if upstream_id in wrong:
            inputs.append(np.array(_LAST[upstream_id][1]))
        else:
            inputs.append(exercises.get(upstream_id).expected())
    try:
        with np.errstate(all="ignore"):
            theirs = np.asarray(exercise.from_upstream(*inputs), dtype=float)
    except Exception:
        return None
    if theirs.shape != value.shape or not np.all(np.isfinite(theirs)):
        return None
    if np.all(np.abs(value - theirs) <= exercise.atol + exercise.rtol * np.abs(theirs)):
        first = wrong[0]
        names = " and ".join(wrong)
        return "wrong", f"upstream:{first}", (
            f"not yet, but your method is right: this is the correct result for the value you gave in "
            f"exercise {names}, which is not yet right. Fix exercise {first} first, then run this cell again.")
    return None
