"""The course in a real browser: notebook 01 in JupyterLab, in headless Chromium.

Starts JupyterLab on 127.0.0.1 (a free port, a random token, the repository as root, a throw-away
progress file, settings and runtime directories), opens notebook 01 in Debian's Chromium driven
by Playwright (never a browser download), runs all cells, and checks that the checker's feedback
and the learning-rate slider appear and that moving the slider changes the plot. A screenshot
is saved to build/browser/notebook01.png for a person to look at.

Without /usr/bin/chromium the test is skipped, and says so (a warning in pytest's summary);
with BACKPROP_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser is a failure instead.
Nothing is saved to the notebook: autosave is off and the page is closed without saving.
"""

import json
import os
import secrets
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
CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "notebooks/01_one_weight.ipynb"
SCREENSHOT = ROOT / "build" / "browser" / "notebook01.png"
REQUIRED = os.environ.get("BACKPROP_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# JupyterLab settings for a test session: no news prompt, no autosave over the course notebook,
# every cell attached to the page (so off-screen outputs can be found and read).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
SERVER_READY_S = 90
RUN_ALL_S = 240
STEP_S = 60


def _unavailable(reason):
    if REQUIRED:
        pytest.fail(f"{reason}, and BACKPROP_REQUIRE_BROWSER=1 asks for the browser test to run")
    warnings.warn(f"the browser test was SKIPPED: {reason}", UserWarning, stacklevel=2)
    pytest.skip(reason)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server in a subprocess, and the few REST calls the test needs."""

    def __init__(self, workdir):
        self.port, self.token = _free_port(), secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        settings = workdir / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        env = {**os.environ,
               "BACKPROP_PROGRESS": str(workdir / "progress.json"),  # the kernels' progress: thrown away
               "JUPYTER_CONFIG_DIR": str(workdir / "config"),  # no personal Jupyter configuration,
               "JUPYTER_DATA_DIR": str(workdir / "data"),  # nor data (the notebook-signing key)
               "JUPYTER_RUNTIME_DIR": str(workdir / "runtime")}
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--port-retries=0", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workdir / 'workspaces'}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI runs as root
        self.log_path = workdir / "jupyterlab.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

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

    def stop(self):
        """Delete every session (so no kernel is left behind), then shut the server down."""
        if self.proc.poll() is None:
            try:
                for session in self.api("GET", "/api/sessions") or []:
                    self.api("DELETE", f"/api/sessions/{session['id']}")
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


@pytest.fixture
def lab(tmp_path):
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found (Debian: apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not (ROOT / NOTEBOOK).exists():
        _unavailable(f"{NOTEBOOK} does not exist yet")
    server = Lab(tmp_path)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_notebook01_runs_in_jupyterlab_in_chromium(lab):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_S * 1000)
    page_errors, timings, started = [], {}, time.monotonic()

    def mark(name):
        timings[name] = round(time.monotonic() - started, 1)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                    timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1700})
            page.set_default_timeout(STEP_S * 1000)
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))
            page.goto(f"{lab.base}/lab/tree/{NOTEBOOK}?token={lab.token}", wait_until="domcontentloaded")

            notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
            expect(notebook).to_be_visible()
            # the kernel is connected and idle (the status bar's "Python 3 (ipykernel) | Idle")
            expect(page.locator(".jp-StatusBar-Widget").get_by_text("| Idle")).to_be_visible()
            mark("notebook open, kernel idle")
            no = page.get_by_role("button", name="No", exact=True)
            if no.count():  # "Would you like to receive official Jupyter news?"
                no.first.click()

            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()

            # the checker: an exercise left open, then its solution accepted
            outputs = notebook.locator(".jp-OutputArea-output")
            expect(outputs.filter(has_text="… Exercise 1.1").first).to_contain_text("not answered yet")
            expect(outputs.filter(has_text="ⓘ Solution 1.1").first).to_contain_text("the reference answer")
            mark("checker feedback shown")
            # the last cell ran: Run All credits nothing, so notebook 01 shows 0 correct
            expect(outputs.filter(has_text="Notebook 01:").first).to_contain_text("0 of 8 correct", timeout=RUN_ALL_S * 1000)
            mark("all cells run")
            assert not notebook.locator(".jp-OutputArea-output", has_text="Traceback").count(), "a cell raised"

            # the learning-rate slider and its plot
            slider = notebook.locator(".widget-hslider").filter(has=page.locator(".widget-label", has_text="R"))
            expect(slider.first).to_be_visible()
            box = slider.first.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
            image = box.locator("img.widget-image")
            caption = box.locator(".widget-html-content")
            expect(image).to_be_visible()
            before_src, before_caption = image.get_attribute("src"), caption.inner_text()
            assert before_src and "R = 0.0070" in before_caption, before_caption
            mark("slider shown")

            handle = slider.first.locator(".noUi-handle")
            handle.focus()
            for _ in range(4):  # four steps of 0.0005: R = 0.0070 → 0.0090
                handle.press("ArrowRight")
            expect(caption).to_contain_text("R = 0.0090")  # the kernel saw the slider move
            page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                                   arg=[image.element_handle(), before_src], timeout=STEP_S * 1000)
            expect(slider.first.locator(".widget-readout")).to_contain_text("0.0090")
            mark("slider moved, plot redrawn")

            # a picture for a person: the slider and its plot, with the exercise feedback below
            slider.first.evaluate("el => el.closest('.jp-Cell').scrollIntoView({block: 'start'})")
            page.wait_for_timeout(300)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
            assert not page_errors, f"JavaScript errors in the page: {page_errors}"
        except (AssertionError, PlaywrightError) as exc:
            failure = SCREENSHOT.with_name("notebook01-failure.png")
            try:
                failure.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(failure))
            except PlaywrightError:
                pass
            raise AssertionError(f"{exc}\n\ntimings: {timings}\npage errors: {page_errors}\n"
                                 f"JupyterLab log:\n{lab.log_tail()}") from exc
        finally:
            browser.close()
    assert "Saving file at" not in lab.log_tail(10_000), "JupyterLab saved a file during the browser test"
    print(f"browser test timings (s): {timings}; screenshot: {SCREENSHOT.relative_to(ROOT)}")
