"""A document checked on its own model: its entries' claims read as lines of its forward pass (symderiv/graph),
each entry's results, and whether the model left the entry open (then the settings' network checks it)."""
from __future__ import annotations

from ..graph.document import document_graph, line_verdicts
from .claims import Result, claims_of, failed_result, left_side


def document_model(note):
    """(graph, {entry id: [Line, ...]}) when the document defines its forward pass, else None."""
    equations, per_entry, lhs = [], {}, ""
    for entry in note.entries:
        if entry.read_as is not None:
            return None
        texts = claims_of(entry, lhs)
        lhs = left_side(texts[0]) or lhs
        per_entry[entry.id] = [f"{entry.id}#{k}" for k in range(len(texts))]
        equations += [(f"{entry.id}#{k}", t) for k, t in enumerate(texts)]
    found = document_graph(equations)
    if found is None:
        return None
    g, lines = found
    by_id = {ln.id: ln for ln in lines}
    return g, {eid: [by_id[i] for i in ids] for eid, ids in per_entry.items()}


def check_document(note) -> dict | None:
    """entry id -> (its results on the document's own model, whether the model left it open: every link
    unverifiable and none a definition, whether it defines a quantity of the forward pass); None when the
    document states no forward pass."""
    found = document_model(note)
    if found is None:
        return None
    g, per_entry = found
    out = {}
    for entry in note.entries:
        verdicts, settled, defines = [], False, False
        try:
            for line in per_entry[entry.id]:
                verdicts += line_verdicts(g, line)
                # a definition alone settles nothing where settings state a model: that network checks it (an
                # assignment's front matter states the model its definitions must match); where nothing states
                # one, the definitions are the model and the menu's defaults have no say over them
                settled = settled or bool(line.names or (line.defines and (len(line.sides) > 2 or not note.stated)))
                defines = defines or (line.defines is not None and not line.error and len(line.sides) == 2)
        except Exception as exc:         # noqa: BLE001 - one line's failure never loses the other lines
            out[entry.id] = ([failed_result(entry, exc)], False, False)     # said, not hidden by a fallback
            continue
        results = [Result(entry.id if len(verdicts) == 1 else f"{entry.id}.{n}", entry.source_latex, text,
                          v.verdict, v.reason, None, list(v.diagnosis), v.counterexample, entry.why, v.assumptions,
                          diagnostics=list(v.diagnostics))
                   for n, (text, v) in enumerate(verdicts, 1)]
        open_ = not settled and all(r.verdict == "unverifiable" for r in results)
        out[entry.id] = (results, open_, defines)
    return out
