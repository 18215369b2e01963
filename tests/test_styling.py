"""Styling never blocks a line (issue 21, item 3): colour, spacing, fonts, sizes, labels and Unicode are
read through, so a styled line gets the verdict of the same line written plainly, right or wrong."""
import pytest

from symderiv.engine.network import NetFlags
from symderiv.verify import verify

STYLED = [
    r"\delta^{(2)} = \color{red}{a^{(2)}} - y",
    r"\delta^{(2)} = \textcolor{red}{a^{(2)}} - y",
    r"\delta^{(2)} = {\color{blue} a^{(2)}} - y",
    r"\delta^{(2)} = a^{(2)}\space - y",
    r"\delta^{(2)} = \hspace{1em} a^{(2)} \enspace - \phantom{x} y",
    r"\delta^{(2)} = \mathsf{a}^{(2)} - \texttt{y}",
    r"\delta^{(2)} = a^{(2)} - y \tag{3} \label{eq:out}",
    r"\displaystyle \delta^{(2)} = \textstyle a^{(2)} - \scriptstyle y",
    r"\delta^{(2)} = \large a^{(2)} - \small y",
    r"\delta^{(2)} = \Bigl( a^{(2)} - y \Bigr)",
    r"\delta^{(2)} = \left( a^{(2)} - y \right)",
    r"\delta^{(2)} = {\rm a}^{(2)} - {\bf y}",
    r"\delta^{(2)} = a^{(2)} − y",                        # Unicode minus
    r"\delta^{(2)} = a^{(2)}\u2009- y".replace(r"\u2009", "\u2009"),
    r"\delta^{(2)} = \underline{a^{(2)}} - \boxed{y}",
]


@pytest.mark.parametrize("line", STYLED)
def test_a_styled_line_has_the_verdict_of_the_plain_line(line):
    flags = NetFlags()
    assert verify(line, flags).verdict == "correct", line
    wrong = line.replace("=", "= 2 \\cdot", 1) if "\\displaystyle" not in line else line.replace("= ", "= 2 ", 1)
    assert verify(wrong, flags).verdict == "incorrect", wrong


@pytest.mark.parametrize("line, wrong", [
    (r"\delta^{(2)}_k = \hat{y_k} - y_k", r"\delta^{(2)}_k = \hat{y_k} + y_k"),                 # \hat{y_k} = \hat{y}_k
    (r"\frac{\partial J}{\partial W^{(2)}} = \delta^{(2)} a^{(1)^T}", r"\frac{\partial J}{\partial W^{(2)}} = a^{(1)^T} \delta^{(2)}"),
    (r"\delta^{(1)} = (W^{[2]^T} \delta^{(2)}) \odot \sigma'(z^{(1)})", r"\delta^{(1)} = (W^{[2]} \delta^{(2)}) \odot \sigma'(z^{(1)})"),
    (r"\delta^{(1)} = (W^{(2)^\top} \delta^{(2)}) \odot \sigma'(z^{(1)})", r"\delta^{(1)} = (W^{(2)^\top} \delta^{(2)}) \odot \sigma(z^{(1)})"),
    (r"J = \frac{1}{2} ∑_k (a^{(2)}_k - y_k)^2 \quad \text{…}", r"J = ∑_k (a^{(2)}_k - y_k)^2"),
    # an underbrace's note written as an unbraced command takes its argument: \textrm{trick!} is all prose
    (r"\delta^{(2)} = \underbrace{a^{(2)} - y}_\textrm{so simple!}", r"\delta^{(2)} = \underbrace{y - a^{(2)}}_\textrm{so simple!}"),
    (r"\delta^{(2)} = \overbrace{a^{(2)} - y}^\mathbf{e}", r"\delta^{(2)} = \overbrace{a^{(2)}}^\mathbf{e}"),
])
def test_decorations_and_layers_in_superscripts(line, wrong):
    flags = NetFlags(loss="mse", output="identity")
    assert verify(line, flags).verdict == "correct", line
    assert verify(wrong, flags).verdict == "incorrect", wrong


def test_softmax_in_an_old_roman_switch():
    flags = NetFlags(output="softmax")
    assert verify(r"\delta^{(2)} = {\rm softmax}(z^{(2)}) - y", flags).verdict == "correct"
    assert verify(r"\delta^{(2)} = {\rm softmax}(z^{(2)}) + y", flags).verdict == "incorrect"
