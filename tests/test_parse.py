"""The notation layer and parser: nothing is dropped silently, bad input is one clean error."""
import pytest

from symderiv.notation.tokens import NotationError
from symderiv.notation.parse import parse
from symderiv.notation.tree import Call, Op, Partial, Qty, Sum, walk
from symderiv.verify import verify


def nodes(latex, cls, **kw):
    c = parse(latex, kw.get("bindings"))
    return [n for side in c.sides for n in walk(side) if isinstance(n, cls)]


@pytest.mark.parametrize("latex", [r"\delta = f'(z^{(l)})", r"\delta^{(l)} = f^{\prime}(z^{(l)})",
                                   r"\delta^{(l)} = \sigma'(z^{(l)})", r"\delta^{(l)} = g'(z^{(l)})",
                                   r"\delta^{(l)} = \sigma^{\prime}\left(z^{(l)}\right)"])
def test_prime_is_kept(latex):
    if latex.startswith(r"\delta ="):
        with pytest.raises(NotationError):
            parse(latex)
        return
    assert [c.fn for c in nodes(latex, Call)] == ["dact"]


@pytest.mark.parametrize("latex", [r"x = (W^{(2)})^T", r"x = (W^{(2)})^\top", r"x = W^{(2)'}",
                                   r"x = (W^{(2)})'", r"x = W^{(2)T}", r"x = \left(W^{(2)}\right)^{T}"])
def test_transpose_is_kept(latex):
    ts = [n for n in nodes(latex, Op) if n.op == "T"]
    assert len(ts) == 1 and isinstance(ts[0].args[0], Qty) and ts[0].args[0].kind == "W"


@pytest.mark.parametrize("latex,base,offset", [(r"y = a^{(l)}", "l", 0), (r"y = a^{(l+1)}", "l", 1),
                                               (r"y = a^{(l-1)}", "l", -1), (r"y = a^{(L)}", "L", 0),
                                               (r"y = a^{(L-1)}", "L", -1), (r"y = a^{(3)}", None, 3),
                                               (r"y = a^{[2]}", None, 2), (r"y = a_j^{(l)}", "l", 0)])
def test_layer_superscript_is_a_layer_never_a_power(latex, base, offset):
    (q,) = [n for n in nodes(latex, Qty) if n.kind == "a"]
    assert (q.layer.base, q.layer.offset) == (base, offset)
    assert not [n for n in nodes(latex, Op) if n.op == "pow"]


@pytest.mark.parametrize("op", [r"\odot", r"\circ", "*"])
def test_hadamard_is_kept_and_binds_like_a_product(op):
    (had,) = [n for n in nodes(rf"y = W^{{(2)}} a^{{(1)}} {op} a^{{(2)}}", Op) if n.op == "had"]
    left = had.args[0]
    assert isinstance(left, Op) and left.op == "mm"          # (W a) ⊙ a, left-associative


def test_hadamard_with_explicit_parentheses_is_not_flattened():
    (had,) = [n for n in nodes(r"y = a^{(2)} \odot (W^{(2)} a^{(1)})", Op) if n.op == "had"]
    assert isinstance(had.args[1], Op) and had.args[1].op == "mm"


def test_partial_derivative_forms():
    (p,) = nodes(r"\frac{\partial J}{\partial W^{(l)}_{ij}} = 0", Partial)
    assert p.num.kind == "J" and p.den.kind == "W" and p.den.idx == ("i", "j")
    (p,) = nodes(r"\frac{\partial}{\partial b_{i}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b}) = 0", Partial)
    assert p.den.kind == "b" and p.den.idx == ("i",)


def test_sum_with_width_bound():
    (s,) = nodes(r"\delta_i^{(l)} = \sum_{j=1}^{n_{l+1}} W_{ji}^{(l+1)} \delta_j^{(l+1)}", Sum)
    assert s.index == "j" and s.hi[0] == "width" and s.hi[1].offset == 1


def test_log_is_natural_and_tanh_power():
    assert [c.fn for c in nodes(r"J = \log a^{(L)} + \ln y + \tanh^2(z^{(1)})", Call)] == ["log", "log", "tanh"]


def test_pure_claim_is_classified():
    assert parse(r"\sigma'(z) = \sigma(z)(1-\sigma(z))").pure
    assert not parse(r"\delta^{(L)} = a^{(L)} - y").pure


def test_readings_apply_to_the_tree_all_at_once():
    c = parse(r"\frac{\partial J}{\partial z^{(3)}} = \psi(z^{(3)}) - \Delta",
              {r"\psi(z^{(3)})": "a^{(2)}", r"\Delta": "y", "z^{(3)}": "z^{(2)}"})
    kinds = sorted((q.kind, q.layer.offset if q.layer else None) for side in c.sides for q in walk(side)
                   if isinstance(q, Qty))
    assert kinds == [("J", None), ("a", 2), ("y", None), ("z", 2)]


def test_hat_and_hypothesis_mean_the_output():
    assert {q.kind for q in nodes(r"\delta^{(L)} = \hat{y} - h_\theta(x) + h(x)", Qty)} == {"delta", "yhat"}


@pytest.mark.parametrize("bad,fragment", [
    (r"\delta^{(L} = a", "does not match"), (r"\delta^{(L)} = {a", "never closed"),
    (r"\delta^{(L)} = a^{(L)} - q", "unknown symbol q"), (r"\end{document}", "environment 'document'"),
    ("__import__('os')", ""), ("a\x00b = c", "control character"), ("x" * 5000, "too long"),
    ("(" * 100 + ")" * 100, "nested"), (r"\delta^{(L)} = a^{(i)}", "layer superscript"),
    (r"\delta^{(L)}", "needs '='"), (r"a^{(L)} = z", "layer superscript"),
])
def test_bad_input_is_one_clear_error(bad, fragment):
    with pytest.raises(NotationError) as info:
        parse(bad)
    msg = info.value.one_line()
    assert "\n" not in msg and fragment in msg


def test_parse_error_has_a_caret():
    with pytest.raises(NotationError) as info:
        parse(r"\delta^{(L)} = a^{(L)} \odot")
    caret = info.value.caret()
    assert caret.splitlines()[1].strip() == "^"


def test_a_notes_own_layer_letter_is_read_beside_its_offset():
    c = parse(r"a_i^{(j)} = g(\sum_{k=0}^{n_{j-1}} W_{ik}^{(j)} a_{k}^{(j-1)})")
    assert c.symbolic_layer and c.sides[0].layer.base == "j"
    # beside l, another letter is not a second layer: (i) stays a sample
    c = parse(r"\delta^{(l)}_k = x^{(i)}_k \quad \text{if } k = y_i")
    assert c.sides[1].sample == "i"


def test_sample_superscripts_and_labels():
    c = parse(r"\frac{\partial J}{\partial W^{(2)}_{1j}} = \frac{1}{m} \sum_{k=1}^m (a^{(2)(k)}_1 - y^{(k)}_1) a^{(1)(k)}_j")
    assert {q.sample for side in c.sides for q in walk(side) if isinstance(q, Qty) and q.sample} == {"k"}
    c = parse(r"a_{iy_i}^{(2)} = a_{ij}^{(2)} \quad \text{if } j = y_i")
    assert c.sides[0].idx == ("i", ("label", "i"))


@pytest.mark.parametrize("latex", [r"e^z^2 = e^{z^2}", r"z^2^3 = z^{8}", r"e^{z}^{2} = e^{2z}"])
def test_a_double_superscript_is_not_guessed(latex):
    # TeX refuses e^z^2 ("Double superscript") and a reader may mean e^{z^2} or (e^z)^2: it was read as
    # (e^z)^2 and called incorrect; now it is unverifiable, saying how to write either
    with pytest.raises(NotationError, match="double superscript"):
        parse(latex)
    assert verify(latex).verdict == "unverifiable"
    assert verify(r"e^{z^2} = e^{z^2} \cdot 1").verdict == "correct"
    assert verify(r"(e^z)^2 = e^{2z}").verdict == "correct"
    assert verify(r"z^2^T = z^2").verdict == "correct"          # a transpose after a power is still read


def test_an_example_and_a_layer_in_one_superscript():
    """Nielsen's exercises write \\delta^{x,L}: the quantity at training example x and layer L."""
    import symderiv
    from symderiv.notation.parse import parse
    q = parse(r"a^{x,L-1} = a^{x,L}").sides[0]
    assert q.sample == "x" and q.layer.base == "L" and q.layer.offset == -1
    net = symderiv.mlp([3, 4, 5])
    right = r"\delta^{x,L-1} = ((w^L)^T \delta^{x,L}) \odot \sigma'(z^{x,L-1})"
    assert symderiv.verify(right, net).verdict == "correct"
    assert symderiv.verify(right.replace("(w^L)^T", "w^L"), net).verdict == "incorrect"


@pytest.mark.parametrize("tail", [r",\:\: j=1,\cdots,n_2", r", \quad j,k = 1, \ldots, n_{2}",
                                  r",\ i=1,\dots,m : j=1,\cdots,n_2"])
def test_a_trailing_index_range_says_where_the_claim_holds(tail):
    """``, j = 1, \\cdots, n`` after a claim states its indices' range (parse._without_index_ranges): the claim
    is checked at every index value as before, right or wrong."""
    from symderiv.engine.network import NetFlags
    flags = NetFlags(loss="mse", output="identity")
    assert parse(r"\delta^{(2)}_j = a^{(2)}_j - y_j" + tail).sides == parse(r"\delta^{(2)}_j = a^{(2)}_j - y_j").sides
    assert verify(r"\delta^{(2)}_j = a^{(2)}_j - y_j" + tail, flags).verdict == "correct"
    assert verify(r"\delta^{(2)}_j = y_j - a^{(2)}_j" + tail, flags).verdict == "incorrect"


@pytest.mark.parametrize("tail", [r", j = 1", r", j = 1, \cdots", r", \sum_{j=1}^{n} x_j"])
def test_a_tail_that_is_not_a_whole_range_is_not_dropped(tail):
    with pytest.raises(NotationError):
        parse(r"\delta^{(2)}_j = a^{(2)}_j - y_j" + tail)


def test_scripts_in_either_order():
    """x^i_j is valid TeX for x_j^i: the power after the subscript, whichever is written first (#21)."""
    assert parse(r"y = x^m_j").sides[1].args == parse(r"y = x_j^m").sides[1].args
    (p,) = [n for n in nodes(r"y = x^2_j", Op) if n.op == "pow"]
    assert isinstance(p.args[0], Qty) and p.args[0].idx == ("j",)
    assert verify(r"\sum_j x^2_j = \sum_j x_j x_j").verdict == "correct"
    assert verify(r"\sum_j x^2_j = 2 \sum_j x_j x_j").verdict == "incorrect"
    assert verify(r"\sum_j x^2_j = \sum_j x_j").verdict == "incorrect"
    with pytest.raises(NotationError):
        parse(r"y = x^2_j^3")                 # still a double superscript
