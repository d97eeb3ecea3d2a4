"""The repo's deployment files, for the tests: docker-compose.yml's worker command and
deploy/nginx.conf, moved onto loopback ports and nothing else."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE = BASE_DIR / "docker-compose.yml"
NGINX_CONF = BASE_DIR / "deploy" / "nginx.conf"


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def worker_command(port: int) -> list[str]:
    """The compose workers' command, on 127.0.0.1:`port`, with this venv's uvicorn."""
    command = list(compose()["services"]["web1"]["command"])
    assert command[0] == "uvicorn", command
    replaced = {"--host=0.0.0.0": "--host=127.0.0.1", "--port=8000": f"--port={port}"}
    assert set(replaced) <= set(command), command
    return [sys.executable, "-m", "uvicorn", *(replaced.get(arg, arg) for arg in command[1:])]


def nginx_conf(*, listen: int, upstreams: list[int], temp: Path) -> str:
    """deploy/nginx.conf listening on `listen`, in front of `upstreams`, with its temp
    files under `temp`. One worker process, so that round robin alternates exactly."""
    text = NGINX_CONF.read_text()
    servers = re.findall(r"^\s*server web\d:8000 .*$", text, flags=re.M)
    assert len(servers) == len(upstreams), servers
    for line, port in zip(servers, upstreams, strict=True):
        text = text.replace(line, re.sub(r"web\d:8000", f"127.0.0.1:{port}", line))
    text = text.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    text = text.replace("worker_processes auto;", "worker_processes 1;")
    temps = "".join(
        f"    {kind}_temp_path {temp / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return text.replace("http {\n", "http {\n" + temps, 1)
