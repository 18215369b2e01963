"""Speed of the checker, warm, in one process (issues 19 and 25): ``symderiv.verify`` in ms per claim on
the right claims of the adversarial families (tests/test_adversarial.py, RIGHT: 83 claims over five
models) and on the red-team list (tests/redteam.txt: every false "correct" ever found), and ``check`` of
each note 000..004 in seconds per note and ms per verdict.

Times are CPU time of this process (``time.process_time``; the machine is shared, and other processes do
not inflate it), the minimum over ROUNDS rounds after one warm-up round (settings lambdified, caches
filled). Run from the repository: ``python benchmarks/checker.py [--rounds N] [--only verify|check]``.

``--save FILE`` writes every verdict (the verify JSON, the check JSON of each note) and ``--compare FILE``
reports every difference from a saved run: a speed change must leave every verdict, reason and
counterexample as it was (differences are printed, the exit code is 1).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
# --code DIR: the symderiv package of another checkout (an older commit) timed on these same claim sets
CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv else ROOT
sys.path.insert(0, str(CODE))

NOTES = ["000", "001", "002", "003", "004"]
KEEP_DRAWS = "--keep-draws" in sys.argv     # set by main(); rounds find the draws of the rounds before


def suites(wrong: bool = False) -> dict:
    """name -> [(flags, latex)]: the fixed claim sets, read from the tests (not copied); with ``wrong``
    also the generated wrong claims (817: for comparing verdicts more than for timing)."""
    import test_adversarial as adv
    out = {"right claims": list(adv.RIGHT), "red team": list(adv.REDTEAM)}
    if wrong:
        out["wrong claims"] = [(flags, latex) for flags, _, latex in adv.WRONG]
    return out


PER_CLAIM: dict = {}       # (flags, latex) -> the least CPU seconds one verify of it took


def verify_all(claims) -> list:
    from symderiv import verify
    from symderiv.engine.network import NetFlags
    out = []
    for flags, latex in claims:
        start = time.process_time()
        out.append(verify(latex, NetFlags(**flags) if flags else None).to_json())
        key = (repr(flags), latex)
        PER_CLAIM[key] = min(PER_CLAIM.get(key, float("inf")), time.process_time() - start)
    return out


def check_one(nid: str) -> list:
    from symderiv.documents.check import check_note
    from symderiv.documents.notes import load_note
    return [r.to_json() for r in check_note(load_note(nid))]


def forget_draws():
    """Empty the instances kept by generator state (verify/instances.py), so that a round does not find
    the draws of the round before: a claim's time is that of its first check in a warm process."""
    try:
        from symderiv.verify import instances
    except ImportError:
        return
    if hasattr(instances, "_DRAWN"):
        instances._DRAWN.clear()


def timed(fn, rounds: int):
    """(minimum CPU seconds over ``rounds`` after a warm-up, the warm-up's result)."""
    out = fn()
    best = float("inf")
    for _ in range(rounds):
        if not KEEP_DRAWS:
            forget_draws()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best, out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", choices=["verify", "check"])
    p.add_argument("--notes", nargs="*", default=NOTES)
    p.add_argument("--wrong", action="store_true", help="also the generated wrong claims")
    p.add_argument("--code", metavar="DIR", help="time the package of another checkout (e.g. a git worktree "
                                                 "of an older commit) on this checkout's claim sets")
    p.add_argument("--keep-draws", action="store_true",
                   help="keep the instances drawn in one round for the next (a repeated check); by default "
                        "each round starts without them")
    p.add_argument("--save", metavar="FILE")
    p.add_argument("--compare", metavar="FILE")
    args = p.parse_args(argv)
    results = {}
    print(f"symderiv from {CODE}; warm CPU time, minimum of {args.rounds} rounds after one warm-up")
    if args.only != "check":
        for name, claims in suites(args.wrong).items():
            seconds, out = timed(lambda: verify_all(claims), args.rounds)
            results[name] = out
            each = sorted(PER_CLAIM[(repr(f), c)] for f, c in claims)
            print(f"verify, {name} ({len(claims)} claims): {1000 * seconds / len(claims):.1f} ms/claim; one claim: "
                  f"median {1000 * each[len(each) // 2]:.1f} ms, max {1000 * each[-1]:.0f} ms")
    if args.only != "verify":
        total, verdicts = 0.0, 0
        for nid in args.notes:
            seconds, out = timed(lambda: check_one(nid), args.rounds)
            results[f"note {nid}"] = out
            total, verdicts = total + seconds, verdicts + len(out)
            print(f"check {nid}: {seconds:.3f} s ({len(out)} verdicts, {1000 * seconds / len(out):.0f} ms/verdict)")
        print(f"check, all notes: {total:.2f} s ({1000 * total / max(verdicts, 1):.0f} ms/verdict)")
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    if args.compare:
        return compare(json.loads(Path(args.compare).read_text()), results)
    return 0


def same(a, b) -> bool:
    """Equal as JSON (a NaN in a counterexample equals itself)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def compare(old: dict, new: dict) -> int:
    """Every verdict that differs from the saved run, by suite and position."""
    changed = 0
    for name in sorted(set(old) & set(new)):
        for k, (a, b) in enumerate(zip(old[name], new[name])):
            if same(a, b):
                continue
            changed += 1
            keys = [key for key in set(a) | set(b) if not same(a.get(key), b.get(key))]
            print(f"{name} #{k} ({a.get('claim') or a.get('id')}): {', '.join(sorted(keys))} differ")
            for key in sorted(keys):
                print(f"    {key}: {a.get(key)!r}\n -> {b.get(key)!r}"[:600])
        if len(old[name]) != len(new[name]):
            changed += 1
            print(f"{name}: {len(old[name])} -> {len(new[name])} verdicts")
    print(f"{changed} verdicts differ from the saved run")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
