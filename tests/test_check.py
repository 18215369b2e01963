"""check.py: verdicts computed on the notes, perturbations flagged, corrections pass."""
import json
from dataclasses import replace

import pytest

from symderiv.documents import notes
from symderiv.documents.check import Entry, check_entry
from symderiv.documents.claims import claims_of, split_top_level
from symderiv.cli import main
from symderiv.verify import verify, verify_chain
from sampling import EXHAUSTIVE


@pytest.fixture(scope="module")
def results(checked_notes):
    return checked_notes


def by_id(results, nid, rid):
    return next(r for r in results[nid] if r.id == rid)


def test_known_errata_are_found(results):
    # Each is a real error of the note under its own definitions (see the issue-3 closing note).
    assert by_id(results, "000", "shapes").verdict == "incorrect"         # 1x10.10x25.25x1.1x401 is not 25x401
    assert by_id(results, "001", "9.19").verdict == "incorrect"           # W_ij^(l) for W_ji^(l+1)
    assert by_id(results, "003", "dJ/dw_ij").verdict == "incorrect"       # delta_j for delta_i


def test_juxtaposed_same_shape_vectors_are_read_element_wise(results):
    # 9.23 writes -(y - a) f'(z): two columns side by side have no matrix product, so a reader takes the
    # element-wise one (issue 21 item 5); the verdict says that is how it was read
    v = by_id(results, "001", "9.23")
    assert v.verdict == "correct" and "is element-wise" in v.reason


def test_known_correct_lines_pass(results):
    for nid, rid in [("000", "dJ/dw21.result.2"), ("001", "9.16"), ("002", "dJ/dz3"), ("003", "delta.l.2"),
                     ("003", "dz/dw_ij"), ("004", "sigmoid-forms.3")]:
        assert by_id(results, nid, rid).verdict == "correct", (nid, rid)


PERTURB = {
    "sign": lambda lhs, rhs: f"{lhs} = -\\left({rhs}\\right)",
    "scale": lambda lhs, rhs: f"{lhs} = 2 \\left({rhs}\\right)",
    "index swap": lambda lhs, rhs: f"{lhs} = " + rhs.translate(str.maketrans({"i": "j", "j": "i"})),
    "layer shift": lambda lhs, rhs: f"{lhs} = " + rhs.replace("(l+1)", "(l+2)").replace("(l)", "(l+1)"),
}
CORRECT_LINES = [  # (note, entry, the checked link in default notation)
    ("001", r"\delta_{i}^{(l)} = \sum_{j} W_{ji}^{(l+1)} \delta_{j}^{(l+1)} f'(z_{i}^{(l)})"),
    ("003", r"\delta_{i}^{(l)} = \sum_{j} \delta_j^{(l+1)} W_{ji}^{(l+1)} \frac{\partial a_i^{(l)}}{\partial z_i^{(l)}}"),
    ("002", r"\frac{\partial J}{\partial z^{(2)}} = \frac{1}{m} (a^{(2)} - y)"),
]


@pytest.mark.parametrize("nid, line", CORRECT_LINES)
@pytest.mark.parametrize("kind", sorted(PERTURB))
def test_broken_copies_of_correct_lines_are_flagged(nid, line, kind):
    flags = notes.load_note(nid).flags
    assert verify(line, flags, batch=flags.batch).verdict == "correct"
    lhs, rhs = line.split(" = ", 1)
    broken = PERTURB[kind](lhs, rhs)
    if broken == line:
        pytest.skip("the perturbation does not change this line")
    assert verify(broken, flags, batch=flags.batch).verdict != "correct", broken


def test_every_incorrect_link_has_a_correction_that_passes_under_the_notes_reading(results):
    """Each erratum's corrected line, read with the note's own readings (or, for a shape sketch,
    multiplied out), comes out correct: the round trip the issue asks for, over all five notes."""
    checked = 0
    for nid, rs in results.items():
        note = notes.load_note(nid)
        for r in rs:
            if r.verdict != "incorrect":
                continue
            assert r.corrected_latex, (nid, r.id, "no correction")
            assert "symderiv's notation" not in r.corrected_latex, (nid, r.id)
            entry = next(e for e in note.entries if r.id == e.id or r.id.startswith(e.id + "."))
            flags = entry.flags or note.flags
            if entry.read_as == "shapes":
                again = check_entry(replace(entry, source_latex=r.corrected_latex), flags)
            else:
                again = verify_chain(r.corrected_latex, flags, batch=flags.batch,
                                     readings={**note.readings, **entry.readings})
            assert again and all(v.verdict == "correct" for v in again), (nid, r.id, r.corrected_latex)
            checked += 1
    assert checked >= 50


@EXHAUSTIVE
def test_a_correction_scaled_by_two_is_flagged_under_the_same_reading(results):
    """The readings that make a correction come out correct do not make everything correct: the same
    line with its right side doubled is incorrect (every note, every equation-like correction)."""
    checked = 0
    for nid, rs in results.items():
        note = notes.load_note(nid)
        for r in rs:
            entry = next(e for e in note.entries if r.id == e.id or r.id.startswith(e.id + "."))
            if r.verdict != "incorrect" or entry.read_as == "shapes":
                continue
            lhs, rhs = r.corrected_latex.split(" = ", 1)
            flags = entry.flags or note.flags
            broken = verify_chain(f"{lhs} = 2 \\left({rhs}\\right)", flags, batch=flags.batch,
                                  readings={**note.readings, **entry.readings}, alternatives=False)
            assert any(v.verdict == "incorrect" for v in broken), (nid, r.id)
            checked += 1
    assert checked >= 48


def test_a_correction_keeps_the_notes_symbols(results):
    """Note 002 writes w, N, Delta and phi, never delta: its corrections do too."""
    corr = by_id(results, "002", "dJtilde/dw1.cases").corrected_latex
    assert "\\delta" not in corr and "w^{(1)}" in corr and "\\frac{1}{N}" in corr and "\\Delta" in corr
    # note 004 calls the hidden activation sigma_1: the corrected line keeps the note's own right side
    # and the left side of its chain (sigma_1(sum theta x) = sigma_1(z_j) is the wrong step)
    assert by_id(results, "004", "hidden.2").corrected_latex == r"a_j = \sigma_1(z_j)"


def test_a_shape_sketch_is_corrected_by_the_fewest_moves():
    bad = Entry("s", r"[a]_{1 \times 10} \times [W]_{10 \times 25} \times [g]_{25 \times 1}", read_as="shapes",
                result_latex=r"[]_{25 \times 1}")
    flags = notes.load_note("000").flags
    (r,) = check_entry(bad, flags)
    assert r.verdict == "incorrect"
    # W^T a^T (25x1), then element-wise with g: the backprop of a hidden layer
    assert r.corrected_latex == (r"[W]^{T}_{25 \times 10} \times [a]^{T}_{10 \times 1} \odot [g]_{25 \times 1}")
    assert check_entry(replace(bad, source_latex=r.corrected_latex), flags)[0].verdict == "correct"


def test_line_breaks_inside_braces_do_not_split():
    assert split_top_level(r"a = b \\ c = \substack{x \\ y}") == ["a = b ", r" c = \substack{x \\ y}"]
    e = Entry("x", r"= 2 y", lhs="u")
    assert claims_of(e) == ["u = 2 y"]


def test_shape_chains_are_multiplied():
    ok = Entry("s", r"[]_{2 \times 3} \times []_{3 \times 4}", read_as="shapes", result_latex=r"[]_{2 \times 4}")
    bad = Entry("s", r"[]_{2 \times 3} \times []_{3 \times 4}", read_as="shapes", result_latex=r"[]_{3 \times 4}")
    flags = notes.load_note("000").flags
    assert check_entry(ok, flags)[0].verdict == "correct"
    assert check_entry(bad, flags)[0].verdict == "incorrect"


def run(capsys, *args):
    """``symderiv ARGS`` in-process (tests/test_smoke_cli.py keeps the real subprocess runs)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_json_has_one_entry_per_checked_line(capsys):
    code, out, _ = run(capsys, "check", "001", "--json")
    data = json.loads(out)
    assert data["note"] == "001"
    assert all(set(e) >= {"id", "source_latex", "verdict", "reason", "corrected_latex"} for e in data["entries"])
    assert {e["verdict"] for e in data["entries"]} <= {"correct", "incorrect", "unverifiable"}
    # exit 1 when any line is incorrect (note 001 has errata), 0 only when none is
    assert code == (1 if any(e["verdict"] == "incorrect" for e in data["entries"]) else 0)


def test_check_bad_note_exits_2_with_one_line(capsys):
    code, _, err = run(capsys, "check", "nope")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_every_id_check_prints_is_accepted_by_verify_entry(capsys):
    """DESIGN.md: every id ``check`` prints (link ids such as 9.21.1 included) is accepted by --entry."""
    _, out, _ = run(capsys, "check", "001", "--json")
    ids = [e["id"] for e in json.loads(out)["entries"]]
    links = [i for i in ids if i.count(".") == 2]
    assert links                                                # the note has chain links
    for entry_id in links[:2] + [ids[0]]:                       # link ids and a plain one (each costs a check)
        code, _, err = run(capsys, "verify", "--note", "001", "--entry", entry_id, r"\delta^{(3)} = a^{(3)} - y")
        assert "no line" not in err, entry_id
        assert code in (0, 1, 2)
