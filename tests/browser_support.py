"""What the browser tests share: one JupyterLab server and one headless Chromium per test session.

`Lab` starts JupyterLab on 127.0.0.1 (a free port, a random token, the repository as root, and a
throw-away progress file, configuration, data, settings, workspaces and runtime directories), with
autosave off so nothing is ever written over a course notebook. `Notebook` drives one notebook tab
in Debian's Chromium through Playwright (never a browser download): open it fresh, run cells as a
learner does, and read what the page shows. The fixtures that hold them live in tests/conftest.py.

Without /usr/bin/chromium or the playwright package the browser tests are skipped, and say so
(a warning in pytest's summary); with BACKPROP_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "browser"  # screenshots and reports, for a person to look at
CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("BACKPROP_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# JupyterLab settings for a test session: no news prompt, no autosave over the course notebooks,
# every cell attached to the page (so off-screen outputs can be found, read and measured).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
LIGHT, DARK = "JupyterLab Light", "JupyterLab Dark"
SERVER_READY_S = 90
STEP_S = 60  # the longest any single step may take (a whole notebook's Run All included)


def unavailable(reason):
    """Skip (with a warning) or, when BACKPROP_REQUIRE_BROWSER=1, fail."""
    if REQUIRED:
        pytest.fail(f"{reason}, and BACKPROP_REQUIRE_BROWSER=1 asks for the browser tests to run")
    warnings.warn(f"a browser test was SKIPPED: {reason}", UserWarning, stacklevel=2)
    pytest.skip(reason)


def require_browser():
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not found (Debian: apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server in a subprocess, and the few REST calls the tests need."""

    def __init__(self, workdir, root=ROOT):
        """`root`: the folder JupyterLab serves (the repository; a workbook for the workbook's tests)."""
        self.root = Path(root)
        self.port, self.token = _free_port(), secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.progress_file = workdir / "progress.json"
        settings = workdir / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        env = {**os.environ,
               "BACKPROP_PROGRESS": str(self.progress_file),  # the kernels' progress: thrown away
               "JUPYTER_CONFIG_DIR": str(workdir / "config"),  # no personal Jupyter configuration,
               "JUPYTER_DATA_DIR": str(workdir / "data"),  # nor data (the notebook-signing key: every
               "JUPYTER_RUNTIME_DIR": str(workdir / "runtime")}  # course notebook opens untrusted)
        env.pop("MPLBACKEND", None)  # kernels draw with the inline backend, as a learner's do
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--port-retries=0", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
               # window.jupyterapp: the tests open notebooks and switch themes through JupyterLab's
               # own commands; what a learner types and clicks, they type and click
               "--LabApp.expose_app_in_browser=True"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI runs as root
        self.log_path = workdir / "jupyterlab.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def api(self, method, path, timeout=10):
        request = urllib.request.Request(self.base + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return json.loads(body) if body else None

    def wait_ready(self):
        deadline = time.monotonic() + SERVER_READY_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        raise AssertionError(f"JupyterLab not ready after {SERVER_READY_S} s:\n{self.log_tail()}")

    def log_tail(self, n=40):
        self.log.flush()
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])

    def delete_sessions(self):
        """Shut down every kernel (a notebook opened next starts a fresh one)."""
        for session in self.api("GET", "/api/sessions") or []:
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self):
        """Delete every session (so no kernel is left behind), then shut the server down."""
        if self.proc.poll() is None:
            try:
                self.delete_sessions()
                self.api("POST", "/api/shutdown")
            except (urllib.error.URLError, OSError, ValueError):
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        self.log.close()


AXE_DIR = ROOT / "tests" / "browser"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def axe_source():
    """axe-core's script, installed from the project's lock file (npm ci) when missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm not found (Debian: apt-get install nodejs npm), needed for axe-core")
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=AXE_DIR, check=True,
                       timeout=300, capture_output=True)
    return AXE.read_text(encoding="utf-8")


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                      timeout=60_000)


class Jupyter:
    """One JupyterLab page in the browser, kept for the session: notebooks open in it as tabs.

    Loading JupyterLab's page costs seconds; opening a notebook in a loaded page costs a kernel
    start. `open()` opens a course notebook fresh: every running session is deleted first (a new
    kernel, nothing defined), and the document is read from disk (the stored outputs).
    """

    def __init__(self, browser, lab):
        from playwright.sync_api import expect

        self.lab, self.errors = lab, []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(STEP_S * 1000)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # ?reset: an empty workspace; JupyterLab's default layout (the file browser open on the left)
        self.page.goto(f"{lab.base}/lab?reset&token={lab.token}", wait_until="domcontentloaded")
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=STEP_S * 1000)
        self.page.evaluate("() => window.jupyterapp.restored")
        expect(self.page.locator(".jp-FileBrowser")).to_be_visible(timeout=STEP_S * 1000)
        self.theme = LIGHT

    def command(self, name, args=None):
        """Run a JupyterLab command and wait for it to finish (Run All waits for every cell)."""
        return self.page.evaluate("([name, args]) => window.jupyterapp.commands.execute(name, args)"
                                  ".then(() => true)", [name, args or {}])

    def set_theme(self, theme):
        if theme != self.theme:
            self.command("apputils:change-theme", {"theme": theme})
            self.theme = theme
        self.page.wait_for_function("t => document.body.dataset.jpThemeName === t", arg=theme,
                                    timeout=STEP_S * 1000)

    def open(self, path, width=1280, height=900, theme=LIGHT, progress=None):
        """Open `path` fresh in a window `width` px wide; `progress`: the progress file's content
        (a dict), or None to start with none (nothing answered yet)."""
        self.lab.delete_sessions()
        if progress is None:
            self.lab.progress_file.unlink(missing_ok=True)
        else:
            self.lab.progress_file.write_text(json.dumps(progress), encoding="utf-8")
        self.page.set_viewport_size({"width": width, "height": height})
        self.set_theme(theme)
        return Notebook(self, path)

    def close(self):
        self.context.close()


class Notebook:
    """One course notebook in its own tab, with a kernel of its own; `close()` discards it."""

    def __init__(self, jupyter, path):
        from playwright.sync_api import expect

        self.jupyter, self.page, self.path = jupyter, jupyter.page, path
        self.id = self.page.evaluate(
            """async path => {
                 const app = window.jupyterapp;
                 const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
                 await panel.context.ready;
                 await panel.sessionContext.ready;
                 app.shell.activateById(panel.id);
                 return panel.id;
               }""", path)
        self.panel = self.page.locator(f"[id='{self.id}']")
        self.notebook = self.panel.locator(".jp-Notebook")
        expect(self.notebook).to_be_visible(timeout=STEP_S * 1000)
        self.wait_idle()
        no = self.page.get_by_role("button", name="No", exact=True)
        if no.count():  # "Would you like to receive official Jupyter news?"
            no.first.click()

    def command(self, name, args=None):
        return self.jupyter.command(name, args)

    def run_all(self):
        """Run every cell (what Run → Run All Cells does) and wait until the last one has run."""
        self.page.evaluate(f"() => window.jupyterapp.shell.activateById('{self.id}')")
        self.command("notebook:run-all-cells")
        self.wait_idle()

    def wait_idle(self):
        """The kernel is idle and no cell is queued or running (no [*] prompt)."""
        self.page.wait_for_function(
            """id => {
                 const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.id === id);
                 const status = panel?.sessionContext?.session?.kernel?.status;
                 return status === 'idle'
                        && ![...panel.node.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'));
               }""", arg=self.id, timeout=STEP_S * 1000)

    def cell(self, tag=None, containing=None):
        """The cell tagged `tag` (if given) whose source contains `containing` (not an index:
        notebooks change, their tags and texts stay)."""
        index = self.page.evaluate(
            """([id, tag, text]) => {
                 const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.id === id);
                 const cells = panel.content.widgets;
                 return cells.findIndex(c => (!tag || (c.model.getMetadata('tags') || []).includes(tag))
                                            && c.model.sharedModel.getSource().includes(text));
               }""", [self.id, tag, containing])
        assert index >= 0, f"no cell{f' tagged {tag!r}' if tag else ''} containing {containing!r} in {self.path}"
        return self.notebook.locator(".jp-Notebook-cell").nth(index)

    def active_cell(self):
        """The active (selected) cell, pinned by its current position."""
        index = self.page.evaluate(
            "id => [...window.jupyterapp.shell.widgets('main')].find(w => w.id === id).content.activeCellIndex",
            self.id)
        return self.notebook.locator(".jp-Notebook-cell").nth(index)

    def outputs(self):
        return self.notebook.locator(".jp-OutputArea-output")

    def screenshot(self, name, **kwargs):
        BUILD.mkdir(parents=True, exist_ok=True)
        path = BUILD / name
        self.page.screenshot(path=str(path), **kwargs)
        return path

    def close(self):
        """Close the tab without saving and shut its kernel down."""
        self.page.evaluate(
            """async id => {
                 const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.id === id);
                 if (!panel) return;
                 panel.context.model.dirty = false;
                 await panel.sessionContext.shutdown();
                 panel.dispose();
               }""", self.id)
        self.jupyter.lab.delete_sessions()
