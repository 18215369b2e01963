"""A worked example (graph/worked.py): the values a document runs its forward pass at are read from its own
lines, and the links that write numbers are checked there, each decimal as the rounding it is."""
from __future__ import annotations

from fractions import Fraction

import pytest

from symderiv.graph.document import document_graph, line_verdicts
from symderiv.graph.worked import _unit

# one sigmoid unit at w = 0.5, x = 2, b = 0.2, y = 1: z = 1.2, h = sigma(1.2) = 0.76852, dL/dz = -0.041182
FORWARD = [r"z = w x + b = 0.5 \cdot 2 + 0.2 = 1.2",
           r"h = \sigma(z) = \sigma(1.2) \approx 0.769",
           r"L = \frac{1}{2}(h - y)^2 = \frac{1}{2}(0.769 - 1)^2 \approx 0.0267"]
RIGHT = [r"\frac{\partial L}{\partial h} = h - y = 0.769 - 1 = -0.231",
         r"\frac{\partial L}{\partial z} = (h - y) h (1 - h) = -0.231 \cdot 0.769 \cdot 0.231 \approx -0.0410",
         r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial z} x \approx -0.0412 \cdot 2 = -0.0824",
         r"\frac{\partial L}{\partial b} = \frac{\partial L}{\partial z} \approx -0.041",
         r"h = \sigma(1.2) \approx 0.77"]
WRONG = {
    "sign": r"\frac{\partial L}{\partial h} = h - y = 1 - 0.769 = 0.231",
    "scale": r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial z} x \approx -0.0412 \cdot 4 = -0.1648",
    "dropped factor": r"\frac{\partial L}{\partial z} = (h - y) h (1 - h) = -0.231 \cdot 0.769 = -0.178",
    "value beyond its rounding": r"\frac{\partial L}{\partial b} = \frac{\partial L}{\partial z} \approx -0.043",
    "arithmetic": r"\frac{\partial L}{\partial w} = -0.0412 \cdot 2 = -0.0842",
    "rounded the wrong way": r"h = \sigma(1.2) \approx 0.78",
    "wrong derivative, right numbers": r"\frac{\partial L}{\partial z} = (h - y) h = -0.231 \cdot 0.769 \cdot 0.231",
}


def _verdicts(claims: list, forward=FORWARD) -> list:
    """The worst link of each claim, on the worked example's model (a document with a derivative in it)."""
    lines = [(f"f{k}", t) for k, t in enumerate(forward)] + [(f"c{k}", t) for k, t in enumerate(claims)] + \
        [("last", r"\frac{\partial L}{\partial h} = h - y")]
    g, read = document_graph(lines)
    out = []
    for ln in read[len(forward):-1]:
        links = [v.verdict for _, v in line_verdicts(g, ln)]
        out.append(next((x for x in ("incorrect", "unverifiable") if x in links), "correct"))
    return out


def test_the_worked_values_are_read_from_the_forward_pass():
    g, _ = document_graph([(f"f{k}", t) for k, t in enumerate(FORWARD)] + [("c", RIGHT[0])])
    assert {k[0]: v for k, v in g.point.items()} == {"w": Fraction(1, 2), "x": 2, "b": Fraction(1, 5), "y": 1}


def test_a_decimal_stands_for_the_values_it_rounds():
    assert _unit(Fraction("3.655")) == Fraction(1, 1000)     # reduced to 731/200, still three decimals
    assert _unit(Fraction("0.5")) == Fraction(1, 10)
    assert _unit(Fraction(3)) is None and _unit(Fraction(1, 3)) is None


def test_the_right_lines_of_a_worked_example_are_correct():
    assert _verdicts(RIGHT) == ["correct"] * len(RIGHT)


@pytest.mark.parametrize("slip", WRONG)
def test_a_slip_in_a_worked_example_is_incorrect(slip):
    assert _verdicts([WRONG[slip]]) == ["incorrect"]


def test_the_links_that_give_the_values_are_read_not_checked():
    lines = [(f"f{k}", t) for k, t in enumerate(FORWARD)] + [("c", RIGHT[0])]
    g, read = document_graph(lines)
    first = line_verdicts(g, read[0])
    assert [v.verdict for _, v in first] == ["unverifiable", "unverifiable", "correct"]
    assert "worked example's values" in first[1][1].reason


def test_without_a_value_for_every_input_numbers_are_compared_at_random_draws():
    forward = [r"z = w x + b", r"h = \sigma(z)", r"L = \frac{1}{2}(h - y)^2"]
    assert _verdicts([r"\frac{\partial L}{\partial h} = 0.5"], forward) == ["incorrect"]
    assert _verdicts([r"\frac{\partial L}{\partial h} \approx h - y"], forward) == ["unverifiable"]


AT_ZERO = [r"z = w x + b = 0.5 \cdot 2 + (-1) = 0", r"h = \sigma(z) = \sigma(0) = 0.5",
           r"L = \frac{1}{2}(h - y)^2 = \frac{1}{2}(0.5 - 1)^2 = 0.125"]


def test_a_formula_with_a_constant_that_holds_only_at_the_example_is_not_correct():
    # h (1 - h) is 0.25 at h = 0.5, and 0.25 is no value of the example: a general claim, checked at random draws
    assert _verdicts([r"\frac{\partial L}{\partial z} = 0.25 (h - y)",
                      r"\frac{\partial L}{\partial z} = (h - y) h (1 - h) = (0.5 - 1) \cdot 0.25 = -0.125",
                      r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial z} x = -0.125 \cdot 2 = -0.25",
                      # an integer among symbols is a formula's constant, never read as the example's x = 2
                      r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial z} \cdot 2"], AT_ZERO) == \
        ["incorrect", "correct", "correct", "incorrect"]


def test_an_input_given_two_values_leaves_no_worked_point():
    forward = AT_ZERO + [r"u = w x = 0.7 \cdot 2 = 1.4"]
    g, _ = document_graph([(f"f{k}", t) for k, t in enumerate(forward)] + [("c", r"\frac{\partial L}{\partial h} = h - y")])
    assert g.point is None


def test_a_wrong_value_beside_the_inputs_values_is_incorrect():
    # c = 0.5 is read from the link, and h there is 0.769, not 0.7: the link is checked, not taken as given
    forward = FORWARD[:2] + [r"u = h c = 0.7 \cdot 0.5 = 0.35", r"L = \frac{1}{2}(u - y)^2 = \frac{1}{2}(0.35 - 1)^2"]
    g, read = document_graph([(f"f{k}", t) for k, t in enumerate(forward)] + [("c", r"\frac{\partial L}{\partial u} = u - y")])
    assert g.point is not None
    assert [v.verdict for _, v in line_verdicts(g, read[2])] == ["unverifiable", "incorrect", "correct"]
