"""The class, end to end: a real JupyterHub and proxy, nbgrader's own commands, headless Chromium.

Run by `make test-hub` (and .ci/run), never by `make test`: the file name does not match
pytest's test_*.py pattern, so pytest collects it only when named on the command line.

    python -m pytest tests/e2e/class_e2e.py

What happens, in order (each step waits on a condition, with a bounded time, never a sleep):
1. tools/hub.py starts the course's demo hub (hub/jupyterhub_config.py) on a free port, with a
   throw-away copy of the nbgrader course (build/classroom, from `make classroom`) and its own
   state directory (homes, exchange).
2. The instructor logs in in Chromium: the Nbgrader menu has the formgrader, which lists the
   course's assignments. As the instructor, nbgrader's own commands generate and release the
   assignment (by command: that is how a teacher does it in a terminal).
3. student1 logs in, opens Nbgrader > Assignment List, fetches the assignment, opens the
   notebook, answers one exercise right and one wrong, runs the notebook (the checker's
   feedback appears), saves and submits: all in the browser.
4. student2 logs in and fetches in the browser; the reference solutions are written into the
   fetched notebook on disk (as if typed), and student2 submits in the browser.
5. Two more students without a hub account submit with nbgrader's own commands: one the
   untouched release, one a tampered notebook that replaces `check` (the name, helpers.check and
   helpers.checking.check) with an always-yes and answers nothing.
6. As the instructor: `nbgrader collect`, `autograde`, `export` (CSV). The grades must be:
   untouched 0, tampered 0, reference full marks, student1 exactly the points of the exercise
   answered right (and 0 for the one answered wrong, per cell in the gradebook).
7. Past grading, the class insights (issue 22): student2 and student1 answer exercise 1.2 in
   Chromium with the same registered mistake, student2 takes a hint, student1 then gets it right;
   the instructor's dashboard (the hub-managed insights service) shows within seconds who tried,
   who is right, and that mistake at the top; student1 gets 403 there; axe-core finds no serious
   or critical violation on the dashboard; with the service frozen (SIGSTOP), a check still
   answers and shows no error. One line with the counts is printed.
8. The hub is stopped with SIGINT (as Ctrl-C would) and nothing it started is left: the hub, the
   proxy, the insights service, the three users' servers and their kernels were seen running
   before, and are gone.

Screenshots go to build/class-e2e/. The timings of each step are printed (pytest -s shows them).
"""

import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# the course built by `make classroom`; BACKPROP_CLASS_COURSE points at another nbgrader course root
COURSE = Path(os.environ.get("BACKPROP_CLASS_COURSE", ROOT / "build" / "classroom"))
ASSIGNMENT = "01_one_weight"
RIGHT, WRONG = "1.1", "1.2"  # the exercises student1 answers right and wrong
SHOTS = ROOT / "build" / "class-e2e"
PASSWORD = "e2e-demo-password"
HUB_READY_CPU_S = 120  # CPU seconds the hub, its proxy and the service may spend starting (about 10 do)
SAVE_CPU_S = 60        # CPU seconds the browser and the servers may spend on saving a notebook
SPAWN_S = 180  # log in until JupyterLab shows (the server's start on a loaded 2-core machine)
STEP_S = 60
RUN_ALL_S = 240
COMMAND_S = 600  # one nbgrader command (autograde of four submissions executes four notebooks)
STOP_S = 90
ENV_BIN = Path(sys.prefix) / "bin"
# JupyterLab settings the test gives each user before their first login: every cell attached to the
# page (so a cell far down can be found), no autosave (the test saves when it means to)
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def _free_ports(n):
    """n distinct free ports in a row is not guaranteed; the hub uses port, port+1, port+2."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + n >= 65535:
            continue
        try:
            socks = []
            for p in range(port, port + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no three free ports in a row on 127.0.0.1")


def _cpu_of(processes):
    total = 0.0
    for p in processes:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def _wait_for(condition, what, cpu_s, alive=None, detail=lambda: ""):
    """Wait until condition() holds. Not a clock: it fails only when the processes working for it
    (every descendant of this test: the hub and everything under it, the browser) have spent cpu_s
    seconds of CPU since the wait began without getting there, or when `alive` (a Popen) has
    exited. A busy machine makes them slower, not costlier, so it cannot fail this wait."""
    me = psutil.Process()
    start = {p.pid: _cpu_of([p]) for p in me.children(recursive=True)}
    last = dict(start)  # a process that ends keeps what it spent
    while not condition():
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {alive.returncode} {detail()}")
        for p in me.children(recursive=True):
            last[p.pid] = max(_cpu_of([p]), last.get(p.pid, 0.0))
        spent = sum(cpu - start.get(pid, 0.0) for pid, cpu in last.items())
        assert spent < cpu_s, f"{what}: not after {spent:.0f} s of CPU of the processes working for it {detail()}"
        time.sleep(0.1)


class Timings:
    def __init__(self):
        self.start = time.monotonic()
        self.marks = {}

    def mark(self, name):
        self.marks[name] = round(time.monotonic() - self.start, 1)


class Hub:
    """tools/hub.py in a subprocess: the hub, its proxy and the users' servers under it."""

    def __init__(self, workdir):
        self.state, self.course = workdir / "state", workdir / "course"
        shutil.copytree(COURSE, self.course, ignore=shutil.ignore_patterns(
            "gradebook.db", "release", "submitted", "autograded", "feedback", ".ipynb_checkpoints"))
        self.port = _free_ports(3)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "hub.out"
        self.log = open(self.log_path, "w", encoding="utf-8")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "hub.py"), "--port", str(self.port), "--course", str(self.course),
             "--state", str(self.state), "--password", PASSWORD],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_for(lambda: "is running" in self.out(), "the hub did not start", HUB_READY_CPU_S, alive=self.proc)
        except AssertionError as failed:
            raise AssertionError(f"{failed}:\n{self.out()}") from None
        self.ready_s = round(time.monotonic() - started, 1)
        self.course_id = re.search(r"c\.CourseDirectory\.course_id\s*=\s*['\"]([^'\"]+)",
                                   (self.course / "nbgrader_config.py").read_text(encoding="utf-8"))
        self.course_id = self.course_id.group(1) if self.course_id else "backprop"

    def out(self):
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def hub_log(self, n=60):
        path = self.state / "jupyterhub.log"
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:]) if path.exists() else ""

    def home(self, user):
        return self.state / "home" / user

    def processes(self):
        """Everything tools/hub.py started, directly or not, that is running now."""
        try:
            return [p for p in psutil.Process(self.proc.pid).children(recursive=True)
                    if p.status() != psutil.STATUS_ZOMBIE]
        except psutil.NoSuchProcess:
            return []

    def stop(self):
        """SIGINT, as Ctrl-C in the terminal: tools/hub.py stops the hub, which stops the rest."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                for p in self.processes() + [psutil.Process(self.proc.pid)]:
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                self.proc.wait(timeout=10)
        self.log.close()
        return self.proc.returncode


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found (Debian: apt-get install chromium); the class test needs it")
    if not (COURSE / "source" / ASSIGNMENT).is_dir():
        pytest.fail(f"no assignment {ASSIGNMENT} in {COURSE}: run `make classroom` first (make test-hub does)")
    server = Hub(tmp_path_factory.mktemp("class"))
    try:
        yield server
    finally:
        server.stop()


def _run(cmd, user_home, cwd, user, timeout=COMMAND_S):
    """One of nbgrader's own commands, as `user` would run it in a terminal of their server."""
    env = {**os.environ, "HOME": str(user_home), "USER": user, "LOGNAME": user,
           "PATH": f"{ENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"}
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "MPLBACKEND"):
        env.pop(key, None)
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def _solution_lines(source):
    return [line for line in source.splitlines() if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]


def _is_answer(cell):
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _exercise_cells(nb, number):
    """The answer cell of exercise `number` and the first graded cell after it (its test)."""
    mark = re.compile(rf"Exercise {re.escape(number)}\b")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and _is_answer(cell) and mark.search(cell.source):
            tests = [c for c in nb.cells[i + 1:] if c.metadata.get("nbgrader", {}).get("grade")]
            assert tests, f"no graded cell after exercise {number}'s answer cell"
            return cell, tests[0]
    raise AssertionError(f"no answer cell for exercise {number} in the release")


def _answers(course):
    """{grade_id of an answer cell: the cell's source with the reference solution filled in}."""
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return {_grade_id(c): "\n".join(_solution_lines(c.source)) for c in source.cells if _is_answer(c)}


def _reference_expression(course, grade_id):
    """(name, expression) of a one-line reference solution `name = expression  # comment`."""
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    cell = next(c for c in source.cells if _grade_id(c) == grade_id)
    lines = cell.source.splitlines()
    inside = lines[lines.index("### BEGIN SOLUTION") + 1:lines.index("### END SOLUTION")]
    assert len(inside) == 1, f"{grade_id}: pick an exercise with a one-line reference solution, not {inside}"
    match = re.match(r"^([A-Za-z_]\w*)\s*=\s*([^#]+?)\s*(#.*)?$", inside[0])
    assert match, inside[0]
    return match.group(1), match.group(2)


def _typed(release_cell, name, expression):
    """What a learner types: the release's `name = ...` with the `...` replaced by `expression`."""
    stub = re.compile(rf"^{re.escape(name)}\s*=\s*\.\.\.\s*$", re.M)
    assert len(stub.findall(release_cell.source)) == 1, f"no single `{name} = ...` in:\n{release_cell.source}"
    return stub.sub(lambda _: f"{name} = {expression}", release_cell.source).rstrip()


def _answer_sources(path, wanted):
    """{grade_id: source} of the answer cells named in `wanted`, as saved on disk now."""
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):  # not there yet, or being written
        return {}
    return {_grade_id(c): c.source.rstrip() for c in nb.cells if _grade_id(c) in wanted}


def _write_user_settings(home):
    for name, values in LAB_SETTINGS.items():
        path = home / ".jupyter" / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def _login(browser, hub, user):
    from playwright.sync_api import expect

    _write_user_settings(hub.home(user))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(STEP_S * 1000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=SPAWN_S * 1000)
    expect(page.locator(".lm-MenuBar-item", has_text="Nbgrader")).to_be_visible(timeout=SPAWN_S * 1000)
    return page, errors


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-item", has_text=menu).first.click()
    entry = page.locator(".lm-Menu-item", has_text=item)
    return entry


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _open_assignment_list(page):
    from playwright.sync_api import expect

    entry = _menu(page, "Nbgrader", "Assignment List")
    expect(entry.first).to_be_visible()
    entry.first.click()
    panel = page.locator("#nbgrader-assignment-list")
    expect(panel).to_be_visible()
    return panel


def _fetch(page, panel):
    from playwright.sync_api import expect

    released = panel.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
    expect(released).to_be_visible()
    released.get_by_role("button", name="Fetch").click()
    fetched = panel.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
    expect(fetched).to_be_visible()
    return fetched


def _submit(page, panel):
    from playwright.sync_api import expect

    fetched = panel.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
    fetched.get_by_role("button", name="Submit").click()
    submitted = panel.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT)
    expect(submitted.first).to_be_visible()
    return submitted


def _formgrader_action(formgrader, column, success):
    """Click the assignment's button in one of the formgrader's columns (assign = generate the
    student version, release, collect) and wait for its report; fail with nbgrader's log if it
    reports an error."""
    from playwright.sync_api import expect

    row = formgrader.locator("tr", has_text=ASSIGNMENT).first
    button = row.locator(f"td.{column} a")
    expect(button).to_be_visible()
    button.click()
    modal = formgrader.locator("#success-modal, #error-modal")
    expect(modal).to_be_visible(timeout=COMMAND_S * 1000)
    text = modal.inner_text()
    assert success in text, f"the formgrader's {column} failed:\n{text}"
    modal.locator(".modal-footer button").click()
    expect(modal).to_have_count(0)


def _set_cell(page, cell, text):
    """Replace a code cell's text by typing into its editor, as a learner would (select all, type)."""
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")


def _command_student(hub, workdir, user, notebook_edit):
    """A student without a hub account: fetch and submit with nbgrader's own commands."""
    home = workdir / user
    (home / ".jupyter").mkdir(parents=True, exist_ok=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {hub.course_id!r}\n"
        f"c.Exchange.root = {str(hub.state / 'exchange')!r}\nc.CourseDirectory.student_id = {user!r}\n",
        encoding="utf-8")
    _run(["nbgrader", "fetch_assignment", ASSIGNMENT], home, home, user)
    path = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    if notebook_edit is not None:
        nb = nbformat.read(path, as_version=4)
        notebook_edit(nb)
        nbformat.write(nb, path)
    _run(["nbgrader", "submit", ASSIGNMENT], home, home, user)


TAMPER = """\
# Tampering: every way of making `check` say yes that the learner's kernel offers
import helpers, helpers.checking
def check(*args, **kwargs):
    return True
helpers.check = helpers.checking.check = check
"""


def _assigned_names(source):
    return [m.group(1) for m in re.finditer(r"^([A-Za-z_]\w*)\s*=(?!=)", source, re.M)]


def _tamper(answers):
    """A notebook edit that makes `check` always say yes and answers nothing: each answer is the
    stub `...`, and every name `check` could be reached by is replaced (in a cell of its own at the
    top, and again in each answer cell)."""
    def edit(nb):
        nb.cells.insert(0, nbformat.v4.new_code_cell(TAMPER))
        for cell in nb.cells:
            if cell.cell_type == "code" and _is_answer(cell):
                stubs = "".join(f"{name} = ...\n" for name in _assigned_names(answers[_grade_id(cell)]))
                cell.source = "check = lambda *args, **kwargs: True\n" + stubs + cell.source
    return edit


# --- the class insights, past grading (issue 22) ------------------------------------------------------------
INSIGHTS_S = 30  # an answer in a notebook until the dashboard shows it (it refreshes every 3 s)
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"


def _axe_source():
    """axe-core's script, from tests/browser's lock file (npm ci when missing)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        assert npm, "npm not found (Debian: apt-get install nodejs npm), needed for axe-core"
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=AXE.parents[2], check=True,
                       timeout=300, capture_output=True)
    return AXE.read_text(encoding="utf-8")


def _open_notebook(page, hub, user):
    """The fetched assignment's notebook in the user's JupyterLab, its kernel idle."""
    from playwright.sync_api import expect

    page.goto(f"{hub.url}/user/{user}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", wait_until="domcontentloaded")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    expect(notebook).to_be_visible(timeout=SPAWN_S * 1000)
    expect(page.locator(".jp-StatusBar-Widget").get_by_text("| Idle")).to_be_visible(timeout=SPAWN_S * 1000)
    no = page.get_by_role("button", name="No", exact=True)
    if no.count():
        no.first.click()
    return notebook


def _run_all(page):
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()


def _mistake_answer(exercise_id):
    """(what a learner types for a registered mistake of the exercise: its number, the mistake's name)."""
    from helpers.checking import demo
    from helpers.exercises import get

    mistake = get(exercise_id).mistakes[0]
    typed = f"{float(mistake.value()):.10g}"
    assert demo(exercise_id, float(typed)).diagnosis == f"mistake:{mistake.name}", typed
    return typed, mistake.name


def _service_process(hub):
    return next((p for p in hub.processes() if "helpers.insights.service" in " ".join(p.cmdline())), None)


def _class_insights(browser, hub, wrong_cell, t):
    """Learners answer, the instructor watches: returns the line the test prints."""
    from playwright.sync_api import expect

    typed, mistake = _mistake_answer(WRONG)
    name, expression = _reference_expression(hub.course, _grade_id(wrong_cell))
    mistaken, right_text = _typed(wrong_cell, name, typed), _typed(wrong_cell, name, expression)
    pages = {}
    try:
        # student2: the registered mistake on 1.2 (the rest of the notebook right), then a hint
        page, errors = pages["student2"] = _login(browser, hub, "student2")
        notebook = _open_notebook(page, hub, "student2")
        cells = notebook.locator(".jp-CodeCell")
        _set_cell(page, cells.filter(has_text=f"Exercise {WRONG}").first, mistaken)
        _run_all(page)
        outputs = notebook.locator(".jp-OutputArea-output")
        expect(outputs.filter(has_text=f"✘ Exercise {WRONG}").first).to_contain_text(mistake, timeout=RUN_ALL_S * 1000)
        cells.filter(has_text=f"Exercise {WRONG}").first.locator(".jp-InputPrompt").click()
        page.keyboard.press("b")  # a new cell below, as a learner adds one
        page.keyboard.press("Enter")
        page.keyboard.insert_text(f'hint("{WRONG}")')
        page.keyboard.press("Shift+Enter")
        expect(outputs.filter(has_text=f"Hint 1 for exercise {WRONG}").first).to_be_visible()
        _shot(page, "8-student2-mistake-and-hint")
        assert not errors, f"JavaScript errors in student2's page: {errors}"
        t.mark("insights: student2 made the mistake and took a hint")

        # student1: the same mistake, then the right answer
        page, errors = pages["student1"] = _login(browser, hub, "student1")
        notebook = _open_notebook(page, hub, "student1")
        cells = notebook.locator(".jp-CodeCell")
        cell = cells.filter(has_text=f"Exercise {WRONG}").first
        _set_cell(page, cell, mistaken)
        _run_all(page)
        outputs = notebook.locator(".jp-OutputArea-output")
        expect(outputs.filter(has_text=f"✘ Exercise {WRONG}").first).to_contain_text(mistake, timeout=RUN_ALL_S * 1000)
        _set_cell(page, cell, right_text)
        page.keyboard.press("Shift+Enter")
        expect(cell.locator(".jp-OutputArea-output").filter(has_text=f"✔ Exercise {WRONG}").first).to_be_visible()
        answered = time.monotonic()
        t.mark("insights: student1 made the mistake, then answered right")

        # the instructor's dashboard: the counts and the mistake, within seconds
        context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)  # axe is injected
        page = context.new_page()
        page.set_default_timeout(STEP_S * 1000)
        pages["instructor"] = (page, [])
        page.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
        page.fill("#username_input", "instructor")
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(re.compile(r"/user/instructor/"), timeout=SPAWN_S * 1000)
        response = page.goto(f"{hub.url}/services/insights/", wait_until="domcontentloaded")
        assert response.status == 200, f"the instructor's dashboard: {response.status}"
        row = page.locator(f"tr[data-exercise='{WRONG}']")
        expect(row.locator(".tried")).to_have_text("2", timeout=INSIGHTS_S * 1000)
        expect(row.locator(".right")).to_have_text("1", timeout=INSIGHTS_S * 1000)
        shown = time.monotonic() - answered
        first = row.locator(".mistakes li").first
        expect(first.locator(".label")).to_have_text(mistake)
        expect(first.locator(".count")).to_have_text("2")
        expect(row.locator(".hints")).to_contain_text("1")
        right_row = page.locator(f"tr[data-exercise='{RIGHT}']")
        expect(right_row.locator(".tried")).to_have_text("2")
        expect(right_row.locator(".right")).to_have_text("2")
        top = page.locator("#top li").first
        expect(top.locator(".label")).to_have_text(mistake)
        expect(top).to_contain_text(f"{WRONG}:")
        expect(top.locator(".count")).to_have_text("2 learners")
        # names on demand only
        assert "student1" not in page.locator("main").inner_text(), "names shown without being asked for"
        first.get_by_role("button").click()
        expect(page.locator("#names li")).to_have_text(["student1", "student2"])
        _shot(page, "9-instructor-dashboard")
        t.mark("insights: the dashboard shows the counts and the mistake")

        # axe-core on the dashboard
        page.add_script_tag(content=_axe_source())
        found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                              ".map(v => ({rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))")
        serious = [v for v in found if v["impact"] in ("serious", "critical")]
        assert not serious, f"axe-core on the dashboard: {serious}"

        # student1 is not a teacher: 403, with a sentence
        page, _ = pages["student1"]
        response = page.goto(f"{hub.url}/services/insights/", wait_until="domcontentloaded")
        assert response.status == 403, f"student1 on the dashboard: {response.status}"
        expect(page.locator("main")).to_contain_text("for the course's teachers")
        _shot(page, "10-student1-refused")
        mine = page.goto(f"{hub.url}/services/insights/mine", wait_until="domcontentloaded")
        assert mine.status == 200
        expect(page.locator("table.events")).to_contain_text(mistake)
        t.mark("insights: student1 refused the dashboard, shown their own events")

        # the service frozen (SIGSTOP: it takes connections and never answers): a check still answers
        service = _service_process(hub)
        assert service is not None, "no insights service under the hub"
        page, errors = pages["student1"]
        notebook = _open_notebook(page, hub, "student1")
        cell = notebook.locator(".jp-CodeCell").filter(has_text=f"Exercise {RIGHT}").first
        errors_shown = (".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
        name_11 = _reference_expression(hub.course, _grade_id(_exercise_cells(
            nbformat.read(hub.course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4), RIGHT)[0]))[0]
        timing = (f'import time as _t; _s = _t.perf_counter(); _f = check("{RIGHT}", {name_11}); '
                  'print(f"check took {1000 * (_t.perf_counter() - _s):.0f} ms in the kernel: {_f.status}")')
        took = re.compile(r"check took (\d+) ms in the kernel: correct")
        service.send_signal(signal.SIGSTOP)
        try:
            cell.locator(".jp-InputPrompt").click()
            page.keyboard.press("Shift+Enter")  # the exercise cell, as the learner runs it
            expect(cell.locator(".jp-OutputArea-output").filter(has_text=f"✔ Exercise {RIGHT}").first).to_be_visible()
            assert not cell.locator(errors_shown).count(), "the check showed an error with the service frozen"
            cell.locator(".jp-InputPrompt").click()
            page.keyboard.press("b")  # a cell of the test's own below it: how long check takes in the kernel
            page.keyboard.press("Enter")
            page.keyboard.insert_text(timing)
            page.keyboard.press("Shift+Enter")
            scratch = notebook.locator(".jp-CodeCell").filter(has_text="check took").first
            expect(scratch.locator(".jp-OutputArea-output")).to_contain_text("in the kernel: correct")
            assert not scratch.locator(errors_shown).count(), "the check showed an error with the service frozen"
            frozen_ms = int(took.search(scratch.locator(".jp-OutputArea-output").inner_text())[1])
        finally:
            service.send_signal(signal.SIGCONT)
        prompt = scratch.locator(".jp-InputPrompt")
        before = prompt.inner_text()
        prompt.click()  # the same, with the service answering again
        page.keyboard.press("Shift+Enter")
        expect(prompt).not_to_have_text(before)
        expect(prompt).not_to_have_text(re.compile(r"\*"))
        running_ms = int(took.search(scratch.locator(".jp-OutputArea-output").inner_text())[1])
        assert not errors, f"JavaScript errors in student1's page: {errors}"
        t.mark("insights: a check with the service frozen answered, no error shown")
        return (f"class insights: the instructor's dashboard showed {RIGHT} tried 2 right 2; {WRONG} tried 2 right 1, "
                f"top mistake \"{mistake}\" 2 learners, hints 1 learner, {shown:.1f} s after the last answer; "
                f"student1 got 403 there; axe-core: {len(found)} violations, none serious; with the service frozen "
                f"(SIGSTOP) a check answered, no error shown, and took {frozen_ms} ms in the kernel "
                f"({running_ms} ms with the service running)")
    except Exception:
        for user, (page, _) in pages.items():
            try:
                _shot(page, f"failure-insights-{user}")
            except Exception:  # noqa: BLE001 - the screenshot is a courtesy
                pass
        raise


def test_the_class_end_to_end(hub, tmp_path):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_S * 1000)
    shutil.rmtree(SHOTS, ignore_errors=True)
    t = Timings()
    t.marks["hub ready (tools/hub.py start to login page)"] = hub.ready_s
    instructor_home = hub.home("instructor")
    answers = _answers(hub.course)
    pages = {}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            # --- only the demo accounts get in ---------------------------------------------------
            context = browser.new_context()
            stranger = context.new_page()
            stranger.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
            stranger.fill("#username_input", "mallory")
            stranger.fill("#password_input", PASSWORD)
            stranger.click("#login_submit")
            expect(stranger.locator("#login-main")).to_contain_text("Invalid username or password")
            context.close()
            t.mark("an unknown user is refused")

            # --- the instructor: the formgrader lists the course's assignments --------------------
            page, _ = pages["instructor"] = _login(browser, hub, "instructor")
            t.mark("instructor logged in, JupyterLab shown")
            entry = _menu(page, "Nbgrader", "Formgrader")
            expect(entry.first).to_be_visible()
            entry.first.click()
            formgrader = page.frame_locator("#formgrader iframe")
            expect(formgrader.locator("body")).to_contain_text(ASSIGNMENT, timeout=STEP_S * 1000)
            _shot(page, "1-instructor-formgrader")
            t.mark("formgrader lists the assignment")
            # generate the student version and release it: the formgrader's buttons
            _formgrader_action(formgrader, "assign", "Successfully created the student version")
            _formgrader_action(formgrader, "release", "Successfully released")
            _shot(page, "2-instructor-released")
            release = nbformat.read(hub.course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
            right_cell, right_test = _exercise_cells(release, RIGHT)
            wrong_cell, wrong_test = _exercise_cells(release, WRONG)
            t.mark("generated and released (formgrader)")

            # --- student1, all in the browser: fetch, answer one right and one wrong, submit -------
            page, errors = pages["student1"] = _login(browser, hub, "student1")
            t.mark("student1 logged in")
            page.locator(".lm-MenuBar-item", has_text="Nbgrader").first.click()
            expect(page.locator(".lm-Menu-item", has_text="Assignment List").first).to_be_visible()
            assert not page.locator(".lm-Menu-item", has_text="Formgrader").count(), "a student sees the formgrader"
            assert page.request.get(f"{hub.url}/user/student1/formgrader").status == 404, \
                "the formgrader's server extension is on for a student"
            page.keyboard.press("Escape")
            panel = _open_assignment_list(page)
            fetched = _fetch(page, panel)
            _shot(page, "3-student1-fetched")
            t.mark("student1 fetched (assignment list)")
            fetched.locator(".assignment-notebooks-link").click()
            nb_link = panel.locator("#fetched_assignments_list .nested_list_item a", has_text=ASSIGNMENT).first
            expect(nb_link).to_be_visible()
            nb_link.click()
            notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
            expect(notebook).to_be_visible()
            expect(page.locator(".jp-StatusBar-Widget").get_by_text("| Idle")).to_be_visible(timeout=SPAWN_S * 1000)
            no = page.get_by_role("button", name="No", exact=True)
            if no.count():
                no.first.click()
            right_text = _typed(right_cell, *_reference_expression(hub.course, _grade_id(right_cell)))
            name, expression = _reference_expression(hub.course, _grade_id(wrong_cell))
            wrong_text = _typed(wrong_cell, name, f"-({expression})")  # a wrong sign
            cells = notebook.locator(".jp-CodeCell")
            _set_cell(page, cells.filter(has_text=f"Exercise {RIGHT}").first, right_text)
            _set_cell(page, cells.filter(has_text=f"Exercise {WRONG}").first, wrong_text)
            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
            outputs = notebook.locator(".jp-OutputArea-output")
            expect(outputs.filter(has_text=f"✔ Exercise {RIGHT}").first).to_be_visible(timeout=RUN_ALL_S * 1000)
            expect(outputs.filter(has_text=f"✘ Exercise {WRONG}").first).to_be_visible(timeout=RUN_ALL_S * 1000)
            t.mark("student1 answered and ran: the checker said right and wrong")
            page.locator(".lm-MenuBar-item", has_text="File").first.click()
            page.locator(".lm-Menu-item[data-command='docmanager:save']").click()
            saved = hub.home("student1") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            expected = {_grade_id(right_cell): right_text, _grade_id(wrong_cell): wrong_text}
            _wait_for(lambda: _answer_sources(saved, expected) == expected, "the notebook was not saved with the answers",
                      SAVE_CPU_S, detail=lambda: _answer_sources(saved, expected))
            cells.filter(has_text=f"Exercise {RIGHT}").first.evaluate("el => el.scrollIntoView({block: 'start'})")
            _shot(page, "4-student1-answered")
            page.locator(".lm-TabBar-tab", has_text="Assignments").first.click()
            _submit(page, panel)
            _shot(page, "5-student1-submitted")
            t.mark("student1 saved and submitted (assignment list)")
            assert not errors, f"JavaScript errors in student1's page: {errors}"

            # --- student2: fetch and submit in the browser; the reference solutions written on disk
            page, errors = pages["student2"] = _login(browser, hub, "student2")
            panel = _open_assignment_list(page)
            _fetch(page, panel)
            path = hub.home("student2") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code" and _is_answer(cell):
                    cell.source = answers[_grade_id(cell)]
            nbformat.write(nb, path)
            _submit(page, panel)
            _shot(page, "6-student2-submitted")
            t.mark("student2 fetched and submitted the reference solutions")

            # --- two students without a hub account, by nbgrader's own commands ------------------
            _command_student(hub, tmp_path, "untouched", None)
            _command_student(hub, tmp_path, "tamperer", _tamper(answers))
            t.mark("untouched and tampered submitted (nbgrader commands)")

            # --- the instructor collects: the formgrader's button ---------------------------------
            page, _ = pages["instructor"]
            _formgrader_action(formgrader, "collect", "Successfully collected")
            _shot(page, "7-instructor-collected")
            t.mark("collected (formgrader)")
        except (AssertionError, PlaywrightError) as exc:
            for user, (page, _) in pages.items():
                try:
                    _shot(page, f"failure-{user}")
                except PlaywrightError:
                    pass
            raise AssertionError(f"{exc}\n\ntimings: {t.marks}\nhub log:\n{hub.hub_log()}") from exc
        finally:
            browser.close()

    # --- the instructor grades: autograde and export, nbgrader's own commands -----------------------
    collected = sorted(p.name for p in (hub.course / "submitted").iterdir())
    assert collected == ["student1", "student2", "tamperer", "untouched"], collected
    _run(["nbgrader", "autograde", ASSIGNMENT, "--create"], instructor_home, hub.course, "instructor")
    t.mark("autograded (nbgrader command)")
    grades_csv = tmp_path / "grades.csv"
    _run(["nbgrader", "export", "--to", str(grades_csv)], instructor_home, hub.course, "instructor")
    shutil.copy(grades_csv, SHOTS / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(grades_csv.open(encoding="utf-8")) if r["assignment"] == ASSIGNMENT}
    scores = {s: (float(r["score"]), float(r["max_score"])) for s, r in rows.items()}
    print(f"grades (score, max_score): {scores}")
    assert set(scores) == {"student1", "student2", "untouched", "tamperer"}, scores
    max_score = scores["student2"][1]
    assert max_score > 0
    assert scores["untouched"] == (0.0, max_score), "the untouched release must earn 0"
    assert scores["tamperer"] == (0.0, max_score), "replacing check must earn nothing that was not answered"
    assert scores["student2"] == (max_score, max_score), "the reference solutions must earn full marks"

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{hub.course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "student1")
        by_cell = {g.name: (g.score, g.max_score) for g in submission.grades}
    right_points = by_cell[_grade_id(right_test)]
    assert right_points[0] == right_points[1] > 0, f"exercise {RIGHT}, answered right: {right_points}"
    assert by_cell[_grade_id(wrong_test)][0] == 0, f"exercise {WRONG}, answered wrong: {by_cell[_grade_id(wrong_test)]}"
    assert scores["student1"] == (right_points[1], max_score), f"student1: only exercise {RIGHT}: {scores['student1']}"
    t.mark("grades exported and checked")

    # --- past grading: the class report (issue 22), from the gradebook and the grader's verdicts -------
    report_dir = SHOTS / "class-report"
    _run([sys.executable, "-m", "helpers.insights.report", "--course", str(hub.course), "--assignment", ASSIGNMENT,
          "--out", str(report_dir)], instructor_home, ROOT, "instructor")
    table = list(csv.DictReader((report_dir / f"{ASSIGNMENT}-exercises.csv").open(encoding="utf-8")))
    by_exercise = {}
    for r in table:
        by_exercise.setdefault(r["exercise"], []).append(r)
    first = {x: rs[0] for x, rs in by_exercise.items()}
    assert (first[RIGHT]["learners"], first[RIGHT]["right"]) == ("4", "2"), first[RIGHT]
    assert (first[WRONG]["right"], first[WRONG]["not_answered"]) == ("1", "2"), first[WRONG]
    assert [(r["diagnosis_key"], r["learners_with_mistake"]) for r in by_exercise[WRONG]] == [("sign", "1")], \
        by_exercise[WRONG]
    page_html = (report_dir / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "wrong sign: 1" in page_html and page_html.count('alt="') == 2, "the report's figures and their alt text"
    scores_csv = (report_dir / f"{ASSIGNMENT}-scores.csv").read_text(encoding="utf-8")
    print(f"class report: {RIGHT} right 2 of 4, {WRONG} right 1 of 4 (wrong sign 1, not answered 2); "
          f"{len(scores_csv.splitlines()) - 1} distinct scores; in {report_dir.relative_to(ROOT)}")
    t.mark("class report written and checked")

    # --- past grading: the class insights (issue 22) -------------------------------------------------
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            insights_line = _class_insights(browser, hub, wrong_cell, t)
        except (AssertionError, PlaywrightError) as exc:
            raise AssertionError(f"{exc}\n\ntimings: {t.marks}\nhub log:\n{hub.hub_log()}") from exc
        finally:
            browser.close()
    print(insights_line)

    # --- stop the hub: nothing it started is left -----------------------------------------------------
    running = hub.processes()
    kinds = {name: [p for p in running if name in " ".join(p.cmdline())] for name in
             ("jupyterhub -f", "configurable-http-proxy", "jupyterhub-singleuser", "ipykernel",
              "helpers.insights.service")}
    seen = {k: len(v) for k, v in kinds.items()}
    assert seen["jupyterhub -f"] == 1 and seen["configurable-http-proxy"] == 1, seen
    assert seen["helpers.insights.service"] == 1, f"the insights service: {seen}"
    assert seen["jupyterhub-singleuser"] == 3, f"instructor, student1, student2 servers: {seen}"
    assert seen["ipykernel"] >= 1, f"student1's kernel: {seen}"
    code = hub.stop()
    t.mark("hub stopped")
    left = [p for p in running if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, f"left behind after the hub stopped: {[(p.pid, p.cmdline()) for p in left]}"
    assert code == 0, f"tools/hub.py exited with {code}:\n{hub.out()}"
    assert "no process left behind" in hub.out()
    print(f"processes seen before the stop: {seen}; none left after it")
    print(f"class end-to-end timings (s): {t.marks}; screenshots and grades.csv in {SHOTS.relative_to(ROOT)}")
