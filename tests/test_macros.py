"""A document's macros expanded before its maths is read (notation/macros.py, issue 21 item 2)."""
import re

import pytest

from symderiv.documents.check import check_note
from symderiv.documents.reader import DocumentError, load_document, read_document
from symderiv.notation.macros import MAX_CHARS, MAX_STEPS, MacroError, definitions, expand

PD = r"\newcommand{\pd}[2]{\frac{\partial #1}{\partial #2}}"


def table(text):
    return definitions(text)[0]


@pytest.mark.parametrize("defs, line, expanded", [
    (PD, r"\pd{L}{W}", r"\frac{\partial L}{\partial W}"),
    (r"\renewcommand\pd[2]{\frac{d#1}{d#2}}", r"\pd L W", r"\frac{dL}{dW}"),           # unbraced name and args
    (r"\providecommand{\one}{\mathbf{1}}", r"\one^T", r"\mathbf{1}^T"),
    (r"\newcommand{\W}[1][l]{W^{(#1)}}", r"\W = \W[2]", r"W^{(l)} = W^{(2)}"),        # optional first argument
    (r"\def\dz#1{\delta^{(#1)}}", r"\dz{2} + \dz3", r"\delta^{(2)} + \delta^{(3)}"),
    (r"\gdef\aone{a^{(1)}}", r"\aone", r"a^{(1)}"),
    (r"\let\s\sigma", r"\s(z)", r"\sigma(z)"),
    (r"\let\s=\sigma", r"\s z", r"\sigma z"),
    (r"\DeclareMathOperator{\diag}{diag}", r"\diag(a)", r"\operatorname{diag}(a)"),
    (r"\DeclareMathOperator*{\argmax}{arg\,max}", r"\argmax_x", r"\operatorname{arg\,max}_x"),
    (PD + r"\newcommand{\dJ}[1]{\pd{J}{#1}}", r"\dJ{W}", r"\frac{\partial J}{\partial W}"),   # nested
    (r"\def\a{x}", r"\alpha + \a", r"\alpha + x"),                                       # \alpha is not \a
])
def test_each_macro_form_expands(defs, line, expanded):
    assert " ".join(expand(line, table(defs)).split()) == " ".join(expanded.split())


def test_a_later_definition_replaces_an_earlier_and_provide_does_not():
    t = table(r"\newcommand{\x}{1} \renewcommand{\x}{2} \providecommand{\x}{3}")
    assert expand(r"\x", t) == "2"


def test_definitions_on_the_line_itself_are_removed():
    assert expand(r"\def\a{x} \a = y", table(r"\def\a{x}")).strip() == "x = y"


@pytest.mark.parametrize("defs, line", [
    (r"\def\a{\a}", r"\a"),                         # calls itself
    (r"\def\a{\a\a}", r"\a"),                       # doubles at each step
    (r"\def\a{\b\b}\def\b{\c\c}\def\c{\d\d}\def\d{xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
     r"\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a"),
    (r"\let\a\b \let\b\a \def\b{\a}", r"\a"),
    (r"\newcommand{\f}[1]{#1#1#1#1}", r"\f{\f{\f{\f{\f{\f{\f{\f{x}}}}}}}}"),
])
def test_macro_bombs_stop_at_the_limits(defs, line):
    with pytest.raises(MacroError, match=rf"more than ({MAX_STEPS}|{MAX_CHARS})"):
        expand(line, table(defs))


def test_a_missing_argument_is_a_macro_error():
    with pytest.raises(MacroError, match="missing an argument"):
        expand(r"\pd{J}", table(PD))


def test_a_document_with_macros_is_read_and_checked():
    doc = load_document("tests/data/macros.md")
    results = check_note(doc)
    got = {r.id: r.verdict for r in results}
    # the display that only defines macros is not a line; W^(1)'s gradient needs x^T
    assert got == {"L9": "correct", "L11": "correct", "L13": "correct", "L15": "correct", "L17": "incorrect"}
    assert results[1].source_latex == r"\pd{J}{W^{(2)}} = \dz \aone^T"       # as written, not expanded
    assert results[-1].corrected_latex.endswith("x^T")


def test_a_macro_bomb_in_a_document_is_one_unverifiable_line(tmp_path):
    f = tmp_path / "bomb.md"
    f.write_text("$$ \\def\\a{\\a\\a} $$\n\n$$ \\a = y $$\n\n$$ \\delta^{(2)} = a^{(2)} - y $$\n")
    got = {r.id: (r.verdict, r.reason) for r in check_note(load_document(f))}
    assert got["L3"][0] == "unverifiable" and got["L3"][1].startswith("macro: macro \\a expands")
    assert got["L5"] == ("correct", got["L5"][1])


@pytest.mark.parametrize("front, phrase", [
    ("macros: pd -> x", "a macro is 'macros: \\name -> its LaTeX'"),
    ("macros: \\pd = x", "a macro is 'macros: \\name -> its LaTeX'"),
    ("macros: \\pd -> " + "x" * 5000, "longer than"),
])
def test_a_bad_front_matter_macro_is_refused(front, phrase):
    with pytest.raises(DocumentError, match=re.escape(phrase)):
        read_document(f"---\n{front}\n---\n$$ a = b $$\n", "markdown", "doc.md")
