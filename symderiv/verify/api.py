"""The public checking API: ``verify`` (one verdict) and ``verify_chain`` (one per link).

A link is checked by randomized identity testing (checker.py) against the
derived truth; an incorrect one is diagnosed (diagnose.py) and repaired
(repair.py). Every SymPy-free step is bounded in time; input that cannot be
used becomes an "unverifiable" verdict with one line naming the problem.
"""
from __future__ import annotations

from ..constructs import LOSS_KINDS

import time
from dataclasses import replace

from ..bounded import TimedOut, bounded
from ..constructs import render
from ..network import NetFlags, Network
from ..notation import NotationError
from ..parse import Claim, parse
from ..readings import as_readings
from ..tree import Node, Op, Partial, Qty, quantities, walk
from .checker import Checker, holds, rtol_for
from .diagnose import counterexample, factor_diagnosis, ratio_diagnosis, shape_diagnosis
from .repair import search_variants, textbook_expected
from .symbolic import settle
from .verdict import Unverifiable, Verdict

SHAPES = 3                 # random network shapes per claim
DRAWS = 2                  # random parameter draws per shape
MAX_SECONDS = 20.0         # wall-clock budget of one check


def setting_of(net_or_flags, batch: bool | None = None) -> NetFlags:
    """The network setting a claim is checked under (a Network's, or flags with batch overridden)."""
    if isinstance(net_or_flags, NetFlags):
        return net_or_flags if batch is None else replace(net_or_flags, batch=bool(batch))
    if isinstance(net_or_flags, Network):
        return NetFlags.of(net_or_flags, bool(batch))
    raise ValueError("verify needs a Network or NetFlags")


def verify(latex: str, net_or_flags=None, *, readings=None, seed: int = 0,
           draws: int = DRAWS, shapes: int = SHAPES, batch: bool | None = None) -> Verdict:
    """Check one claim (a chain returns its first failing link, else correct)."""
    links = verify_chain(latex, net_or_flags, readings=readings, seed=seed, draws=draws, shapes=shapes,
                         batch=batch)
    for v in links:
        if v.verdict != "correct":
            if len(links) > 1:
                v.reason = (v.reason + " " if v.reason else "") + \
                    f"(link {links.index(v) + 1} of {len(links)} in the chain)"
            return v
    if len(links) == 1:
        return links[0]
    first = links[0]
    return Verdict("correct", latex, expected=first.expected, reason=f"all {len(links)} links hold; " +
                   first.reason, evidence=first.evidence, seconds=sum(v.seconds for v in links),
                   corrected_latex=None)


def verify_chain(latex: str, net_or_flags=None, *, readings=None, seed: int = 0,
                 draws: int = DRAWS, shapes: int = SHAPES, batch: bool | None = None) -> list[Verdict]:
    """One verdict per link of ``a = b = c``."""
    started = time.monotonic()
    net_or_flags = NetFlags() if net_or_flags is None else net_or_flags
    try:
        flags = setting_of(net_or_flags, batch)
        claim = parse(latex, readings)
    except NotationError as exc:
        return [_unusable(latex, exc)]
    except RecursionError:
        return [Verdict("unverifiable", latex, reason="input nested too deeply")]
    out = []
    links = [k for k in range(len(claim.sides) - 1) if claim.sides[k] != claim.sides[k + 1]]
    if not links:     # x = x says nothing: not a claim, and never counted as correct
        return [Verdict("unverifiable", latex, reason="both sides are the same expression: nothing to check")]
    for k in links:
        sub = Claim(claim.text, [claim.sides[k], claim.sides[k + 1]], claim.symbolic_layer, claim.pure,
                    claim.condition)
        link_latex = latex if len(claim.sides) == 2 else f"{render(sub.sides[0])} = {render(sub.sides[1])}"
        try:
            v = bounded(lambda: check_link(sub, link_latex, flags, seed, draws, shapes), MAX_SECONDS)
        except NotationError as exc:
            v = _unusable(link_latex, exc)
        except Unverifiable as exc:
            v = Verdict("unverifiable", link_latex, reason=str(exc))
        except TimedOut:
            v = Verdict("unverifiable", link_latex, reason=f"check did not finish within {MAX_SECONDS:g} s")
        except RecursionError:
            v = Verdict("unverifiable", link_latex, reason="claim nested too deeply")
        except (ValueError, ArithmeticError, IndexError, KeyError, TypeError) as exc:
            # a bug of ours must not become a verdict either way: say so, exit 2
            v = Verdict("unverifiable", link_latex,
                        reason=f"internal error while checking ({type(exc).__name__}: {exc})")
        if v.verdict == "unverifiable" and k > 0 and claim.sides[0] != claim.sides[k + 1]:
            v = _against_first_side(claim, k, v, flags, seed, draws, shapes)
        if v.verdict == "incorrect" and v.repair is not None and readings:
            _in_claims_notation(v, as_readings(readings), flags, seed, latex)
        v.seconds = time.monotonic() - started
        out.append(v)
    return out


def _in_claims_notation(v: Verdict, readings, flags, seed, text: str = "") -> None:
    """The correction written back in the claim's own symbols (the readings inverted), kept only when the
    checker, reading it the same way, finds it correct; else it stays in symderiv's notation and says so."""
    ref, fixed, swapped = v.repair
    back = readings.inverse(text)
    ref_text, fixed_text = render(back.apply_to(ref, "")), render(back.apply_to(fixed, ""))
    line = f"{fixed_text} = {ref_text}" if swapped else f"{ref_text} = {fixed_text}"
    try:
        again = bounded(lambda: verify_chain(line, flags, readings=readings, seed=seed + 1), MAX_SECONDS)
    except TimedOut:
        again = []
    if again and all(w.verdict == "correct" for w in again):
        v.expected, v.corrected_latex = fixed_text, line
    else:
        v.corrected_latex = f"{v.corrected_latex}  (in symderiv's notation)"


def _against_first_side(claim: Claim, k: int, v: Verdict, flags, seed, draws, shapes) -> Verdict:
    """A link whose left side cannot be evaluated (a chain-rule shorthand such as dz/dW) is still a claim
    that its right side equals the chain's first side: check that instead, and say so."""
    sub = Claim(claim.text, [claim.sides[0], claim.sides[k + 1]], claim.symbolic_layer, claim.pure,
                claim.condition)
    latex = f"{render(sub.sides[0])} = {render(sub.sides[1])}"
    try:
        w = bounded(lambda: check_link(sub, latex, flags, seed, draws, shapes), MAX_SECONDS)
    except (NotationError, Unverifiable, TimedOut, RecursionError, ValueError, ArithmeticError):
        return v
    w.reason = f"compared with the chain's first side (the link before it: {v.reason}); {w.reason}"
    return w


def _unusable(latex, exc: NotationError) -> Verdict:
    v = Verdict("unverifiable", latex, reason=exc.one_line())
    v.evidence = {"caret": exc.caret()}
    return v


def check_link(claim: Claim, latex: str, flags: NetFlags, seed: int, draws: int, shapes: int) -> Verdict:
    left, right = claim.sides
    if _is_update_rule(left, right):
        return _check_update_rule(claim, latex, flags, seed, draws, shapes)
    checker = Checker(claim, flags, seed, shapes, draws)
    rtol = rtol_for(claim.sides)
    # the oracle side is the reference; put it on the left for diagnosis
    ref, test, swapped = (left, right, False) if _oracle_weight(left) >= _oracle_weight(right) else \
        (right, left, True)
    samples = checker.samples(ref, test)
    ok, bad = holds(samples, rtol)
    if ok and checker.index_conflicts:
        ok = False
    proof = settle(left, right, flags.hidden_act) if claim.pure else None
    if proof == "refuted":        # below what any float64 draw can see: the constant difference decides
        return Verdict("incorrect", latex, expected=None, diagnosis=[
            "value: the two sides differ by a non-zero constant (found symbolically)"],
            reason="the two sides differ by a non-zero constant (found symbolically; the random draws in "
                   "float64 cannot see a difference this small)", evidence=_evidence(checker, claim))
    if proof == "proved" and not ok and not any(s.error for s in samples):
        ok = True                 # finite differences were the noisy side: the proof decides
    if ok:
        reason = ("proved symbolically (SymPy simplifies the difference of the two sides to 0); "
                  + _evidence_text(checker, claim, rtol)) if proof == "proved" else _evidence_text(checker, claim, rtol)
        return Verdict("correct", latex, expected=render(test), reason=reason,
                       evidence={**_evidence(checker, claim), "proof": proof or "random draws"})
    return incorrect_verdict(checker, claim, latex, ref, test, swapped, samples, bad, rtol)


def _oracle_weight(n: Node) -> int:
    return sum(1 for x in walk(n) if isinstance(x, Partial) or (isinstance(x, Qty) and x.kind in ("delta",) + tuple(LOSS_KINDS)))


def _is_update_rule(left, right) -> bool:
    return isinstance(left, Qty) and left.kind in ("W", "b") and any(
        isinstance(n, Qty) and n.kind == "alpha" for n in walk(right)) and any(
        isinstance(n, Qty) and n.kind == left.kind and n.layer == left.layer for n in walk(right))


def _factors(n: Node) -> list:
    if isinstance(n, Op) and n.op == "mm":
        return _factors(n.args[0]) + _factors(n.args[1])
    return [n]


def _softmax_derivative(n: Node, flags) -> bool:
    """Does the claim take f' of the softmax output layer?"""
    if flags.output_act.name != "softmax":
        return False
    return any(x.construct == "dact" and any(q.layer is not None and q.layer.resolve(None, flags.depth) == flags.depth
                                             if not q.layer.symbolic else False for q in quantities(x))
               for x in walk(n))


def _update_step(left: Qty, right: Node) -> tuple[str, Node] | None:
    """(sign, G) of an update ``W = W -/+ \\alpha G`` (alpha anywhere in the product), else None."""
    if not (isinstance(right, Op) and right.op in ("sub", "add") and right.args[0] == left):
        return None
    factors = _factors(right.args[1])
    alphas = [f for f in factors if isinstance(f, Qty) and f.kind == "alpha"]
    if len(alphas) != 1:
        return None
    rest = [f for f in factors if f is not alphas[0]]
    step = rest[0]
    for f in rest[1:]:
        step = Op("mm", (step, f))
    return right.op, step


def _check_update_rule(claim: Claim, latex: str, flags, seed, draws, shapes) -> Verdict:
    """A gradient-descent update is right when its step is alpha times the gradient of J."""
    left, right = claim.sides
    found = _update_step(left, right)
    if found is None:
        return Verdict("incorrect", latex, diagnosis=["update rule: the step is not -alpha times a gradient"],
                       reason=f"an update of {render(left)} must read {render(left)} - \\alpha G with G the "
                              "gradient of J; this one does not subtract a multiple of alpha")
    sign, step = found
    if sign == "add":
        corrected = f"{render(left)} = {render(left)} - \\alpha {render(step, 3)}"
        return Verdict("incorrect", latex, expected=None, corrected_latex=corrected,
                       diagnosis=["sign: gradient descent subtracts the step (+ alpha G climbs the loss)"],
                       reason="sign: gradient descent subtracts the step (+ alpha G climbs the loss)")
    gradient = Partial(Qty("J", "J"), left)
    sub = Claim(claim.text, [gradient, step], claim.symbolic_layer, claim.pure, claim.condition)
    v = check_link(sub, f"{render(gradient)} = {render(step)}", flags, seed, draws, shapes)
    v.claim = latex
    v.reason = f"an update rule: its step is checked as the gradient {render(gradient)}; {v.reason}"
    if v.corrected_latex:
        v.corrected_latex = f"{render(left)} = {render(left)} - \\alpha {v.expected}"
    return v


def _evidence(checker: Checker, claim: Claim) -> dict:
    if claim.pure:
        return {"points": len(checker.contexts)}
    return {"shapes": [{"sizes": list(s), "m": m} for s, m in checker.shapes_used],
            "layers": checker.layers if checker.layers != [None] else None,
            "contexts": len(checker.contexts)}


def _evidence_text(checker: Checker, claim: Claim, rtol: float) -> str:
    precision = (f"float64 values agree to a relative {rtol:.0e} at every draw, so a claim off by a smaller "
                 "factor than that could pass the draws alone")
    if claim.pure:
        return (f"holds at {len(checker.contexts)} random points (central differences for d/dz); {precision}")
    shapes = "; ".join(f"{'-'.join(map(str, s))} m={m}" for s, m in checker.shapes_used)
    layers = "" if checker.layers == [None] else f", every valid layer l in {checker.layers}"
    return (f"holds in all {len(checker.contexts)} contexts: shapes {shapes} (all widths and m distinct), "
            f"{checker.draws} random draws each{layers}, index values sampled; {precision}")


# ---------------------------------------------------------------- diagnosis


def incorrect_verdict(checker, claim, latex, ref, test, swapped, samples, bad, rtol) -> Verdict:
    diagnosis = [f"index order: {name} indexes dimensions of different sizes ({', '.join(map(str, sorted(v)))})"
                 for name, v in checker.index_conflicts.items()]
    errors = [s for s in samples if s.error]
    if errors:
        diagnosis.append("shape mismatch: " + errors[0].error)
    else:
        diagnosis.extend(shape_diagnosis(samples))
        diagnosis.extend(ratio_diagnosis(samples))
        diagnosis.extend(factor_diagnosis(samples, checker))
    variant_label, variant = search_variants(checker, ref, test, rtol)
    if variant_label and not any(variant_label.split(":")[0] == d.split(":")[0] for d in diagnosis):
        diagnosis.append(variant_label)
    if _softmax_derivative(test, checker.flags):
        diagnosis.insert(0, "softmax treated element-wise: f'(z) of a softmax is its Jacobian diag(a) - a a^T "
                            "(read here as its diagonal a(1 - a)), so the element-wise chain rule does not apply")
    if not diagnosis:
        diagnosis.append("value: the two sides differ (no single sign, scale, transpose, index, layer or "
                         "factor change explains it)")
    fixed = variant if variant is not None else textbook_expected(ref, checker, rtol)
    expected = render(fixed) if fixed is not None else None
    corrected = None
    if fixed is not None:
        corrected = f"{expected} = {render(ref)}" if swapped else f"{render(ref)} = {expected}"
    return Verdict("incorrect", latex, expected=expected, diagnosis=diagnosis,
                   counterexample=counterexample(samples, bad, ref, test, swapped),
                   reason=diagnosis[0], corrected_latex=corrected,
                   repair=(ref, fixed, swapped) if fixed is not None else None)
