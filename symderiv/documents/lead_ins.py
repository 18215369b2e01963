"""The model a sentence states for the display it introduces: "For MSE loss and Sigmoid activation:".

Derivations written for several models at once give each case its own display, introduced by a sentence
that names the loss and the activation it assumes ("*For Cross-Entropy loss and Softmax activation:*",
"For ReLU activation in hidden layers:", "For the final layer with sigmoid activation and binary
cross-entropy loss:"). A teacher reads that display under that model, whatever the document's other
displays assume; the verdict's reason says so. Only a sentence that ends in a colon right before the
display and starts with "For", "With", "Using" or "Assuming" is read, each name from one table; a sentence
naming two activations for one role ("Softmax/Sigmoid") states no single model and is not read at all.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..engine.network import NetFlags, _check_loss_fits
from ..errors import ModelError
from .displays import Display

LOOK_BACK = 160          # characters before a display searched for its lead-in

# the last clause before the display: an opener word ... ':' then markup, blanks and the display's opener
_LEAD = re.compile(r"(?:^|[.!?\n])[\s*_>#]*(?P<said>(?:for|with|using|assuming)\b[^.!?\n:$\\]{3,120}):[\s*_]*"
                   r"(?:\$\$|\\\[|\\begin\{[a-z*]+\})?\s*$", re.IGNORECASE)

ACTIVATION_WORDS = (                       # (pattern, activation): one row per name people write
    (r"\brelu\b", "relu"),
    (r"\bsigmoid\b|\blogistic\b", "sigmoid"),
    (r"\btanh\b", "tanh"),
    (r"\bsoftmax\b", "softmax"),
    (r"\b(?:linear|identity)\s+(?:activation|output)", "identity"),
)
LOSS_WORDS = (                             # (pattern, loss); "cross-entropy" alone is the output's own
    (r"\bbinary\s+cross[- ]?entropy\b|\bbce\b|\blog[- ]loss\b", "bce"),
    (r"\bmse\b|\bmean[- ]squared[- ]error\b|\bsquared[- ]error\b|\bquadratic\s+(?:loss|cost)\b", "mse"),
    (r"\bcross[- ]?entropy\b", "cross-entropy"),
)
CROSS_ENTROPY = {"sigmoid": "bce", "softmax": "ce"}      # the cross-entropy of each output activation
HIDDEN = re.compile(r"\bhidden\b", re.IGNORECASE)
OUTPUT = re.compile(r"\b(?:output|final|last)\s+(?:layer|unit|activation|neuron)s?\b", re.IGNORECASE)
OUTPUTS_ONLY = ("softmax",)                # never a hidden layer's activation


def _named(table, text: str) -> list:
    return sorted({name for rx, name in table if re.search(rx, text, re.IGNORECASE)})


def said_model(sentence: str) -> dict:
    """The NetFlags fields a lead-in names, as read from its words ({} when it names none, or two
    activations for one role). "cross-entropy" stays a word until the output is known (``model_for``)."""
    acts = _named(ACTIVATION_WORDS, sentence)
    losses = _named(LOSS_WORDS, sentence)
    if len(acts) > 1 or len(set(losses) - {"cross-entropy"}) > 1:
        return {}
    if "bce" in losses:
        losses = ["bce"]
    out = {"loss": losses[0]} if losses else {}
    if acts:
        act = acts[0]
        hidden, output = HIDDEN.search(sentence), OUTPUT.search(sentence)
        if hidden and not output:
            if act in OUTPUTS_ONLY:
                return {}
            out["hidden"] = act
        elif output and not hidden:
            out["output"] = act
        elif not hidden:       # "the activation": the network's, each layer that can have it
            out["output"] = act
            if act not in OUTPUTS_ONLY:
                out["hidden"] = act
        else:
            return {}
    return out


def model_for(said: dict, base: NetFlags) -> NetFlags | None:
    """The document's model with what the lead-in says over it; None when that is no model symderiv knows
    (a loss that does not fit the output) or changes nothing."""
    fields = dict(said)
    if fields.get("loss") == "cross-entropy":
        loss = CROSS_ENTROPY.get(fields.get("output", base.output))
        if loss is None:
            return None
        fields["loss"] = loss
    if "output" in fields and "loss" not in fields and base.loss is not None:
        fields["loss"] = None             # the new output's own loss, not the old output's
    try:
        flags = replace(base, **fields)
        _check_loss_fits(flags.output_act, flags.loss_obj)      # raises on a misfit, as the model would
        if not flags.hidden_act.elementwise:
            return None
    except (ModelError, KeyError, ValueError):
        return None
    same = lambda f: (f.hidden_act.name, f.output_act.name, f.loss_obj.name)     # noqa: E731
    return None if same(flags) == same(base) else flags


def attach_lead_ins(displays: list[Display], text: str) -> list[Display]:
    """The displays, each with the lead-in sentence right before it that names a model (``said``)."""
    out = []
    for d in displays:
        if d.inline or d.offset < 0:
            out.append(d)
            continue
        found = _LEAD.search(text[max(0, d.offset - LOOK_BACK):d.offset])
        sentence = found.group("said").strip() if found else ""
        out.append(replace(d, said=sentence) if sentence and said_model(sentence) else d)
    return out
