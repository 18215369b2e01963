"""documents.py: a user's own .md/.tex file checked like an encoded note (issue 11, item 5)."""
import json
import pathlib
import re

import pytest

from symderiv.documents.check import check_entry, check_note
from symderiv.cli import main
from symderiv.documents.model import Entry
from symderiv.documents.reader import MAX_BYTES, MAX_DISPLAYS, DocumentError, load_document, visible_text
from symderiv.engine.network import NetFlags
from symderiv.notation.readings import compile_readings

DATA = pathlib.Path(__file__).parent / "data"
ROOT = pathlib.Path(__file__).parent.parent
ERRATUM = r"\delta^{(1)} = (V \delta^{(2)}) \odot h \odot (1 - h)"
CORRECTED = r"\delta^{(1)} = V^T \delta^{(2)} \odot h \odot \left(1 - h\right)"
STUDENT_FLAGS = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", outputs=1)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def line_of(path: pathlib.Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# ---- the worked example: one erratum, flagged, corrected, exit 1 ----------------------------------

@pytest.mark.parametrize("name, erratum_id", [("student.md", None), ("student.tex", "eq:delta1")])
def test_student_derivation_flags_its_one_erratum(capsys, name, erratum_id):
    path = DATA / name
    code, out, err = run(capsys, "check", str(path), "--json")
    assert code == 1 and err == ""
    report = json.loads(out)
    assert report["note"] == "student"
    bad = [e for e in report["entries"] if e["verdict"] != "correct"]
    assert [e["source_latex"] for e in bad] == [ERRATUM]        # every other line holds
    assert bad[0]["id"] == (erratum_id or f"L{line_of(path, ERRATUM)}")   # named by its label, else its line
    assert bad[0]["corrected_latex"] == CORRECTED                       # in the student's own symbols (V, h)
    assert len(report["entries"]) == 10


def test_the_correction_is_itself_correct_under_the_documents_readings():
    doc = load_document(DATA / "student.md")
    fixed = check_entry(Entry("fixed", CORRECTED), doc.flags, compile_readings(doc.readings))
    assert [r.verdict for r in fixed] == ["correct"]


def test_text_output_names_the_line_and_the_correction(capsys):
    code, out, _ = run(capsys, "check", str(DATA / "student.md"))
    assert code == 1
    block = out[out.index("INCORRECT") - 10:]
    assert f"line:      {ERRATUM}" in block and f"corrected: {CORRECTED}" in block
    assert out.rstrip().endswith("9 correct, 1 incorrect")


def test_fixing_the_erratum_makes_the_document_correct(tmp_path, capsys):
    fixed = tmp_path / "fixed.md"
    fixed.write_text((DATA / "student.md").read_text().replace(ERRATUM, CORRECTED))
    code, out, _ = run(capsys, "check", str(fixed), "--json")
    assert code == 0 and {e["verdict"] for e in json.loads(out)["entries"]} == {"correct"}


def test_the_docs_example_is_the_tested_file():
    doc = (ROOT / "docs" / "documents.md").read_text()
    blocks = re.findall(r"^```text\n(.*?)^```", doc, re.S | re.M)
    assert (DATA / "student.md").read_text() in blocks


def test_the_docs_console_output_is_what_check_prints(capsys, monkeypatch):
    doc = (ROOT / "docs" / "documents.md").read_text()
    block = re.search(r"^```console\n\$ symderiv check student.md   # exit 1\n(.*?)^```", doc, re.S | re.M)
    monkeypatch.chdir(DATA)
    code, out, _ = run(capsys, "check", "student.md")
    assert code == 1
    printed = out.splitlines()
    for shown in block.group(1).splitlines():
        assert shown in printed, shown


# ---- front matter -----------------------------------------------------------------------------------

def test_front_matter_gives_model_title_and_readings():
    doc = load_document(DATA / "student.md")
    assert doc.flags == STUDENT_FLAGS
    assert doc.title == "Backprop for my two-layer classifier (homework 3)"
    assert doc.readings == {"h": "a^{(1)}", "U": "W^{(1)}", "V": "W^{(2)}", r"\mathcal{L}": "J"}
    assert load_document(DATA / "student.tex").flags == STUDENT_FLAGS


def test_command_line_flags_override_front_matter(capsys):
    doc = load_document(DATA / "student.md", overrides={"hidden": "tanh", "batch": True})
    assert doc.flags == NetFlags(depth=2, hidden="tanh", output="sigmoid", loss="bce", batch=True, outputs=1)
    # under tanh, h (1 - h) is no longer the hidden derivative: the corrected line is wrong too
    code, out, _ = run(capsys, "check", str(DATA / "student.md"), "--hidden", "tanh", "--json")
    verdicts = {e["source_latex"]: e["verdict"] for e in json.loads(out)["entries"]}
    assert code == 1 and verdicts[ERRATUM] == "incorrect" and verdicts[r"h = \sigma(z^{(1)})"] == "correct"


def test_a_preset_in_front_matter_and_keys_over_it(tmp_path):
    f = tmp_path / "p.md"
    f.write_text("---\npreset: cs231n\nreg: none\n---\n$$ a^{(1)} = x $$\n")
    assert load_document(f).flags == NetFlags(depth=2, hidden="relu", output="softmax", loss="ce", reg="none",
                                               batch=True, layout="rows")


NIELSEN_DOC = """---
convention: nielsen
depth: 3
loss: mse
---

$$ \\delta^L = (a^L - y) \\odot \\sigma'(z^L) $$

$$ \\delta^l = (w^{l+1} \\delta^{l+1}) \\odot \\sigma'(z^l) $$
"""


def test_a_document_in_a_textbooks_convention_is_checked_and_corrected_in_it(tmp_path, capsys):
    """Nielsen writes layers as bare superscripts (w^{l+1}); the erratum (a missing transpose) is
    corrected in that notation, and the correction is correct in it."""
    f = tmp_path / "nielsen.md"
    f.write_text(NIELSEN_DOC)
    code, out, _ = run(capsys, "check", str(f), "--json")
    verdicts = [(e["verdict"], e["corrected_latex"]) for e in json.loads(out)["entries"]]
    assert code == 1
    assert verdicts == [("correct", None), ("incorrect",
                        r"\delta^l = \left(w^{l+1}\right)^T \delta^{l+1} \odot \sigma'\left(z^{l}\right)")]
    fixed = tmp_path / "fixed.md"
    fixed.write_text(NIELSEN_DOC.replace(r"(w^{l+1} \delta^{l+1})", verdicts[1][1].split(" = ")[1]
                                         .replace(r" \odot \sigma'\left(z^{l}\right)", "")))
    assert run(capsys, "check", str(fixed))[0] == 0


def test_check_convention_flag_overrides_the_front_matter(tmp_path, capsys):
    f = tmp_path / "nielsen.md"
    f.write_text(NIELSEN_DOC)
    code, out, _ = run(capsys, "check", str(f), "--json", "--convention", "default")
    fixed = json.loads(out)["entries"][1]["corrected_latex"]
    assert code == 1 and r"\delta^{(l+1)}" in fixed          # the default notation's layer superscripts
    assert run(capsys, "check", str(f), "--convention", "spivak")[0] == 2


def test_no_front_matter_is_the_default_model(tmp_path):
    f = tmp_path / "plain.md"
    f.write_text("Output delta: $$\\delta^{(2)} = a^{(2)} - y.$$\n")
    doc = load_document(f)
    assert doc.flags == NetFlags() and doc.title == "plain.md"
    assert [e.source_latex for e in doc.entries] == [r"\delta^{(2)} = a^{(2)} - y"]   # the full stop dropped
    assert [r.verdict for r in check_note(doc)] == ["correct"]



MEAN_OVER_EXAMPLES = """Forward pass, for every layer:

$$ z^{[l]} = w^{[l]} a^{[l-1]} + b^{[l]}, \\qquad a^{[l]} = g(z^{[l]}) $$

The cost is the mean of the loss over the $m$ examples:

$$ J = \\frac{1}{m} \\sum_{i=1}^{m} L^{(i)} $$

$$ dw^{[l]} = dz^{[l]} a^{[l-1]T} $$

$$ dw^{[l]} = \\frac{1}{m} dz^{[l]} a^{[l-1]T} $$

$$ \\frac{\\partial L}{\\partial a^{[L]}} = -\\frac{y}{a^{[L]}} + \\frac{1-y}{1-a^{[L]}} $$

$$ \\delta^{[L]} = a^{[L]} - y^{(i)} $$
"""


def test_a_cost_written_as_the_mean_over_the_examples_is_checked_over_a_batch(tmp_path):
    """J = 1/m sum_i L^{(i)}: the model is a batch, so a dW that drops the 1/m is wrong (on one sample 1/m is
    1 and it passed); L is one example's loss, and a line differentiating it, or written at one example
    (y^{(i)}), is checked on one sample."""
    f = tmp_path / "mean.md"
    f.write_text(MEAN_OVER_EXAMPLES)
    doc = load_document(f)
    assert doc.flags.batch and doc.samples.per_sample == {"L"}
    verdicts = {r.checked: r.verdict for r in check_note(doc)}
    assert verdicts[r"dw^{[l]} = dz^{[l]} a^{[l-1]T}"] == "incorrect"
    assert verdicts[r"dw^{[l]} = \frac{1}{m} dz^{[l]} a^{[l-1]T}"] == "correct"
    assert verdicts[r"\frac{\partial L}{\partial a^{[L]}} = -\frac{y}{a^{[L]}} + \frac{1-y}{1-a^{[L]}}"] == "correct"
    assert verdicts[r"\delta^{[L]} = a^{[L]} - y^{(i)}"] == "correct"
    stated = tmp_path / "one.md"             # the front matter's model is the author's word: one sample
    stated.write_text("---\nbatch: false\n---\n" + MEAN_OVER_EXAMPLES)
    assert not load_document(stated).flags.batch



CASES_IN_PROSE = """Softmax: $$ p_i = \\frac{\\exp(o_i)}{\\sum_j \\exp(o_j)} $$

If $i = k$,
$$ \\frac{\\partial p_i}{\\partial o_k} = p_k (1 - p_k) $$

If $i \\neq k$:
$$ \\frac{\\partial p_i}{\\partial o_k} = - p_k p_i $$

When $i = k$: $$ \\frac{\\partial p_i}{\\partial o_k} = - p_k p_i $$
"""


def test_a_condition_said_before_a_display_is_its_condition(tmp_path):
    """'If $i = k$,' then a display: the display holds where i = k (the softmax derivative's two cases), and
    the inline comparison is the condition, not a line of its own."""
    f = tmp_path / "cases.md"
    f.write_text(CASES_IN_PROSE)
    doc = load_document(f)
    assert [e.condition for e in doc.entries] == ["", "i = k", r"i \neq k", "i = k"]
    assert [r.verdict for r in check_note(doc)][1:] == ["correct", "correct", "incorrect"]



def test_a_value_given_to_one_name_in_a_sentence_is_not_a_claim(tmp_path):
    """'a network with $L = 4$ layers', '$\\lambda = 0$', 'for $i = 1$ to $m$' set the scene: they were
    checked against the menu network and called incorrect."""
    f = tmp_path / "scene.md"
    f.write_text("Take a network with $L = 4$ layers and $\\lambda = 0$; for $i = 1$ to $m$:\n\n"
                 "$$ \\delta^{(2)} = a^{(2)} - y $$\n\nwhere $a^{(1)} = \\sigma(z^{(1)})$.\n")
    doc = load_document(f)
    assert [e.source_latex for e in doc.entries] == [r"\delta^{(2)} = a^{(2)} - y", r"a^{(1)} = \sigma(z^{(1)})"]


# ---- which maths is read ------------------------------------------------------------------------------

def test_markdown_code_and_comments_are_not_read(tmp_path):
    f = tmp_path / "code.md"
    f.write_text("```\n$$ a = b $$\n```\n<!-- $$ c = d $$ -->\n`$$ e = f $$`\n\n$$\n z^{(1)} = x\n$$\n")
    doc = load_document(f)
    assert [(e.id, e.source_latex) for e in doc.entries] == [("L8", "z^{(1)} = x")]


def test_latex_rows_labels_and_side_by_side_equations(tmp_path):
    f = tmp_path / "rows.tex"
    f.write_text("% $$ not = read $$\n"
                 "\\begin{align*}\n"
                 "  a &= \\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} \\\\[4pt]\n"
                 "  b &= c \\label{eq:b} \\nonumber \\\\\n"
                 "  d &= e, \\qquad f = g, \\quad \\text{if } h > 0\n"
                 "\\end{align*}\n"
                 "Text with a line break \\\\[2pt] and \\(x\\).\n"
                 "\\[ p = q \\] \\[ r = s \\]\n")
    doc = load_document(f)
    assert [(e.id, e.source_latex) for e in doc.entries] == [
        ("L3", r"a &= \begin{bmatrix} 1 \\ 2 \end{bmatrix}"),   # a matrix's rows stay together
        ("eq:b", "b &= c"),
        ("L5", "d &= e"),
        ("L5b", r"f = g, \quad \text{if } h > 0"),              # a condition stays with its equation
        ("L8", "p = q"), ("L8b", "r = s")]


# ---- bad input: exit 2, one line on stderr, naming the problem ------------------------------------------

BAD_FILES = {  # name: (content, a phrase the one line must contain)
    "no-math.md": ("# Notes\n\nOnly inline $a$ maths, no equation.\n", "no display math"),
    "open-front.md": ("---\ndepth: 2\n$$ a = b $$\n", "never closed by '---'"),
    "unknown-key.md": ("---\nactivation: relu\n---\n$$ a = b $$\n", "unknown key 'activation' in the document's settings; known keys:"),
    "bad-hidden.md": ("---\nhidden: softplus\n---\n$$ a = b $$\n", "must be one of sigmoid, tanh, relu"),
    "bad-depth.md": ("---\ndepth: 0\n---\n$$ a = b $$\n", "depth '0' must be a whole number from 1 to 12"),
    "word-depth.md": ("---\ndepth: two\n---\n$$ a = b $$\n", "must be a whole number"),
    "bad-batch.md": ("---\nbatch: maybe\n---\n$$ a = b $$\n", "must be one of true"),
    "bad-preset.md": ("---\npreset: bishop\n---\n$$ a = b $$\n", "must be one of ex4"),
    "no-colon.md": ("---\ndepth 2\n---\n$$ a = b $$\n", "expected 'key: value'"),
    "twice.md": ("---\ndepth: 2\ndepth: 3\n---\n$$ a = b $$\n", "depth is set twice"),
    "no-arrow.md": ("---\nread: h = a^{(1)}\n---\n$$ h = b $$\n", "one '->'"),
    "bad-reading.md": ("---\nread: h -> a^{(1\n---\n$$ h = b $$\n", "the meaning does not parse"),
    "read-twice.md": ("---\nread: h -> a^{(1)}\nread: h -> a^{(2)}\n---\n$$ h = b $$\n", "h is read twice"),
    "bad-tex-key.tex": ("% symderiv: hiden: relu\n\\[ a = b \\]\n", "unknown key 'hiden'"),
    "bad-tex-line.tex": ("% symderiv: depth\n\\[ a = b \\]\n", "expected 'key: value'"),
    "notes.txt": ("$$ a = b $$\n", "must end in .md"),
    "bad-convention.md": ("---\nconvention: spivak\n---\n$$ a = b $$\n", "convention 'spivak' must be one of"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_documents_exit_2_with_one_line(tmp_path, capsys, name):
    content, phrase = BAD_FILES[name]
    f = tmp_path / name
    f.write_text(content)
    code, out, err = run(capsys, "check", str(f))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and phrase in err and name in err, err


def test_unusable_files_exit_2_with_one_line(tmp_path, capsys):
    big = tmp_path / "big.md"
    big.write_bytes(b"$$ a = b $$\n" + b" " * MAX_BYTES)
    binary = tmp_path / "latin1.md"
    binary.write_bytes("$$ \\alpha = b $$ caf\xe9\n".encode("latin-1"))
    many = tmp_path / "many.md"
    many.write_text("$$ a = b $$\n" * (MAX_DISPLAYS + 1))
    cases = [(tmp_path / "missing.md", "no such file"), (tmp_path, "a directory"),
             (big, f"at most {MAX_BYTES} bytes"), (binary, "not UTF-8"),
             (many, f"at most {MAX_DISPLAYS} per document")]
    for path, phrase in cases:
        code, out, err = run(capsys, "check", str(path))
        assert code == 2 and out == "" and err.count("\n") == 1 and phrase in err, (path, err)


def test_bad_command_line_flags_exit_2(capsys):
    for argv, phrase in [(["check", str(DATA / "student.md"), "--depth", "0"], "--depth must be between 1 and 12"),
                         (["check", "004", "--hidden", "relu"], "NET FLAGS and --front apply to a .md/.tex document"),
                         (["check", str(DATA / "student.md"), "--hidden", "softplus"], "invalid choice")]:
        code, out, err = run(capsys, *argv)
        assert code == 2 and err.count("\n") == 1 and phrase in err, (argv, err)


def test_document_errors_are_value_errors():
    # the CLI turns a ValueError into one line and exit 2; a DocumentError must be one
    assert issubclass(DocumentError, ValueError)


# ---- hostile text: only ever a document or a DocumentError ------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

PIECES = ["$$", "\\[", "\\]", "\\begin{align}", "\\end{align}", "\\begin{equation}", "\\end{equation}", "\\\\",
          "{", "}", "&", "=", "a", "\\quad", ", \\qquad", "%", "`", "```", "<!--", "-->", "\n", " ", "---",
          "depth: 2", "read: a -> b", "\\label{x}", "\\begin{bmatrix}", "\\end{bmatrix}"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.sampled_from(["f.md", "f.tex"]))
def test_any_text_is_a_document_or_one_refusal(tmp_path_factory, pieces, name):
    f = tmp_path_factory.mktemp("fuzz") / name
    f.write_text("".join(pieces))
    try:
        doc = load_document(f)
    except DocumentError as exc:
        assert "\n" not in str(exc) and name in str(exc)
        return
    lines = f.read_text().count("\n") + 1
    for entry in doc.entries:
        shown = {f.read_text(), visible_text(f.read_text(), "latex" if name.endswith(".tex") else "markdown")}
        assert entry.source_latex.strip() and any(entry.source_latex in t.replace("\\label{x}", "") for t in shown)
        assert _numbered(entry.id) and (not entry.id.startswith("L") or int(re.match(r"L(\d+)", entry.id)[1]) <= lines)


def _numbered(name: str) -> bool:
    return name == "x" or name.startswith("x") or re.fullmatch(r"L\d+(?:[b-z]|-\d+)?", name) is not None


def test_report_takes_a_document_and_refuses_two_that_would_share_names(tmp_path, capsys):
    code, out, err = run(capsys, "report", str(DATA / "student.md"), "--out", str(tmp_path / "r"))
    assert code == 0 and err == ""
    assert sorted(p.name for p in (tmp_path / "r").iterdir() if not p.name.startswith(".")) == [
        "notestudent-corrected.md", "notestudent-corrected.tex", "notestudent.md", "notestudent.tex"]
    code, out, err = run(capsys, "report", str(DATA / "student.md"), str(DATA / "student.tex"),
                         "--out", str(tmp_path / "r2"))
    assert code == 2 and err.count("\n") == 1 and "notestudent" in err and not (tmp_path / "r2").exists()


def test_front_matter_refuses_a_one_unit_softmax_as_the_api_does():
    from symderiv.documents.reader import read_document
    from symderiv.documents.settings import DocumentError
    with pytest.raises(DocumentError, match="softmax output needs at least two units"):
        read_document("---\noutput: softmax\noutputs: 1\n---\n$$ a^{(2)} = 1 $$\n", "markdown", path="d.md")


def test_a_documents_definitions_are_its_model_when_nothing_states_another(tmp_path):
    """Without settings, z^{(2)} = \\Theta^{(1)} a^{(1)} (Ng's numbering) defines the document's model: it was
    checked against the menu's default network and called incorrect. A front matter that states a model (an
    assignment's) still has the definitions checked against it."""
    body = "$$ a^{(1)} = x $$\n\n$$ z^{(2)} = \\Theta^{(1)} a^{(1)} $$\n\n$$ a^{(2)} = \\sigma(z^{(2)}) $$\n\n" \
           "$$ J = -\\sum_k (y_k \\log a^{(2)}_k + (1 - y_k) \\log(1 - a^{(2)}_k)) $$\n\n" \
           "$$ \\frac{\\partial J}{\\partial z^{(2)}} = a^{(2)} - y $$\n"
    f = tmp_path / "own.md"
    f.write_text(body)
    results = check_note(load_document(f))
    assert [r.verdict for r in results] == ["unverifiable"] * 4 + ["correct"]
    assert all("not a claim" in r.reason for r in results[:4])
    stated = tmp_path / "stated.md"
    stated.write_text("---\ndepth: 2\n---\n" + body)
    assert "incorrect" in [r.verdict for r in check_note(load_document(stated))][:4]


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial \mathcal{L}}{\partial z^{(2)}} = r", "correct"),
    (r"\frac{\partial \mathcal{L}}{\partial z^{(2)}} = -r", "incorrect"),
    (r"\frac{\partial \mathcal{L}}{\partial z^{(2)}} = r \hat{y}", "incorrect"),
])
def test_a_line_the_read_lines_leave_unread_is_checked_on_the_documents_own_model(tmp_path, claim, verdict):
    """r is the document's own name (no read: line maps it): the settings' network cannot read the line,
    the document's forward pass can."""
    text = (DATA / "student.md").read_text()
    text = text.replace(r"$$ \delta^{(2)} = \hat{y} - y $$", rf"$$ r = \hat{{y}} - y $$" + "\n\n" + rf"$$ {claim} $$")
    path = tmp_path / "own.md"
    path.write_text(text)
    results = {r.link: r for r in check_note(load_document(str(path)))}
    assert results[claim].verdict == verdict, results[claim].reason
    assert results[r"\delta^{(1)} = (V \delta^{(2)}) \odot h \odot (1 - h)"].verdict == "incorrect"   # the menu's
