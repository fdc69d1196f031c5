"""Deciding whether a symbolic answer equals the expected expression, over the symbols' whole domain.

Two expressions are compared by evaluating their difference at points drawn afresh on every call
from the whole domain the symbols' assumptions allow (a symbol declared real may be negative):
a few structured points (0, ±1, ±½, ±2, …) and many random non-dyadic rationals of every size,
substituted exactly and evaluated to 30 significant digits by sympy's adaptive evalf. A term that
vanishes only at chosen points (sin(kπs), a product of (s − p)) cannot hide from points nobody
can predict; a branch (Abs, Max, Piecewise, Heaviside) that differs for negative values shows at
the negative points. Where the points find no difference, exact simplification of the difference
evaluated exactly, has the last word: non-zero with significant digits at any point is a
difference, however small.
"""

from __future__ import annotations

import math
import random

import mpmath
import sympy as sp

from helpers.checking import budget

RANDOM_POINTS = 12
FINE_POINTS = 4         # the exact difference is evaluated at this many of the random points
MAXN = 150              # evalf's working precision stops here (digits): beyond, no significant digits
RTOL = 1e-12            # a real mistake differs far more; equivalent forms agree to ~25 digits
STRUCTURED = (0, 1, -1, sp.Rational(1, 2), -2, sp.Rational(-7, 3), 5, -6, 40, -50)

_SYSTEM_RANDOM = random.SystemRandom()


def _rename(expr, symbols_by_name):
    """Replace the learner's symbols by the exercise's symbols of the same name."""
    mapping = {s: symbols_by_name[s.name] for s in expr.free_symbols if s.name in symbols_by_name}
    return expr.xreplace(mapping)


def _allowed(symbol, value):
    """Whether `value` is in the domain the symbol's assumptions declare."""
    a = symbol.assumptions0
    if a.get("positive") and not value > 0:
        return False
    if a.get("negative") and not value < 0:
        return False
    if a.get("nonnegative") and not value >= 0:
        return False
    if a.get("nonpositive") and not value <= 0:
        return False
    if a.get("nonzero") and value == 0:
        return False
    if a.get("integer") and not (isinstance(value, sp.Integer) or int(value) == value):
        return False
    return True


def _random_value(symbol, rng, scales=(1, 1, 1, 10**-3, 10**-1, 10, 100)):
    """A random non-dyadic rational of any size (or an integer, for an integer symbol), in the symbol's domain."""
    for _ in range(50):
        if symbol.assumptions0.get("integer"):
            value = sp.Integer(rng.choice([rng.randint(-9, 9), rng.randint(-10**6, 10**6)]))
        else:
            q = rng.randrange(10**9 + 1, 10**12, 2)  # odd: never a power of two
            q += 1 - q % 3 if q % 3 == 0 else 0       # and not a multiple of 3 either, nor of small primes often
            scale = rng.choice(scales)
            magnitude = rng.uniform(0.05, 3.0) * scale
            p = int(magnitude * q) or 1
            value = sp.Rational(p * rng.choice([-1, 1]), q)
        if _allowed(symbol, value):
            return value
    return sp.Rational(rng.randrange(1, 10**6), 10**6 + 1)


def constants(expr, limit=12):
    """The values of an expression's constant parts (2 in Heaviside(s − 2), e⁷ in s − exp(7)): the
    thresholds a branch can hide behind, and the sizes a tiny term can hide in."""
    found = set()
    for node in sp.preorder_traversal(expr):
        budget.tick()
        if not isinstance(node, sp.Expr) or node.free_symbols or not node.is_number or node.is_Integer and abs(node) < 2:
            continue
        try:
            number = sp.N(node, 15, maxn=MAXN)
            value = mpmath.mpf(number._mpf_) if isinstance(number, sp.Float) else mpmath.mpf(sp.re(number).evalf(15)._mpf_)
        except Exception:
            continue
        if not mpmath.isfinite(value) or value == 0:
            continue
        found.add(float(value) if 1e-300 < abs(value) < 1e300 else 1e-300 if abs(value) < 1 else 1e300)
        if len(found) >= limit:
            break
    return sorted(found)


def _near(value, rng):
    """A non-dyadic rational close to `value`."""
    q = rng.randrange(10**9 + 1, 10**10, 2)
    return sp.Rational(int(round(value * q)) or 1, q)


def sample_points(symbols, rng=None, around=()):
    """Points in the symbols' domain: structured ones (small, large, negative), points on both
    sides of each value in `around` (the answer's constants), then fresh random ones."""
    rng = rng or random.Random(_SYSTEM_RANDOM.getrandbits(64))
    symbols = sorted(symbols, key=lambda s: s.name)
    points = []
    for c in around:
        if not 1e-9 < abs(c) < 1e9:
            continue
        for v in (c * 1.001 + 0.001, c * 0.999 - 0.001, 2 * c + 1, -2 * c - 1):
            value = _near(v, rng)
            points.append({s: value if _allowed(s, value) else _random_value(s, rng) for s in symbols})
    for k in range(len(STRUCTURED)):
        point = {}
        for j, s in enumerate(symbols):  # structured values, staggered so symbols differ
            v = sp.sympify(STRUCTURED[(k + j) % len(STRUCTURED)])
            point[s] = v if _allowed(s, v) else _random_value(s, rng)
        points.append(point)
    for _ in range(RANDOM_POINTS):
        points.append({s: _random_value(s, rng) for s in symbols})
    # the last FINE_POINTS, where the exact difference is evaluated, are of moderate size: exact
    # evaluation at exp(±10⁴) would need ten thousand digits
    for _ in range(FINE_POINTS):
        points.append({s: _random_value(s, rng, scales=(1,)) for s in symbols})
    return points


def _evaluate(expr, point, digits=20):
    """expr at the point, to `digits` significant digits: a complex, or None where undefined."""
    budget.tick()
    try:
        value = sp.N(expr.xreplace(point), digits, maxn=MAXN)
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return None
        number = complex(value)
    except budget.OutOfTime:
        raise
    except Exception:
        return None
    return number if math.isfinite(number.real) and math.isfinite(number.imag) else None


def _entries(x):
    return list(x) if isinstance(x, sp.MatrixBase) else [x]


def _shape(x):
    return x.shape if isinstance(x, sp.MatrixBase) else ()


def _agree(x, y):
    return abs(x - y) <= RTOL * max(1.0, abs(x), abs(y))


_COMPILED = {}  # id(expected) -> (expected, symbols, functions): the exercise's expressions, compiled once


def _compile(expr, symbols):
    """Each entry of expr as a Python function of the symbols, on mpmath numbers (None where sympy
    cannot print it for mpmath); ~0.1 ms a point where evalf takes ~2 ms."""
    functions = []
    for entry in _entries(expr):
        budget.tick()
        try:
            functions.append(sp.lambdify(symbols, entry, modules="mpmath"))
        except budget.OutOfTime:
            raise
        except Exception:
            functions.append(None)
    return functions


def _values(expr, functions, symbols, points):
    """Entry by entry at each point, at 25 digits: the compiled function where it works, else evalf."""
    rows = []
    entries = _entries(expr)
    with mpmath.workdps(25):
        for point in points:
            budget.tick()
            args = [mpmath.mpf(point[s].p) / point[s].q for s in symbols]
            row = []
            for entry, function in zip(entries, functions):
                value = None
                if function is not None:
                    try:
                        number = complex(function(*args))
                        if math.isfinite(number.real) and math.isfinite(number.imag):
                            value = number
                    except budget.OutOfTime:
                        raise
                    except Exception:
                        value = None
                    if value is None:  # lost to cancellation (1 + tanh(−500) is 0 at 25 digits)?
                        value = _with_more_digits(function, point, symbols)
                    if value is None and not _exactly_undefined(entry, point):
                        value = INTRACTABLE  # finite there, beyond 3000 digits: see _Table
                if value is None:  # undefined there, or not printable for mpmath: exact evaluation decides
                    value = _evaluate(entry, point)
                row.append(value)
            rows.append(row)
    return rows


def _with_more_digits(function, point, symbols):
    """The compiled function at 120, 600 and 3000 digits: a finite complex, or None.

    Where 25 digits lose everything to cancellation (a tanh form of the sigmoid at large
    arguments), mpmath at more digits costs milliseconds, where sympy's exact evalf of the same
    entry can take a second: the check would run out of its CPU budget on a right answer."""
    for dps in (120, 600, 3000):
        budget.tick()
        try:
            with mpmath.workdps(dps):
                number = complex(function(*[mpmath.mpf(point[s].p) / point[s].q for s in symbols]))
        except budget.OutOfTime:
            raise
        except Exception:
            continue
        if math.isfinite(number.real) and math.isfinite(number.imag):
            return number
    return None


INTRACTABLE = "intractable"  # a value that 3000 digits cannot resolve, at a point sympy finds defined


def _exactly_undefined(entry, point):
    """Whether sympy's own evaluation at the exact point gives nan or an infinity (0/0, 1/0)."""
    try:
        value = entry.xreplace(point)
        return value.has(sp.nan, sp.zoo, sp.oo, -sp.oo)
    except budget.OutOfTime:
        raise
    except Exception:
        return True


class _Table:
    """Answer and expected, entry by entry, at each point.

    A point where an entry needs more than 3000 digits (1/(1 + tanh(−5000)): finite, but its
    exact evaluation by sympy takes seconds, past the check's CPU budget) is left out, for both
    sides, as long as most points remain: the others decide."""

    def __init__(self, answer, expected, points):
        self.points = points
        self.symbols = sorted(points[0], key=lambda s: s.name) if points else []
        cached = _COMPILED.get(id(expected))
        if cached is None or cached[0] is not expected or cached[1] != self.symbols:
            cached = (expected, self.symbols, _compile(expected, self.symbols))
            _COMPILED[id(expected)] = cached
        self.expected_entries, self.answer_entries = _entries(expected), _entries(answer)
        self.fe, self.fa = cached[2], _compile(answer, self.symbols)
        self.expected = _values(expected, self.fe, self.symbols, points)
        self.answer = _values(answer, self.fa, self.symbols, points)
        hard = [k for k, (ra, re_) in enumerate(zip(self.answer, self.expected)) if INTRACTABLE in ra or INTRACTABLE in re_]
        if len(hard) * 2 < len(points):
            for k in reversed(hard):  # (in place: the caller's list of points is this one)
                del points[k], self.answer[k], self.expected[k]
        else:  # most points are hard: exact evaluation decides, as long as the budget lasts
            for rows, entries in ((self.answer, self.answer_entries), (self.expected, self.expected_entries)):
                for k in hard:
                    rows[k] = [_evaluate(e, points[k]) if v is INTRACTABLE else v for e, v in zip(entries, rows[k])]

    def differing(self, other=None, transform=None):
        """Indices of the points where the answer (or `other`'s values) differs from the expected."""
        values = self.answer if other is None else other
        bad = []
        for k, (row_v, row_e) in enumerate(zip(values, self.expected)):
            for v, e in zip(row_v, row_e):
                if e is None or v is INTRACTABLE:
                    continue  # outside the expected expression's domain (or beyond 3000 digits): nothing to compare
                if transform is not None and v is not None:
                    v = transform(v)
                if v is None or not _agree(v, e):
                    bad.append(k)
                    break
        return bad

    def defined(self):
        return sum(1 for row in self.expected if all(e is not None for e in row))

    def values_of(self, expr):
        """expr's values at the points; the course's own expressions (registered mistakes) are
        compiled once, the learner's each time."""
        return _values(expr, _compiled_known(expr, self.symbols), self.symbols, self.points)


_KNOWN: dict = {}  # (expression, symbols) -> compiled entries, for the registry's expressions


def _compiled_known(expr, symbols):
    key = (sp.ImmutableMatrix(expr) if isinstance(expr, sp.MatrixBase) else expr, tuple(symbols))
    try:
        found = _KNOWN.get(key)
    except TypeError:  # not hashable: compile it afresh
        return _compile(expr, symbols)
    if found is None:
        found = _KNOWN[key] = _compile(expr, symbols)
    return found


def _where(points, bad, symbols):
    """A sentence on where an answer differs: "for negative a", "at x_1 = 0", or at most points."""
    if not bad:
        return ""
    bad_set = set(bad)
    good = [p for k, p in enumerate(points) if k not in bad_set]
    failing = [points[k] for k in bad]
    for s in sorted(symbols, key=lambda s: s.name):  # only where the failing points are exactly those
        if all(p[s] < 0 for p in failing) and all(p[s] >= 0 for p in good):
            return f" It differs for negative {s.name} (the symbol is real: it may be negative)."
        if all(p[s] == 0 for p in failing) and all(p[s] != 0 for p in good):
            return f" It differs at {s.name} = 0."
    share = len(bad) / len(points)
    return " It differs at most values of the symbols." if share > 0.5 else " It differs at some values of the symbols."


def _at(function, entry, point, symbols, dps):
    """One entry at one point, computed with `dps` digits: a complex, or None where undefined."""
    budget.tick()
    if function is not None:
        try:
            with mpmath.workdps(dps):
                number = mpmath.mpmathify(function(*[mpmath.mpf(point[s].p) / point[s].q for s in symbols]))
                if mpmath.isfinite(number):
                    return number
        except budget.OutOfTime:
            raise
        except Exception:
            pass
    try:  # not printable for mpmath, or undefined there in mpmath's eyes: sympy's exact evaluation
        value = sp.N(entry.xreplace(point), dps, maxn=max(MAXN, 2 * dps))
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return None
        with mpmath.workdps(dps):
            return mpmath.mpmathify(complex(value)) if not value.is_real else mpmath.mpf(str(value)) if value != 0 else mpmath.mpf(0)
    except budget.OutOfTime:
        raise
    except Exception:
        return None


def _really_differs(table, k, point, base):
    """Whether the answer differs from the expected value at the point for real, not by rounding.

    The difference is computed with base, 2·base, 4·base and 8·base digits. Rounding noise shrinks
    as the precision grows, while a real difference, however small (a term of 1e-40), stays the
    same: the verdict is taken from the two highest precisions (two low ones can both lose every
    digit of a cancellation of huge terms, and agree by accident).
    """
    values = []
    for dps in (base, 2 * base, 4 * base, 8 * base):
        a = _at(table.fa[k], table.answer_entries[k], point, table.symbols, dps)
        e = _at(table.fe[k], table.expected_entries[k], point, table.symbols, dps)
        if e is None:
            return False  # outside the expected expression's domain
        if a is None:
            values.append(None)
            continue
        with mpmath.workdps(dps):
            values.append(abs(a - e))
        if len(values) >= 2 and values[-2] is not None and values[-1] == 0 and values[-2] == 0:
            return False  # exactly equal at two precisions
    last, before = values[-1], values[-2]
    if last is None:
        return before is None  # undefined where the expected value is defined, at the two highest precisions
    if before is None or last == 0:
        return False
    with mpmath.workdps(8 * base):
        return abs(last - before) <= last / 10


def _differing_for_real(table, candidates, base):
    """The candidate points (indices) where some entry really differs, at most a few confirmed."""
    confirmed = []
    for k_point in candidates:
        point = table.points[k_point]
        for k in range(len(table.expected_entries)):
            e_val, a_val = table.expected[k_point][k], table.answer[k_point][k]
            if e_val is None:
                continue
            if a_val is not None and _agree(a_val, e_val):
                continue
            if _really_differs(table, k, point, base):
                confirmed.append(k_point)
                break
        if len(confirmed) >= 3:
            return confirmed + [c for c in candidates if c > confirmed[-1]]  # the rest: taken as found
    return confirmed


def _named_constants(answer):
    """e and π typed as math.e, np.e, math.pi or np.pi (the double nearest to them) read as sympy's exact
    E and pi: `math.e ** (-x**2 / 2)` means e^(−x²/2), and comparing it with the float would call an equal
    answer "a rounded constant". Only the exact doubles are read so, never a rounded value like 2.718."""
    try:
        floats = answer.atoms(sp.Float)
    except Exception:  # noqa: BLE001 - not an expression we can walk: left as it is
        return answer
    named = {f: sp.E if float(f) == math.e else sp.pi for f in floats if float(f) in (math.e, math.pi)}
    return answer.xreplace(named) if named else answer


def compare_symbolic(answer, expected, mistakes=(), factors=(), rng=None, slips=None):
    """Diagnose a symbolic answer by mathematical equivalence over the symbols' whole domain.

    Args:
        answer, expected: sympy Expr or Matrix; the answer's symbols are matched to the
            expected ones by name (and take the exercise's assumptions).
        mistakes: (name, hint, value) triples, value a sympy object.
        factors: (factor, meaning) pairs of constant factors that are real mistakes here.
        rng: a random.Random for the points (fresh system randomness by default).
        slips: the exercise's ``slips.Slips``, or None: the slips learners make in its computation,
            named by kind (a factor missing, σ′ at the wrong point, a product in the wrong order).

    Returns:
        (status, diagnosis, message).
    """
    from helpers.checking.numeric import COMMON_FACTORS

    symbols = set(expected.free_symbols)
    for _, _, m in mistakes:
        symbols |= sp.sympify(m).free_symbols
    by_name = {s.name: s for s in symbols}
    if slips is not None:  # the notebook's other symbols (x_1 in an answer about A): a slip, not a typo
        try:
            known = list(slips.symbols)
        except budget.OutOfTime:
            raise
        except Exception:  # noqa: BLE001 - the finer diagnosis is lost, never the verdict
            known, slips = [], None
        by_name.update({s.name: s for s in known if s.name not in by_name})
    names = ", ".join(sorted(by_name))
    unknown = sorted(s.name for s in answer.free_symbols if s.name not in by_name)
    if unknown:
        return "invalid", "invalid", (
            f"your answer uses {', '.join(unknown)}, which this exercise does not have; "
            f"write it with {names}."
        )
    answer = _rename(answer, by_name)
    answer = _named_constants(answer)
    symbols = set(expected.free_symbols) | {by_name[s.name] for s in answer.free_symbols}
    for _, _, m in mistakes:
        symbols |= sp.sympify(m).free_symbols
    sa, se = _shape(answer), _shape(expected)
    if sa != se:
        named = _slip(answer, slips, pairs=True)
        if named is not None:
            return named
        diagonal = _diagonal_as_vector(answer, expected)
        if diagonal:
            return diagonal
        if len(sa) == 2 and sa[::-1] == se:
            return "wrong", "shape", f"not yet: you gave a {sa[0]}×{sa[1]} matrix, the answer is {se[0]}×{se[1]}: the transpose would have the right shape."
        want = "a single expression" if se == () else f"a {se[0]}×{se[1]} matrix"
        got = "a single expression" if sa == () else f"a {sa[0]}×{sa[1]} matrix"
        return "wrong", "shape", f"not yet: you gave {got}, the answer is {want}."
    if answer == expected:  # the same expression, node for node (both are genuine sympy objects)
        return "correct", "correct", "correct."
    found = constants(answer)
    points = sample_points(symbols, rng, around=found)
    # digits enough to see past the answer's smallest and largest constants (a term of 1e-40 · a)
    if any(abs(c) <= 1e-300 or abs(c) >= 1e300 for c in found):
        return "invalid", "timeout", ("cannot check this: it contains a number beyond 10^±300 (such as exp(-1000)), "
                                      "too small or too large to check: simplify it first.")
    base = 30 + int(max([abs(math.log10(abs(c))) for c in found] + [0]))
    table = _Table(answer, expected, points)
    if table.defined() == 0:
        return "invalid", "invalid", "cannot check this exercise's expression at any point; please report it."
    if all(a is None for row in table.answer for a in row):
        return "invalid", "invalid", ("cannot check this: your expression cannot be evaluated at any point "
                                      "(a division by zero, or a log of a negative number?).")
    bad = _differing_for_real(table, table.differing(), base)
    if not bad:
        fine = [k for k in range(len(points) - FINE_POINTS, len(points))]
        tiny = any(_really_differs(table, k, points[p], base) for p in fine for k in range(len(table.expected_entries)))
        if not tiny:
            return "correct", "correct", "correct."
        return "wrong", "wrong", ("not yet: your expression differs from the expected one by a tiny amount: "
                                  "it is not equivalent (is a small term or a rounded constant in it?).")
    for name, hint, value in mistakes:
        m = sp.sympify(value)
        if _shape(m) == _shape(answer) and _match(table.answer, table.values_of(m)):
            return "wrong", f"mistake:{name}", f"not yet: this is a known mistake, {name}. {hint}"
    if isinstance(expected, sp.MatrixBase) and expected.shape[0] == expected.shape[1] and expected.shape[0] > 1:
        if not table.differing(table.values_of(answer.T)) and answer.T != answer:
            return "wrong", "transposed", "not yet: your matrix is the transpose of the expected one (rows and columns swapped)."
    if not _undefined_where_expected(table):
        if not table.differing(transform=lambda v: -v) and any(
                e not in (None, 0) for row in table.expected for e in row):
            return "wrong", "sign", "not yet: the sign is wrong: your answer is the negative of the expected one."
    named = _slip(answer, slips, pairs=False, table=table)
    if named is not None:
        return named
    if not _undefined_where_expected(table):
        for factor, meaning in (*COMMON_FACTORS, *factors):
            if not table.differing(transform=lambda v, f=factor: v / f):
                return "wrong", "factor", f"not yet: your answer is {meaning}"
    named = _slip(answer, slips, pairs=True, table=table)
    if named is not None:
        return named
    kind = _structure(answer, expected, slips, table)
    if kind is not None:
        return kind
    extra = sorted(s.name for s in answer.free_symbols - expected.free_symbols)
    if extra:
        return "wrong", "extra-symbols", (
            f"not yet: your expression contains {', '.join(extra)}, which the answer does not depend on: "
            "look for a quantity that belongs to another question (the derivative's variable, or the output itself).")
    where = _where(points, bad, symbols)
    first = ""
    if isinstance(expected, sp.MatrixBase):
        cols = expected.shape[1]
        for k in range(len(_entries(expected))):
            column = [[row_a[k]] for row_a in table.answer]
            expected_column = [[row_e[k]] for row_e in table.expected]
            if any(e[0] is not None and (a[0] is None or not _agree(a[0], e[0]))
                   for a, e in zip(column, expected_column)):
                first = f" Entry [{k // cols}, {k % cols}] is the first that differs."
                break
    undefined = " (it is undefined at some points where the expected expression is defined)" if _undefined_where_expected(table) else ""
    return "wrong", "wrong", f"not yet: your expression is not equivalent to the expected one{undefined}.{where}{first}"


def _match(values, reference):
    """`values` agree with `reference` wherever the reference is defined (and somewhere at least)."""
    compared = 0
    for row_v, row_r in zip(values, reference):
        for v, r in zip(row_v, row_r):
            if r is None or r is INTRACTABLE or v is INTRACTABLE:  # (a registered mistake may be beyond 3000 digits too)
                continue
            if v is None or not _agree(v, r):
                return False
            compared += 1
    return compared > 0


def _undefined_where_expected(table):
    return any(a is None and e is not None
               for row_a, row_e in zip(table.answer, table.expected) for a, e in zip(row_a, row_e))


def _spare():
    from helpers.checking.slips import SPARE

    return SPARE


def _answer_at(answer, slips, table=None):
    """The answer's values at the slips' sample points, batched like the slips' values (P, …), or None."""
    symbols = sorted(set(slips.symbols) | answer.free_symbols, key=lambda s: s.name)
    points = []
    for k, point in enumerate(slips.points):
        full = dict(point)
        for s in symbols:
            if s not in full:
                full[s] = sp.Rational(37 + 11 * k + len(s.name), 41)
        points.append(full)
    if table is not None and set(table.symbols) >= answer.free_symbols:
        functions, names = table.fa, table.symbols
    else:
        names = symbols
        functions = _compile(answer, names)
    for point in points:
        for s in names:
            point.setdefault(s, sp.Rational(13, 17))
    rows = _values(answer, functions, names, points)
    values = []
    for row in rows:
        if any(v is None or abs(v.imag) > 1e-12 * max(1.0, abs(v.real)) for v in row):
            return None
        values.append([v.real for v in row])
    import numpy as np

    shape = _shape(answer)
    return np.array(values, dtype=float).reshape((len(points),) + tuple(shape))


def _slip(answer, slips, pairs, table=None):
    """(status, diagnosis, message) for an answer that one slip (or two) of the exercise explains."""
    if slips is None or budget.remaining() <= _spare():
        return None  # no time left for the finer diagnosis: the verdict comes first
    from helpers.checking.numeric import slip_key, slip_message

    try:
        values = _answer_at(answer, slips, table)
    except budget.OutOfTime:
        raise
    except Exception:  # noqa: BLE001 - an answer we cannot evaluate: no finer diagnosis
        return None
    if values is None:
        return None
    found = slips.match(values, pairs=False) or (slips.match(values, pairs=True) if pairs else None)
    if found is None:
        return None
    return "wrong", slip_key(found), slip_message(found, slips)


def _diagonal_as_vector(answer, expected):
    """The diagonal of a diagonal Jacobian given as a column or a row."""
    if not isinstance(answer, sp.MatrixBase) or not isinstance(expected, sp.MatrixBase):
        return None
    n = expected.shape[0]
    if expected.shape != (n, n) or n < 2 or answer.shape not in ((n, 1), (1, n)):
        return None
    if any(expected[i, j] != 0 for i in range(n) for j in range(n) if i != j):
        return None
    try:
        same = all(sp.simplify(answer[i] - expected[i, i]) == 0 for i in range(n))
    except Exception:  # noqa: BLE001
        return None
    if same:
        return "wrong", "diagonal-vector", (
            "not yet: these are the right derivatives, but as a vector: the Jacobian of an entry-by-entry "
            "map is a square matrix, with ∂y_i/∂x_j in row i, column j.")
    return None


def _structure(answer, expected, slips, table):
    """A structural kind (only the diagonal, the right entries in another order, zero, a constant
    multiple, some rows right), judged at the slips' sample points."""
    if slips is None or not isinstance(expected, sp.MatrixBase) or budget.remaining() <= _spare():
        return None
    from helpers.checking.numeric import structure

    try:
        values = _answer_at(answer, slips, table)
        reference = slips.reference()
    except budget.OutOfTime:
        raise
    except Exception:  # noqa: BLE001
        return None
    if values is None or values.shape != reference.shape:
        return None
    kinds = {structure(v, r, 1e-9, 1e-12) for v, r in zip(values, reference)}
    if len(kinds) == 1 and None not in kinds:
        from helpers.checking.numeric import _sentence

        key, text = kinds.pop()
        return "wrong", key, f"not yet: {_sentence(text)}"
    return None
