"""Note 000: the ex4 cost and the sigmoid + cross-entropy output gradient [h(x) - y] dx/dw.

Source: derivations/notes/ (a verbatim copy of ../shared/notes/), file 000_e356ac64efca4b08.txt. Every displayed equation of the note is an entry below,
its LaTeX copied verbatim. No verdict is written here, and no label keeps a line from the checker: symderiv.documents.check computes
every verdict every run; a `why` is the reader's note printed beside it.
"""
from symderiv.documents.model import Entry
from symderiv.engine.network import NetFlags

NOTE_ID = "000"
SOURCE = "000_e356ac64efca4b08.txt"
TITLE = 'ex4: regularised cross-entropy of a 400-25-10 sigmoid network, and its output-layer gradient'
MODEL = "The ex4 network: 400 inputs, 25 sigmoid hidden units, 10 sigmoid outputs (Theta1 is 25x401 and Theta2 is 10x26 with the bias as column 0), binary cross-entropy summed over the K = 10 output units, mean over m samples, and lambda/(2m) times the sum of the squared non-bias weights. In the derivation lines the note looks at one output unit: h(x) is that unit's output a^{(2)}_2, x its pre-activation z^{(2)}_2 (the note's 'x' is the logit, not the input), w_{21} the weight W^{(2)}_{21} into it and y its target."
FLAGS = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="l2", batch=True)

# The note's symbols read in the default notation (DESIGN.md), for every line: applied to the parsed tree.
READINGS = {
    r'''h(x)''': r'''a^{(2)}_{2}''',
    r'''\frac{\partial x}{\partial w_{21}}''': r'''\frac{\partial z^{(2)}_{2}}{\partial W^{(2)}_{21}}''',
    r'''w_{21}''': r'''W^{(2)}_{21}''',
    r'''y''': r'''y_{2}''',
}

ENTRIES = [
    Entry('cost',
          r'''J(\theta) = \frac{1}{m} \sum_{i=1}^m \sum_{k=1}^K \left[-y_k^{(i)} \log((h_{\theta}(x^{(i)}))_k) - (1 - y_k^{(i)}) \log(1 - (h_{\theta}(x^{(i)}))_k) \right] + \frac{\lambda}{2m} \left[\sum_{j=1}^{25} \sum_{k=1}^{400} (\theta_{jk}^{(1)})^2 + \sum_{j=1}^{10} \sum_{k=1}^{25} (\theta_{jk}^{(2)})^2 \right]''',
          # the note's 25, 400 and 10 are the ex4 widths (hidden, inputs, outputs): read as the widths
          readings={r'''\sum_{j=1}^{25}''': r'''\sum_{j=1}^{n_1}''', r'''\sum_{k=1}^{400}''': r'''\sum_{k=1}^{n_0}''',
                    r'''\sum_{j=1}^{10}''': r'''\sum_{j=1}^{n_2}''', r'''\sum_{k=1}^{25}''': r'''\sum_{k=1}^{n_1}'''}),
    Entry('loss',
          r'''J = -y \ln(h(x)) - (1-y) \ln(1-h(x))''',
          why='the cross-entropy of one output unit, which the rest of the note differentiates (the model per unit)',
          readings={r'''h(x)''': r'''a^{(2)}_{1}''', r'''y''': r'''y_{1}'''},
          flags=NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="none", outputs=1)),
    Entry('dJ/dw21',
          r'''\frac{\partial J}{\partial w_{21}} = \frac{-y}{h(x)} \frac{\partial h(x)}{\partial w_{21}} + \frac{(1-y)}{1-h(x)} \frac{\partial h(x)}{\partial w_{21}}''',
          flags=NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="none")),
    Entry('sigmoid',
          r'''h(z) = \text{sigmoid}(z) = \frac{1}{1+e^{-z}} \quad h'(z) = h(z)(1-h(z))''',
          readings={r'''h''': r'''\sigma''', r'''\text{sigmoid}''': r'''\sigma'''}),
    Entry('dJ/dw21.chain',
          r'''\frac{\partial J}{\partial w_{21}} = \frac{-y}{h(x)} h(x)(1-h(x)) \frac{\partial x}{\partial w_{21}} + \frac{(1-y)}{1-h(x)} h(x)(1-h(x)) \frac{\partial x}{\partial w_{21}}''',
          flags=NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="none")),
    Entry('dJ/dw21.simplify',
          r'''= -y(1-h(x)) \frac{\partial x}{\partial w_{21}} + (1-y)h(x) \frac{\partial x}{\partial w_{21}}''',
          lhs=r'''\frac{\partial J}{\partial w_{21}}''',
          flags=NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="none")),
    Entry('dJ/dw21.result',
          r'''= [-y + y h(x) + h(x) - y h(x)] \frac{\partial x}{\partial w_{21}} = [h(x) - y] \frac{\partial x}{\partial w_{21}} \leftarrow''',
          lhs=r'''\frac{\partial J}{\partial w_{21}}''',
          flags=NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="none")),
    Entry('dJ/dw11',
          r'''\frac{\partial J}{\partial w_{11}} = [h(x) - y] \left(\frac{\partial z_1}{\partial w_{11}} \right) = [h(x) - y] \text{theta} \left(h(z) (1-h(z)) \right) x''',
          why="'theta' and the bare x are words for whole layers, and the sum over output units is described in prose, not written",
          # w_11 feeds hidden unit 1 from input 1; z_1 is that unit's pre-activation, h(z) its sigmoid;
          # theta the weight from hidden unit 1 to output unit 2 (the unit of h(x) and y above)
          readings={r"w_{11}": r"W^{(1)}_{11}", r"z_1": r"z^{(1)}_1", r"\text{theta}": r"W^{(2)}_{21}",
                    r"h(z)": r"\sigma(z^{(1)}_1)", r"x": r"x_1"}),
    Entry('shapes',
          r'''\begin{bmatrix} \text{ } \end{bmatrix}_{1 \times 10} \times \begin{bmatrix} 0 \\ 1 \\ 0 \\ \vdots \\ 1 \end{bmatrix}_{10 \times 25} \times \begin{bmatrix} \text{ } \end{bmatrix}_{25 \times 1} \times \begin{bmatrix} \text{ } \end{bmatrix}_{1 \times 401}''',
          read_as='shapes',
          result_latex=r'''\begin{bmatrix} \text{ } \end{bmatrix}_{25 \times 401}'''),
]
