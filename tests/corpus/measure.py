"""Measure `symderiv check` on the corpus of real derivations (issue 20, item 7).

Every document in `docs/` is a verbatim excerpt of a derivation published by someone else; `keys/` holds a
teacher's key per line (correct / incorrect / not-a-claim); `frontmatter/` the model as the author states it,
in front-matter syntax (passed with `check --front`); `docs/pNNN.*` are copies of document NNN with two planted
errors each, recorded in `keys/pNNN.yaml`. This script runs `python -m symderiv check FILE --json` on each
document in a subprocess (from the current directory, so PYTHONPATH decides which code is measured), with and
without the author's front matter, and prints the table of issue 20's "Must show" for ALL documents, the TRAIN
two-thirds and the TEST third (every third original document, with its planted copy).

    PYTHONPATH=$PWD python tests/corpus/measure.py [--json] [--only 001,p003] [--list] [--causes] [--jobs N]
    python tests/corpus/measure.py --from-json OUT.json --causes     # re-print a saved --json run

What is counted (all from the key; the checker's output only supplies the verdict it computed):
- key-checkable lines: key lines that are `correct` or `incorrect`, in the original documents;
- a computed verdict: the line's entry says `correct` or `incorrect` (not `unverifiable`, not missing);
- false accepts: a line the key calls incorrect (original or planted) that the checker calls correct;
- false rejects: correct lines the checker calls incorrect, as a share of correct lines with a computed verdict;
- the authors' own errors flagged: key-incorrect lines of the original documents the checker calls incorrect;
- planted errors found: planted lines the checker calls incorrect;
- internal errors: documents whose run ends in a traceback, a signal, an unexpected exit code or the timeout
  (a refusal, exit 2 with one line, is counted apart: every key line of that document is then missed).

Key lines are matched to the checker's entries by id and text (see `match`), so a line the checker does not
report today (inline maths, a refused document) counts as missed rather than disappearing from the measure.
"""
import argparse
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent
DOCS, KEYS, FRONT = CORPUS / "docs", CORPUS / "keys", CORPUS / "frontmatter"
MODES = ("none", "front")
MODE_TITLES = {"none": "with no front matter", "front": "with the author's front matter"}
COMPUTED = ("correct", "incorrect")
TIMEOUT = 300


# -- the corpus ----------------------------------------------------------------------------------------------

def documents():
    """The documents in order: originals by number, each planted copy right after its original."""
    files = {p.stem: p for p in DOCS.iterdir() if p.suffix in (".md", ".tex", ".ipynb")}
    originals = sorted(k for k in files if not k.startswith("p"))
    order = []
    for number in originals:
        order.append(number)
        if "p" + number in files:
            order.append("p" + number)
    return [(doc, files[doc]) for doc in order]


def split_of(doc):
    """TEST is every third original document (the 3rd, 6th, ...), with its planted copy; TRAIN the rest."""
    originals = sorted(p.stem for p in DOCS.iterdir() if not p.stem.startswith("p") and p.suffix != ".txt")
    return "TEST" if originals.index(doc.lstrip("p")) % 3 == 2 else "TRAIN"


def load_key(doc):
    """The key's lines; for a planted copy, its original's lines with the planted lines put in their place."""
    if not doc.startswith("p"):
        return [dict(line, planted=False) for line in yaml.safe_load((KEYS / f"{doc}.yaml").read_text())["lines"]]
    plan = yaml.safe_load((KEYS / f"{doc}.yaml").read_text())
    lines = load_key(plan["copy_of"])
    for plant in plan["planted"]:
        where = [i for i, line in enumerate(lines)
                 if (plant.get("id") and line["id"] == plant["id"]) or norm(line["text"]) == norm(plant["was"])]
        if len(where) != 1:
            raise SystemExit(f"keys/{doc}.yaml: planted line {plant.get('id')} matches {len(where)} key lines")
        lines[where[0]] = {"id": plant.get("id"), "text": plant["text"], "verdict": "incorrect",
                           "why": f"planted {plant['kind']}: {plant['why']}", "planted": True}
    return lines


def front_matter(doc):
    path = FRONT / f"{doc.lstrip('p')}.symderiv"
    return path if path.exists() else None


# -- running the checker -------------------------------------------------------------------------------------

def run_check(path, front, timeout):
    """One `check --json` run in a subprocess: {"outcome": ok|refused|internal-error|timeout, ...}."""
    cmd = [sys.executable, "-m", "symderiv", "check", str(path), "--json"]
    if front is not None:
        cmd += ["--front", str(front)]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"outcome": "timeout", "message": f"no answer in {timeout} s", "entries": []}
    first = (run.stderr.strip().splitlines() or [""])[-1][:300]
    if "Traceback (most recent call last)" in run.stderr or run.returncode not in (0, 1, 2):
        return {"outcome": "internal-error", "message": f"exit {run.returncode}: {first}", "entries": []}
    if run.returncode == 2 and not run.stdout.strip():
        return {"outcome": "refused", "message": first, "entries": []}
    try:
        entries = json.loads(run.stdout)["entries"]
    except (ValueError, KeyError):
        return {"outcome": "internal-error", "message": f"exit {run.returncode}: output is not the JSON object",
                "entries": []}
    return {"outcome": "ok", "message": "", "entries": entries}


# -- matching key lines to the checker's entries -------------------------------------------------------------

def norm(text):
    """Text as compared: no spaces, no alignment '&', no trailing full stop, comma or line break."""
    text = re.sub(r"\s+|&", "", text or "")
    return re.sub(r"(\\\\|[.,;])+$", "", text)


SEVERITY = {"incorrect": 0, "unverifiable": 1, "correct": 2}


def match(key_lines, entries):
    """For each key line, the checker entry that reports it (or None). An entry reports one key line at most.

    In order: the same id and the same text (the entry's chain link or its whole display); else, for a key
    line written as '= tail', the link of that display ending in it; else the only entry with that id; else an entry (any id) whose link has the same text. Where several links of one
    display match (a key line that is the whole chain), the worst link's entry reports the line."""
    free = list(range(len(entries)))
    found = [None] * len(key_lines)

    def take(i, candidates):
        if candidates:
            # a key line that is a whole chain matches each of its links: the line's verdict is its worst link's
            display = entries[candidates[0]]["id"].split(".")[0]
            links = [j for j in candidates if entries[j]["id"].split(".")[0] == display]
            pick = min(links, key=lambda j: SEVERITY.get(entries[j]["verdict"], len(SEVERITY)))
            found[i] = entries[pick]
            free.remove(pick)
            return True
        return False

    def texts(entry):
        return {norm(entry.get("link")), norm(entry.get("source_latex"))}

    def tail_of(line, e):
        """A key line written as the tail of its display ('= W^T dJ/do', a planted last link) matches the
        link of that display whose right side it is."""
        tail = norm(re.sub(r"\$+$", "", line["text"].strip()))
        return line["id"] and tail.startswith("=") and e["id"].split(".")[0] == line["id"] and \
            norm(e.get("link")).endswith(tail)

    passes = [
        lambda line, e: line["id"] and e["id"] == line["id"] and norm(line["text"]) in texts(e),
        tail_of,
        lambda line, e: line["id"] and e["id"] == line["id"]
        and sum(1 for f in entries if f["id"] == line["id"]) == 1,
        lambda line, e: norm(line["text"]) == norm(e.get("link") or e.get("source_latex")),
    ]
    for rule in passes:
        for i, line in enumerate(key_lines):
            if found[i] is None:
                take(i, [j for j in free if rule(line, entries[j])])
    return found


# -- scoring -------------------------------------------------------------------------------------------------

def score(doc, key_lines, result):
    """Per-line records: the key's verdict, the checker's verdict (None when not computed), and why."""
    records = []
    for line, entry in zip(key_lines, match(key_lines, result["entries"])):
        computed = entry["verdict"] if entry and entry["verdict"] in COMPUTED else None
        records.append({"doc": doc, "id": line["id"], "text": line["text"], "key": line["verdict"],
                        "planted": line["planted"], "computed": computed,
                        "entry_id": entry["id"] if entry else None,
                        "reason": (entry or {}).get("reason") or result["message"]})
    return records


def table(runs, docs):
    """The Must-show figures over the given documents, for one mode."""
    records = [r for doc in docs for r in runs[doc]["records"]]
    original = [r for r in records if not r["doc"].startswith("p")]
    checkable = [r for r in original if r["key"] in COMPUTED]
    computed = [r for r in checkable if r["computed"]]
    correct_computed = [r for r in computed if r["key"] == "correct"]
    wrong = [r for r in records if r["key"] == "incorrect" and (r["planted"] or not r["doc"].startswith("p"))]
    authors = [r for r in original if r["key"] == "incorrect"]
    planted = [r for r in records if r["planted"]]
    outcome = [runs[doc]["outcome"] for doc in docs]
    return {
        "documents": len(docs),
        "checkable": len(checkable),
        "computed": len(computed),
        "false_accepts": sum(r["computed"] == "correct" for r in wrong),
        "false_rejects": sum(r["computed"] == "incorrect" for r in correct_computed),
        "correct_computed": len(correct_computed),
        "authors_errors": len(authors),
        "authors_flagged": sum(r["computed"] == "incorrect" for r in authors),
        "planted": len(planted),
        "planted_found": sum(r["computed"] == "incorrect" for r in planted),
        "internal_errors": sum(o in ("internal-error", "timeout") for o in outcome),
        "refused": sum(o == "refused" for o in outcome),
    }


def pct(part, whole):
    return f"{100 * part / whole:.0f}% ({part}/{whole})" if whole else "n/a (0/0)"


ROWS = [
    ("key-checkable lines with a computed verdict", lambda t: pct(t["computed"], t["checkable"])),
    ("false accepts (wrong line called correct)", lambda t: str(t["false_accepts"])),
    ("false rejects (share of computed correct lines)",
     lambda t: pct(t["false_rejects"], t["correct_computed"])),
    ("the authors' own errors flagged", lambda t: pct(t["authors_flagged"], t["authors_errors"])),
    ("planted errors found", lambda t: pct(t["planted_found"], t["planted"])),
    ("documents ending in an internal error", lambda t: str(t["internal_errors"])),
    ("documents refused (exit 2: every line missed)", lambda t: str(t["refused"])),
]


def render(tables):
    out = []
    for part, by_mode in tables.items():
        docs = by_mode["none"]["documents"]
        out.append(f"\n{part} ({docs} documents)\n")
        out.append(f"| on the corpus | {' | '.join(MODE_TITLES[m] for m in MODES)} |")
        out.append("|---|" + "---|" * len(MODES))
        for title, cell in ROWS:
            out.append(f"| {title} | {' | '.join(cell(by_mode[m]) for m in MODES)} |")
    return "\n".join(out)


def mismatches(runs_by_mode, docs):
    """Per line: every missed key-checkable line, false accept and false reject, with the checker's reason."""
    out = []
    for mode in MODES:
        out.append(f"\n== {MODE_TITLES[mode]}")
        for doc in docs:
            run = runs_by_mode[mode][doc]
            if run["outcome"] != "ok":
                out.append(f"{doc}: {run['outcome']}: {run['message']}")
            for r in run["records"]:
                if r["key"] not in COMPUTED:
                    continue
                if r["computed"] is None:
                    kind = "missed"
                elif r["key"] == "incorrect" and r["computed"] == "correct":
                    kind = "FALSE ACCEPT"
                elif r["key"] == "correct" and r["computed"] == "incorrect":
                    kind = "false reject"
                elif r["key"] == "incorrect" and r["planted"]:
                    kind = "planted found"
                else:
                    continue
                reason = " ".join((r["reason"] or "not reported by check").split())[:160]
                out.append(f"{doc} {r['id'] or '-'} [{kind}] {r['text'][:90]}  <- {reason}")
    return "\n".join(out)


def cause(reason):
    """A reason reduced to its kind, so that lines missed for the same reason count together: the text before
    the place it names (`in ...`), without symbol lists, numbers or the symbol itself."""
    text = " ".join((reason or "not reported by check (no entry for this line)").split())
    text = re.split(r";| in `|, in |\(column", text)[0]
    text = re.sub(r"unknown symbol \S+", "unknown symbol", text)
    text = re.sub(r"\d+(×\d+)*", "N", text)
    text = re.sub(r"index '[^']*'", "index", text)
    text = re.sub(r"unexpected \S+", "unexpected token", text)
    text = re.sub(r"construct \\\w+", "construct", text)
    text = re.sub(r"symderiv: error: \S+: ", "document refused: ", text)
    return text[:110]


def causes(runs_by_mode, docs, top=12):
    """The most frequent causes of missed key-checkable lines and of false rejects, per mode."""
    out = []
    for mode in MODES:
        records = [r for doc in docs for r in runs_by_mode[mode][doc]["records"]
                   if r["key"] in COMPUTED and not r["doc"].startswith("p")]
        for title, chosen in (("missed lines", [r for r in records if r["computed"] is None]),
                              ("false rejects", [r for r in records
                                                 if r["key"] == "correct" and r["computed"] == "incorrect"])):
            counts = {}
            for r in chosen:
                counts.setdefault(cause(r["reason"]), []).append(r["doc"])
            out.append(f"\n{title}, {MODE_TITLES[mode]} ({len(chosen)}):")
            for text, where in sorted(counts.items(), key=lambda kv: -len(kv[1]))[:top]:
                out.append(f"  {len(where):3d}  {text}  [{', '.join(sorted(set(where)))}]")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object (tables and per-line records)")
    parser.add_argument("--only", help="comma-separated document ids, e.g. 001,p003")
    parser.add_argument("--list", action="store_true", help="also list every missed line, false accept and reject")
    parser.add_argument("--causes", action="store_true", help="also group missed lines and false rejects by cause")
    parser.add_argument("--from-json", metavar="FILE", help="read a previous --json output instead of running check")
    parser.add_argument("--jobs", type=int, default=1, help="documents checked at once (default 1)")
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help=f"seconds per document (default {TIMEOUT})")
    args = parser.parse_args(argv)

    docs = documents()
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {d for d, _ in docs}
        if unknown:
            parser.error(f"unknown document ids: {', '.join(sorted(unknown))}")
        docs = [(d, p) for d, p in docs if d in wanted]

    names = [d for d, _ in docs]
    if args.from_json:
        runs = json.loads(Path(args.from_json).read_text())["runs"]
        return report(args, runs, names)

    jobs = []
    for doc, path in docs:
        jobs.append((doc, "none", path, None))
        front = front_matter(doc)
        jobs.append((doc, "front", path, front))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # A document without front matter has the same run in both modes: checked once.
        results = dict(zip([(d, m) for d, m, _, f in jobs if m == "none" or f is not None],
                           pool.map(lambda job: run_check(job[2], job[3], args.timeout),
                                    [j for j in jobs if j[1] == "none" or j[3] is not None])))
    runs = {m: {} for m in MODES}
    for doc, _ in docs:
        key_lines = load_key(doc)
        for mode in MODES:
            result = results.get((doc, mode)) or results[(doc, "none")]
            runs[mode][doc] = {"outcome": result["outcome"], "message": result["message"],
                               "records": score(doc, key_lines, result)}

    return report(args, runs, names)


def report(args, runs, names):
    parts = {"ALL": names, "TRAIN": [d for d in names if split_of(d) == "TRAIN"],
             "TEST": [d for d in names if split_of(d) == "TEST"]}
    tables = {part: {m: table(runs[m], ds) for m in MODES} for part, ds in parts.items()}
    if args.json:
        print(json.dumps({"tables": tables, "runs": runs}, indent=1))
    else:
        print(render(tables))
        if args.list:
            print(mismatches(runs, names))
        if args.causes:
            print(causes(runs, names))
    return tables


if __name__ == "__main__":
    main()
