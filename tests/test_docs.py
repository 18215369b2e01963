"""Every example in README.md and docs/*.md runs, and prints what the docs say it prints.

Marker convention (for whoever writes docs):

* A fenced block is an example if its language is ``bash``, ``console`` or
  ``python``; it is run unless the line just before the fence (blank lines
  aside) is ``<!-- norun: REASON -->``. The reason is required and shows in
  ``pytest -rs``. A file whose first line contains ``<!-- norun-file: REASON -->``
  (docs/design.md, the design brief kept verbatim) has none of its blocks run.
* ``text`` blocks (synopses, diagrams) are not examples; a fence with no
  language at all is an error, so that every block is one or the other.
* ``bash``: every line is a command (a trailing ``\\`` continues it); it must exit
  0, or N when its comment says ``# exit N``.
* ``console``: ``$ command`` lines, each followed by the output it prints. Each
  output line must match a line of the command's stdout or stderr, with ``...``
  standing for any text (so long reasons and random numbers can be left out).
  Exit codes as for ``bash``.
* ``python``: the block is run as a script and must exit 0 (write ``assert``
  for what it must show).
* A block repeated verbatim in another file is run once (skipped as "identical
  to ..." in the other place).

Commands run through bash with ``symderiv`` defined as ``python -m symderiv``,
in a fresh temporary directory, with this checkout first on PYTHONPATH (not
whatever ``symderiv`` is installed). Keep examples small (``--epochs 2`` where
the doc is about usage): the whole file runs in well under a minute.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sampling import EXHAUSTIVE

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUNNABLE = ("bash", "console", "python")
NOT_EXAMPLES = ("text",)
FENCE = re.compile(r"^```(\S*)\s*$")
NORUN = re.compile(r"^<!--\s*norun:\s*(\S.*?)\s*-->\s*$")
NORUN_FILE = re.compile(r"<!--\s*norun-file:\s*(\S.*?)\s*-->")
EXIT = re.compile(r"#.*\bexit (\d+)")
TIMEOUT = 120


@dataclass
class Block:
    path: Path
    line: int            # 1-based line of the opening fence
    lang: str
    body: list[str]
    norun: str | None    # the reason, when not run

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}:{self.lang or 'none'}"


def blocks_of(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    whole = NORUN_FILE.search(lines[0]) if lines else None
    out, i = [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = NORUN.match(before.strip())
        reason = whole.group(1) if whole else marker.group(1) if marker else None
        out.append(Block(path, i + 1, opening.group(1), lines[i + 1:end], reason))
        i = end + 1
    return out


BLOCKS = [b for path in DOCS for b in blocks_of(path)]


# ---- running ------------------------------------------------------------------

@pytest.fixture
def env(tmp_path):
    e = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
             MPLBACKEND="Agg", TQDM_DISABLE="1")
    return e


def shell(command: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    prelude = f"symderiv() {{ {shlex.quote(sys.executable)} -m symderiv \"$@\"; }}\n"
    return subprocess.run(["bash", "-c", prelude + command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)


def commands(lines: list[str]) -> list[str]:
    """Shell lines, continuations joined, blank and comment-only lines dropped."""
    out, pending = [], ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full and not full.startswith("#"):
            out.append(full)
    return out


def expected_exit(command: str) -> int:
    found = EXIT.search(command)
    return int(found.group(1)) if found else 0


def console_steps(lines: list[str]) -> list[tuple[str, list[str]]]:
    """[(command, expected output lines)] from ``$ `` lines and what follows them."""
    steps = []
    for line in lines:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line.rstrip())
        else:
            raise AssertionError(f"console block must start with a '$ ' line, got {line!r}")
    return steps


def matches(pattern: str, line: str) -> bool:
    """``pattern`` found in ``line``, each ``...`` standing for any text."""
    position = 0
    for fragment in pattern.split("..."):
        found = line.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


def check(result: subprocess.CompletedProcess, command: str, shown: list[str] = ()) -> None:
    where = f"$ {command}\n--- stdout:\n{result.stdout[-3000:]}\n--- stderr:\n{result.stderr[-3000:]}"
    assert result.returncode == expected_exit(command), where
    assert "Traceback" not in result.stderr, where
    printed = (result.stdout + "\n" + result.stderr).splitlines()
    for want in (w for w in shown if w.strip()):
        assert any(matches(want, got) for got in printed), f"the docs show {want!r}, not printed:\n{where}"


# ---- the tests ------------------------------------------------------------------

def _first_of_each() -> dict:
    """An example repeated verbatim (README and the user guide share some) runs once."""
    first = {}
    for b in BLOCKS:
        first.setdefault((b.lang, tuple(b.body)), b)
    return first


FIRST = _first_of_each()


@pytest.mark.parametrize("block", [  # README's examples by default; the guides' too in CI (-m exhaustive)
    pytest.param(b, marks=() if b.path.name == "README.md" else EXHAUSTIVE) for b in BLOCKS],
    ids=[b.id for b in BLOCKS])
def test_example(block: Block, tmp_path, env):
    if block.norun and NORUN_FILE.search(block.path.read_text(encoding="utf-8").splitlines()[0]):
        pytest.skip(f"norun-file: {block.norun}")
    assert block.lang in RUNNABLE + NOT_EXAMPLES, \
        f"{block.id}: give the fence a language ({', '.join(RUNNABLE + NOT_EXAMPLES)})"
    if block.lang in NOT_EXAMPLES:
        pytest.skip(f"not an example ({block.lang})")
    if block.norun:
        pytest.skip(f"norun: {block.norun}")
    first = FIRST[(block.lang, tuple(block.body))]
    if first is not block:
        pytest.skip(f"identical to {first.id}, which is run")
    if block.lang == "python":
        r = subprocess.run([sys.executable, "-"], input="\n".join(block.body), cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
        assert r.returncode == 0, f"{block.id}\n{r.stderr[-3000:]}"
    elif block.lang == "bash":
        for command in commands(block.body):
            check(shell(command, tmp_path, env), command)
    else:
        for command, shown in console_steps(block.body):
            check(shell(command, tmp_path, env), command, shown)


def test_every_doc_has_examples_and_every_example_is_counted():
    # The convention cannot be silently bypassed: code shown by indentation is not run.
    for path in DOCS:
        indented = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                    if line.startswith("    $ ")]
        assert not indented, f"{path.name}: lines {indented} show a command by indentation; fence it"
    run = [b for b in BLOCKS if b.lang in RUNNABLE and not b.norun]
    assert {b.path.name for b in run} >= {"README.md", "index.md", "notation.md"}


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_relative_links_point_at_files(path):
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"


def test_the_matcher_reads_ellipses_as_any_text():
    assert matches("reason: holds in all ... contexts: shapes ...", "  reason: holds in all 6 contexts: shapes 4-6-7")
    assert not matches("a ... b", "b then a")
    assert matches("          ^", "          ^") and not matches("          ^", "   ^")


def test_the_tolerances_the_notation_guide_states_are_the_checkers():
    """docs/notation.md states the relative tolerance of "correct"; it drifted from the code twice (issue 24)."""
    from symderiv.verify import checker
    text = (ROOT / "docs" / "notation.md").read_text(encoding="utf-8")
    said = re.search(r"rtol (\S+); (\S+) where central differences enter", text)
    assert said is not None
    assert (float(said.group(1)), float(said.group(2))) == (checker.RTOL, checker.FD_RTOL)
