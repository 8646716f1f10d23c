"""The lineage widget in a real JupyterLab, driven by headless Chromium: it renders offline and reacts to clicks.

Saves a screenshot to tests/artifacts/lineage_widget.png (not committed).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from workbench.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACT = REPO / "tests" / "artifacts" / "lineage_widget.png"
FAILURE = REPO / "tests" / "artifacts" / "lineage_widget_failure.png"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
CELLS = [
    "%load_ext workbench",
    f"%phi lineage build {REPO / 'data' / 'synthetic' / 'pipelines'}",
    "%phi login --user bo --role billing",
    "%%phi\nSELECT FIRST, SSN FROM patients LIMIT 2",
    "%phi login --user pia --role privacy_analyst",
    "%phi lineage patients.SSN",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _notebook(folder: Path) -> None:
    cells = [
        {"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None}
        for c in CELLS
    ]
    kernel = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    content = {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "lineage.ipynb").write_text(json.dumps(content))


def _lab_settings(folder: Path) -> Path:
    """User settings for this Lab: start the notebook's kernel without asking, no news toasts."""
    for name, values in (
        ("notebook-extension/tracker", {"autoStartDefaultKernel": True}),
        ("apputils-extension/notification", {"fetchNews": "false", "checkForUpdates": False}),
    ):
        path = folder / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return folder


def _wait_for_server(port: int, token: str, proc: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)  # polling a server that is starting; bounded by the deadline
    raise AssertionError("JupyterLab did not answer in time")


def _start_kernel(port: int, token: str) -> None:
    """Attach a kernel to the notebook first, so Lab opens it ready (no kernel dialog)."""
    body = {
        "path": "lineage.ipynb",
        "type": "notebook",
        "name": "lineage.ipynb",
        "kernel": {"name": "python3"},
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/sessions?token={token}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 201)


def _run_and_click(page: Any, port: int, token: str) -> None:
    """Open the notebook, run every cell, wait for the graph, click the SSN node, screenshot the widget."""
    from playwright import sync_api as sync_api_errors

    page.goto(f"http://127.0.0.1:{port}/lab/tree/lineage.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook", timeout=120_000)
    # Lab sometimes asks which kernel to use although one is attached: take the one it proposes
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count():
            dialog.first.click()
        if page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
            break
        page.wait_for_timeout(250)  # polling the page's own state; bounded by the deadline
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=5_000)
    if page.locator(".jp-Dialog .jp-mod-accept").count():
        page.locator(".jp-Dialog .jp-mod-accept").first.click()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    plot = ".jp-OutputArea .wb-lineage-widget .js-plotly-plot"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not page.locator(f"{plot} .scatterlayer .textpoint").count():
        if page.locator(".jp-Dialog .jp-mod-accept").count():  # a kernel dialog despite the setting
            page.locator(".jp-Dialog .jp-mod-accept").first.click()
        page.wait_for_timeout(250)  # polling the page's own state; bounded by the deadline
    page.wait_for_selector(f"{plot} .scatterlayer .textpoint", timeout=5_000)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert "Traceback" not in " ".join(errors.all_inner_texts())
    ids = page.evaluate(f"() => document.querySelector('{plot}').data[3].customdata")
    assert "patients.ssn" in ids and "research.ckd_cohort.research_id" in ids
    point = (
        page.locator(f"{plot} .scatterlayer .trace").nth(3).locator(".point").nth(ids.index("patients.ssn"))
    )
    details = page.locator(".wb-lineage-details")
    for _ in range(6):  # a click during a redraw can miss: bounded retries
        box = point.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            details.locator("h4", has_text="patients.ssn").wait_for(timeout=10_000)
            break
        except sync_api_errors.TimeoutError:
            continue
    details.locator("h4", has_text="patients.ssn").wait_for(timeout=1_000)
    assert "governed query" in details.inner_text()  # bo's query is a reader of the SSN
    for dismiss in page.get_by_role("button", name="No", exact=True).all():
        dismiss.click()  # the "Jupyter news?" notification would cover the widget
    ARTIFACT.parent.mkdir(exist_ok=True)
    page.locator(".wb-lineage-widget").first.screenshot(path=str(ARTIFACT))


@pytest.mark.slow
def test_the_lineage_widget_renders_in_jupyterlab(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            "/usr/bin/chromium is not installed (Debian package `chromium`; `make test` installs it as root)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the `test` extra")
    from workbench.loading import seed

    home = tmp_path / "home"
    seed(Settings.load(home=home))
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks)
    port, token = _free_port(), "lineage-ui-token"
    env = {**os.environ, "WORKBENCH_HOME": str(home), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    command = [
        sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--port={port}", f"--notebook-dir={notebooks}",
        f"--IdentityProvider.token={token}", "--no-browser",
        f"--LabApp.user_settings_dir={_lab_settings(tmp_path / 'lab-settings')}",
        f"--LabApp.workspaces_dir={tmp_path / 'lab-workspaces'}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    external: list[str] = []
    try:
        _wait_for_server(port, token, proc, 120)
        _start_kernel(port, token)
        local = (f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", "data:", "blob:")
        with sync_api.sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 1500, "height": 1000},
            )

            def offline(route: object) -> None:  # everything must come from the Jupyter server
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith(local):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    external.append(url)
                    route.abort()  # type: ignore[attr-defined]

            context.route("**/*", offline)
            page = context.new_page()
            try:
                _run_and_click(page, port, token)
            except Exception:
                ARTIFACT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(FAILURE), full_page=True)
                raise AssertionError(
                    f"the widget did not render or react (screenshot {FAILURE}); Jupyter log: "
                    f"{(tmp_path / 'lab.log').read_text(errors='replace')[-2000:]}"
                ) from None
            context.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)
    assert external == [], f"requests left the machine: {external[:5]}"
    assert ARTIFACT.stat().st_size > 10_000
