"""Start-up time of the command line (issue 25): ``symderiv --version``, ``--help`` and one cold
``verify``, each a fresh process, median of N runs (CPU time of the child from os.wait4, and wall
time). Run from the repository: ``python benchmarks/startup.py [N]``.

Also prints whether ``--version`` loaded SymPy or NumPy (it must not)."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "--version": ["--version"],
    "--help": ["--help"],
    "verify (cold)": ["verify", r"\delta^{(L)} = a^{(L)} - y"],
}


def run_once(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``python -m symderiv ARGV`` process."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "symderiv", *argv], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0                 # reaped by wait4
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def heavy_modules_after_version() -> list[str]:
    probe = ("import sys\nfrom symderiv.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n"
             "    pass\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'sympy', 'numpy'}))")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.split("\n")[-2]


def main(n: int = 10) -> None:
    print(f"{'command':<16}{'wall median s':>14}{'cpu median s':>14}   (n = {n}, fresh process each)")
    for name, argv in COMMANDS.items():
        run_once(argv)                   # warm the file cache, not counted
        walls, cpus = zip(*(run_once(argv) for _ in range(n)))
        print(f"{name:<16}{statistics.median(walls):>14.3f}{statistics.median(cpus):>14.3f}")
    print(f"heavy modules loaded by --version: {heavy_modules_after_version()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
