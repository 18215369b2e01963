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
            "<pre>\n$$ html = pre $$\n</pre>\n\n"
            "<!-- $$ html = comment $$ -->\n\n"
            "~~~python\n$$ fenced = code $$\n~~~\n\n"
            "$$ z^{(1)} = x $$\n")
    assert ids_and_latex(text) == [("L15", "z^{(1)} = x")]


def test_maths_inside_an_html_block_is_read_as_mathjax_reads_it():
    text = "<div>\n  <b>Forward:</b> $$ z^{(1)} = x $$ <!-- $$ a = b $$ -->\n  <code>$$ c = d $$</code>\n</div>\n"
    assert ids_and_latex(text) == [("L2", "z^{(1)} = x")]


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


def verdicts_of(text, kind="markdown", name="doc.md"):
    return {r.id: (r.verdict, r.reason) for r in check_note(read_document(text, kind, name))}


def test_a_dollar_pair_never_closed_is_one_spot_reported_and_the_rest_is_read():
    # kramdown reads a $$ that opens nothing as text: the file is read, that spot reported
    verdicts = verdicts_of("$$ \\delta^{(2)} = a^{(2)} - y $$\n\nit costs $$5 here\n\n"
                           "$$ \\delta^{(2)} = y - a^{(2)} $$\n")
    assert [(k, v) for k, (v, _) in verdicts.items()] == [
        ("L1", "correct"), ("L3", "unverifiable"), ("L5", "incorrect")]
    assert "display math $$ is never closed" in verdicts["L3"][1]


def test_a_kramdown_display_opened_in_a_paragraph_runs_to_the_next_dollars_across_blank_lines():
    text = ("The output error is\n$$\n\\delta^{(2)} = a^{(2)} - y\n\n= y - a^{(2)}\n$$\nand so on $x$.\n\n"
            "$$ \\frac{\\partial J}{\\partial b^{(2)}} = \\delta^{(2)} $$\n")
    doc = read_document(text, "markdown", "k.md")
    assert [(e.id, " ".join(e.source_latex.split())) for e in doc.entries] == [
        ("L3", r"\delta^{(2)} = a^{(2)} - y = y - a^{(2)}"),
        ("L9", r"\frac{\partial J}{\partial b^{(2)}} = \delta^{(2)}")]
    assert [r.verdict for r in check_note(doc)] == ["correct", "incorrect", "correct"]   # the second link's sign


def test_an_unclosed_latex_environment_is_one_spot_and_later_displays_are_read():
    verdicts = verdicts_of("\\begin{equation} a = b\n\n\\[ \\delta^{(2)} = a^{(2)} - y \\]\n", "latex", "d.tex")
    assert [(k, v) for k, (v, _) in verdicts.items()] == [("L1", "unverifiable"), ("L3", "correct")]
    assert "\\begin{equation} is never closed" in verdicts["L1"][1]


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


def test_inline_equations_beside_displays_are_read_unless_the_front_matter_says_not():
    text = ("$$ \\delta^{(2)} = a^{(2)} - y $$\n\nand so $\\frac{\\partial J}{\\partial b^{(2)}} = \\delta^{(2)}$, "
            "using $\\sigma' = \\sigma(1 - \\sigma)$ $$ \\delta^{(2)} = y $$ for $x = x_1 \\in \\mathbb{R}^n$.\n")
    # beside displays, an inline equation symderiv cannot read, or one declaring a type (\\in), is prose;
    # the display on its line keeps L3
    assert [e.id for e in read_document(text, "markdown", "d.md").entries] == ["L1", "L3b", "L3"]
    assert [e.id for e in read_document("---\ninline: false\n---\n" + text, "markdown", "d.md").entries] == \
        ["L4", "L6"]
    with pytest.raises(DocumentError, match="inline 'maybe' must be one of"):
        read_document("---\ninline: maybe\n---\n" + text, "markdown", "d.md")


def test_an_inline_definition_is_part_of_the_documents_forward_pass():
    text = ("Let $z = W x + b$ and $h = \\sigma(z)$, with loss $J = \\frac{1}{2} (h - y)^2$.\n\n"
            "$$ \\frac{\\partial J}{\\partial b} = (h - y) \\odot h \\odot (1 - h) $$\n\n"
            "$$ \\frac{\\partial J}{\\partial b} = (h - y) \\odot h $$\n")
    results = check_note(read_document(text, "markdown", "f.md"))
    # the three inline definitions make the model the displays are checked on
    verdicts = {r.id: r for r in results}
    assert verdicts["L3"].verdict == "correct" and "document's model" in verdicts["L3"].reason
    assert verdicts["L5"].verdict == "incorrect"          # the derivative of h is missing


def test_backslash_parentheses_are_inline_maths_in_markdown():
    # Markdown reads \\( as an escaped parenthesis; the maths is found in what the parser leaves
    text = "<div>\n  \\(z^{(2)} = W^{(2)} a^{(1)} + b^{(2)}\\) \\(x\\)\n</div>\n\n\\(\\delta^{(2)}=a^{(2)}-y\\)\n"
    doc = read_document(text, "markdown", "c.md")
    assert [(e.id, e.source_latex) for e in doc.entries] == [("L2", r"z^{(2)} = W^{(2)} a^{(1)} + b^{(2)}"),
                                                             ("L5", r"\delta^{(2)}=a^{(2)}-y")]
    # the definition is the document's model (no settings state another): not a claim; the delta is checked on it
    results = check_note(doc)
    assert [r.verdict for r in results] == ["unverifiable", "correct"] and "not a claim" in results[0].reason


def test_inline_maths_in_a_tex_file_is_read_as_in_markdown():
    text = ("\\section{Output}\nThe error is $\\delta^{(2)} = a^{(2)} - y$ and \\(\\frac{\\partial J}"
            "{\\partial b^{(2)}} = \\delta^{(2)}\\) for one sample $x$, costing \\$5.\n")
    doc = read_document(text, "latex", "c.tex")
    assert [e.id for e in doc.entries] == ["L2", "L2b"]
    assert [r.verdict for r in check_note(doc)] == ["correct", "correct"]


def test_a_notebook_whose_maths_is_all_inline_is_read():
    doc = read_document(notebook(("markdown", "The error: $\\delta^{(2)} = a^{(2)} - y$ for $x$.")), "ipynb", "n.ipynb")
    assert [e.id for e in doc.entries] == ["C1L1"]


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


def test_many_dollars_that_close_nothing_are_refused_in_bounded_time():
    import time
    start = time.monotonic()
    with pytest.raises(DocumentError, match=r"more than 50 unclosed \$\$"):
        read_document("$$ a = b $$\n\n" + "see $$\n\nx\n\n" * 120, "markdown", "doc.md")
    assert time.monotonic() - start < 10


def test_a_gfm_tables_cells_are_inline_maths_and_an_empty_dollar_cell_is_nothing():
    """A table as GitHub renders it: each cell's $..$ is an inline entry; a cell written $$ (empty maths) opens
    no display that would swallow the next one, which keeps its own line and verdict (#21)."""
    text = ("| rule | formula |\n|:-|-:|\n"
            "| output | $\\delta^{(2)} = a^{(2)} - y$ |\n"
            "| bias | $\\frac{\\partial J}{\\partial b^{(2)}} = 2\\delta^{(2)}$ |\n"
            "| softmax | $$ |\n||$$|$$|\n\n"
            "Then\n$$\n\\frac{\\partial J}{\\partial W^{(2)}} = \\delta^{(2)} (a^{(1)})^T\n$$\n")
    doc = read_document(text, "markdown", "doc.md")
    assert [(e.id, e.source_latex) for e in doc.entries] == [
        ("L3", r"\delta^{(2)} = a^{(2)} - y"),
        ("L4", r"\frac{\partial J}{\partial b^{(2)}} = 2\delta^{(2)}"),
        ("L10", r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)} (a^{(1)})^T")]
    assert [r.verdict for r in check_note(doc)] == ["correct", "incorrect", "correct"]
