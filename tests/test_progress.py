"""The learner's progress file: survives kernel restarts, never corrupts, never crashes a notebook."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import helpers
from helpers import check, exercises, progress

ROOT = Path(__file__).resolve().parent.parent
FIRST = exercises.ids()[0]  # an exercise of notebook 01
NB = f"{int(FIRST.split('.')[0]):02d}"


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh progress file for one test."""
    p = tmp_path / "progress.json"
    monkeypatch.setenv("BACKPROP_PROGRESS", str(p))
    return p


def _correct(exercise_id):
    return exercises.expected(exercise_id)


def test_missing_file_means_no_progress_with_a_note(store):
    assert not store.exists()
    assert progress.load() == (set(), progress.NO_FILE_NOTE)
    shown = progress.show(NB)
    text = str(shown)
    assert text.startswith(f"Notebook {NB}: 0 of ")  # says nothing was answered, and no more
    assert "Note:" not in text and "Note:" not in shown._repr_html_()
    assert not store.exists()  # showing never creates the file


@pytest.mark.parametrize("content", [
    b"{not json", b"", b"\x00\xff\xfe garbage", b"[]", b'{"correct": 5}', b'{"other": {}}', b"null",
    '{"correct": {"1.1": tru'.encode(),  # cut off mid-write by an old, non-atomic writer
])
def test_corrupt_file_gives_a_note_not_a_crash_and_is_rewritten(store, content):
    store.write_bytes(content)
    done, note = progress.load()
    assert done == set() and "could not be read" in note
    assert "could not be read" in str(progress.show(NB))
    assert "could not be read" in progress.show()._repr_html_()
    feedback = check(FIRST, _correct(FIRST))  # the next correct answer rewrites it, whole
    assert feedback.status == "correct"
    assert json.loads(store.read_text(encoding="utf-8")) == {
        "version": 2, "exercises": {FIRST: {"status": "correct", "hints": 0}}}
    assert progress.load() == ({FIRST}, None)


def test_unreadable_path_gives_a_note_and_check_still_answers(store):
    store.mkdir()  # a directory where the file should be: unreadable and unwritable
    assert "could not be read" in str(progress.show(NB))
    assert check(FIRST, _correct(FIRST)).status == "correct"  # the checker still answers


def test_correct_answers_are_recorded_and_shown(store):
    ids = [i for i in exercises.ids() if i.startswith(f"{int(NB)}.")]
    for i in ids[:2]:
        assert check(i, _correct(i))
    assert progress.load() == (set(ids[:2]), None)
    text = str(progress.show(NB))
    assert "Note:" not in text
    assert text.startswith(f"Notebook {NB}: 2 of {len(ids)} correct")
    assert f"{ids[0]}✔" in text and f"{ids[-1]}·" in text
    html = progress.show(int(NB))._repr_html_()
    assert f"2 of {len(ids)} correct" in html and "Note:" not in html
    assert json.loads(store.read_text(encoding="utf-8"))["exercises"] == {
        i: {"status": "correct", "hints": 0} for i in ids[:2]}


def test_wrong_unanswered_and_invalid_answers_never_erase_a_success(store):
    assert check(FIRST, _correct(FIRST))
    before = store.read_bytes()
    for answer in (..., None, "abc", float("nan"), 1e6, -_correct(FIRST), [1, 2, 3]):
        assert not check(FIRST, answer)
    progress.record(FIRST, False)
    assert store.read_bytes() == before
    assert FIRST in progress.load()[0]


def test_progress_survives_a_new_kernel_session(store):
    check(FIRST, _correct(FIRST))
    code = "from helpers import progress; print(progress.load()[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "BACKPROP_PROGRESS": str(store)}, check=True)
    assert out.stdout.strip() == repr({FIRST})


def test_a_failed_write_leaves_the_old_file_whole(store, monkeypatch):
    check(FIRST, _correct(FIRST))
    before = store.read_bytes()
    second = exercises.ids()[1]

    def half_then_crash(obj, f, **kwargs):
        f.write(json.dumps(obj)[:7])
        raise KeyboardInterrupt  # interrupted mid-write

    monkeypatch.setattr(progress.json, "dump", half_then_crash)
    with pytest.raises(KeyboardInterrupt):
        progress.record(second, True)
    assert store.read_bytes() == before
    assert progress.load() == ({FIRST}, None)
    assert [p.name for p in store.parent.iterdir()] == [store.name]  # the half-written temp file is gone


def test_a_process_killed_mid_write_leaves_the_old_file_whole(store):
    """A hard crash (no cleanup at all) after the new content is written but before it is moved in."""
    check(FIRST, _correct(FIRST))
    before = store.read_bytes()
    second = exercises.ids()[1]
    code = (
        "import os\n"
        "from helpers import progress\n"
        "os.fsync = lambda fd: os._exit(9)  # die between writing the temp file and moving it into place\n"
        f"progress.record({second!r}, True)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "BACKPROP_PROGRESS": str(store)})
    assert result.returncode == 9, result.stderr
    assert store.read_bytes() == before
    assert progress.load() == ({FIRST}, None)
    assert check(second, _correct(second))  # and the next write works despite the leftover temp file
    assert progress.load() == ({FIRST, second}, None)


def test_concurrent_writers_lose_no_success(store):
    ids = exercises.ids()[:8]
    threads = [threading.Thread(target=progress.record, args=(i, True)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert progress.load() == (set(ids), None)


def test_whole_course_and_public_names(store):
    assert helpers.show_progress is progress.show
    assert {"check", "Feedback", "show_progress"} <= set(helpers.__all__)
    text = str(helpers.show_progress())
    notebooks = sorted({f"{int(i.split('.')[0]):02d}" for i in exercises.ids()})
    assert [line.split(":")[0] for line in text.splitlines() if line.startswith("Notebook")] == [
        f"Notebook {n}" for n in notebooks]
    assert str(progress.show("99")) == "Notebook 99: no exercises."  # no note: nothing to answer there


def test_default_location_is_the_course_root_and_ignored_by_git(monkeypatch):
    monkeypatch.delenv("BACKPROP_PROGRESS", raising=False)
    assert progress.path() == ROOT / ".progress.json"
    if (ROOT / ".git").exists():
        ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", ".progress.json"], timeout=30)
        assert ignored.returncode == 0, ".progress.json must be listed in .gitignore"


# --- issue 10: only the learner's own answers are credited ---------------------------------------


def _entry(store, exercise_id):
    return json.loads(store.read_text(encoding="utf-8"))["exercises"].get(exercise_id)


def test_a_solution_cell_verifies_without_recording(store):
    feedback = helpers.solution(FIRST, _correct(FIRST))
    assert feedback.status == "solution" and "reference answer" in str(feedback) and not feedback
    assert str(feedback).startswith(f"✎ Solution {FIRST}")
    assert not store.exists()


def test_a_solution_cell_with_a_changed_value_says_so_and_records_nothing(store):
    feedback = helpers.solution(FIRST, -_correct(FIRST))
    assert feedback.status == "wrong" and "no longer the reference solution" in feedback.message
    assert not store.exists()


def test_demo_shows_checks_verdict_without_recording(store):
    feedback = helpers.demo(FIRST, -_correct(FIRST))
    assert feedback.status == "wrong" and feedback.diagnosis == "sign"
    assert not store.exists()


def test_wrong_then_right_goes_from_tried_to_correct(store):
    assert not check(FIRST, -_correct(FIRST))
    assert _entry(store, FIRST) == {"status": "tried", "hints": 0}
    assert "tried, not yet right" in str(progress.show(NB)) and f"{FIRST}✘" in str(progress.show(NB))
    assert check(FIRST, _correct(FIRST))
    assert _entry(store, FIRST) == {"status": "correct", "hints": 0}
    assert not check(FIRST, -_correct(FIRST))  # a later slip never takes the success away
    assert _entry(store, FIRST)["status"] == "correct"


def test_unanswered_records_nothing(store):
    check(FIRST, ...)
    assert not store.exists()


def test_hints_are_counted_and_shown(store):
    first = helpers.hint(FIRST)
    second = helpers.hint(FIRST, 2)
    assert str(first).startswith(f"☞ Hint 1 for exercise {FIRST}") and f'hint("{FIRST}", 2)' in str(first)
    assert "last hint" in str(second) and str(first) != str(second)
    assert _entry(store, FIRST) == {"status": None, "hints": 2}
    assert "2 hints taken" in str(progress.show(NB))
    helpers.hint(FIRST, 1)  # reading hint 1 again keeps the highest level read
    assert _entry(store, FIRST)["hints"] == 2


def test_a_wrong_answer_points_at_the_first_hint_until_it_is_taken(store):
    assert f'hint("{FIRST}")' in check(FIRST, -_correct(FIRST)).message
    helpers.hint(FIRST)
    assert "hint(" not in check(FIRST, -_correct(FIRST)).message


@pytest.mark.parametrize("bad", ["9.9", 3.4, None, ["1.1"]])
def test_hint_for_an_unknown_exercise_is_a_sentence(store, bad):
    text = str(helpers.hint(bad))
    assert "hint(" in text or "There is no exercise" in text
    assert not store.exists()


@pytest.mark.parametrize("level", [0, 3, "2", 1.5])
def test_hint_level_out_of_range_is_a_sentence(store, level):
    assert "has hints 1 to" in str(helpers.hint(FIRST, level))


def test_reset_one_notebook_or_all(store):
    other = next(i for i in exercises.ids() if not i.startswith(f"{int(NB)}."))
    check(FIRST, _correct(FIRST))
    check(other, exercises.expected(other))
    assert str(progress.reset(NB)) == f"Progress of notebook {NB} forgotten."
    assert progress.load()[0] == {other}
    assert str(progress.reset()) == "All progress forgotten."
    assert progress.load()[0] == set()


def test_the_file_keeps_its_permissions_and_its_symlink(tmp_path, monkeypatch):
    real = tmp_path / "real" / "progress.json"
    real.parent.mkdir()
    real.write_text('{"version": 2, "exercises": {}}', encoding="utf-8")
    real.chmod(0o644)
    link = tmp_path / "progress.json"
    link.symlink_to(real)
    monkeypatch.setenv("BACKPROP_PROGRESS", str(link))
    assert check(FIRST, _correct(FIRST))
    assert link.is_symlink() and os.path.realpath(link) == str(real)
    assert (real.stat().st_mode & 0o777) == 0o644
    assert FIRST in progress.load()[0]


def test_an_unwritable_location_is_said_once_in_the_feedback(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("x")
    monkeypatch.setenv("BACKPROP_PROGRESS", str(blocked / "progress.json"))  # its folder cannot exist
    monkeypatch.setattr(progress, "_WARNED", set())
    first = check(FIRST, _correct(FIRST))
    assert first and "could not be saved" in first.message and "BACKPROP_PROGRESS" in first.message
    second = check(FIRST, _correct(FIRST))
    assert second and "could not be saved" not in second.message  # said once, not on every answer


def test_a_student_edition_keeps_its_own_progress(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKPROP_PROGRESS", raising=False)
    edition = tmp_path / "student"
    (edition / "helpers").mkdir(parents=True)
    (edition / "notebooks").mkdir()
    monkeypatch.chdir(edition / "notebooks")  # where JupyterLab starts the kernel of a student notebook
    assert progress.path() == edition / ".progress.json"
