"""docs/api.md's walkthrough, run verbatim with bash and curl against a live server.

Only the values of its first block (server, token, board) are replaced by this test's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from accounts.tokens import api_token_create
from board.models import Status, Task
from tests.factories import BoardFactory, member_add

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)


def walkthrough_script(*, base_url: str, token: str, board_id: int) -> str:
    blocks = BASH_BLOCK.findall(DOC.read_text())
    values = {"TASKBOARD": base_url, "TOKEN": token, "BOARD": str(board_id)}
    settings_block = blocks[0]
    for name, value in values.items():
        settings_block, found = re.subn(
            rf"^{name}=.*$", f"{name}={value}", settings_block, flags=re.M
        )
        assert found == 1, f"the first bash block of docs/api.md sets {name}"
    return "set -euo pipefail\n" + "\n".join([settings_block, *blocks[1:]])


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_walkthrough_in_docs_api_md_runs_as_written(live_server):
    board = BoardFactory()
    alice = member_add(board=board)
    _, token = api_token_create(user=alice, name="walkthrough")
    script = walkthrough_script(
        base_url=f"{live_server.url}/api/v1", token=token, board_id=board.pk
    )

    run = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=90, check=False
    )

    assert run.returncode == 0, run.stdout + run.stderr
    task = Task.objects.get(board=board)  # the retry created nothing
    assert (task.title, task.status, task.owner) == ("Fix the login bug", Status.DONE, alice)
    assert f"created task {task.pk}" in run.stdout
    assert f"the retry answered with task {task.pk}" in run.stdout
    assert '"code":"invalid_transition"' in run.stdout
    assert '"kind":"task.status_changed"' in run.stdout
