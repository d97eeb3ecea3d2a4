"""Sampling the servers with py-spy while a benchmark runs (`--py-spy PATH`).

py-spy is not a project dependency; install it anywhere (`pip install py-spy`) and pass
its path. The output is py-spy's raw format (collapsed stacks), one file per process
in bench/results/, for flamegraph.pl or speedscope. `python -m bench.profiling FILE`
prints the functions with the largest share of samples, inclusive and self.
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import time
from collections import Counter
from typing import Any

from bench.common import RESULTS_DIR


def profilers_start(py_spy: str, pids: list[int], system: str) -> list[tuple[Any, str]]:
    """py-spy recording each server process (collapsed stacks, for flamegraph tools)."""
    if not py_spy:
        return []
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    started = []
    for pid in pids:
        path = str(RESULTS_DIR / f"profile-{system}-{pid}-{stamp}.txt")
        command = [py_spy, "record", "--pid", str(pid), "--rate", "250", "--format", "raw"]
        command += ["--output", path, "--nonblocking"]
        with open(path + ".log", "w") as log:
            started.append((subprocess.Popen(command, stdout=log, stderr=log), path))
    time.sleep(0.5)  # py-spy attaches
    return started


def profilers_stop(profilers: list[tuple[Any, str]]) -> list[str]:
    for process, _ in profilers:
        process.send_signal(signal.SIGINT)
    for process, _ in profilers:
        process.wait(timeout=30)
    return [path for _, path in profilers]


def frame_name(frame: str) -> str:
    """`function (path/to/file.py:12)` as `function (package/file.py)`."""
    match = re.match(r"(.*?) \((.*?):\d+\)", frame)
    if not match:
        return frame
    return f"{match.group(1)} ({match.group(2).split('site-packages/')[-1]})"


def profile_summary(path: str, top: int = 30) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    with open(path) as stacks:
        for line in stacks:
            if not line.strip():
                continue
            stack, count = line.rstrip().rsplit(" ", 1)
            names = [frame_name(frame) for frame in stack.split(";")]
            total += int(count)
            inclusive.update(dict.fromkeys(set(names), int(count)))
            own[names[-1]] += int(count)
    lines = [f"{total} samples", "inclusive:"]
    lines += [f"{100 * n / total:5.1f}% {name}" for name, n in inclusive.most_common(top)]
    lines.append("self:")
    lines += [f"{100 * n / total:5.1f}% {name}" for name, n in own.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Summarise a py-spy raw profile.")
    parser.add_argument("path")
    parser.add_argument("--top", type=int, default=30)
    arguments = parser.parse_args()
    print(profile_summary(arguments.path, arguments.top))
