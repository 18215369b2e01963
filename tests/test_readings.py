"""Readings are applied to the parsed tree: all at once, most specific first, positions kept."""
import pytest

from symderiv.notation.registry import render
from symderiv.notation.tokens import NotationError
from symderiv.notation.parse import parse
from symderiv.notation.readings import compile_readings
from symderiv.notation.tree import Call, Qty, walk


def sides(latex, readings):
    return [render(s) for s in parse(latex, readings).sides]


def test_readings_do_not_chain():
    r = {"z^{(3)}": "z^{(2)}", "z^{(2)}": "z^{(1)}"}
    assert sides(r"\delta^{(1)} = z^{(3)} + z^{(2)}", r)[1] == "z^{(2)} + z^{(1)}"


def test_a_pattern_without_indices_keeps_the_symbols_indices():
    assert sides(r"\delta^{(2)}_{i} = z^{(3)}_{i}", {"z^{(3)}": "z^{(2)}"})[1] == "z_{i}^{(2)}"


def test_the_most_specific_pattern_wins():
    r = {"h(x)": "a^{(2)}_{2}", "h": r"\sigma"}
    c = parse(r"\delta^{(2)}_{2} = h(x) - h(z^{(2)})", r)
    qs = [n for n in walk(c.sides[1]) if isinstance(n, (Qty, Call))]
    assert any(isinstance(n, Qty) and n.kind == "a" for n in qs)
    assert any(isinstance(n, Call) and n.fn == "act" for n in qs)


def test_a_symbol_read_as_a_function_keeps_its_prime():
    c = parse(r"h'(z) = h(z)(1 - h(z))", {"h": r"\sigma"})
    assert c.pure and isinstance(c.sides[0], Call) and c.sides[0].fn == "dact"


def test_readings_reach_inside_derivatives():
    c = parse(r"\frac{\partial J}{\partial w_{21}} = 0", {"w_{21}": "W^{(2)}_{21}"})
    assert c.sides[0].den.layer.offset == 2


def test_error_positions_point_into_the_text_as_written():
    text = r"\Delta = a^{(2)} - q"
    with pytest.raises(NotationError) as info:
        parse(text, {r"\Delta": "y"})
    assert text[info.value.pos] == "q"


def test_a_reading_that_does_not_parse_is_named():
    with pytest.raises(NotationError, match="does not parse"):
        compile_readings({r"\frac{": "y"})


def test_readings_never_evaluate_text():
    with pytest.raises(NotationError):
        compile_readings({"__import__('os').system('true')": "y"})
