"""Whether the menu network may decide a line of a document that states its own forward pass.

A line that the document's own model leaves open (it names a construct that model does not read: ReLU',
a product of two derivatives, a symbol it does not define) is checked on the settings' network, or on the
model the sentence before the display states ("For ReLU activation in hidden layers:"). That network is a
stand-in for the document's model only where the two agree: a document whose forward pass says
``a^{(1)} = \\tanh(z^{(1)})`` is not a sigmoid network because the menu's default is one, nor a ReLU network
because a sentence says so. The test is the document's own definitions, checked as claims on that network:
one called incorrect there shows the network is not the document's, and a "correct" there is left
unverifiable with the definition that shows it (a definition the network cannot read shows nothing either
way). An error found there is still shown.
"""
from __future__ import annotations

from dataclasses import replace
from itertools import product

# The networks a contradicted line is tried on: each output with the losses defined on its range, under
# each hidden activation (engine/network.LOSSES_FOR_OUTPUT).
VARIANTS = [dict(output=o, loss=l, hidden=h) for (o, losses) in
            (("sigmoid", ("bce", "mse")), ("softmax", ("ce", "mse")), ("identity", ("mse",)))
            for l, h in product(losses, ("sigmoid", "tanh", "relu"))]


class Agreement:
    """For one document: which menu networks contradict its forward pass (computed once per network)."""

    def __init__(self, note, own: dict, check, readings, text: str, convention: str):
        self.note, self.check, self.readings, self.text, self.convention = note, check, readings, text, convention
        self.definitions = [e for e in note.entries if e.id in own and own[e.id][2]]
        self.found: dict = {}

    def contradiction(self, flags):
        """The first definition entry of the document that ``flags``' network calls incorrect, else None."""
        if flags not in self.found:
            self.found[flags] = next((e for e in self.definitions if any(
                r.verdict == "incorrect" for r in self.check(e, flags, self.readings, "", self.text,
                                                            self.convention, self.note.samples))), None)
        return self.found[flags]

    def _verdicts(self, entry, flags) -> list:
        try:
            return [r.verdict for r in self.check(replace(entry, flags=flags), flags, self.readings, "", self.text,
                                                  self.convention, self.note.samples)]
        except Exception:            # noqa: BLE001 - a variant that cannot be built or read decides nothing
            return ["unverifiable"]

    def holds_on_every_variant(self, entry, bad, flags) -> bool:
        """Does the line hold whatever the network's loss and activations, while the contradicted definition
        fits one such network? Then the part of the model the document states otherwise does not decide it
        (delta^L_j = dC/da^L_j sigma'(z^L_j) holds for every cost)."""
        variants = [replace(flags, **v) for v in VARIANTS]
        if not any("incorrect" not in self._verdicts(bad, v) for v in variants):
            return False             # the document differs from every network of the grid: nothing to vary
        return all(set(self._verdicts(entry, v)) == {"correct"} for v in variants)

    def judged(self, entry, flags, results: list, own_results: list) -> list:
        """``results`` (the menu network's verdicts on ``entry``) when that network agrees with the document's
        forward pass; else each "correct" link unverifiable, saying which definition it contradicts."""
        if all(r.verdict != "correct" for r in results):
            return results          # an error found there is shown (the line is wrong on that network)
        bad = self.contradiction(flags)
        if bad is None or self.holds_on_every_variant(entry, bad, flags):
            return results
        from ..notation.conventions import model_line
        own_why = next((r.reason for r in own_results if r.verdict == "unverifiable"), "")
        why = (f"not read on the document's own model ({own_why}); the network it would be checked on instead "
               f"({model_line(flags)}) is not the document's: its forward-pass line {bad.id}, "
               f"{bad.source_latex.strip()}, is incorrect there")
        return [replace(r, verdict="unverifiable", reason=why) if r.verdict == "correct" else r for r in results]

