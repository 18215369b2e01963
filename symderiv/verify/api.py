"""The public checking API: ``verify`` (one verdict) and ``verify_chain`` (one per link).

A link is checked by randomized identity testing (checker.py) against the
derived truth; an incorrect one is diagnosed (diagnose.py) and repaired
(repair.py). Every SymPy-free step is bounded in time; input that cannot be
used becomes an "unverifiable" verdict with one line naming the problem.
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import replace

from ..notation import conventions
from ..bounded import TimedOut, bounded
from ..notation.arithmetic import product_readings
from ..notation.derivatives import operator_readings
from ..notation.operators import other_product_where_both_fit, typed_products
from ..notation.registry import render
from ..notation.sums import summing_every_entry
from ..engine.network import NetFlags, Network
from ..notation.tokens import NotationError
from ..notation.claim import Claim
from ..notation.parse import parse
from ..notation.readings import IllTyped, as_readings
from ..notation.tree import quantities, walk
from .checker import FD_RTOL, Checker, agrees, holds, nonfinite, rtol_for, valid_layers
from .confirm import confirm_pure
from .precise import confirm_network, near_miss, rounding_only
from .correct import correct
from .incorrect import incorrect_verdict
from .unreadable import cannot, human_reason, unusable
from .evidence import evidence_of, evidence_text
from .depths import generic_depth
from .repair import reference_first
from .symbolic import settle
from .updates import update_check
from .diagnostics import Diagnostic, diagnostic, fix_of
from .verdict import Unverifiable, Verdict, internal_cause, internal_reason
from ..errors import ModelError

SHAPES = 3                 # random network shapes per claim
DRAWS = 2                  # random parameter draws per shape
MAX_SECONDS = 20.0         # wall-clock budget of one check
DEEPER_SHAPES = 2          # shapes drawn at the generic depth of a claim in l (depths.py)


def setting_of(net_or_flags, batch: bool | None = None) -> NetFlags:
    """The network setting a claim is checked under (a Network's, or flags with batch overridden)."""
    if isinstance(net_or_flags, NetFlags):
        return net_or_flags if batch is None else replace(net_or_flags, batch=bool(batch))
    if isinstance(net_or_flags, Network):
        return NetFlags.of(net_or_flags, bool(batch))
    raise ModelError("verify needs a Network or NetFlags")


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
                   corrected_latex=None, convention=first.convention, model=first.model,
                   cause=diagnostic("chain-holds", n=len(links)))


def verify_chain(latex: str, net_or_flags=None, *, readings=None, seed: int = 0,
                 draws: int = DRAWS, shapes: int = SHAPES, batch: bool | None = None,
                 convention: str = "auto", bias: bool | None = None, fit_depth: bool | None = None,
                 alternatives: bool = True, document_text: str = "") -> list[Verdict]:
    """One verdict per link of ``a = b = c``, each naming the convention and model it assumed.

    Without ``alternatives`` only the verdicts count: no other convention is tried and no correction
    searched for. With ``readings`` (a document's) and ``alternatives``, a wrong link's correction is
    written in the document's symbols (correct.py); ``document_text`` is the whole document, whose
    symbols a correction may use.

    ``fit_depth`` (default: when no network was given): a claim in symbolic l whose layers do not all
    exist at the model's depth is checked in the shallowest deeper network where they do.
    """
    if convention in (None, "auto") and readings is not None:
        convention = "default"         # a document's readings (even none) say how to read its symbols
    conv = conventions.resolve(latex, convention)
    fit = net_or_flags is None if fit_depth is None else fit_depth
    flags = _model(conv, latex, net_or_flags, batch, bias)
    show = render if conv.name == "default" else conv.render
    links, flags = _links(latex, flags, conventions.readings_for(conv, readings), seed, draws, shapes, fit, show,
                          user_readings=readings if alternatives else None, document_text=document_text,
                          repairs=alternatives)
    for v in links:
        v.convention, v.model = conv.name, conventions.model_line(flags)
        if v.verdict != "correct" and alternatives:
            elsewhere = _right_elsewhere(latex, conv, flags, readings, seed, fit)
            if v.verdict == "incorrect":
                v.diagnostics.extend(elsewhere)
            elif elsewhere:            # still unverifiable here: say which convention reads it
                v.reason += "; " + elsewhere[0].message
        if v.verdict == "incorrect" and alternatives and readings is None:
            v.fix = fix_of(v.edit, v.claim == latex and v.corrected_latex, latex, show,
                           lambda line: _holds(line, flags, conv, seed))   # a document's: correct() checked it
    return links


def _holds(line: str, flags, conv, seed) -> bool:
    """Is ``line`` correct in this model and convention (a fix is offered as checked only then)?"""
    try:
        again = bounded(lambda: verify_chain(line, flags, seed=seed + 1, convention=conv.name, alternatives=False),
                        MAX_SECONDS)
    except TimedOut:
        return False
    return bool(again) and all(w.verdict == "correct" for w in again)


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
        links, _ = _links(latex, flags, alt, seed, 1, 2, fit, repairs=False)   # only the verdict counts
        if links and all(v.verdict == "correct" for v in links):
            right.append(conv)
    if not right:
        return []
    first = right[0]
    others = f" (also: {', '.join(c.name for c in right[1:])})" if right[1:] else ""
    return [diagnostic("convention", name=first.name, source=first.source, layers=first.layers, others=others,
                       flag=first.flag)]


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


def _links(latex, flags, readings, seed, draws, shapes, fit=False, show=render, user_readings=None,
           document_text="", repairs=True) -> tuple:
    """The verdicts of every link and the model they were checked in (deeper when ``fit``).

    ``readings`` are the convention's and the user's together; ``user_readings`` the user's (a note's)
    alone, through which a correction is written back in the note's symbols."""
    started = time.monotonic()
    try:
        claim = parse(latex, readings)
    except IllTyped as exc:            # the claim's own index slip under its convention
        slip = Diagnostic("index-input", {"name": exc.name, "index": exc.index}, exc.span)
        return [Verdict("incorrect", latex, diagnostics=[slip], reason=human_reason(exc), cause=slip)], flags
    except NotationError as exc:
        return [unusable(latex, exc)], flags
    except RecursionError:
        return [cannot(latex, "input nested too deeply")], flags
    if fit:
        flags = _fitted(claim, flags)
    out = []
    say = in_users_symbols(show, user_readings, latex)     # diagnoses in the user's symbols
    links = [k for k in range(len(claim.sides) - 1) if claim.sides[k] != claim.sides[k + 1]]
    if not links:     # x = x says nothing: not a claim, and never counted as correct
        return [Verdict("unverifiable", latex, reason="both sides are the same expression: nothing to check",
                        cause=diagnostic("same-expression"))], flags
    for k in links:
        sub = claim.with_sides([claim.sides[k], claim.sides[k + 1]])
        link_latex = latex if len(claim.sides) == 2 else (claim.link_text(k) or
                                                          f"{render(sub.sides[0])} = {render(sub.sides[1])}")
        v, typed = _checked_link(sub, link_latex, flags, seed, draws, shapes, say, repairs)
        every, said_sum = nullcontext(), []
        if _shape_mismatch(v) and any(n.construct == "total" for side in sub.sides for n in walk(side)):
            every = summing_every_entry()      # \sum dZ compared with a scalar: the sum of every entry
            with every:
                again, typed_again = _checked_link(sub, link_latex, flags, seed, draws, shapes, say, repairs)
            if _shape_mismatch(again):
                every = nullcontext()
            else:
                v, typed = again, typed_again
                said_sum = [r"\sum without an index sums every entry (the other side is a scalar)"]
        if any(reading == "both" for _, reading, _, _ in typed.values()):
            with every, other_product_where_both_fit():
                other, _ = _checked_link(sub, link_latex, flags, seed, draws, shapes, say, repairs)
            if other.verdict != v.verdict:       # the verdict rests on a reading the text does not fix
                v = _two_readings(link_latex, typed, sub, v, other)
        said = operator_readings(*sub.sides) + product_readings(typed, *sub.sides) + said_sum
        if said:                       # the reading the verdict rests on, stated
            v.reason = f"read: {'; '.join(said)}; {v.reason}"
            v.cause = diagnostic("read", readings="; ".join(said), inner=v.cause)
        if v.verdict == "unverifiable" and k > 0 and claim.sides[0] != claim.sides[k + 1]:
            v = _against_first_side(claim, k, v, flags, seed, draws, shapes)
        if v.verdict == "incorrect" and user_readings is not None:
            try:
                with every:
                    found = correct(v, claim, k, flags, as_readings(user_readings), latex, document_text, seed,
                                    show)
                v.fix, v.corrected_latex = (found[0], found[0].latex) if found else (None, None)
                v.expected = found[1] if found else v.expected
            except Exception as exc:   # an incorrect line without its checked correction is not reported
                v = Verdict("unverifiable", link_latex, reason=internal_reason(exc), cause=internal_cause(exc))
        v.seconds = time.monotonic() - started
        out.append(v)
    return out, flags


def in_users_symbols(show, user_readings, latex: str):
    """``show`` writing a tree in the user's own symbols where a document's readings name them (V for
    W^{(2)} after 'read: V -> W^{(2)}'), so that a diagnosis and an expected side speak the document's
    language; ``show`` itself without readings."""
    back = as_readings(user_readings).inverse(latex) if user_readings is not None else None
    if not back:
        return show

    def written(tree):
        try:
            return show(back.apply_to(tree, latex))
        except Exception:          # a tree the inverse cannot write back: in symderiv's names
            return show(tree)
    return written


def _checked_link(sub, link_latex, flags, seed, draws, shapes, show, repairs) -> tuple[Verdict, dict]:
    """One link's verdict, whatever goes wrong inside (a bug of ours is never a verdict either way), and
    the products its factors' types decided (operators.typed_products)."""
    with typed_products() as typed:
        try:
            v = bounded(lambda: check_link(sub, link_latex, flags, seed, draws, shapes, show, repairs), MAX_SECONDS)
        except NotationError as exc:
            v = unusable(link_latex, exc)
        except Unverifiable as exc:
            v = Verdict("unverifiable", link_latex, reason=str(exc), cause=getattr(exc, "cause", None) or
                        diagnostic("unverifiable", problem=str(exc)))
        except TimedOut:
            v = Verdict("unverifiable", link_latex, reason=f"check did not finish within {MAX_SECONDS:g} s",
                        cause=diagnostic("timeout", seconds=f"{MAX_SECONDS:g}"))
        except RecursionError:
            v = cannot(link_latex, "claim nested too deeply")
        except Exception as exc:
            v = Verdict("unverifiable", link_latex, reason=internal_reason(exc), cause=internal_cause(exc))
    return v, typed


def _two_readings(link_latex, typed, sub, written: Verdict, other: Verdict) -> Verdict:
    """Unverifiable: a product written without \\odot or a matrix product's certainty fits both, and the
    claim is {written.verdict} one way and {other.verdict} the other."""
    mine = {id(n) for side in sub.sides for n in walk(side)}
    products = ", ".join(f"the product by {render(n.args[1])} ({left} by {right})"
                         for key, (n, reading, left, right) in typed.items() if reading == "both" and key in mine)
    typed.clear()
    reason = (f"{products} fits a matrix and an element-wise product alike, and the claim is "
              f"{written.verdict} read as written, {other.verdict} read the other way: write \\odot for the "
              "element-wise product")
    return Verdict("unverifiable", link_latex, reason=reason, cause=diagnostic("unverifiable", problem=reason))


def _shape_mismatch(v: Verdict) -> bool:
    return v.verdict == "incorrect" and any(d.code == "shape" for d in v.diagnostics)


def _against_first_side(claim: Claim, k: int, v: Verdict, flags, seed, draws, shapes) -> Verdict:
    """A link whose left side cannot be evaluated (a chain-rule shorthand such as dz/dW) is still a claim
    that its right side equals the chain's first side: check that instead, and say so."""
    sub = claim.with_sides([claim.sides[0], claim.sides[k + 1]])
    latex = f"{render(sub.sides[0])} = {render(sub.sides[1])}"
    try:
        w = bounded(lambda: check_link(sub, latex, flags, seed, draws, shapes), MAX_SECONDS)
    except (NotationError, Unverifiable, TimedOut, RecursionError, ValueError, ArithmeticError):
        return v
    w.reason = f"compared with the chain's first side (the link before it: {v.reason}); {w.reason}"
    w.cause = diagnostic("first-side", inner=w.cause)
    return w


def check_link(claim: Claim, latex: str, flags: NetFlags, seed: int, draws: int, shapes: int,
               show=render, repairs: bool = True) -> Verdict:
    """One link's verdict; ``show`` writes a tree of ours in the claim's notation (its convention's);
    without ``repairs`` only the verdict counts: no correction is searched for, and a wrong link is
    diagnosed from the draws up to the first that fails."""
    left, right = claim.sides
    if not flags.bias and any(q.kind == "b" for q in quantities(left, right)):
        raise Unverifiable("the model has no bias terms (--no-bias), but the claim uses b")
    update = update_check(left, right)
    if update is not None:           # W := W - alpha G, an accumulator's X := X + term (updates.py)
        return update(check_link, claim, latex, flags, seed, draws, shapes, show)
    checker = Checker(claim, flags, seed, shapes, draws)
    rtol = rtol_for(claim.sides)
    # the oracle side is the reference; put it on the left for diagnosis
    ref, test, swapped = (left, right, False) if reference_first(left, right) else \
        (right, left, True)
    # a caller that wants the verdict only (another convention's reading, a candidate correction) needs no
    # draw after the first that fails; a pure claim's proof may overrule noisy draws, so it sees them all
    cut = rtol if not (repairs or claim.pure) else None
    samples = checker.samples(ref, test, until_fails=cut)
    ok, bad = holds(samples, rtol)
    rounded = 0
    if not ok and not claim.pure and rtol < FD_RTOL and near_miss(bad, rtol):
        ok, bad, rounded, samples = _past_rounding(checker, ref, test, samples, bad, rtol, cut)
    if ok and checker.index_conflicts:
        ok = False
    proof = settle(left, right, flags.hidden_act) if claim.pure else None
    if proof == "refuted":        # below what any float64 draw can see: the constant difference decides
        found = diagnostic("value.constant", test).resolved(show)
        return Verdict("incorrect", latex, expected=None, diagnostics=[found], cause=found,
            reason="the two sides differ by a non-zero constant (found symbolically; the random draws in "
                   "float64 cannot see a difference this small)", evidence=evidence_of(checker, claim))
    if proof == "proved" and not ok and not any(s.error or nonfinite(s.left) != nonfinite(s.right) for s in samples):
        ok = True                 # finite differences were the noisy side (never an undefined side): the proof decides
    confirmed = confirm_pure(claim, checker, flags.hidden_act) if (ok or proof == "proved") and claim.pure else None
    if confirmed is not None and confirmed[0] is not None:
        return _refuted_beyond_float64(latex, confirmed[0], claim, checker, "SymPy in exact arithmetic")
    deeper = claim.symbolic_layer and not claim.pure and generic_depth(claim.sides, flags, valid_layers)
    if ok and not claim.pure and not deeper:   # only a candidate "correct" pays for the high precision, and
        confirmed = confirm_network(checker, ref, test, fd=rtol >= FD_RTOL)   # once: at the generic depth
        if confirmed[0] is not None:
            return _refuted_beyond_float64(latex, confirmed[0], claim, checker, confirmed[1])
    if ok:
        reason = ("proved symbolically (SymPy simplifies the difference of the two sides to 0); "
                  + evidence_text(checker, claim, rtol)) if proof == "proved" else evidence_text(checker, claim, rtol)
        if rounded:
            reason = (f"{reason}, except at {rounded} of the contexts, where float64 lost digits to cancellation "
                      "(1 - a for a near 1) and the sides agree in high precision (mpmath)")
        if confirmed is not None:
            reason = f"{reason}; {confirmed[1]}"
        cause = diagnostic("proved") if proof == "proved" else \
            diagnostic("holds.points" if claim.pure else "holds", n=len(checker.contexts))
        return _at_generic_depth(Verdict("correct", latex, expected=show(test), reason=reason, cause=cause,
                                         evidence={**evidence_of(checker, claim), "proof": proof or "random draws",
                                                   "confirmation": confirmed[1] if confirmed else None}),
                                 claim, latex, flags, seed, draws, shapes, show, repairs)
    return incorrect_verdict(checker, claim, latex, ref, test, swapped, samples, bad, rtol, show, repairs)


def _past_rounding(checker, ref, test, samples, bad, rtol, cut) -> tuple:
    """(ok, bad, how many draws only high precision settled, samples) for a link whose first float64 miss is
    a near miss: every miss is evaluated again in high precision (precise.rounding_only) and the link holds
    only when each one agrees there. A caller that stopped at the first miss gets every draw evaluated."""
    if rounding_only(checker, ref, test, [bad]):          # the first miss first: a wrong link stops here
        if cut is not None:
            samples = checker.samples(ref, test)
        misses = [s for s in samples if agrees(s, rtol) is False]
        others = [s for s in misses if s.ctx is not bad.ctx]
        if all(near_miss(s, rtol) for s in others) and (not others or rounding_only(checker, ref, test, others)):
            return True, None, len(misses), samples
    ok, bad = holds(samples, rtol)
    return ok, bad, 0, samples


def _refuted_beyond_float64(latex, r, claim, checker, how: str) -> Verdict:
    """A claim the float64 draws (or a proof over the complex numbers) let through, refuted at a point."""
    reason = f"{r.why} (confirmation beyond float64, {how})"
    found = diagnostic("value.exact", why=r.why)
    return Verdict("incorrect", latex, expected=None, diagnostics=[found], cause=found, reason=reason,
                   counterexample={"point": r.point, "claim": r.claim, "truth": r.truth, "confirmation": how},
                   evidence=evidence_of(checker, claim))


def _at_generic_depth(v: Verdict, claim: Claim, latex, flags, seed, draws, shapes, show, repairs) -> Verdict:
    """A claim in a symbolic layer that holds at the user's depth is checked again where no layer of it
    coincides with L, L-1, 0 or a numbered layer (depths.py); the reason says at which depths."""
    if not claim.symbolic_layer or claim.pure:
        return v
    found = generic_depth(claim.sides, flags, valid_layers)
    if found is None:
        return v
    depth, layers = found
    # the generic depth tests how the claim's layers relate: two shapes show that as well as three
    w = check_link(claim, latex, replace(flags, depth=depth), seed, draws, min(shapes, DEEPER_SHAPES), show, repairs)
    where = (f"at depth {depth} (every valid l; at l = {layers[0]} no layer of the claim coincides with L, "
             "L-1, 0 or a numbered layer)")
    if w.verdict != "correct":
        beyond = isinstance(w.counterexample, dict) and "confirmation" in w.counterexample
        w.reason = (f"holds in float64 at depth {flags.depth}, and fails beyond float64 {where}: {w.reason}"
                    if beyond else f"holds at depth {flags.depth} only by a coincidence of layers; fails {where}: "
                    f"{w.reason}")
        w.cause = diagnostic("depths", text=w.reason, inner=w.cause)
        return w
    v.reason = f"checked at depth {flags.depth} and {where}; {v.reason}"
    if w.evidence.get("confirmation"):     # beyond float64 once, at the generic depth
        v.reason = f"{v.reason}; at depth {depth}: {w.evidence['confirmation']}"
        v.evidence["confirmation"] = w.evidence["confirmation"]
    v.cause = diagnostic("depths", text=v.reason, inner=v.cause)
    return v
