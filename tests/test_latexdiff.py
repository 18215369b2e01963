"""latexdiff.py: what a correction changed, cut into units that can each be highlighted."""
from hypothesis import given, settings, strategies as st

from symderiv.report import tex
from symderiv.report.latexdiff import changes, diff, marked, plain, units

ERRATUM = r"\delta^{(1)} = (V \delta^{(2)}) \odot h \odot (1 - h)"
CORRECTED = r"\delta^{(1)} = V^T \delta^{(2)} \odot h \odot \left(1 - h\right)"


def keys(latex):
    return [u.key for u in units(latex)]


def test_units_keep_commands_with_their_arguments_and_scripts_with_theirs():
    assert keys(r"\frac{\partial J}{\partial W} = \hat{y}_k^{(2)}") == [
        r"\frac{\partialJ}{\partialW}", "=", r"\hat{y}", "_k", "^(2)"]
    assert keys(r"\begin{cases} 1 & x \\ 0 & y \end{cases} + 12") == [
        r"\begin{cases}1&x\\0&y\end{cases}", "+", "12"]


def test_spellings_of_one_thing_are_no_change():
    old, new = diff(r"f'(z) W^\top", r"f^{\prime}(z) W^{T}")
    assert not old.changed and not new.changed


def test_sizing_and_spacing_are_no_change():
    assert keys(r"\left( a + b \right)") == keys("(a+b)") == ["(", "a", "+", "b", ")"]
    old, new = diff(r"\delta_i = \left(W^T e\right)_i", r"\delta_{i}=(W^{T} e)_{i}")
    assert not old.changed and not new.changed


def test_the_students_erratum_changes_two_parentheses_and_adds_a_transpose():
    old, new = diff(ERRATUM, CORRECTED)
    assert changes(old, new) == [("(", ""), ("", "^{T}"), (")", "")]
    assert marked(new.units, new.changed, lambda u: r"\added{" + u + "}") == \
        r"\delta ^{(1)} = V ^{\added{T}} \delta ^{(2)} \odot h \odot \left( 1 - h \right)"   # sizes kept


def test_a_marked_sized_delimiter_loses_its_size_with_its_partner():
    old, new = diff(r"\left( a \right) b", r"a b")
    assert marked(old.units, old.changed, lambda u: "[" + u + "]") == "[(] a [)] b"
    assert plain(r"\left. a \right| b") == "a | b"          # \left. dropped: its \right| cannot stay sized


def test_a_changed_fraction_is_marked_whole():
    old, new = diff(r"J = \frac{1}{2} \sum_k e_k^2", r"J = \frac{1}{m} \sum_k e_k^2")
    assert [new.units[k].text for k in sorted(new.changed)] == [r"\frac{1}{m}"]
    assert [old.units[k].text for k in sorted(old.changed)] == [r"\frac{1}{2}"]


def test_a_swapped_index_marks_only_the_subscript():
    old, new = diff(r"\frac{\partial J}{\partial w_{ij}} = \delta_j a_i", r"\frac{\partial J}{\partial w_{ij}} = \delta_i a_j")
    assert changes(old, new) == [("_{j}", "_{i}"), ("_{i}", "_{j}")]


PIECES = ["a", "W", "^{T}", "_{ij}", "^{(l)}", r"\delta", r"\frac{1}{m}", r"\left(", r"\right)", "(", ")", "+",
          "=", r"\odot", r"\sum_{k}", r"\hat{y}", "2", "'", r"\begin{pmatrix} a \\ b \end{pmatrix}", " "]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16), st.lists(st.sampled_from(PIECES), max_size=16))
def test_marking_keeps_the_formula_and_stays_safe_maths(a, b):
    old_text, new_text = "".join(a), "".join(b)
    old, new = diff(old_text, new_text)
    for side, text in ((old, old_text), (new, new_text)):
        written = marked(side.units, side.changed, lambda u: r"\added{" + u + "}")
        assert keys(plain(text)) == keys(text)          # written back unmarked, the same units
        if tex.safe_math(plain(text)):
            tex.check_math(written.replace(r"\added", ""))
