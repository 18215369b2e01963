"""The CLI contract (issue 14's reproductions): exit 0/1/2, one line on stderr, bounded time, quiet Ctrl-C.

Each reproduction runs through ``python -m symderiv`` as a user would; none may
end with exit 3 ("internal error") or print more than one line on stderr.
"""
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from sampling import EXHAUSTIVE

from symderiv import bounded, cli


def run(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "symderiv", *args], capture_output=True, text=True,
                          timeout=timeout)


def stderr_line(r) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) <= 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0] if lines else ""


@pytest.fixture(scope="module")
def nan_npz(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "nan.npz"
    np.savez(path, X=np.random.default_rng(0).normal(size=(40, 3)), y=np.r_[np.zeros(39), np.nan])
    return str(path)


REPRODUCTIONS = [  # arguments, expected exit code, a fragment of the one stderr line
    (["report", "004", "--out", "/dev/null"], 2, "is not a folder"),
    (["report", "004", "--out", "/proc/1"], 2, "cannot write to folder"),
    (["check", "/nonexistent/002.py"], 2, "no such file"),
    (["check", "7" * 5000], 2, "unknown note"),
    (["train", "--dataset", "digits", "--hidden-units", "10000000"], 2, "lower --hidden-units"),
    (["train", "--dataset", "digits", "--lr", "1e6"], 2, "diverged at epoch 1"),
    (["train", "--dataset", "digits", "--seed", "-1"], 2, "--seed must be"),
    (["train", "--dataset", "digits", "--output", "sigmoid", "--loss", "ce"], 2, "use --loss bce or mse"),
    (["train", "--dataset", "digits", "--plot", "/tmp"], 2, "is a directory"),
    (["derive", "--output", "identity", "--loss", "bce"], 2, "does not fit output identity"),
]


@pytest.mark.parametrize("args, code, fragment", [  # a fresh interpreter each: a sample by default, all in CI
    pytest.param(*r, marks=() if k in (0, 2, 5, 9) else EXHAUSTIVE) for k, r in enumerate(REPRODUCTIONS)],
                         ids=lambda v: " ".join(v)[:50] if isinstance(v, list) else None)
def test_user_mistakes_exit_2_with_one_short_line(args, code, fragment):
    r = run(*args)
    line = stderr_line(r)
    assert r.returncode == code and fragment in line, (r.returncode, r.stderr)
    assert len(line) < 300


def test_nan_labels_exit_2(nan_npz):
    r = run("train", "--dataset", nan_npz, "--epochs", "1")
    assert r.returncode == 2 and "labels contain NaN" in stderr_line(r)


def test_numpy_warnings_never_reach_stderr():
    r = run("verify", "--", "z = 10^{308}")
    assert r.returncode in (0, 1, 2)
    stderr_line(r)  # at most one line, whatever the verdict
    assert "RuntimeWarning" not in r.stderr


def test_depth_12_the_documented_maximum_derives():
    r = run("derive", "--depth", "12")
    assert r.returncode == 0, r.stderr
    assert "for the 5-4-6-3-7-2-8-9-10-11-12-13-3 network" in r.stdout  # 12 weight layers


def test_depth_12_verifies():
    r = run("verify", "--depth", "12", r"\delta^{(L)} = a^{(L)} - y")
    assert r.returncode == 0 and "widths given" not in r.stderr, r.stderr


def test_depth_13_is_refused():
    r = run("derive", "--depth", "13")
    assert r.returncode == 2 and "between 1 and 12" in stderr_line(r)


def _wait_for_library(pid: int, name: str, seconds: float = 60) -> None:
    """Block until process ``pid`` has mapped a shared library whose path holds ``name``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with open(f"/proc/{pid}/maps") as maps:
            if name in maps.read():
                return
        time.sleep(0.005)
    raise AssertionError(f"{name} never loaded")


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc")
@pytest.mark.parametrize("delay", [pytest.param(0.0, marks=EXHAUSTIVE), 0.3, pytest.param(1.0, marks=EXHAUSTIVE)])
def test_ctrl_c_at_any_moment_is_one_quiet_line(delay):
    # Counted from the moment NumPy's C core is mapped, i.e. inside symderiv's main(), while
    # SymPy is still loading: before that the process is in Python's own start-up.
    proc = subprocess.Popen([sys.executable, "-m", "symderiv", "verify", r"\delta^{(L)} = a^{(L)} - y"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_library(proc.pid, "_multiarray_umath")
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    if proc.returncode in (0, 1) or out.startswith(("CORRECT", "INCORRECT")):
        return  # it finished (and printed its verdict) before the signal arrived
    # 130, or death by SIGINT when CPython re-raises the signal at exit: a shell sees 130 either way
    assert proc.returncode in (130, -signal.SIGINT) and err == "symderiv: interrupted\n", err


# ---- time limits -----------------------------------------------------------------------

def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "finished"


def test_bounded_stops_a_call_on_a_worker_thread():
    outcome = {}

    def worker():
        try:
            bounded.bounded(lambda: _spin(30), 0.3)
        except bounded.TimedOut as exc:
            outcome["timed out"] = str(exc)
        outcome["after"] = bounded.bounded(lambda: _spin(0.05), 5)  # the limit is gone afterwards
        time.sleep(0.5)  # no late exception arrives
        outcome["clean"] = True

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(20)
    assert outcome == {"timed out": "gave up after 0.3 s", "after": "finished", "clean": True}


@pytest.mark.parametrize("where", ["main", "worker"])
def test_a_command_limit_is_not_swallowed_by_inner_bounded_calls(where):
    def many_inner_calls():
        for _ in range(100):
            try:
                bounded.bounded(lambda: _spin(0.4), 0.2)
            except bounded.TimedOut:
                pass  # what a caller does: degrade and carry on
        return "ran all 100"

    outcome = {}

    def call():
        try:
            outcome["result"] = bounded.time_limit(many_inner_calls, 0.7)
        except bounded.CommandTimedOut as exc:
            outcome["result"] = str(exc)

    if where == "main":
        call()
    else:
        thread = threading.Thread(target=call)
        thread.start()
        thread.join(30)
    assert outcome["result"] == "gave up after 0.7 s"


def test_the_cli_turns_its_overall_limit_into_exit_2(monkeypatch, capsys):
    monkeypatch.setitem(cli.COMMANDS, "derive", dataclasses.replace(cli.COMMANDS["derive"], seconds=0.2))
    monkeypatch.setattr("symderiv.commands.derive.run", lambda args: _spin(30))
    assert cli.main(["derive"]) == 2
    assert capsys.readouterr().err == "symderiv: error: gave up: derive ran longer than its limit of 0.2 s\n"


def test_every_command_has_a_declared_limit():
    # None only for the commands bounded by their own flags (train: --epochs) or run until stopped
    assert {name for name, c in cli.COMMANDS.items() if c.seconds is None} == {"train", "serve", "grade"}
    assert all(c.seconds is None or c.seconds > 0 for c in cli.COMMANDS.values())


def test_a_timer_set_outside_symderiv_survives_a_bounded_call():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        assert bounded.bounded(lambda: 7, 5) == 7
        time.sleep(1.0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert fired == [True]
