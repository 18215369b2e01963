"""The public checking API: ``verify`` (one verdict) and ``verify_chain`` (one per link).

A link is checked by randomized identity testing (checker.py) against the
derived truth; an incorrect one is diagnosed (diagnose.py) and repaired
(repair.py). Every SymPy-free step is bounded in time; input that cannot be
used becomes an "unverifiable" verdict with one line naming the problem.
"""
from __future__ import annotations

import difflib
import re
import time
from dataclasses import replace

from .. import conventions
from ..constructs import QUANTITY_NAMES, ROWS
from ..notation import KNOWN_COMMANDS

from ..bounded import TimedOut, bounded
from ..constructs import render
from ..network import NetFlags, Network
from ..notation import NotationError
from ..parse import Claim, parse, parse_fragment
from ..tree import Node, Partial, Qty, quantities, walk
from ..readings import IllTyped
from .checker import Checker, holds, rtol_for, valid_layers
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
           draws: int = DRAWS, shapes: int = SHAPES, batch: bool | None = None,
           convention: str = "auto", bias: bool | None = None, fit_depth: bool | None = None) -> Verdict:
    """Check one claim (a chain returns its first failing link, else correct).

    ``convention`` names a notation convention (conventions.CONVENTIONS) or ``auto``: the formula's
    signals pick it, none picks the default. Without ``net_or_flags`` the convention's model is used.
    """
    links = verify_chain(latex, net_or_flags, readings=readings, seed=seed, draws=draws, shapes=shapes,
                         batch=batch, convention=convention, bias=bias, fit_depth=fit_depth)
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
                   corrected_latex=None, convention=first.convention, model=first.model)


def verify_chain(latex: str, net_or_flags=None, *, readings=None, seed: int = 0,
                 draws: int = DRAWS, shapes: int = SHAPES, batch: bool | None = None,
                 convention: str = "auto", bias: bool | None = None, fit_depth: bool | None = None,
                 alternatives: bool = True) -> list[Verdict]:
    """One verdict per link of ``a = b = c``, each naming the convention and model it assumed.

    ``fit_depth`` (default: when no network was given): a claim in symbolic l whose layers do not all
    exist at the model's depth is checked in the shallowest deeper network where they do.
    """
    if convention in (None, "auto") and readings:
        convention = "default"         # a note's readings already say how to read its symbols
    conv = conventions.resolve(latex, convention)
    fit = net_or_flags is None if fit_depth is None else fit_depth
    flags = _model(conv, latex, net_or_flags, batch, bias)
    show = render if conv.name == "default" else conv.render
    links, flags = _links(latex, flags, conventions.readings_for(conv, readings), seed, draws, shapes, fit, show)
    for v in links:
        v.convention, v.model = conv.name, conventions.model_line(flags)
        if v.verdict != "correct" and alternatives:
            elsewhere = _right_elsewhere(latex, conv, flags, readings, seed, fit)
            if v.verdict == "incorrect":
                v.diagnosis.extend(elsewhere)
            elif elsewhere:            # still unverifiable here: say which convention reads it
                v.reason += "; " + elsewhere[0].split(": ", 1)[1]
    return links


def _model(conv, latex, net_or_flags, batch, bias) -> NetFlags:
    """The network setting: the caller's, else the convention's model; batch and bias overridden."""
    base = conv.model(latex) if net_or_flags is None else setting_of(net_or_flags)
    if bias is not None:
        base = replace(base, bias=bool(bias))
    return setting_of(base, batch)


def _right_elsewhere(latex, used, flags, readings, seed, fit) -> list:
    """A diagnosis naming the other known conventions whose reading of the claim holds in the same
    model (never a verdict: the claim's own notation did not select them)."""
    right, seen = [], [_sides(latex, conventions.readings_for(used, readings))]
    for conv in conventions.CONVENTIONS.values():
        alt = conventions.readings_for(conv, readings)
        sides = _sides(latex, alt)
        if conv.name == used.name or sides is None or sides in seen:
            continue               # unreadable there, or read exactly as already checked: same verdict
        seen.append(sides)
        links, _ = _links(latex, flags, alt, seed, 1, 2, fit)
        if links and all(v.verdict == "correct" for v in links):
            right.append(conv)
    if not right:
        return []
    first = right[0]
    others = f" (also: {', '.join(c.name for c in right[1:])})" if right[1:] else ""
    return [f"convention: this is right in the {first.name} convention ({first.source}: {first.layers}){others}; "
            f"select it with {first.flag}"]


def _sides(latex, readings):
    try:
        return parse(latex, readings).sides
    except (NotationError, RecursionError):
        return None


MAX_FIT_DEPTH = 6


def _fitted(claim: Claim, flags: NetFlags) -> NetFlags:
    """The shallowest network (from the model's depth up) in which some l makes every layer exist."""
    if not claim.symbolic_layer or valid_layers(claim.sides, flags):
        return flags
    for depth in range(flags.depth + 1, MAX_FIT_DEPTH + 1):
        deeper = replace(flags, depth=depth)
        if valid_layers(claim.sides, deeper):
            return deeper
    return flags


def _links(latex, flags, readings, seed, draws, shapes, fit=False, show=render) -> tuple:
    started = time.monotonic()
    try:
        claim = parse(latex, readings)
    except IllTyped as exc:            # the claim's own index slip under its convention
        return [Verdict("incorrect", latex, diagnosis=[exc.message], reason=human_reason(exc))], flags
    except NotationError as exc:
        return [_unusable(latex, exc)], flags
    except RecursionError:
        return [Verdict("unverifiable", latex, reason="input nested too deeply")], flags
    if fit:
        flags = _fitted(claim, flags)
    out = []
    for k in range(len(claim.sides) - 1):
        sub = Claim(claim.text, [claim.sides[k], claim.sides[k + 1]], claim.symbolic_layer, claim.pure)
        link_latex = latex if len(claim.sides) == 2 else f"{render(sub.sides[0])} = {render(sub.sides[1])}"
        try:
            v = bounded(lambda: check_link(sub, link_latex, flags, seed, draws, shapes, show), MAX_SECONDS)
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
        v.seconds = time.monotonic() - started
        out.append(v)
    return out, flags


def _unusable(latex, exc: NotationError) -> Verdict:
    v = Verdict("unverifiable", latex, reason=human_reason(exc))
    v.evidence = {"caret": exc.caret()}
    return v


def human_reason(exc: NotationError) -> str:
    """The problem, the fragment of the formula it is in, and the nearest supported spelling."""
    if exc.text is None or exc.pos is None:
        return exc.message
    text, pos = exc.text, exc.pos
    start, end = max(0, pos - 12), min(len(text), pos + 18)
    fragment = ("..." if start else "") + " ".join(text[start:end].split()) + ("..." if end < len(text) else "")
    out = f"{exc.message}, in `{fragment}` (column {pos + 1})"
    token = re.match(r"\\[A-Za-z]+|\\.|\S", text[pos:])
    near = nearest_spellings(token.group(0)) if token and exc.message.startswith(
        ("unsupported construct", "unknown symbol")) else []
    if near:
        out += f"; did you mean {' or '.join(near)}?"
    return out


def nearest_spellings(word: str) -> list:
    """Supported spellings closest to ``word`` (from the construct registry and the name tables)."""
    known = set(KNOWN_COMMANDS) | set(QUANTITY_NAMES)
    for row in ROWS:
        known.update(sp for sp in row.spellings if sp.startswith("\\"))
    known = {k for k in known if k.startswith("\\") and len(k) > 2}
    return difflib.get_close_matches(word, sorted(known), n=2, cutoff=0.6)


def check_link(claim: Claim, latex: str, flags: NetFlags, seed: int, draws: int, shapes: int,
               show=render) -> Verdict:
    """One link's verdict; ``show`` writes a tree of ours in the claim's notation (its convention's)."""
    left, right = claim.sides
    if not flags.bias and any(q.kind == "b" for q in quantities(left, right)):
        raise Unverifiable("the model has no bias terms (--no-bias), but the claim uses b")
    if _is_update_rule(left, right):
        raise Unverifiable("this is a gradient-descent update (an assignment), not an identity")
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
        return Verdict("correct", latex, expected=show(test), reason=reason,
                       evidence={**_evidence(checker, claim), "proof": proof or "random draws"})
    return incorrect_verdict(checker, claim, latex, ref, test, swapped, samples, bad, rtol, show)


def _oracle_weight(n: Node) -> int:
    return sum(1 for x in walk(n) if isinstance(x, Partial) or (isinstance(x, Qty) and x.kind in ("delta", "J")))


def _is_update_rule(left, right) -> bool:
    return isinstance(left, Qty) and left.kind in ("W", "b") and any(
        isinstance(n, Qty) and n.kind == "alpha" for n in walk(right)) and any(
        isinstance(n, Qty) and n.kind == left.kind and n.layer == left.layer for n in walk(right))


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


def incorrect_verdict(checker, claim, latex, ref, test, swapped, samples, bad, rtol, show=render) -> Verdict:
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
    if not diagnosis:
        diagnosis.append("value: the two sides differ (no single sign, scale, transpose, index, layer or "
                         "factor change explains it)")
    expected, corrected = None, None
    if variant is not None:
        expected = show(variant)
    else:
        expected = textbook_expected(ref, checker, rtol)       # in our notation: shown through the convention
        expected = show(parse_fragment(expected)) if expected is not None and show is not render else expected
    if expected is not None:
        corrected = f"{expected} = {show(ref)}" if swapped else f"{show(ref)} = {expected}"
    return Verdict("incorrect", latex, expected=expected, diagnosis=diagnosis,
                   counterexample=counterexample(samples, bad, ref, test, swapped),
                   reason=diagnosis[0], corrected_latex=corrected)
