"""The verdict of a link found incorrect: what explains the difference (diagnose.py: shape, sign, scale, a
dropped or extra factor, a softmax treated element-wise), the one edit that repairs it (repair.py), the
textbook form otherwise, and the counterexample, each written in the claim's notation by ``show``.
"""
from __future__ import annotations

from ..notation.registry import render
from ..notation.tree import Node, quantities, walk
from .diagnose import counterexample, draw_size, factor_diagnosis, ratio_diagnosis, shape_diagnosis
from .diagnostics import diagnostic
from .repair import search_variants, textbook_expected
from .verdict import Verdict


def incorrect_verdict(checker, claim, latex, ref, test, swapped, samples, bad, rtol, show=render,
                      repairs=True) -> Verdict:
    found = [diagnostic("index-conflict", test, index=name, sizes=", ".join(map(str, sorted(v))))
             for name, v in checker.index_conflicts.items()]
    errors = sorted((s for s in samples if s.error), key=draw_size)
    if errors:
        side, exc = errors[0].fault
        found.append(diagnostic("shape.error", test, error=errors[0].error, side=side, what=exc.what,
                                shapes=exc.shapes))
    else:
        found.extend(shape_diagnosis(samples, test))
        found.extend(ratio_diagnosis(samples, test))
        found.extend(factor_diagnosis(samples, checker, test))
    variant_found, variant = search_variants(checker, ref, test, rtol) if repairs else (None, None)
    if variant_found and not any(variant_found.label == d.label for d in found):
        found.append(variant_found)
    if _softmax_derivative(test, checker.flags):
        found.insert(0, diagnostic("softmax-elementwise", test))
    if not found:
        found.append(diagnostic("value", test))
    found = [d.resolved(show) for d in found]
    fixed = variant if variant is not None or not repairs else textbook_expected(ref, checker, rtol)
    expected = show(fixed) if fixed is not None else None          # in the claim's convention
    corrected = None
    if fixed is not None:
        corrected = f"{expected} = {show(ref)}" if swapped else f"{show(ref)} = {expected}"
    return Verdict("incorrect", latex, expected=expected, diagnostics=found,
                   counterexample=counterexample(samples, bad, ref, test, swapped),
                   reason=found[0].text, corrected_latex=corrected, cause=found[0],
                   repair=(ref, fixed, swapped) if fixed is not None else None,
                   edit=variant_found if variant is not None else None)


def _softmax_derivative(n: Node, flags) -> bool:
    """Does the claim take f' of the softmax output layer?"""
    if flags.output_act.name != "softmax":
        return False
    return any(x.construct == "dact" and any(q.layer is not None and q.layer.resolve(None, flags.depth) == flags.depth
                                             if not q.layer.symbolic else False for q in quantities(x))
               for x in walk(n))
