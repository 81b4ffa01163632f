"""Where the test suite's processor time goes, by kind of process.

    python bench/bench_suite_cpu.py                  # the whole suite, as scripts/test.sh runs it
    python bench/bench_suite_cpu.py tests/web        # any pytest arguments

The suite keeps both cores busy from start to end (issue 21), so its wall time is its CPU time
over two: to make it faster, something must do less work, and this says which processes do the
work. It runs pytest as scripts/test.sh does (`-n auto --dist loadfile --no-loadscope-reorder`,
CI set) and reads /proc every 0.2 s: each process started under it, and each PostgreSQL backend
started meanwhile, is counted by what it is (Chromium, gunicorn, `flask run`, a `flask` command,
pip, LibreOffice, …). A process that lives less than 0.2 s may be missed: the line of pytest's
controller holds the rest of the CPU time the kernel gives for the whole tree. Then the
machine's speed (bench_machine.py) and the CPU time over it, which compares runs on machines of
different speeds. Run it on an otherwise idle machine: everything else running counts in the
wall time.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_machine import yardstick  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")

#: (what the command line holds, the name printed), first match wins
KINDS = [
    ("chrom", "Chromium (playwright's browser)"), ("playwright/driver", "Playwright's driver"),
    ("soffice", "LibreOffice"), ("gunicorn", "gunicorn (production server)"),
    ("waitress", "waitress"), (" pip", "pip"), ("pip/__pip-runner__", "pip"),
    ("postgres:", "PostgreSQL backends"), ("pdfto", "poppler (pdftotext, pdftoppm)"),
    ("bench/", "bench scripts"), ("execnet", "pytest workers (the tests themselves)"),
    ("xdist", "pytest workers (the tests themselves)"),
    ("sys.stdin.readline", "pytest workers (the tests themselves)"),
    ("-m pytest", "pytest (the controller; a clean clone's own suite)"),
]


def kind(cmd: str) -> str:
    if "flask" in cmd:
        return "flask run (test servers)" if " run" in cmd else "flask commands"
    for needle, name in KINDS:
        if needle in cmd:
            return name
    if "kiemdiem" in cmd or " -m addin" in cmd:
        return "kiemdiem / add-in commands"
    return "other: " + (os.path.basename(cmd.split()[0]) if cmd.strip() else "?")


def _stat(pid: str):
    """(parent pid, start tick, CPU seconds) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            st = f.read()
    except OSError:
        return None
    rest = st[st.rfind(")") + 2:].split()
    return int(rest[1]), int(rest[19]), (int(rest[11]) + int(rest[12])) / HZ


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def run(args: list[str]) -> dict:
    """Run pytest with `args`; -> {kind: [processes, CPU seconds]}, wall, total CPU."""
    existing = {p for p in os.listdir("/proc") if p.isdigit()}
    env = dict(os.environ, CI=os.environ.get("CI", "1"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)        # as scripts/test.sh
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-n", "auto", "--dist",
                             "loadfile", "--no-loadscope-reorder", *args], cwd=ROOT, env=env)
    ours = {proc.pid}
    seen: dict[tuple[int, int], list] = {}          # (pid, start tick) -> [kind, cpu]
    while True:
        # reaped here, not by Popen: wait4 gives the CPU time of the whole tree
        pid_done, status, usage = os.wait4(proc.pid, os.WNOHANG)
        done = pid_done != 0
        stats = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit() and pid not in existing:
                s = _stat(pid)
                if s is not None:
                    stats[int(pid)] = s
        for pid, (ppid, tick, cpu) in sorted(stats.items(), key=lambda kv: kv[1][1]):
            if pid == proc.pid:
                continue
            if ppid in ours:
                ours.add(pid)
            key = (pid, tick)
            if key in seen:
                seen[key][1] = cpu
            else:
                cmd = _cmdline(str(pid))
                if pid in ours or cmd.startswith("postgres:"):
                    seen[key] = [kind(cmd), cpu]
        if done:
            break
        time.sleep(0.2)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    table: dict[str, list] = {}
    for k, cpu in seen.values():
        row = table.setdefault(k, [0, 0.0])
        row[0] += 1
        row[1] += cpu
    return {"table": table, "wall": wall, "tree": usage.ru_utime + usage.ru_stime,
            "code": proc.returncode}


def main(argv: list[str]) -> int:
    before = yardstick()
    r = run(argv)
    after = yardstick()
    table, tree = r["table"], r["tree"]
    # the kernel's figure for the tree counts a process only once its parent has waited for it
    # (a server killed with its group is not): the processes seen are added up, and the kernel's
    # figure gives what they leave out, where it is the larger
    counted = sum(cpu for k, (_, cpu) in table.items() if k != "PostgreSQL backends")
    rows = Counter({k: cpu for k, (_, cpu) in table.items()})
    rows["pytest's controller, and processes shorter than 0.2 s"] = max(0.0, tree - counted)
    total = sum(rows.values())
    print(f"\n{'CPU s':>8} {'share':>6} {'processes':>9}  kind")
    for k, cpu in rows.most_common():
        n = table.get(k, ["", 0])[0]
        print(f"{cpu:8.1f} {100 * cpu / total:5.1f}% {n!s:>9}  {k}")
    speed = (before + after) / 2
    print(f"{total:8.1f} CPU s in all; {r['wall']:.0f} s wall time (pytest exit code "
          f"{r['code']}); machine speed {before:.2f} s before, {after:.2f} s after "
          f"(bench_machine.py)")
    print(f"CPU time over machine speed: {total / speed:.0f}; wall time over it: "
          f"{r['wall'] / speed:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
