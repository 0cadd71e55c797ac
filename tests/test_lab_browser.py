"""JupyterLab in a real browser: Debian's Chromium driven by Playwright against `make lab`.

In a throw-away clone: the URL `make lab` prints (with its token) opens the start notebook, which
runs and shows the key findings; saving it twice raises no "File Changed" dialog; 1.1 runs and
shows its pooled curves; the explorer runs and shows its form and its chart. No dialog asks for a
kernel, nothing is marked "not trusted". Each step leaves a screenshot in the test's temporary
folder, or in ``$DPRK_LAB_SCREENSHOTS`` when set (``DPRK_LAB_SCREENSHOTS=docs/screenshots`` renews
the README's ``docs/screenshots/lab-*.png``). Skipped where Chromium is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import types
from pathlib import Path

import pytest

from .conftest import fresh_clone
from .test_browser import ARGS, CHROMIUM
from .test_lab import TOKEN, Server

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which("chromium") is None,
    reason="browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium)",
)
TIMEOUT = 180_000  # ms: a cell of 1.1 fits every pooled curve


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests skipped: playwright missing")
    tmp = tmp_path_factory.mktemp("lab-browser")
    root = fresh_clone(tmp)
    shots = Path(os.environ.get("DPRK_LAB_SCREENSHOTS") or tmp / "shots").resolve()
    shots.mkdir(parents=True, exist_ok=True)
    server = Server(root, tmp, {"JUPYTER_DATA_DIR": str(tmp / "jupyter-data")})
    # render every cell, also those below the fold (Lab draws only the visible ones by default),
    # so that outputs far down a notebook can be found; a user setting of this test's Lab only
    server.api(
        "PUT", "settings/@jupyterlab/notebook-extension:tracker", {"raw": '{"windowingMode": "none"}'},
        prefix="lab/api/",
    )
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(TIMEOUT)
            dialogs: list[str] = []
            page.on("console", lambda m: dialogs.append(m.text) if "Different hash" in m.text else None)
            yield types.SimpleNamespace(root=root, server=server, page=page, shots=shots, console=dialogs)
            browser.close()
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def picture_on_failure(request, lab):  # noqa: ANN001
    """A failing step leaves a screenshot of the browser and the server's log beside the others."""
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        lab.page.screenshot(path=str(lab.shots / f"failed-{request.node.name}.png"))
        (lab.shots / f"failed-{request.node.name}.log").write_text(lab.server.log.read_text())


def no_dialog(page) -> None:  # noqa: ANN001
    """No modal dialog (kernel choice, file changed, errors) is open."""
    dialogs = page.locator(".jp-Dialog")
    assert dialogs.count() == 0, dialogs.all_inner_texts()


#: The input prompts of the notebook in front: "[ ]:" not run, "[*]:" queued or running, "[3]:" run.
PROMPTS = """[...(document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')
               ?.querySelectorAll('.jp-CodeCell .jp-InputPrompt') ?? [])].map(p => p.textContent)"""


def run_all(page) -> None:  # noqa: ANN001
    """Run > Run All Cells on the notebook in front, and wait until every cell has run. A click
    that lands while the page is still settling starts nothing: then it is made again. So is one
    on the menu item while it is disabled (the notebook not yet the current document), at once."""
    from playwright.sync_api import TimeoutError as Timeout

    for _attempt in range(5):
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        item = page.locator('.lm-Menu-item[data-command="runmenu:run-all"]')
        if "lm-mod-disabled" in (item.get_attribute("class") or ""):
            page.keyboard.press("Escape")
            panel(page).locator(".jp-InputPrompt").first.click()  # selects a cell: the notebook is current
            continue
        item.click()
        try:
            # the prompts show "[*]" the moment the cells are queued, however busy the kernel is
            page.wait_for_function(f"() => {PROMPTS}.some(t => /\\[(\\*|\\d+)\\]/.test(t))", timeout=8_000)
            break
        except Timeout:
            page.keyboard.press("Escape")
    page.wait_for_function(f"() => {{ const p = {PROMPTS}; return p.length > 0 && p.every(t => /\\[\\d+\\]/.test(t)); }}")


def panel(page):  # noqa: ANN001
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def open_notebook(page, port: int, path: str) -> None:  # noqa: ANN001
    """Open ``path`` alone (a fresh workspace) and wait for its kernel."""
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{path}?reset&token={TOKEN}")
    panel(page).locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    no_dialog(page)


def test_the_printed_url_opens_the_start_notebook_which_runs_and_saves_without_conflict(lab):
    page = lab.page
    page.goto(f"http://127.0.0.1:{lab.server.port}/?token={TOKEN}")  # what `make lab` prints
    page.wait_for_url("**/lab/tree/notebooks/0.0-start-here.py*")
    page.locator(".jp-RenderedMarkdown h1", has_text="Start here").wait_for()
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    no_dialog(page)
    # the file browser shows the notebooks, each once
    names = page.locator(".jp-DirListing-item .jp-DirListing-itemText").all_inner_texts()
    assert "0.0-start-here.py" in names and not [n for n in names if n.endswith(".ipynb")]
    run_all(page)
    table = panel(page).locator(".jp-OutputArea-output table").first
    table.wait_for()
    assert "North Korean troops sent to Russia" in table.inner_text()
    # the whole start page in one picture: a window tall enough for it
    page.set_viewport_size({"width": 1500, "height": 1950})
    page.locator(".jp-RenderedMarkdown h1", has_text="Start here").scroll_into_view_if_needed()
    page.screenshot(path=str(lab.shots / "lab-start.png"))
    page.set_viewport_size({"width": 1400, "height": 900})
    # save twice (the second save is where a stale hash would ask "File Changed", before writing)
    saved = lab.root / "notebooks/0.0-start-here.py"
    for n in (1, 2):
        before = saved.stat().st_mtime_ns
        panel(page).locator(".jp-InputPrompt").first.click()  # the keys go to the notebook
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 60
        while saved.stat().st_mtime_ns == before:  # until the file is written
            no_dialog(page)
            assert time.monotonic() < deadline, f"save {n}: the notebook was not written"
            page.wait_for_timeout(20)
        page.wait_for_function(
            "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
            "?.closest('.lm-DockPanel')?.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')"
        )
        no_dialog(page)
    assert lab.console == [], lab.console
    status = subprocess.run(["git", "status", "--porcelain"], cwd=lab.root, capture_output=True, text=True).stdout
    assert status == "", "saving an unedited notebook changes no reviewed file"


def test_1_1_shows_its_pooled_curves(lab):
    page = lab.page
    open_notebook(page, lab.server.port, "notebooks/1.1-pooled-estimate.py")
    run_all(page)
    chart = panel(page).locator(".jp-OutputArea-output img").first
    chart.wait_for()
    assert chart.evaluate("img => img.naturalWidth") > 800
    # the chart's cell at the top of the window, its question above it
    panel(page).locator(".jp-Cell", has=page.locator(".jp-OutputArea-output img")).first.locator(
        "xpath=preceding-sibling::div[1]"
    ).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(lab.shots / "lab-1.1-pooled-estimate.png"))
    no_dialog(page)


def test_the_explorer_shows_its_form_and_chart(lab):
    page = lab.page
    open_notebook(page, lab.server.port, "notebooks/6.0-explorer.py")
    run_all(page)
    form = panel(page).locator(".widget-dropdown select").first
    form.wait_for()
    assert form.input_value() == "North Korean troops sent to Russia"
    # the form's own first fit: its chart in the widget's output area
    chart = panel(page).locator(".jupyter-widgets-output-area img, .widget-output img").first
    chart.wait_for()
    panel(page).locator(".jp-Cell", has=page.locator(".widget-dropdown")).first.evaluate(
        "e => e.scrollIntoView({block: 'start'})"
    )
    page.screenshot(path=str(lab.shots / "lab-explorer.png"))
    no_dialog(page)
    noise = [ln for ln in lab.server.log.read_text().splitlines() if "not trusted" in ln or "[E " in ln]
    assert not noise, noise
