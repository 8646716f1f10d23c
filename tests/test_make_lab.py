"""`make lab` on 127.0.0.1 without a browser: the workspace is seeded and JupyterLab answers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO
from workbench.settings import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_make_lab_serves_jupyterlab_with_a_seeded_workspace(tmp_path: Path) -> None:
    port, token = _free_port(), "phi-test-token"
    home = tmp_path / "lab-home"
    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    env = {**os.environ, "WORKBENCH_HOME": str(home), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "lab",
            f"PORT={port}",
            f"TOKEN={token}",
            "NO_BROWSER=1",
            f"NOTEBOOK_DIR={notebooks}",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/status?token={token}"
                with urllib.request.urlopen(url, timeout=2) as response:
                    status = json.loads(response.read())
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)  # polling a server that is starting; bounded by the deadline
        assert status is not None, (
            f"JupyterLab did not answer: {proc.stderr.read(4000) if proc.poll() else 'timeout'}"
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as response:
            assert response.status == 200 and b"JupyterLab" in response.read()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=10
        ) as response:
            names = {item["name"] for item in json.loads(response.read())["content"]}
        assert any(name.endswith(".ipynb") for name in names)  # serves notebooks/
        _save_keeps_phi_out(port, token, notebooks)
        settings = Settings.load(home=home)
        assert settings.warehouse_path.exists() and settings.catalog_path.exists()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        proc.stderr.close()  # type: ignore[union-attr]


def _save_keeps_phi_out(port: int, token: str, notebooks: Path) -> None:
    """Saving through the server runs the pre-save hook: governed results never reach the file."""
    governed = {
        "output_type": "display_data",
        "data": {"text/plain": "FIRST\nMaynard46", "text/html": "<td>Maynard46</td>"},
        "metadata": {"text/html": {"workbench": {"phi_result": True}}},
    }
    leaky = {"output_type": "stream", "name": "stdout", "text": "SSN 999-17-5017\n"}
    plain = {"output_type": "stream", "name": "stdout", "text": "27 rows\n"}
    cells = [
        {"cell_type": "code", "source": "x", "metadata": {}, "outputs": [governed], "execution_count": 1},
        {"cell_type": "code", "source": "y", "metadata": {}, "outputs": [leaky, plain], "execution_count": 2},
    ]
    content = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    body = json.dumps({"type": "notebook", "format": "json", "content": content}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/contents/saved.ipynb?token={token}", data=body, method="PUT"
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status in (200, 201)
    saved = (notebooks / "saved.ipynb").read_text()
    assert "Maynard46" not in saved and "999-17-5017" not in saved
    assert "27 rows" in saved and "Output not saved" in saved
