"""Fixtures shared by the browser tests (tests/test_browser.py, tests/test_accessibility.py,
tests/test_workbook_browser.py): one Playwright, one JupyterLab server and one Chromium page for
the whole test session, stopped at its end."""

import pytest

from browser_support import Jupyter, Lab, launch_chromium, require_browser


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    require_browser()
    server = Lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def playwright_sync():
    """Playwright's sync API, once per session (a second one in the same process refuses to start)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def jupyter(lab, playwright_sync):
    """JupyterLab loaded in headless Chromium; tests open notebooks in it with `jupyter.open(path)`."""
    browser = launch_chromium(playwright_sync)
    try:
        page = Jupyter(browser, lab)
        yield page
        assert not page.errors, f"JavaScript errors in the page: {page.errors}"
    finally:
        browser.close()
    assert "Saving file at" not in lab.log_tail(10_000), "JupyterLab saved a file during the browser tests"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser_slow: a slow browser test (make test-browser runs it; make test does not)")
    config.addinivalue_line("markers", "slow: a slow check that proves something, such as sympy on a whole network "
                                       "(make test-slow runs it, and CI; make test does not)")
    config.addinivalue_line("markers", "thorough: a hypothesis test that draws a few examples in make test and "
                                       "more in make test-slow (tests/thorough.py)")
