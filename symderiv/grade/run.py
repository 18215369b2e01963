"""Grading a class: find the submissions, grade what is not graded yet, keep every record.

Each submission is graded in a forked child with a hard time limit
(isolate.py), by a local process pool (the default) or by the workers of a
Dask distributed cluster (``--scheduler tcp://HOST:8786``): the same job
function runs in both, so the records are the same. The parent writes each
student's record as soon as it arrives, atomically (a temporary file, then
``os.replace``), so Ctrl-C or a killed run loses nothing: a rerun grades only
the submissions without a record made from the same submission, assignment,
checker seed and symderiv version (``--force`` regrades all).
"""
from __future__ import annotations

import glob
import hashlib
import inspect
import json
import multiprocessing
import os
import pathlib
import re
import sys
import time

from .. import __version__
from ..documents.reader import MAX_BYTES, SUFFIXES
from ..documents.settings import DocumentError
from .assignment import Assignment, read_assignment
from .isolate import run_isolated
from ..report.files import write_atomic

DEFAULT_SECONDS = 60.0          # per submission: a long derivation checks in a few seconds
RECORDS = "students"            # the folder of per-student records inside --out


def checker_seed() -> int:
    """The seed of the checker's random draws (verify's default, which ``check`` uses)."""
    from ..verify import verify_chain
    return inspect.signature(verify_chain).parameters["seed"].default


def provenance(assignment: Assignment) -> dict:
    return {"symderiv": __version__, "assignment": assignment.name, "assignment_sha256": assignment.sha256,
            "seed": checker_seed()}


# ---------------------------------------------------------------- the submissions
def find_submissions(spec: str) -> list[pathlib.Path]:
    """The .md/.tex files of a folder (not its subfolders), or those a glob matches, in name order."""
    path = pathlib.Path(spec)
    if path.is_dir():
        found = [p for p in path.iterdir() if p.is_file()]
    elif path.is_file():
        found = [path]
    else:
        found = [pathlib.Path(p) for p in glob.glob(spec, recursive=True) if os.path.isfile(p)]
    found = sorted((p for p in found if p.suffix.lower() in SUFFIXES), key=lambda p: str(p))
    if not found:
        raise DocumentError(f"{spec}: no submissions found (a folder or a glob of {', '.join(SUFFIXES)} files)")
    return found


def record_name(path: pathlib.Path, root: pathlib.Path) -> str:
    """A file name for the submission's record: unique per path, readable."""
    try:
        rel = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        rel = str(path.resolve())
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", rel)[-80:]
    return f"{stem}.{hashlib.sha1(rel.encode()).hexdigest()[:8]}.json"


def _common_root(paths: list[pathlib.Path]) -> pathlib.Path:
    return pathlib.Path(os.path.commonpath([str(p.resolve().parent) for p in paths]))


# ---------------------------------------------------------------- one job, run anywhere
_ASSIGNMENTS: dict = {}         # per worker process: sha256 -> Assignment, its model already derived once


def _assignment(spec: dict) -> Assignment:
    found = _ASSIGNMENTS.get(spec["sha256"])
    if found is None:
        found = read_assignment(spec["text"], spec["kind"], spec["name"])
        _warm(found)
        _ASSIGNMENTS[spec["sha256"]] = found
    return found


def _warm(assignment: Assignment) -> None:
    """Derive the assignment's model once in the worker, so every forked child starts with it derived."""
    from ..bounded import time_limit
    from .score import grade_text
    try:
        time_limit(lambda: grade_text(assignment, "$$ z^{(1)} = W^{(1)} x + b^{(1)} $$\n", "warm-up.md"), 60)
    except Exception:            # noqa: BLE001 - only a speed-up; the submissions report their own problems
        pass


def job(task: dict, seconds: float) -> dict:
    """Grade one submission (a task made by ``make_tasks``) in a child with a hard limit; its record."""
    from .score import grade_text
    assignment = _assignment(task["assignment"])
    try:
        record = run_isolated(lambda t: grade_text(assignment, t["text"], t["name"]), task, seconds)
    except OSError as exc:            # no fork possible (out of processes or memory): this student's crash
        record = {"status": "crash", "message": f"could not start a grading process: {exc}", "seconds": 0.0}
    return _completed(record, task, assignment)


def _completed(record: dict, task: dict, assignment: Assignment) -> dict:
    """A timeout or crash record filled in like a graded one (no points, every required result missing)."""
    if record.get("status") in ("timeout", "crash"):
        from .score import _unusable
        seconds, status, message = record["seconds"], record["status"], record["message"]
        record = _unusable(assignment, {"student": task["student"], "file": task["name"], "notes": []}, message)
        record.update(status=status, seconds=seconds)
    record.update(submission_sha256=task["sha256"], record=task["record"])
    return record


# ---------------------------------------------------------------- the run
def make_tasks(paths: list[pathlib.Path], assignment: Assignment, kind: str) -> tuple[list, list]:
    """(tasks, records of files that cannot even be read: too large, not UTF-8)."""
    from .score import student_of
    spec = {"text": assignment.text, "kind": kind, "name": assignment.name, "sha256": assignment.sha256}
    root, tasks, unreadable = _common_root(paths), [], []
    for path in paths:
        name = record_name(path, root)
        raw = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
        sha = hashlib.sha256(raw if raw is not None else str(path.stat().st_size).encode()).hexdigest()
        try:
            text = raw.decode("utf-8-sig") if raw is not None else None
        except UnicodeDecodeError as exc:
            text, why = None, f"not UTF-8 text (byte {exc.start})"
        else:
            why = f"{path.stat().st_size} bytes; a submission may have at most {MAX_BYTES}"
        task = {"name": path.name, "path": str(path), "record": name, "sha256": sha, "assignment": spec,
                "student": student_of(text, SUFFIXES[path.suffix.lower()], path.name) if text else path.stem}
        if text is None:
            record = _completed({"status": "crash", "message": why, "seconds": 0.0}, task, assignment)
            record["status"] = "unusable"
            unreadable.append(record)
        else:
            tasks.append({**task, "text": text})
    return tasks, unreadable


def load_record(path: pathlib.Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None             # a record is written whole or not at all; anything else is regraded


def grade_class(submissions: str, assignment_path, out, *, workers: int = 1, seconds: float = DEFAULT_SECONDS,
                scheduler: str | None = None, force: bool = False, progress: bool = True) -> tuple[list, dict]:
    """Grade every submission not graded yet; (every record, in submission order; the run's figures)."""
    from .assignment import load_assignment
    assignment = load_assignment(assignment_path)
    kind = SUFFIXES[pathlib.Path(str(assignment_path)).suffix.lower()]
    paths = find_submissions(submissions)
    out = pathlib.Path(out)
    (out / RECORDS).mkdir(parents=True, exist_ok=True)
    prov = provenance(assignment)
    tasks, unreadable = make_tasks(paths, assignment, kind)
    records, todo = {}, []
    for record in unreadable:
        record["provenance"] = prov
        write_atomic(out / RECORDS / record["record"], json.dumps(record, ensure_ascii=False, indent=1))
        records[record["record"]] = record
    for task in tasks:
        old = None if force else load_record(out / RECORDS / task["record"])
        if old and old.get("provenance") == prov and old.get("submission_sha256") == task["sha256"]:
            records[task["record"]] = old
        else:
            todo.append(task)
    started = time.monotonic()
    bar = _bar(len(todo), progress)
    runner = _dask if scheduler else _local
    try:
        for record in runner(todo, seconds, workers, scheduler):
            record["provenance"] = prov
            write_atomic(out / RECORDS / record["record"], json.dumps(record, ensure_ascii=False, indent=1))
            records[record["record"]] = record
            bar.update(1)
    finally:
        bar.close()
    elapsed = time.monotonic() - started
    order = [t["record"] for t in tasks] + [r["record"] for r in unreadable]
    figures = {"graded_now": len(todo), "resumed": len(tasks) - len(todo), "seconds": round(elapsed, 3),
               "per_minute": round(len(todo) / elapsed * 60, 1) if todo and elapsed > 0 else None,
               "workers": workers, "scheduler": scheduler}
    return [records[name] for name in order if name in records], {"assignment": assignment, **figures}


def _bar(total: int, show: bool):
    import tqdm
    tqdm.tqdm.monitor_interval = 0         # no monitor thread: the pool's workers are forked from this process
    return tqdm.tqdm(total=total, unit="submission", desc="grading", disable=not show or total == 0,
                     file=sys.stderr, mininterval=0.5, smoothing=0.1)


def _local(tasks: list, seconds: float, workers: int, _scheduler):
    """Records as they complete, from a pool of ``workers`` processes forked from this one."""
    if not tasks:
        return
    context = multiprocessing.get_context("fork")
    pool = context.Pool(max(1, workers))
    try:
        args = [(task, seconds) for task in tasks]
        for record in pool.imap_unordered(_star_job, args, chunksize=1):
            yield record
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _star_job(args):
    return job(*args)


def _dask(tasks: list, seconds: float, _workers, scheduler: str):
    """Records as they complete, from the workers of the Dask cluster at ``scheduler``."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise DocumentError("--scheduler needs dask's distributed package: pip install 'symderiv[cluster]'") from None
    if not tasks:
        return
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise DocumentError(f"cannot reach the Dask scheduler at {scheduler}: {' '.join(str(exc).split())[:200]}") \
            from None
    try:
        futures = [client.submit(job, task, seconds, pure=False, key=f"grade-{task['sha256'][:16]}-{task['record']}")
                   for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
