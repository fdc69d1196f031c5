"""The class report after grading: per assignment, from nbgrader's gradebook and its autograded notebooks.

    make class-report                      # every graded assignment of build/classroom, into build/class-report/
    python -m helpers.insights.report --course build/classroom [--assignment 03_two_layer_network] [--out DIR]

For each assignment: the score distribution (a histogram and its table), and per exercise the
share of learners right and their commonest mistakes, as the grader named them. Written as
``<assignment>.html`` (figures inside, each with a text alternative that states what it shows,
and every number also in a table) and two CSV files, ``<assignment>-exercises.csv`` (one row per
exercise and kind of mistake) and ``<assignment>-scores.csv`` (learners per score).

What it reads, and nothing else:
- the gradebook (nbgrader's own API): each learner's score for the assignment, and the points of
  each exercise's test cell (grade id ``exN_M_test``);
- in each autograded notebook (``autograded/<learner>/<assignment>/``), the grader's verdict on each
  test cell, which ``helpers.classroom.grader.VerifyAnswers`` writes as the cell's metadata
  ``backprop.verdict = {"exercise", "correct", "diagnosis"}``. Where it is missing (a notebook
  graded by an older grader) the exercise counts as right or not from the gradebook, with no
  diagnosis.
A learner's kernel never writes either: the report is as trustworthy as the grades.
"""

from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from helpers.insights.events import label

TEST_ID_PREFIX = "ex"
UNKNOWN = "not recorded by the grader"
NOT_ANSWERED = {"unanswered", "no-answer"}
EXTRA_LABELS = {"no-answer": "no answer reached the grader", "refused": "not a plain answer (refused)",
                "unanswered": "not answered"}


def _label(diagnosis):
    return EXTRA_LABELS.get(diagnosis) or (label(diagnosis) if diagnosis else UNKNOWN)


def collect(course, assignment):
    """{"learners": {name: (score, max)}, "exercises": {id: {...}}} for one graded assignment."""
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    from helpers.classroom import exercise_of

    course = Path(course)
    learners, exercises = {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            found = gb.find_assignment(assignment)
        except MissingEntry:
            raise SystemExit(f"class-report: the gradebook of {course} has no assignment {assignment!r}") from None
        notebooks = [nb.name for nb in found.notebooks]
        for submission in gb.assignment_submissions(assignment):
            student = submission.student.id
            learners[student] = (submission.score, submission.max_score)
            for notebook in notebooks:
                try:
                    graded = gb.find_submission_notebook(notebook, assignment, student)
                except MissingEntry:
                    continue
                verdicts = _verdicts(course / "autograded" / student / assignment / f"{notebook}.ipynb", nbformat)
                for grade in graded.grades:
                    exercise = exercise_of(grade.name)
                    if exercise is None:
                        continue
                    entry = exercises.setdefault(exercise, {"points": grade.max_score, "right": set(), "answered": set(),
                                                            "learners": set(), "mistakes": Counter(), "who": {}})
                    entry["learners"].add(student)
                    score = grade.score if grade.score is not None else 0
                    recorded = verdicts.get(exercise, {})
                    right = grade.max_score > 0 and score >= grade.max_score
                    if right:
                        entry["right"].add(student)
                        entry["answered"].add(student)
                        continue
                    diagnosis = recorded.get("diagnosis") if recorded.get("correct") is False else None
                    if diagnosis not in NOT_ANSWERED:
                        entry["answered"].add(student)
                    key = diagnosis or "?"
                    entry["mistakes"][key] += 1
                    entry["who"].setdefault(key, []).append(student)
    return {"assignment": assignment, "learners": learners, "exercises": exercises}


def _verdicts(path, nbformat):
    """{exercise: the grader's verdict} from an autograded notebook's test cells."""
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return {}
    found = {}
    for cell in nb.cells:
        v = cell.get("metadata", {}).get("backprop", {}).get("verdict")
        if isinstance(v, dict) and isinstance(v.get("exercise"), str):
            found[v["exercise"]] = v
    return found


def _order(exercise_id):
    return tuple(int(p) for p in exercise_id.split(".") if p.isdigit())


def _titles():
    try:
        from helpers import exercises

        return {i: exercises.get(i).title for i in exercises.ids()}
    except Exception:  # noqa: BLE001 - titles are a courtesy
        return {}


def rows(data):
    """The per-exercise rows of the report, in course order."""
    titles = _titles()
    out = []
    n = len(data["learners"])
    for exercise in sorted(data["exercises"], key=_order):
        e = data["exercises"][exercise]
        mistakes = [(k, c) for k, c in e["mistakes"].most_common() if k not in NOT_ANSWERED]
        out.append({"exercise": exercise, "title": titles.get(exercise, ""), "points": e["points"], "learners": n,
                    "right": len(e["right"]), "share_right": len(e["right"]) / n if n else 0.0,
                    "not_answered": sum(c for k, c in e["mistakes"].items() if k in NOT_ANSWERED),
                    "mistakes": [(k, _label(k) if k != "?" else UNKNOWN, c) for k, c in mistakes]})
    return out


def _figure_png(draw, size):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context({"font.size": 14, "axes.titlesize": 16, "axes.labelsize": 14}):
        fig, ax = plt.subplots(figsize=size, dpi=100, layout="constrained")
        draw(ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _scores_figure(scores, maximum):
    counts = Counter(scores)

    def draw(ax):
        xs = sorted(set(range(int(maximum) + 1)) | set(counts))
        ax.bar(xs, [counts.get(x, 0) for x in xs], color="#0a4f9c", width=0.8)
        ax.set_xlabel(f"score (out of {maximum:g} points)")
        ax.set_ylabel("learners")
        ax.set_title("Score distribution")
        ax.yaxis.get_major_locator().set_params(integer=True)

    return _figure_png(draw, (8, 4))


def _share_figure(table):
    def draw(ax):
        labels = [r["exercise"] for r in table][::-1]
        shares = [100 * r["share_right"] for r in table][::-1]
        ax.barh(labels, shares, color="#14652b")
        ax.set_xlim(0, 100)
        ax.set_xlabel("learners right (%)")
        ax.set_title("Share right per exercise")
        for y, s in enumerate(shares):
            ax.text(min(s + 1, 88), y, f"{s:.0f} %", va="center")

    return _figure_png(draw, (8, max(2.5, 0.45 * len(table) + 1.2)))


def write(data, out):
    """Write <assignment>.html, -exercises.csv and -scores.csv into `out`; return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = data["assignment"]
    table = rows(data)
    learners = data["learners"]
    scores = [s for s, _ in learners.values()]
    maximum = max((m for _, m in learners.values()), default=0)
    paths = {"html": out / f"{name}.html", "exercises": out / f"{name}-exercises.csv", "scores": out / f"{name}-scores.csv"}

    with open(paths["exercises"], "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["assignment", "exercise", "title", "points", "learners", "right", "share_right", "not_answered",
                    "mistake", "diagnosis_key", "learners_with_mistake"])
        for r in table:
            first = [name, r["exercise"], r["title"], f"{r['points']:g}", r["learners"], r["right"],
                     f"{r['share_right']:.3f}", r["not_answered"]]
            for key, text, count in r["mistakes"] or [("", "", 0)]:
                w.writerow(first + [text, key if key != "?" else "", count])
    counts = Counter(scores)
    with open(paths["scores"], "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["assignment", "score", "max_score", "learners"])
        for score in sorted(counts):
            w.writerow([name, f"{score:g}", f"{maximum:g}", counts[score]])

    n = len(scores)
    median = statistics.median(scores) if scores else 0
    full = sum(1 for s in scores if maximum and s >= maximum)
    zero = sum(1 for s in scores if s == 0)
    hardest = sorted(table, key=lambda r: (r["share_right"], _order(r["exercise"])))[:3]
    score_alt = (f"Histogram of the scores of {n} learners out of {maximum:g} points: median {median:g}, "
                 f"{full} with full marks, {zero} with 0.")
    share_alt = ("Bar chart of the share of learners right per exercise; the lowest: "
                 + "; ".join(f"{r['exercise']} {100 * r['share_right']:.0f} %" for r in hardest) + ".") if table else ""
    e = html.escape
    parts = [f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Class report: {e(name)}</title><style>
body {{ font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 18px; line-height: 1.45; color: #111;
  max-width: 70rem; margin: 1rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; }}
th, td {{ text-align: left; vertical-align: top; padding: 0.25rem 0.6rem; border-bottom: 1px solid #767676; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
th[scope="row"] small {{ font-weight: 400; color: #3d3d3d; }}
caption {{ text-align: left; color: #3d3d3d; }} img {{ max-width: 100%; height: auto; }}
</style></head><body><main>
<h1>Class report: {e(name)}</h1>
<p>From nbgrader's gradebook and the grader's own verdicts on {n} autograded submission{"s" if n != 1 else ""}
({time.strftime("%Y-%m-%d %H:%M")}). The kinds of mistake are the checker's, as the grader judged each answer.</p>
<h2>Scores</h2>
<p>Median {median:g} of {maximum:g} points; {full} learner{"s" if full != 1 else ""} with full marks, {zero} with 0.</p>
<figure><img src="data:image/png;base64,{_scores_figure(scores, maximum) if scores else ""}" alt="{e(score_alt)}">
<figcaption aria-hidden="true">{e(score_alt)}</figcaption></figure>
<table><caption>Learners per score</caption><thead><tr><th scope="col">Score</th><th scope="col">Learners</th></tr></thead><tbody>
"""]
    parts += [f"<tr><td class='num'>{s:g}</td><td class='num'>{counts[s]}</td></tr>" for s in sorted(counts)]
    parts.append("</tbody></table><h2>Exercises</h2>")
    if table:
        parts.append(f'<figure><img src="data:image/png;base64,{_share_figure(table)}" alt="{e(share_alt)}">'
                     f"<figcaption aria-hidden=\"true\">{e(share_alt)}</figcaption></figure>")
    parts.append("<table><caption>Per exercise: learners right, not answered, and the commonest mistakes</caption>"
                 "<thead><tr><th scope='col'>Exercise</th><th scope='col'>Points</th><th scope='col'>Right</th>"
                 "<th scope='col'>Not answered</th><th scope='col'>Commonest mistakes (learners)</th></tr></thead><tbody>")
    for r in table:
        mistakes = "; ".join(f"{e(text)}: {count}" for _, text, count in r["mistakes"][:3]) or "none"
        parts.append(f"<tr><th scope='row'>{e(r['exercise'])} <small>{e(r['title'])}</small></th>"
                     f"<td class='num'>{r['points']:g}</td><td class='num'>{r['right']} of {r['learners']} "
                     f"({100 * r['share_right']:.0f} %)</td><td class='num'>{r['not_answered']}</td><td>{mistakes}</td></tr>")
    parts.append("</tbody></table></main></body></html>\n")
    paths["html"].write_text("".join(parts), encoding="utf-8")
    return paths


def graded_assignments(course):
    from nbgrader.api import Gradebook

    path = Path(course) / "gradebook.db"
    if not path.exists():
        return []
    with Gradebook(f"sqlite:///{path}") as gb:
        return [a.name for a in gb.assignments if gb.assignment_submissions(a.name)]


def main(argv=None):
    parser = argparse.ArgumentParser(description="The class report after grading (nbgrader autograde).")
    parser.add_argument("--course", type=Path, default=Path("build/classroom"),
                        help="the nbgrader course root, with gradebook.db and autograded/ (default build/classroom)")
    parser.add_argument("--assignment", action="append", help="an assignment id (default: every graded one)")
    parser.add_argument("--out", type=Path, default=Path("build/class-report"), help="where to write (build/class-report)")
    args = parser.parse_args(argv)
    assignments = args.assignment or graded_assignments(args.course)
    if not assignments:
        print(f"class-report: nothing graded in {args.course} yet (nbgrader autograde first; docs/teaching.md)")
        return 1
    for assignment in assignments:
        data = collect(args.course, assignment)
        paths = write(data, args.out)
        table = rows(data)
        top = [(r["exercise"], text, c) for r in table for _, text, c in r["mistakes"][:1]]
        top.sort(key=lambda item: -item[2])
        print(f"class-report {assignment}: {len(data['learners'])} learners, {len(table)} exercises; "
              f"{paths['html']}, {paths['exercises'].name}, {paths['scores'].name}"
              + (f"; commonest mistake: {top[0][0]} {top[0][1]} ({top[0][2]} learner{'s' if top[0][2] != 1 else ''})"
                 if top else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
