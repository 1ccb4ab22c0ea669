"""The studio's remote MPI backend as a person uses it: pick "remote MPI", type the URL and
token of a real ``spikedesk mpi-server`` (2 ranks), simulate the Brunel example and watch the
raster fill; a wrong token and an unreachable server end in a readable error, and the project
stays as it was."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from ui_server import free_port, serve
from ui_steps import node, open_page, set_field, simulate, wait_for_points

pytestmark = [pytest.mark.ui, pytest.mark.mpi]

BIN = Path(sys.executable).parent
MPIEXEC, SPIKEDESK = BIN / "mpiexec", BIN / "spikedesk"
TOKEN = "T-remote-ui-test"
TITLE = "brunel"  # the store name of the example a fresh store opens

if importlib.util.find_spec("mpi4py") is None or not MPIEXEC.exists():
    pytest.skip("needs the MPI extra: pip install '.[mpi]'", allow_module_level=True)


@pytest.fixture(scope="module")
def mpi_server() -> Iterator[str]:
    """``spikedesk mpi-server --port 0 --ranks 2``; yields the URL it announces. Output goes to a
    file so an undrained pipe can never stall it."""
    log = Path(tempfile.mkstemp(prefix="mpi-server-ui-", suffix=".log")[1])
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(SPIKEDESK), "mpi-server", "--port", "0", "--ranks", "2", "--token", TOKEN],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(r"listening on (http://\S+)", log.read_text(errors="replace"))
            url = found.group(1) if found else None
            time.sleep(0.05)
        if url is None:
            raise RuntimeError("mpi-server did not start:\n" + log.read_text(errors="replace"))
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        output = log.read_text(errors="replace")
        log.unlink(missing_ok=True)
    assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def remote_studio(tmp_path_factory):
    served, server = serve(tmp_path_factory.mktemp("remote-projects"))
    yield served
    server.stop()


def choose_remote(page: Page, url: str, token: str) -> None:
    page.get_by_label("backend", exact=True).select_option("remote MPI")
    expect(page.get_by_label("server URL", exact=True)).to_be_visible()
    set_field(page, "server URL", url)
    set_field(page, "token", token)


def table_rates(page: Page) -> dict[str, float]:
    """population -> rate (spikes/s) from the stats table's rows."""
    rows = page.locator(".stats-table .tabulator-row").all_inner_texts()
    out = {}
    for row in rows:
        cells = row.split()
        out[cells[0]] = float(cells[3])
    return out


def test_remote_run_fills_the_raster_and_matches_the_embedded_engine(
    page: Page, remote_studio, mpi_server
):
    open_page(page, remote_studio.url, TITLE)
    entry = remote_studio.last()
    studio, session = entry["studio"], entry["session"]
    choose_remote(page, mpi_server, TOKEN)
    set_field(page, "duration (ms)", "2000")
    assert (studio.backend, studio.server_url, studio.token) == ("remote MPI", mpi_server, TOKEN)
    assert session.project.simulation.duration == 2000.0
    simulate(page)
    wait_for_points(page, "raster", timeout=60_000)
    expect(page.get_by_text(re.compile(r"Finished: 2000\.0 ms simulated"))).to_be_visible(
        timeout=120_000
    )
    expect(page.locator(".stats-table .tabulator-row")).to_have_count(2, timeout=20_000)
    wait_for_points(page, "raster", 1000, timeout=10_000)
    assert not studio.alert.visible

    # the same project and seed in the embedded engine gives the same statistics
    from spikedesk.app.activity import population_stats
    from spikedesk.engine import simulate as run_embedded

    project = session.project
    results = run_embedded(project)
    expected = population_stats(results.events, project, results.node_ids, 2000.0)
    want = dict(zip(expected["population"], expected["rate (spikes/s)"], strict=True))
    assert table_rates(page) == pytest.approx(want, abs=0.005)
    assert all(rate > 1.0 for rate in want.values())


def test_wrong_token_is_a_clear_error_and_keeps_the_project(page: Page, remote_studio, mpi_server):
    open_page(page, remote_studio.url, TITLE)
    session = remote_studio.last()["session"]
    before = session.project
    choose_remote(page, mpi_server, "not-the-token")
    simulate(page)
    expect(page.get_by_text(re.compile(r"Simulation failed: .*rejected the token"))).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("Failed; the project is unchanged.")).to_be_visible()
    expect(page.get_by_role("button", name="Simulate")).to_be_enabled()
    assert session.project == before
    for node_id in ("noise", "E", "I", "spikes_E", "spikes_I", "vm"):
        expect(node(page, node_id)).to_be_visible()
    expect(page.get_by_text(TITLE).first).to_be_visible()


def test_unreachable_server_says_so(page: Page, remote_studio):
    open_page(page, remote_studio.url, TITLE)
    session = remote_studio.last()["session"]
    before = session.project
    closed = f"http://127.0.0.1:{free_port()}"  # bound and released: nobody listens there
    choose_remote(page, closed, TOKEN)
    simulate(page)
    failed = page.get_by_text(re.compile(r"Simulation failed: cannot reach MPI server"))
    expect(failed).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Simulate")).to_be_enabled()
    assert session.project == before
    expect(node(page, "E")).to_be_visible()
