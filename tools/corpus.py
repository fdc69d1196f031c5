"""The mistake corpus, measured: run every case of tests/corpus/nb*.py through check() and print
the share that gets a specific diagnosis (status wrong, a key other than the generic "wrong"),
per notebook and overall, the last line exactly ``mistakes: N, specific: P %``.

    .venv/bin/python tools/corpus.py            # make corpus; make fuzz prints it too
    .venv/bin/python tools/corpus.py -v         # every case: its diagnosis and the sentence

Also counted, and printed when not zero: false "correct" (a mistake judged right), a diagnosis
other than the case's expected one, and feedback that gives the answer away (tests/leakcheck.py).
The exit status is 1 if any of those is not zero, or a share is below 90 % (a held-out mistake that
gets only the generic line is listed, and counts only through the share).

    .venv/bin/python tools/corpus.py --heldout  # make heldout: tests/heldout/, mistakes written
                                                # before reading the diagnoses of their exercise

prints ``heldout: N mistakes, specific: P %`` and lists every held-out mistake that gets only the
generic line (its expected diagnosis is "*": any specific one).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ["BACKPROP_PROGRESS"] = os.path.join(tempfile.mkdtemp(prefix="backprop-corpus-"), "progress.json")
os.environ["BACKPROP_CORPUS"] = "all"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    parser.add_argument("--heldout", action="store_true", help="measure tests/heldout/ instead of tests/corpus/")
    args = parser.parse_args(argv)

    import test_mistake_corpus as corpus

    cases = corpus.load_cases(ROOT / "tests" / "heldout") if args.heldout else corpus.CASES
    corpus.roomy_budget()
    results, problems, generic = [], [], []
    start = time.process_time()
    for notebook, case in cases:
        exercise_id, what, _, expected = case[:4]
        feedback = corpus.run(case)
        results.append((notebook, case, feedback))
        leaked = corpus.leakcheck.leak(exercise_id, feedback.message)
        if feedback.status == "correct":
            problems.append(f"FALSE CORRECT {exercise_id} ({what})")
        elif args.heldout and not corpus.specific(feedback):
            generic.append(f"generic {exercise_id} ({what}): {feedback.diagnosis}: {feedback.message}")
        elif not corpus.matches(feedback.diagnosis, expected):
            problems.append(f"expected {expected}, got {feedback.diagnosis}: {exercise_id} ({what}): {feedback.message}")
        if leaked:
            problems.append(f"LEAK {exercise_id} ({what}): {leaked}: {feedback.message}")
        if args.verbose:
            print(f"{exercise_id:5} {what[:40]:40} {feedback.diagnosis:28} {feedback.message}")
    for line in problems + generic:
        print(line)
    by_notebook = {}
    for notebook, _, feedback in results:
        by_notebook.setdefault(notebook, []).append(corpus.specific(feedback))
    low = [n for n, flags in by_notebook.items() if sum(flags) < corpus.TARGET * len(flags)]
    print(f"({time.process_time() - start:.1f} s of CPU for {len(results)} checks)")
    report = corpus.report(results)
    if args.heldout:
        total = [corpus.specific(f) for _, _, f in results]
        report = report.rsplit("\n", 1)[0] + f"\nheldout: {len(total)} mistakes, specific: {100 * sum(total) / max(1, len(total)):.1f} %"
    print(report)
    return 1 if problems or low else 0


if __name__ == "__main__":
    sys.exit(main())
