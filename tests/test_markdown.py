"""Markdown read by markdown-it-py (documents/markdown.py) and notebooks (documents/notebook.py), issue 21.

What is maths and what is not is the Markdown parser's answer; every id names the line of the file as
the user wrote it (a notebook's: the cell and its line).
"""
import json

import pytest

from symderiv.cli import main
from symderiv.documents.check import check_note
from symderiv.documents.reader import DocumentError, load_document, read_document


def ids_and_latex(text, kind="markdown"):
    return [(e.id, e.source_latex) for e in read_document(text, kind, "doc.md").entries]


def test_what_markdown_does_not_read_is_not_read():
    text = ("``code with `$$ a = b $$` inside``\n\n"
            "    $$ indented = code $$\n\n"
            "<div>\n$$ html = block $$\n</div>\n\n"
            "~~~python\n$$ fenced = code $$\n~~~\n\n"
            "$$ z^{(1)} = x $$\n")
    assert ids_and_latex(text) == [("L13", "z^{(1)} = x")]


def test_displays_in_lists_and_quotes_name_their_own_lines():
    text = "# Title\n\n- first step\n- $$ a^{(1)} = x $$\n\n> quoted:\n>\n> $$ z^{(2)} = y $$\n"
    assert ids_and_latex(text) == [("L4", "a^{(1)} = x"), ("L8", "z^{(2)} = y")]


def test_a_multi_line_display_is_named_by_its_first_line_of_maths():
    text = "text\n\n$$\n\\delta^{(2)} = a^{(2)} - y\n$$\n"
    assert ids_and_latex(text) == [("L4", r"\delta^{(2)} = a^{(2)} - y")]


def test_an_align_environment_in_markdown_is_read_row_by_row():
    text = "Rows:\n\n\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}\n\nand \\[ e = f \\] \\[ g = h \\]\n"
    assert ids_and_latex(text) == [("L4", "a &= b"), ("L5", "c &= d"), ("L8", "e = f"), ("L8b", "g = h")]


def test_markdown_emphasis_inside_maths_is_maths():
    # a Markdown reader that ran before the maths would read *...* and _..._ as emphasis
    text = "$$ a_1 * b_2 = c_1 * d_2 $$\n"
    assert ids_and_latex(text) == [("L1", "a_1 * b_2 = c_1 * d_2")]


def test_an_unclosed_display_is_one_line_naming_its_line():
    with pytest.raises(DocumentError, match=r"doc.md:3: display math \$\$ is never closed"):
        read_document("$$ a = b $$\n\nthen $$ c = d\n", "markdown", "doc.md")


@pytest.mark.exhaustive   # waits out the 5 s parse limit
def test_hostile_markdown_is_refused_in_bounded_time():
    # markdown-it rescans a paragraph of unmatched brackets quadratically: refused, never a hang
    with pytest.raises(DocumentError, match="did not finish within"):
        read_document("[" * 900_000 + "\n$$ a = b $$\n", "markdown", "doc.md")


# ---- notebooks ----------------------------------------------------------------------------------------

def notebook(*cells):
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": source}
                                 for kind, source in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


NOTEBOOK = notebook(
    ("markdown", ["---\n", "depth: 2\n", "read: h -> a^{(1)}\n", "---\n", "# Backprop\n"]),
    ("code", ["x = 1  # $$ a = b $$\n"]),
    ("markdown", ["The output error:\n", "\n", "$$ \\delta^{(2)} = a^{(2)} - y $$\n", "\n", "and\n", "$$\n",
                  "\\frac{\\partial J}{\\partial W^{(2)}} = \\delta^{(2)} h\n", "$$"]),
    ("markdown", "$$ \\frac{\\partial J}{\\partial b^{(2)}} = \\delta^{(2)} $$"))


def test_a_notebooks_markdown_cells_are_read_with_cell_and_line_ids(tmp_path):
    f = tmp_path / "nb.ipynb"
    f.write_text(NOTEBOOK)
    doc = load_document(f)
    assert [(e.id, e.source_latex) for e in doc.entries] == [
        ("C3L3", r"\delta^{(2)} = a^{(2)} - y"),
        ("C3L7", r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)} h"),
        ("C4L1", r"\frac{\partial J}{\partial b^{(2)}} = \delta^{(2)}")]
    verdicts = {r.id: r.verdict for r in check_note(doc)}
    # h (read as a^{(1)} from the first cell's front matter) needs its transpose
    assert verdicts == {"C3L3": "correct", "C3L7": "incorrect", "C4L1": "correct"}


def test_a_notebook_line_is_verified_by_its_id(tmp_path, capsys):
    f = tmp_path / "nb.ipynb"
    f.write_text(NOTEBOOK)
    code = main(["verify", "--note", str(f), "--entry", "C3L7",
                 r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)} h^T"])
    assert code == 0, capsys.readouterr()


def test_a_notebook_section_names_a_cells_line(tmp_path):
    f = tmp_path / "nb.ipynb"
    f.write_text(NOTEBOOK.replace('"read: h -> a^{(1)}\\n"', '"read: h -> a^{(1)}\\n", "[C3L7]\\n", "id: dW2\\n"'))
    assert [e.id for e in load_document(f).entries] == ["C3L3", "dW2", "C4L1"]


@pytest.mark.parametrize("content, phrase", [
    ("{not json", "not a notebook (JSON error at line 1"),
    ('{"cells": 3}', "not a notebook (no list of cells"),
    ("[" * 100_000 + "]" * 100_000, "not a notebook"),
    (notebook(("markdown", 7)), "cell 1: its source is neither text nor a list of lines"),
    (notebook(("code", "$$ a = b $$")), "no display math")])
def test_a_bad_notebook_is_one_line_exit_2(tmp_path, capsys, content, phrase):
    f = tmp_path / "bad.ipynb"
    f.write_text(content)
    assert main(["check", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and phrase in err and "bad.ipynb" in err, err


def test_the_web_format_names_are_kinds():
    doc = read_document(NOTEBOOK, "ipynb", "nb.ipynb")
    assert [e.id for e in doc.entries] == ["C3L3", "C3L7", "C4L1"]
    assert [e.id for e in read_document("$$ a = b $$", "md", "x.md").entries] == ["L1"]


# ---- inline maths (issue 21, item 4) ------------------------------------------------------------------

def test_a_document_whose_maths_is_all_inline_is_read_with_position_ids():
    doc = load_document("tests/data/inline.md")
    assert [(e.id, e.source_latex) for e in doc.entries] == [
        ("L4", r"\delta^{(2)} = a^{(2)} - y"),
        ("L5", r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)} a^{(1)}"),       # $x$ is prose: no '='
        ("L5b", r"\frac{\partial J}{\partial b^{(2)}} = \delta^{(2)}")]
    assert [r.verdict for r in check_note(doc)] == ["correct", "incorrect", "correct"]   # a^(1) needs ^T


def test_inline_equations_beside_displays_are_read_when_the_front_matter_says_so():
    text = "$$ \\delta^{(2)} = a^{(2)} - y $$\n\nand so $\\frac{\\partial J}{\\partial b^{(2)}} = \\delta^{(2)}$.\n"
    assert [e.id for e in read_document(text, "markdown", "d.md").entries] == ["L1"]
    assert [e.id for e in read_document("---\ninline: true\n---\n" + text, "markdown", "d.md").entries] == \
        ["L4", "L6"]
    with pytest.raises(DocumentError, match="inline 'maybe' must be one of"):
        read_document("---\ninline: maybe\n---\n" + text, "markdown", "d.md")


def test_kramdown_dollars_in_a_sentence_are_one_line_each():
    text = "The error is $$\\delta^{(2)} = a^{(2)} - y$$ and the bias $$\\frac{\\partial J}{\\partial b^{(2)}} = \\delta^{(2)}$$ too.\n"
    assert [e.id for e in read_document(text, "markdown", "k.md").entries] == ["L1", "L1b"]


def test_a_documents_convention_sets_the_textbooks_model_as_verify_does():
    from symderiv.engine.network import NetFlags
    from symderiv.notation.conventions import CONVENTIONS
    text = "---\nconvention: nielsen\n---\n$$ \\delta^L = \\nabla_a C \\odot \\sigma'(z^L) $$\n"
    doc = read_document(text, "markdown", "n.md")
    assert doc.flags == CONVENTIONS["nielsen"].model(text) != NetFlags()
    # keys of the front matter still override the textbook's model
    assert read_document(text.replace("---\n$$", "depth: 3\n---\n$$"), "markdown", "n.md").flags.depth == 3
