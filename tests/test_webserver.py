"""`dagster-webserver` serves the code location: the assets and gate checks show over GraphQL."""

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
from collections.abc import Iterator
from pathlib import Path

import pytest

from warehouse.paths import REPO_ROOT

pytestmark = pytest.mark.integration

WEBSERVER = Path(sys.executable).with_name("dagster-webserver")
# loading the definitions in the code server takes ~30 s on a busy 2-core machine
STARTUP_SECONDS = 300

ASSETS_AND_CHECKS = """
{
  assetNodes {
    assetKey { path }
    groupName
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _location_loaded(port: int) -> bool:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }"
    try:
        entries = _graphql(port, query)["data"]["workspaceOrError"]["locationEntries"]
    except (urllib.error.URLError, ConnectionError, KeyError, TypeError, TimeoutError):
        return False
    return bool(entries) and all(entry["loadStatus"] == "LOADED" for entry in entries)


@pytest.fixture
def webserver(tmp_path: Path) -> Iterator[int]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "LANDING_DIR": str(tmp_path / "landing"),
    }
    log = (tmp_path / "webserver.log").open("w")
    process = subprocess.Popen(
        [
            str(WEBSERVER),
            *("-m", "orchestration.definitions", "-d", str(REPO_ROOT)),
            *("-h", "127.0.0.1", "-p", str(port)),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _location_loaded(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "webserver did not load the code location:\n"
                    + (tmp_path / "webserver.log").read_text()[-4000:]
                )
            time.sleep(2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()


def test_the_webserver_lists_the_assets_and_the_blocking_gates(webserver: int):
    nodes = _graphql(webserver, ASSETS_AND_CHECKS)["data"]["assetNodes"]
    by_key = {"/".join(node["assetKey"]["path"]): node for node in nodes}
    for key in (
        "landing/orders_batch",
        "landing/referral_codes_batch",
        "landing/referral_events_batch",
        "landing/messages_batch",
        "shop/orders",
        "shop/order_lines",
        "referrals/referral_codes",
        "referrals/referral_events",
        "messaging/message_events",
        "stg_shop__orders",
        "int_orders_numbered_per_customer",
        "customer_lifetime_value",
        "referral_funnel_monthly",
        "serving/published_marts",
    ):
        assert key in by_key, key
    assert by_key["customer_lifetime_value"]["groupName"] == "marts"
    gate = {
        check["name"]: check["blocking"]
        for check in by_key["landing/orders_batch"]["assetChecksOrError"]["checks"]
    }
    assert gate == {"landing_orders_batch_meets_suite": True}
