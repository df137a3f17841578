"""How long `coachbot sandbox` takes to start, as a newcomer runs it.

    .venv/bin/python -m bench.sandbox_start 5

Each run starts `coachbot sandbox --port 0 --no-browser` in a fresh folder and measures
until it prints its address and until its page answers /api/state with the therapist's
welcome (the bot then runs, migrated, with the therapist signed up). The baseline, run
interleaved with it, is the same interpreter importing the bot's application module
(`python -c "import coachbot.app"`): the part of the start no sandbox can avoid.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ADDRESS = "Coachbot sandbox: "


def sandbox_start() -> tuple[float, float]:
    """Seconds to the printed address, and to a page showing the therapist's welcome."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "coachbot", "sandbox", "--port", "0", "--no-browser"],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stdout is not None
            url = ""
            for line in process.stdout:
                if line.startswith(ADDRESS):
                    url = line[len(ADDRESS) :].strip()
                    break
            printed = time.perf_counter() - started
            with urllib.request.urlopen(f"{url}/api/state", timeout=30) as response:
                state = json.load(response)
            assert "Welcome" in state["people"][0]["messages"][-1]["text"]
            ready = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    return printed, ready


def baseline() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import coachbot.app"], check=True)
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    printed, ready, base = [], [], []
    for _ in range(runs):
        base.append(baseline())
        first, second = sandbox_start()
        printed.append(first)
        ready.append(second)
    median = statistics.median
    print(f"runs: {runs}")
    print(f"baseline (import coachbot.app): median {median(base):.2f} s")
    for label, times in (("address printed", printed), ("page ready", ready)):
        print(f"sandbox, {label}: median {median(times):.2f} s, max {max(times):.2f} s")
    print(f"ratio page ready / baseline:     {median(ready) / median(base):.1f}")


if __name__ == "__main__":
    main()
