"""``symderiv grade SUBMISSIONS --assignment FILE --out DIR [--pdf] [--scheduler tcp://HOST:PORT]``.

The command's flags and its exit codes: 0 when the run graded every
submission (whatever the scores: a wrong derivation is a grade, not an
error), 2 when the assignment, the submissions or the output folder cannot be
used (one line), 130 on Ctrl-C (every record written so far is kept: run the
same command again to continue).
"""
from __future__ import annotations

import os
import pathlib
import sys

from .run import DEFAULT_SECONDS


def add_arguments(p) -> None:
    p.add_argument("submissions", help="a folder of .md/.tex submissions (one per student), or a quoted glob "
                                       "such as 'class/*.md'")
    p.add_argument("--assignment", required=True, metavar="FILE",
                   help="the assignment: front matter with the model and one 'expects: LATEX | POINTS' per "
                        "required result, optional 'penalty: POINTS' per wrong line (required)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder; its records make a rerun resume "
                                                               "(required)")
    p.add_argument("--pdf", action="store_true", help="also write each student's feedback as PDF (needs pdflatex)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="grade on this Dask distributed cluster (pip install 'symderiv[cluster]') "
                        "(default: a local process pool)")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                   help="local worker processes")
    p.add_argument("--time-limit", type=float, default=DEFAULT_SECONDS, metavar="SECONDS",
                   help="wall-clock limit per submission; a submission past it is recorded as a time-out")
    p.add_argument("--force", action="store_true", help="regrade every submission, even those already recorded")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cli_grade(args) -> int:
    from ..documents.settings import DocumentError
    from .outputs import write_outputs
    from .run import grade_class
    if not 1 <= args.workers <= 256:
        raise DocumentError(f"--workers must be from 1 to 256, got {args.workers}")
    if not 0 < args.time_limit <= 86400:
        raise DocumentError(f"--time-limit must be a positive number of seconds, at most 86400, got {args.time_limit}")
    if args.scheduler and not args.scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
        raise DocumentError(f"--scheduler must be an address such as tcp://HOST:8786, got {args.scheduler!r}")
    out = pathlib.Path(args.out)
    if out.exists() and not out.is_dir():
        raise DocumentError(f"--out {out}: exists and is not a folder")
    records, run = grade_class(args.submissions, args.assignment, out, workers=args.workers, seconds=args.time_limit,
                               scheduler=args.scheduler, force=args.force, progress=not args.quiet)
    assignment = run.pop("assignment")
    from .run import provenance
    write_outputs(records, assignment, provenance(assignment), out, run, pdf=args.pdf)
    failed = sum(r["status"] in ("timeout", "crash") for r in records)
    print(f"graded {len(records)} submissions ({run['graded_now']} now, {run['resumed']} from earlier records"
          + (f", {failed} timed out or crashed" if failed else "") + f"): {out / 'gradebook.csv'}, "
          f"{out / 'summary.html'}", file=sys.stderr)
    return 0
