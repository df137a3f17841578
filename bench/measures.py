"""What `bench/scale.py` measures, how its table is printed, and how a process's memory
and CPU time are read (Linux's /proc)."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    target: str


MEASURES = [
    Measure("seed", "seed {patients} patients × {days} days (RSS growth)", "–"),
    Measure("size", "database size, {patients} × {days}", "–"),
    Measure("seed100k", "seed {large} patients × {large_days} days (RSS growth)", "–"),
    Measure("first", "dispatcher: first round (sweep, silence)", "–"),
    Measure("idle", "dispatcher: idle round, median of 10 (max)", "< 50 ms"),
    Measure("writes", "dispatcher: longest write transaction, first / idle rounds", "< 100 ms"),
    Measure("day_end", "dispatcher: a day's end, {patients} over (longest round)", "< 5 s"),
    Measure("day_end_write", "dispatcher: a day's end, longest write transaction", "< 100 ms"),
    Measure("first100k", "dispatcher: first round, {large}", "–"),
    Measure("idle100k", "dispatcher: idle round, {large} × {large_days}, median (max)", "< 50 ms"),
    Measure("writes100k", "dispatcher: longest write, first / idle, {large}", "< 100 ms"),
    Measure("day_end100k", "dispatcher: a day's end, {large} over (longest round)", "< 5 s"),
    Measure("day_end_write100k", "dispatcher: a day's end, longest write, {large}", "< 100 ms"),
    Measure("roster", "roster of 1,000 patients, median of 3", "< 1 s"),
    Measure("summary", "summary of 1,000 patients, median of 3", "< 1 s"),
    Measure("card", "patient card, median of 3", "< 1 s"),
    Measure("month", "export, last {month} days (rows), median of 3", "< 1 s"),
    Measure("year", "export, whole history (rows), median of 3", "–"),
    Measure("memory", "export peak memory: month / whole history", "not growing with rows"),
    Measure("progress", "bot: patient's /progress, median / max of 10", "< 1 s"),
    Measure("patient", "bot: therapist's /patient <id>, median / max of 10", "< 1 s"),
    Measure("rss", "bot: idle RSS (peak), {patients} × {days}", "≤ 150 MB"),
    Measure("rss_charts", "bot: RSS after 22 charts (peak)", "–"),
    Measure("rss_after", "bot: RSS after the updates too (peak)", "–"),
    Measure("rss100k", "bot: idle RSS (peak), {large} × {large_days}", "≤ 150 MB"),
    Measure("idle_cpu", "bot: CPU while idle", "–"),
    Measure("cpu", "bot: CPU per update, {updates} updates (wall)", "≤ 2 × echo"),
    Measure("echo", "PTB echo bot: CPU per update (wall)", "–"),
    Measure("ratio", "CPU per update, Coachbot / echo bot", "≤ 2"),
]


@dataclass
class Figures:
    """The cells of the table, by measure and backend."""

    cells: dict[tuple[str, str], str] = field(default_factory=dict)
    backends: list[str] = field(default_factory=list)

    def put(self, key: str, backend: str, value: str, met: bool | None = None) -> None:
        if met is not None:
            value += " ✓" if met else " ✗ MISSED"
        self.cells[key, backend] = value
        if backend not in self.backends:
            self.backends.append(backend)

    def table(self, names: dict[str, Any]) -> str:
        head = "| measure | " + " | ".join(self.backends) + " | target |"
        lines = [head, "|" + " --- |" * (len(self.backends) + 2)]
        for measure in MEASURES:
            row = [self.cells.get((measure.key, backend), "") for backend in self.backends]
            if any(row):
                label = measure.label.format(**names)
                lines.append(f"| {label} | " + " | ".join(row) + f" | {measure.target} |")
        return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def spread(times: list[float]) -> str:
    return f"{ms(statistics.median(times))} / {ms(max(times))}"


def duration(seconds: float) -> str:
    return f"{seconds:,.1f} s" if seconds >= 1 else ms(seconds)


def megabytes(size: float) -> str:
    return f"{size / MB:,.1f} MB"


def reset_peak_rss() -> bool:
    """Start this process's peak RSS (VmHWM) afresh (Linux); False where that fails."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def status_kb(pid: int | str, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise KeyError(field_name)


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
