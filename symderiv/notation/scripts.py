"""The parser's quantity reader (``QuantityReader``, a base of grammar.Parser): a symbol with its
scripts and arguments, the one primary every row of names shares. Layer superscripts ((l), [l],
(l+1), n_l, a note's own layer letter), sample superscripts ((i), (2)(i), x,L), index subscripts
(letters, unit numbers, y_i, k-tilde), name subscripts (J_{reg}, N_{out}), arguments (h_\\theta(x),
J(W, b)) and the upper limit of a sum."""
from __future__ import annotations

from .claim import ParseError
from .names import APPLIED_KINDS, COUNT_KINDS, COUNT_LABELS, INDEX_LETTERS, LABELLED_KINDS, NO_LAYER
from .registry import QUANTITY_NAMES, TRANSPOSE_SUPERSCRIPTS
from .tokens import FREE_SYMBOLS, NotationError, Token
from .tree import LayerRef, Op, Qty


EXAMPLE_LETTER = "x"        # Nielsen's training example: C_x, \sum_x, \delta^{x,L}


TARGET_CLASS = r"\tilde{k}"


class QuantityReader:
    """The quantity-reading methods of the parser; they use its token helpers (peek, at, take, fail,
    group_tokens, peek_group, sub, node, expr_all) and its ``layer_letters``."""

    def quantity(self) -> Qty:
        """A symbol with its layer superscript, index subscripts and (for applied symbols) arguments."""
        t = self.take()
        spelling = t.text
        kind = QUANTITY_NAMES.get(spelling)
        if kind is None:
            if t.kind in ("letter", "name") or spelling in FREE_SYMBOLS:
                kind = "var"       # a free symbol: a reading binds it, or the checker names it as unknown
            else:
                self.fail(f"unknown symbol {spelling}", t.pos)
        layer, idx, args, tmark, prime, sample, labelled = None, (), (), "", False, None, False
        power = None
        applied = kind in APPLIED_KINDS or (kind == "var" and t.kind != "letter")
        if kind == "yhat" and spelling == "h" and self.at("_") and self._subscript_is_theta():
            self.take()
            self.group_tokens()                 # h_\theta(x): the subscript names the parameters
        while True:
            if self.at("_") and not idx and not labelled:
                self.take()
                group = self.group_tokens()
                label = _label(group)
                if kind == "width" and len(group) == 1 and group[0].kind == "num":
                    layer = LayerRef(None, int(group[0].text))      # n_0: the width of layer 0
                elif kind in COUNT_KINDS and _count_label(group):
                    labelled, kind = True, "width"           # N_{out}: the number of output units
                    spelling = f"{spelling}_{{\\text{{{_count_label(group)}}}}}"
                    layer = LayerRef(*COUNT_LABELS[_count_label(group)])
                elif label:                       # J_{\text{reg}}, J_{reg}, a_{\rm in}: a name, not an index
                    labelled = True
                    spelling = f"{spelling}_{{\\text{{{label}}}}}"
                    kind = LABELLED_KINDS.get((kind, label), "var")
                else:
                    idx = self._indices(group, kind)
            elif self.at("^") and layer is None and sample is None and self._is_example_layer_sup():
                self.take()
                sup = self.group_tokens()          # ^{x,L-1}: example x (Nielsen's \sum_x) at layer L-1
                sample, layer = sup[0].text, self._layer(sup[2:], t.pos)
            elif self.at("^") and self._is_label_sup():
                self.take()
                spelling += "^{" + "".join(x.text for x in self.group_tokens()) + "}"   # theta_j^{i,j}
                kind = "var"
            elif self.at("^") and layer is None and self._is_layer_sup():
                self.take()
                sup = self.group_tokens()
                # a^{(2)'} and W^{(l)T}: a transpose written inside the layer superscript
                if len(sup) > 1 and sup[-1].text in ("'", "T", r"\top") and sup[-2].text in (")", "]"):
                    tmark, sup = ("'" if sup[-1].text == "'" else "^" + sup[-1].text), sup[:-1]
                layer, sample = self._layer_and_sample(sup, t.pos, kind)
            elif applied and not args and self.at("'") and self.peek(1) is not None and self.peek(1).text == "(":
                self.take()
                prime = True
            elif not args and self.at("(") and (applied or (kind == "var" and self._comma_inside())):
                args = self._arguments()          # l_k(y_hat, y): a comma means arguments, not a product
            elif power is None and not idx and not labelled and self._subscript_after_power():
                power = (self.take(), self.group_tokens())   # x^i_j is x_j^i: TeX takes scripts in either order
            else:
                break
        if kind == "yhat" and sample is None and len(args) == 1 and isinstance(args[0], Qty) and \
                args[0].kind == "x" and args[0].sample is not None:
            sample = args[0].sample                # h_theta(x^{(i)}): the output for sample i
        if kind == "J" and any(isinstance(x, Qty) and x.kind == "y" for x in args):
            # L(\hat y, y), \ell(a^{(L)(i)}, y^{(i)}): a loss of a prediction against its target is the data
            # term (of that sample), never the regularised cost J(W, b)
            kind = "Jdata"
            sample = sample if sample is not None else next(
                (x.sample for x in args if isinstance(x, Qty) and x.sample is not None), None)
        if kind == "J" and sample is not None:
            kind = "Jdata"      # L^{(i)}, \mathcal{L}^{(i)}: the loss of sample i, never the regularised cost
        q = self.node(Qty(kind, spelling, layer, idx, args, prime, sample, pos=t.pos))
        if power is not None:                   # the power read before the subscript applies to the entry
            hat, sup = power
            q = self.node(Op("pow", (q, self.sub(sup).expr_all(hat.pos)), pos=hat.pos))
            self.no_second_exponent()
        return self.node(Op("T", (q,), style=tmark, pos=t.pos)) if tmark else q

    def _subscript_after_power(self) -> bool:
        """x^i_j, x^2_j: a power (not a layer, label or transpose superscript: the loop's earlier branches
        take those) written before the subscript."""
        if not self.at("^"):
            return False
        sup = self.peek_group(1)
        if not sup or (len(sup) == 1 and sup[0].text in TRANSPOSE_SUPERSCRIPTS):
            return False
        after = self.peek(1 + (len(sup) + 2 if self.peek(1).text == "{" else 1))
        return after is not None and after.text == "_"

    def _subscript_is_theta(self) -> bool:  # noqa: D401
        return [x.text for x in self.peek_group(1)] in ([r"\theta"], [r"\Theta"], [r"\boldsymbol"], ["W"])

    def _comma_inside(self) -> bool:
        depth = 0
        for j in range(self.k, len(self.toks)):
            text = self.toks[j].text
            depth += {"(": 1, ")": -1, "{": 1, "}": -1, "[": 1, "]": -1}.get(text, 0)
            if depth == 0:
                return False
            if depth == 1 and text == ",":
                return True
        return False

    def _arguments(self) -> tuple:
        """(x), (W, b), (z^{(3)}): parsed when they parse, kept as notation either way."""
        start = self.k
        depth = 0
        while True:
            u = self.take()
            depth += {"(": 1, ")": -1}.get(u.text, 0)
            if depth == 0:
                break
        inner = self.toks[start + 1:self.k - 1]
        pieces, cur, level = [], [], 0
        for tok in inner:
            level += {"(": 1, ")": -1, "{": 1, "}": -1}.get(tok.text, 0)
            if tok.text == "," and level == 0:
                pieces.append(cur)
                cur = []
            else:
                cur.append(tok)
        pieces.append(cur)
        out = []
        for piece in pieces:
            try:
                out.append(self.sub(piece).expr_all(self.toks[start].pos))
            except NotationError:
                return ()
        return tuple(out)

    def _is_label_sup(self) -> bool:
        """^{i,j}: indices written as a superscript (a name for a reading to bind), never a power."""
        group = self.peek_group(1)
        return self.peek(1) is not None and self.peek(1).text == "{" and any(x.text == "," for x in group) and \
            all(x.text == "," or x.kind == "letter" for x in group)

    def _is_example_layer_sup(self) -> bool:
        """^{x,L}, ^{x,l-1}: a training example x and a layer written in one superscript."""
        group = self.peek_group(1)
        return self.peek(1) is not None and self.peek(1).text == "{" and len(group) >= 3 and \
            group[0].text == EXAMPLE_LETTER and group[1].text == "," and group[2].text in ("l", "L")

    def _is_layer_sup(self) -> bool:
        nxt = self.peek(1)
        if nxt is None:
            return False
        if nxt.text in ("l", "L"):
            return True
        if nxt.text == "{":
            inner = self.peek(2)
            return inner is not None and inner.text in ("(", "[", "l", "L")
        return False

    def _layer_and_sample(self, toks: list[Token], pos: int, kind: str = "") -> tuple:
        """^{(l)} a layer, ^{(i)} a sample (a lone index letter), ^{(2)(i)} or ^{[2](i)} both."""
        groups, cur = [], []
        for tok in toks:
            cur.append(tok)
            if tok.text in (")", "]"):
                groups.append(cur)
                cur = []
        if cur or not groups or len(groups) > 2:
            return self._layer(toks, pos), None
        layer, sample = None, None
        for g in groups:
            inner = [x.text for x in g[1:-1]]
            numeric_sample = len(inner) == 1 and inner[0].isdigit() and (layer is not None or kind in NO_LAYER)
            if len(inner) == 1 and inner[0] in self.layer_letters and layer is None:
                layer = LayerRef(inner[0], 0)      # (j) where the claim also writes (j-1): a layer
                continue
            if numeric_sample and sample is None:
                sample = int(inner[0])          # x^{(1)}: the first sample; a^{(2)(1)}: layer 2, sample 1
            elif len(inner) == 1 and inner[0] in INDEX_LETTERS and inner[0] not in ("l", "L") and sample is None:
                sample = inner[0]
            elif layer is None:
                layer = self._layer(g, pos)
            else:
                self.fail("a quantity takes one layer superscript", pos)
        return layer, sample

    def _layer(self, toks: list[Token], pos: int) -> LayerRef:
        texts = [x.text for x in toks]
        if texts and texts[0] in ("(", "[") and texts[-1] in (")", "]"):
            texts = texts[1:-1]
        bad = NotationError(f"layer superscript ({''.join(texts)}) not understood: use l, l+1, l-1, L, "
                            "L-1, n_l or a number", self.text, pos)
        if texts[:3] in (["n", "_", "l"], ["n", "_", "L"]):     # UFLDL's n_l: the output layer
            texts = ["L"] + texts[3:]
        if len(texts) == 1 and texts[0].isdigit():
            return LayerRef(None, int(texts[0]))
        if not texts or texts[0] not in ("l", "L") + self.layer_letters:
            raise bad
        if len(texts) == 1:
            return LayerRef(texts[0], 0)
        if len(texts) == 3 and texts[1] in "+-" and texts[2].isdigit():
            return LayerRef(texts[0], int(texts[2]) * (1 if texts[1] == "+" else -1))
        raise bad

    def _indices(self, toks: list[Token], kind: str) -> tuple:
        out, toks = [], _labels_folded(toks)
        for x in toks:
            if x.text == ",":
                continue
            if x.kind == "label":
                out.append(("label", x.text))    # y_i: the class of sample i (psi_{i y_i})
                continue
            if x.kind == "num":
                digits = x.text
                if not digits.isdigit():
                    self.fail(f"index {digits} must be a whole number (a unit or sample)", x.pos)
                # W_{21}: one digit per index; b_{12} on a vector: the number 12
                out.extend(int(d) for d in digits) if kind == "W" and len(digits) == 2 else out.append(int(digits))
            elif x.kind == "letter" and (x.text in INDEX_LETTERS or (kind == "J" and x.text == "x")):
                out.append(x.text)        # C_x: the cost of example x (a convention reads it)
            elif x.text == TARGET_CLASS:
                out.append(TARGET_CLASS)          # k-tilde: the true class of the sample (one-hot y)
            else:
                self.fail(f"index {x.text!r} not understood: indices are letters like i, j, k or numbers",
                          x.pos)
        if len(out) > 2:
            self.fail("more than two indices", toks[0].pos)
        return tuple(out)

    def sum_bound(self, toks, pos):
        """The upper limit of a sum: a number, m / N (samples), K (outputs), n_l / s_{l+1} / S_L (widths)."""
        texts = [x.text for x in toks]
        if len(texts) == 1 and texts[0].isdigit():
            return ("num", int(texts[0]))
        if texts in (["m"], ["N"]):
            return ("m",)
        if texts in (["K"],):
            return ("K",)
        if texts == ["n"]:
            return None                         # "n units": the index's natural range
        if len(toks) > 2 and texts[0] in ("n", "N") and texts[1] == "_":
            label = _count_label(self.sub(toks[2:]).group_tokens())
            if label:
                return ("width", LayerRef(*COUNT_LABELS[label]))     # N_{out}: the output units
        if texts and texts[0] in ("n", "s", "S"):
            rest = toks[1:]
            if rest and rest[0].text in ("_", "^"):
                inner = self.sub(rest[1:])
                layer_toks = inner.group_tokens()
                lt = [x.text for x in layer_toks]
                if lt and lt[0] in ("(", "{"):
                    lt = lt[1:-1] if lt[-1] in (")", "}") else lt
                return ("width", self._layer([Token("letter", s, pos) for s in lt], pos))
        if texts and all(x.isalnum() or x in "_{}()+-" for x in texts):
            return ("symbol", "".join(texts))   # a range only a reading can say (g hidden units, r_k)
        raise ParseError(f"upper limit {''.join(texts)!r} not understood: use a number, m, N, K or n_{{l}}",
                         self.text, pos)


def layer_letters(tokens: list[Token]) -> tuple:
    """Letters written with an offset inside a parenthesised superscript or subscript, (j-1) or (k+1):
    in that claim they name layers, as l does."""
    out = []
    if any(a.text in ("(", "[") and b.text == "l" for a, b in zip(tokens, tokens[1:])):
        return ()                  # the claim uses l for its layer: another letter is not a second one
    for k in range(len(tokens) - 3):
        a, b, c, d = tokens[k:k + 4]
        if a.text in ("(", "[", "{") and b.kind == "letter" and b.text not in ("l", "L") and c.text in "+-" and \
                d.kind == "num" and b.text not in out:
            out.append(b.text)
    return tuple(out)


def _labels_folded(toks: list[Token]) -> list[Token]:
    """y _ i inside a subscript: one token, the class label of sample i."""
    out, k = [], 0
    while k < len(toks):
        if toks[k].text == "y" and k + 2 < len(toks) and toks[k + 1].text == "_" and toks[k + 2].kind == "letter":
            out.append(Token("label", toks[k + 2].text, toks[k].pos))
            k += 3
        else:
            out.append(toks[k])
            k += 1
    return out


def _count_label(group: list[Token]) -> str:
    """The word of a count's subscript that says what it counts (N_{out}, n_{\\rm in}: a COUNT_LABELS key), else ''."""
    word = _label(group) or ("".join(t.text for t in group) if group and all(t.kind == "letter" for t in group) else "")
    return word if word in COUNT_LABELS else ""


def _label(group: list[Token]) -> str:
    """The word of a name subscript (\\text{reg}, \\rm in, or three or more letters), else ''."""
    if len(group) == 1 and group[0].kind in ("word", "prose"):
        return group[0].text.strip()
    if len(group) >= 2 and group[0].text == r"\rm" and all(t.kind == "letter" for t in group[1:]):
        return "".join(t.text for t in group[1:])     # {\rm in}: the old-style roman switch (Nielsen)
    if len(group) >= 3 and all(t.kind == "letter" for t in group):
        return "".join(t.text for t in group)
    return ""
