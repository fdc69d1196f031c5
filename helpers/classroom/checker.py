"""The grader's checking process: every answer decoded and judged in a child with its own limits.

``python -I -m helpers.classroom.checker COURSE_ROOT`` is started by the grader (``Checker``)
before the first submission's kernel, so before any learner code runs anywhere. It imports the
checker and every exercise, computes every reference value and every registered mistake, reads the
lessons and data, judges every reference once (so that every module sympy loads lazily is loaded
too), and compares every course file it loaded with the manifest ``make classroom`` made. Then it
serves requests on stdin/stdout, one at a time; each request is judged in a fresh ``fork`` of it:

- the child sets an address-space limit (``memory`` above what the process already maps) and a
  CPU-time limit: the course's own budget (``helpers.checking.budget``, counted in CPU time)
  interrupts the check after ``cpu_seconds``, and RLIMIT_CPU kills the child a few seconds later
  if a single C call (a huge integer power) never returns to Python;
- it parses the document (JSON, then srepr into unevaluated sympy: ``codec``), judges it with the
  course's checker (``helpers.checking``; ``functions.judge_runs`` for notebook 06), writes one
  line of JSON to a pipe and exits.

So a document made up by hand can make one child fail, never the grader: CPU time is counted,
not wall time, so a busy machine slows a check down without making a right answer "too complex".

Protocol: the process writes ``ready <json>`` once; each request is a JSON line
``{"exercise", "seed", "size"}`` followed by ``size`` bytes of document (JSON); each answer is a
JSON line ``{"correct", "sentence", "diagnosis"}`` (the diagnosis is the checker's key, which the
class report reads).
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

CPU_SECONDS = 20.0           # to judge one answer (docs/teaching.md states it)
MEMORY = 2 * 1024 * 2**20    # bytes of address space a check may add to what the process maps
MAX_REQUEST = 4 * 2**20      # bytes of document


# --------------------------------------------------------------------------- the process


def load():
    """Everything a verdict needs, imported and computed now (before any submission runs)."""
    import helpers.checking  # noqa: F401
    import helpers.lessons  # noqa: F401
    import helpers.nets  # noqa: F401
    import helpers.symbolic  # noqa: F401
    from helpers import exercises
    from helpers.checking import _check, functions
    from helpers.classroom import codec  # noqa: F401

    for exercise_id in exercises.ids():
        exercise = exercises.get(exercise_id)
        reference = exercise.expected()
        for mistake in (*exercise.mistakes, *(exercise.spec.slips if exercise.kind == "function" else ())):
            mistake.value()
        # judge the reference once: sympy and numpy load what they load lazily now, not later
        if exercise.kind == "function":
            cases = functions.grading_inputs(exercise, 0)
            functions.judge_runs(exercise, *functions.run_cases(reference, exercise.spec, cases), cases)
        else:
            _check(exercise, reference, False)
    return len(exercises.ids())


def judge(exercise_id, payload, seed, cpu_seconds=CPU_SECONDS):
    """(correct?, sentence, diagnosis) for one document. Runs in the child.

    The check runs within ``budget.run(..., seconds=cpu_seconds)``: the course's own CPU-time budget
    (helpers/checking/budget.py), the grader's size of it. A check that needs more is refused as
    too complex, in the words ``check`` uses, with the diagnosis "timeout"."""
    from helpers import exercises
    from helpers.checking import _out_of_time, _settled, budget, functions
    from helpers.checking.feedback import Feedback
    from helpers.classroom.codec import Refused, decode, decode_runs

    exercise = exercises.get(exercise_id)
    if exercise is None:
        return False, f"Exercise {exercise_id}: not an exercise of this course.", "refused"
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError):
        return False, f"Exercise {exercise_id}: the test cell's output is not an answer document.", "refused"
    try:
        if exercise.kind == "function":
            kind, value = decode_runs(document, exercise, seed)
        else:
            kind, value = decode(document, exercise_id)
    except Refused as refused:
        return False, f"Exercise {exercise_id}: {refused}.", "refused"
    except RecursionError:
        return False, f"Exercise {exercise_id}: the answer is nested too deeply.", "refused"
    if kind == "unanswered":
        return False, f"Exercise {exercise_id}: not answered.", "unanswered"

    def make(status, diagnosis, message):
        return Feedback(exercise.id, status, message, diagnosis, exercise.title)

    try:
        if exercise.kind == "function":
            finished, feedback = budget.run(lambda: make(*functions.judge_runs(exercise, *value)), seconds=cpu_seconds)
        else:
            finished, feedback = budget.run(_settled, exercise, value, False, seconds=cpu_seconds)
        if not finished:
            feedback = make("invalid", "timeout", _out_of_time(feedback))
    except (MemoryError, RecursionError):
        return False, f"Exercise {exercise_id}: the answer is too large to check.", "refused"
    except Exception as exc:  # noqa: BLE001 - a checker bug must not look like the learner's fault
        return False, (f"Exercise {exercise_id}: the grader's checker failed on this answer ({type(exc).__name__}); "
                       "grade it by hand and report it."), "unavailable"
    # a Feedback made here is the learner's verdict (never demo()'s "example of a mistake")
    feedback.example = False
    return bool(feedback), f"{feedback} (checked by the grader)", feedback.diagnosis


def _child(exercise_id, payload, seed, cpu_seconds, memory, out):
    """In the forked child: limits, judge, one line of JSON on `out`, exit."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (mapped + memory, mapped + memory))
    except (OSError, ValueError, StopIteration):
        pass
    # the budget (budget.run, in judge) interrupts the check after cpu_seconds of CPU time; RLIMIT_CPU
    # kills the child a few seconds later if a single C call (a huge integer power) never returns
    hard = int(cpu_seconds) + 5
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime)
    resource.setrlimit(resource.RLIMIT_CPU, (spent + hard, spent + hard + 5))
    try:
        correct, sentence, diagnosis = judge(exercise_id, payload, seed, cpu_seconds)
    except MemoryError:
        correct, sentence, diagnosis = False, f"Exercise {exercise_id}: the answer is too large to check.", "refused"
    reply = {"correct": bool(correct), "sentence": str(sentence)[:2000], "diagnosis": diagnosis}
    os.write(out, (json.dumps(reply) + "\n").encode())


def judge_in_child(exercise_id, payload, seed, cpu_seconds=CPU_SECONDS, memory=MEMORY):
    """Fork, judge in the child with its limits, and return (correct, sentence, diagnosis)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read)
            _child(exercise_id, payload, seed, cpu_seconds, memory, write)
        except BaseException:  # noqa: BLE001 - nothing may escape a forked child
            pass
        finally:
            os._exit(0)
    os.close(write)
    chunks, size = [], 0
    # a backstop in wall time only for a child that would wait on nothing (CPU time is the limit)
    deadline = time.monotonic() + 30 * cpu_seconds + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([read], [], [], 1.0)
        if ready:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            size += len(chunk)
            if size <= 65536:
                chunks.append(chunk)
    else:
        os.kill(pid, signal.SIGKILL)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    try:
        reply = json.loads(b"".join(chunks).decode())
        return bool(reply["correct"]), str(reply["sentence"]), _diagnosis(reply.get("diagnosis"))
    except (ValueError, KeyError, TypeError):
        pass
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        return False, (f"Exercise {exercise_id}: the answer could not be checked within {cpu_seconds:g} s of CPU "
                       "time; simplify it."), "timeout"
    return (False, f"Exercise {exercise_id}: the answer could not be checked (the check stopped: {_status(status)}).",
            "refused")


def _diagnosis(value):
    return str(value)[:100] if value is not None else None


def _status(status):
    if os.WIFSIGNALED(status):
        return signal.Signals(os.WTERMSIG(status)).name
    return f"exit {os.WEXITSTATUS(status)}"


def serve(course, cpu_seconds, memory):
    from helpers.classroom import manifest

    count = load()
    if course:
        manifest.verify(course)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    stdout.write(("ready " + json.dumps({"exercises": count, "pid": os.getpid()}) + "\n").encode())
    stdout.flush()
    while True:
        header = stdin.readline(4096)
        if not header:
            return
        try:
            request = json.loads(header)
            size = int(request["size"])
            if not 0 <= size <= MAX_REQUEST:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return  # the grader and this process disagree: stop, the grader restarts it
        payload = stdin.read(size)
        correct, sentence, diagnosis = judge_in_child(str(request.get("exercise")), payload, request.get("seed"),
                                                      float(request.get("cpu", cpu_seconds)), memory)
        stdout.write((json.dumps({"correct": correct, "sentence": sentence, "diagnosis": diagnosis}) + "\n").encode())
        stdout.flush()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    course = argv[0] if argv else ""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS threads to copy into the forks
    try:
        serve(course, CPU_SECONDS, MEMORY)
    except Exception as exc:  # noqa: BLE001 - say why in one line, the grader shows it
        sys.stdout.write(f"failed {type(exc).__name__}: {exc}\n")
        sys.stdout.flush()
        return 1
    return 0


# --------------------------------------------------------------------------- the grader's side


class CheckerUnavailable(RuntimeError):
    """The checking process did not start; the message says why."""


def _die_with_parent():
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Checker:
    """The grader's handle on the checking process (one per grader process, started on first use)."""

    def __init__(self, course=None, cpu_seconds=CPU_SECONDS, start_timeout=600):
        self.course = str(course or "")
        self.cpu_seconds = cpu_seconds
        self.start_timeout = start_timeout
        self.process = None
        self.info = None

    def start(self):
        if self.process is not None and self.process.poll() is None:
            return self.info
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        env.pop("BACKPROP_GRADING", None)
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "helpers.classroom.checker", self.course], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env, cwd="/", preexec_fn=_die_with_parent)
        ready, _, _ = select.select([self.process.stdout], [], [], self.start_timeout)
        line = self.process.stdout.readline().decode(errors="replace").strip() if ready else ""
        if not line.startswith("ready "):
            self.stop()
            raise CheckerUnavailable(line.removeprefix("failed ") or "the checking process did not start in time")
        self.info = json.loads(line[len("ready "):])
        return self.info

    def check(self, exercise_id, document, seed=None):
        """(correct?, sentence, diagnosis) for a document the test cell emitted (already parsed JSON)."""
        try:
            payload = json.dumps(document).encode()
        except (ValueError, TypeError, RecursionError):
            return False, f"Exercise {exercise_id}: the test cell's output is not an answer document.", "refused"
        if len(payload) > MAX_REQUEST:
            return False, f"Exercise {exercise_id}: the answer document is too large.", "refused"
        for attempt in (1, 2):
            self.start()
            try:
                header = json.dumps({"exercise": exercise_id, "seed": seed, "size": len(payload), "cpu": self.cpu_seconds})
                self.process.stdin.write(header.encode() + b"\n" + payload)
                self.process.stdin.flush()
                line = self.process.stdout.readline()
                reply = json.loads(line)
                return bool(reply["correct"]), str(reply["sentence"]), _diagnosis(reply.get("diagnosis"))
            except (OSError, ValueError, KeyError, TypeError):
                self.stop()
                if attempt == 2:
                    raise CheckerUnavailable("the checking process stopped answering") from None
        raise AssertionError("unreachable")

    def stop(self):
        if self.process is None:
            return
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


if __name__ == "__main__":
    sys.exit(main())
