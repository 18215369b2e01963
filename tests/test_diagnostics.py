"""Diagnostics as data: a code per kind of slip, a span on the wrong part of the text as written, and
a fix whose edits give a line the checker calls correct."""
from __future__ import annotations

from pathlib import Path

import pytest

from symderiv import mlp
from symderiv.engine.network import NetFlags
from symderiv.verify import verify
from symderiv.verify.diagnostics import CODES, Diagnostic, Edit, apply_edits, text_edits

DATA = Path(__file__).parent / "data"
NET = mlp([3, 4, 2])
BATCH = NetFlags(batch=True)
DW2 = r"\frac{\partial J}{\partial W^{(2)}} = "

# (claim, network, a code the verdict must carry, the text its span must cover; None: any span)
CASES = [
    (DW2 + r"-\delta^{(2)} \left(a^{(1)}\right)^T", NET, "sign", None),
    (DW2 + r"2 \delta^{(2)} \left(a^{(1)}\right)^T", NET, "scale", None),
    (DW2 + r"\delta^{(2)} a^{(1)}", NET, "transpose", "a^{(1)}"),
    (DW2 + r"\delta^{(1)} \left(a^{(1)}\right)^T", NET, "layer-shift", r"\delta^{(1)}"),
    (r"\delta^{(1)} = \left(W^{(2)}\right)^T \delta^{(2)}", NET, "dropped-factor.elementwise",
     r"\left(W^{(2)}\right)^T \delta^{(2)}"),
    (r"\frac{\partial J}{\partial b^{(2)}} = \frac{1}{m} \delta^{(2)}", BATCH, "dropped-sum",
     r"\frac{1}{m} \delta^{(2)}"),
    (r"\frac{\partial J}{\partial W^{(2)}_{ij}} = \delta^{(2)}_j a^{(1)}_i", NET, "index-conflict",
     r"\delta^{(2)}_j a^{(1)}_i"),
]


@pytest.mark.parametrize("claim, net, code, part", CASES, ids=[c[2] for c in CASES])
def test_each_slip_has_its_code_and_a_span_on_the_wrong_part(claim, net, code, part):
    v = verify(claim, net)
    assert v.verdict == "incorrect"
    codes = [d.code for d in v.diagnostics]
    assert code in codes, codes
    assert v.diagnosis == [d.text for d in v.diagnostics]        # the strings are a view of the data
    found = v.diagnostics[codes.index(code)]
    assert found.span is not None
    start, end = found.span
    if part is not None:
        assert claim[start:end] == part
    assert 0 <= start < end <= len(claim)


@pytest.mark.parametrize("claim, net, code, part", CASES, ids=[c[2] for c in CASES])
def test_the_fix_edits_give_a_line_the_checker_calls_correct(claim, net, code, part):
    v = verify(claim, net)
    assert v.fix is not None and v.fix.checked
    line = apply_edits(claim, v.fix.edits)
    assert line == v.fix.latex
    assert verify(line, net).verdict == "correct"


def test_a_layer_shift_is_one_edit_of_the_written_symbol():
    claim = DW2 + r"\delta^{(1)} \left(a^{(1)}\right)^T"
    out = verify(claim, NET).to_json()
    assert out["fix"]["edits"] == [{"span": [38, 50], "latex": r"\delta^{(2)}"}]
    assert {"code": "layer-shift", "message": r"layer shift: \delta^{(1)} should be \delta^{(2)}",
            "span": [38, 50]} in out["diagnostics"]


def test_spans_point_into_the_text_as_written_with_unicode_and_spacing():
    claim = r"\frac{\partial J}{\partial W^{(2)}}   =   δ^{(1)} \left(a^{(1)}\right)^T"
    v = verify(claim, NET)
    shift = next(d for d in v.diagnostics if d.code == "layer-shift")
    assert claim[shift.span[0]:shift.span[1]] == "δ^{(1)}"


def test_under_a_convention_the_diagnosis_uses_its_layer_numbers():
    v = verify(r"\frac{\partial J}{\partial \Theta^{(2)}} = \delta^{(2)} (a^{(2)})^T", convention="ng")
    shift = next(d for d in v.diagnostics if d.code == "layer-shift")
    assert shift.text == r"layer shift: \delta^{(2)} should be \delta^{(3)}"
    assert v.corrected_latex.endswith(r"\delta^{(3)} \left(a^{(2)}\right)^T")


def test_every_code_has_one_template_and_a_kind():
    for code, (label, template) in CODES.items():
        d = Diagnostic(code, {k: "X" for k in _fields(template)})
        assert d.message == template.format(**{k: "X" for k in _fields(template)})
        assert d.kind == code.split(".")[0]
        assert d.text == (f"{label}: {d.message}" if label else d.message)


def _fields(template):
    import string
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_text_edits_and_apply_edits_are_inverse():
    old, new = r"a^{(1)} + b", r"a^{(2)} + b"
    edits = text_edits(old, new)
    assert edits == (Edit((4, 5), "2"),) and apply_edits(old, edits) == new
    assert text_edits(old, old) == ()


# ---------------------------------------------------------------- issue 24: weak diagnoses
def test_the_reason_and_the_counterexample_describe_the_same_draw():
    v = verify(r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\delta^{(l)}", batch=True)
    shape = next(d for d in v.diagnostics if d.code == "shape")
    cx = v.counterexample
    assert shape.args["expected"] == "×".join(map(str, cx["truth"]["shape"]))
    assert shape.args["given"] == "×".join(map(str, cx["claim"]["shape"]))


def test_a_regularised_bias_is_named_and_its_term_deleted():
    claim = (r"\frac{\partial J}{\partial b^{(2)}} = \frac{1}{m} \delta^{(2)} \mathbf{1} + "
             r"\frac{\lambda}{m} b^{(2)}")
    flags = NetFlags(batch=True, reg="l2")
    v = verify(claim, flags)
    found = next(d for d in v.diagnostics if d.code == "regularised-bias")
    assert claim[found.span[0]:found.span[1]] == r"\frac{\lambda}{m} b^{(2)}"
    assert v.fix.checked and v.fix.latex == r"\frac{\partial J}{\partial b^{(2)}} = \frac{1}{m} \delta^{(2)} \mathbf{1}"
    assert verify(v.fix.latex, flags).verdict == "correct"


def test_the_sigmoids_derivative_in_a_tanh_network_is_named():
    flags = NetFlags(hidden="tanh")
    v = verify(r"\delta^{(1)} = (W^{(2)})^T \delta^{(2)} \odot a^{(1)} \odot (1 - a^{(1)})", flags)
    found = next(d for d in v.diagnostics if d.code == "activation-derivative.output")
    assert found.args["used"] == "sigmoid" and found.args["actual"] == "tanh"
    assert found.args["a"] == "a^{(1)}" and found.args["right"] == "1 - a^{2}"


def test_lambda_over_2m_is_corrected_to_lambda_over_m_not_doubled():
    claim = (r"\frac{\partial J}{\partial W^{(2)}} = \frac{1}{m} \delta^{(2)} (a^{(1)})^T + "
             r"\frac{\lambda}{2m} W^{(2)}")
    flags = NetFlags(batch=True, reg="l2")
    v = verify(claim, flags)
    assert v.verdict == "incorrect" and r"\frac{\lambda}{m}" in v.fix.latex and "2 \\left(" not in v.fix.latex
    assert v.fix.checked and verify(v.fix.latex, flags).verdict == "correct"


def test_a_missing_1_over_m_is_said_in_words_not_as_one_times_m():
    v = verify(r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)} \left(a^{(1)}\right)^T", NetFlags(batch=True))
    found = next(d for d in v.diagnostics if d.kind == "scale")
    assert found.code == "scale.missing-1/m" and "1·m" not in found.text
    assert found.text == "scale: claim = m × truth (the factor 1/m is missing)"


def test_widths_and_m_are_called_distinct_only_when_they_are():
    v = verify(r"\delta^{(L)} = a^{(L)} - y", NetFlags(outputs=1))     # output width 1 and m = 1
    assert v.verdict == "correct" and "m=1" in v.reason and "and m distinct" not in v.reason
    assert "(all widths distinct)" in v.reason
    v = verify(r"\delta^{(L)} = a^{(L)} - y", NetFlags(batch=True))
    assert "(all widths and m distinct)" in v.reason


def test_check_spans_map_into_the_document_through_the_entrys_offset():
    from symderiv.documents.check import check_note
    from symderiv.documents.reader import load_document
    doc = load_document(str(DATA / "student.md"))
    wrong = [r for r in check_note(doc) if r.verdict == "incorrect"]
    assert len(wrong) == 1
    r = wrong[0]
    out = r.to_json()
    assert out["offset"] >= 0 and doc.text[out["offset"]:].startswith(out["checked"])
    transpose = next(d for d in out["diagnostics"] if d["code"] == "transpose")
    start, end = transpose["span"]
    assert doc.text[out["offset"] + start:out["offset"] + end] == "V"
    assert out["fix"]["checked"] and apply_edits(out["checked"], [Edit(tuple(e["span"]), e["latex"])
                                                                  for e in out["fix"]["edits"]]) == out["fix"]["latex"]


def test_a_diagnosis_names_the_documents_own_symbol():
    """read: V -> W^{(2)}: the slip is said of V, the symbol the student wrote, not of W^{(2)}."""
    wrong = r"\delta^{(1)} = (V \delta^{(2)}) \odot a^{(1)} \odot (1 - a^{(1)})"
    v = verify(wrong, readings={"V": "W^{(2)}"})
    transpose = next(d for d in v.diagnostics if d.code == "transpose")
    assert v.verdict == "incorrect" and "V should be transposed" in transpose.text
    assert "W^{(2)}" not in " ".join(v.diagnosis)
    plain = verify(wrong.replace("V", "W^{(2)}"))
    assert any("W^{(2)} should be transposed" in d for d in plain.diagnosis)
