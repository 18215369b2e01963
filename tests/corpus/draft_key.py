"""Print a draft teacher's key for one corpus document: every line `symderiv check --json` reports today,
with its id and text and `verdict: TODO`. The teacher then replaces every TODO by hand (correct / incorrect /
not-a-claim, with a one-line why for incorrect) and adds the claims the checker does not report (inline maths,
a document it refuses), keyed by their text. Nothing here decides a verdict.

    python tests/corpus/draft_key.py tests/corpus/docs/012.md > tests/corpus/keys/012.yaml
"""
import json
import subprocess
import sys

import yaml


def main(path):
    run = subprocess.run([sys.executable, "-m", "symderiv", "check", path, "--json"],
                         capture_output=True, text=True, timeout=600)
    lines = []
    if run.stdout.strip():
        for entry in json.loads(run.stdout)["entries"]:
            lines.append({"id": entry["id"], "text": entry.get("link") or entry["source_latex"],
                          "verdict": "TODO"})
    else:
        print(f"# check exit {run.returncode}: {run.stderr.strip()}")
    print(yaml.safe_dump({"lines": lines}, sort_keys=False, allow_unicode=True, width=4096))


if __name__ == "__main__":
    main(sys.argv[1])
