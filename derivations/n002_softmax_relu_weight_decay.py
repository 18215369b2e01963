"""Note 002: every gradient of a ReLU + softmax network with L2 weight decay (OCR of handwriting).

Source: derivations/notes/ (a verbatim copy of ../shared/notes/), file 002_17f965f8c9d8d77b.txt. Every displayed equation of the note is an entry below,
its LaTeX copied verbatim. No verdict is written here, and no label keeps a line from the checker: symderiv.documents.check computes
every verdict every run; a `why` is the reader's note printed beside it.
"""
from dataclasses import replace

from symderiv.documents.model import Entry
from symderiv.engine.network import NetFlags

NOTE_ID = "002"
SOURCE = "002_17f965f8c9d8d77b.txt"
TITLE = 'Softmax cross-entropy over N samples with weight decay lambda(|w1|^2 + |w2|^2) and a ReLU hidden layer'
MODEL = "One ReLU hidden layer and a softmax output: z^{(2)} = w^{(1)} a^{(1)} + b^{(1)}, a^{(2)} = relu(z^{(2)}), z^{(3)} = w^{(2)} a^{(2)} + b^{(2)}, psi = softmax(z^{(3)}); the cost is the mean over N samples of the cross-entropy plus lambda(||w^{(1)}||^2 + ||w^{(2)}||^2) (the note's w^{(4)} in the first line is read as w^{(2)}). The note numbers layers from 1 at the input, so its z^{(k+1)} is symderiv's z^{(k)}, its a^{(k)} is a^{(k-1)}. Delta is the one-hot target matrix; J(theta) is the data term alone and J-tilde adds the regulariser. The note writes z = w a + b (samples as columns) although it indexes z_{ij} with i the sample: lines are checked with samples as columns, as its matrix formulas are written."
FLAGS = NetFlags(depth=2, hidden="relu", output="softmax", loss="ce", reg="l2-sum", batch=True)

# The note's symbols read in the default notation (DESIGN.md), for every line: applied to the parsed tree.
READINGS = {
    r'''\tilde{J}(\theta)''': r'''J''',
    r'''J(\theta)''': r'''J_{\text{data}}''',          # the note: J(theta) is the data term, J-tilde adds the regulariser
    r'''z^{(3)}''': r'''z^{(2)}''',
    r'''z^{(2)}''': r'''z^{(1)}''',
    r'''a^{(2)}''': r'''a^{(1)}''',
    r'''a^{(1)}''': r'''x''',
    r'''a^{(2)'}''': r'''(a^{(1)})^T''',
    r'''a^{(1)'}''': r'''x^T''',
    r'''w^{(2)'}''': r'''(W^{(2)})^T''',
    r"""(w^{(2)})'""": r'''(W^{(2)})^T''',
    r'''w^{(1)}''': r'''W^{(1)}''',
    r'''w^{(2)}''': r'''W^{(2)}''',
    r'''\psi(z^{(3)})''': r'''a^{(2)}''',
    r'''\varphi(z^{(3)})''': r'''a^{(2)}''',
    r'''\Delta''': r'''y''',
    r'''N''': r'''m''',
}

ENTRIES = [
    Entry('cost',
          r'''\tilde{J}(\theta) = \underbrace{\frac{1}{N} \sum_{i=1}^N -\log \left[\frac{e^{z_{ij}^{(3)}}}{\sum_k e^{z_{ik}^{(3)}}} \right]}_{J_{\text{data}}} + \underbrace{\lambda (\|w^{(1)}\|_2^2 + \|w^{(4)}\|_2^2)}_{J_{\text{reg}}}'''),
    Entry('softmax',
          r'''\psi(z^{(3)})_{ij} = \frac{\exp(z_{ij}^{(3)})}{\sum_k \exp(z_{ik}^{(3)})}''',
          why='defines psi as the softmax of z^{(3)}'),
    Entry('dJ/dz3.start',
          r'''\frac{\partial \tilde{J}(\theta)}{\partial z_{ij}^{(3)}} = \frac{\partial}{\partial z_{ij}^{(3)}}''',
          why='the right side is an operator with nothing to act on (the line is unfinished)'),
    Entry('dlogpsi/dz.j=y',
          r'''\frac{\partial (-\log(\psi(z^{(3)})_{iy_i}))}{\partial (z_{ij}^{(3)})} = \psi(z^{(3)})_{ij} - 1 \quad \text{if } j = y_i'''),
    Entry('dlogpsi/dz.j!=y',
          r'''= \psi(z^{(3)})_{ij} - 0 \quad \text{if } j \neq y_i''',
          why='a continuation whose left side and case are in the line before'),
    Entry('dJdata/dz3',
          r'''\text{so } \frac{\partial J_{\text{data}}}{\partial z^{(3)}} = \frac{1}{N} (\psi(z^{(3)}) - \Delta) \quad \text{(putting results in matrix form)}''',
),
    Entry('dJ/dz3',
          r'''\frac{\partial J(\theta)}{\partial z^{(3)}} = \frac{1}{N} (\psi(z^{(3)}) - \Delta)''',
),
    Entry('dJ/dw2.chain',
          r'''\frac{\partial J(\theta)}{\partial w^{(2)}} = \frac{\partial J}{\partial z^{(3)}} \cdot \frac{\partial z^{(3)}}{\partial w^{(2)}}''',
),
    Entry('dz3/dw2',
          r'''\begin{aligned} \frac{\partial z^{(3)}}{\partial w^{(2)}} &= \frac{\partial}{\partial w^{(2)}} (w^{(2)} a^{(2)} + b^{(2)}) \\ &= a \end{aligned}''',
          why='the derivative of a matrix by a matrix written as a single matrix a'),
    Entry('dJ/dw2',
          r'''\text{so } \frac{\partial J(\theta)}{\partial w^{(2)}} = \frac{1}{N} (\psi(z^{(3)}) - \Delta) \underbrace{a^{(2)'}}_{\substack{\text{transpose of} \\ a^{(2)} \text{ to make} \\ \text{mult possible}}}''',
),
    Entry('dJreg/dw2',
          r'''\begin{aligned} \frac{\partial}{\partial w^{(2)}} (J_{\text{reg}}) &= \frac{\partial}{\partial w^{(2)}} \left(\lambda (\|w^{(1)}\|_2^2 + \|w^{(2)}\|_2^2) \right) \\ &= 2\lambda w^{(2)} \end{aligned}'''),
    Entry('dJtilde/dw2',
          r'''\begin{aligned} \text{so } \frac{\partial \tilde{J}(\theta)}{\partial w^{(2)}} &= \frac{\partial J(\theta)}{\partial w^{(2)}} + \frac{\partial J_{\text{reg}}}{\partial w^{(2)}} \\ &= \frac{1}{N} (\psi(z^{(3)}) - \Delta) a^{(2)'} + 2\lambda w^{(2)} \end{aligned}'''),
    Entry('dz3/db2',
          r'''\frac{\partial z^{(3)}}{\partial b^{(2)}} = \frac{\partial}{\partial b^{(2)}} (w^{(2)} a^{(2)} + b^{(2)}) = 1''',
          why='the derivative of a matrix by a vector written as the number 1'),
    Entry('dJtilde/db2',
          r'''\begin{aligned} \text{so } \frac{\partial \tilde{J}(\theta)}{\partial b^{(2)}} &= \cancel{\frac{\partial \tilde{J}(\theta)}{\partial z^{(3)}}} \cdot \frac{\partial z^{(3)}}{\partial b^{(2)}} + \frac{\partial J(\theta)}{\partial b^{(2)}} + \frac{\partial J_{\text{reg}}}{\partial b^{(2)}} \\ &= \frac{\partial J(\theta)}{\partial z^{(3)}} \cdot \frac{\partial z^{(3)}}{\partial b^{(2)}} + \frac{\partial}{\partial b^{(2)}} \left(\lambda (\|w^{(1)}\|_2^2 + \|w^{(2)}\|_2^2) \right) \\ &= \frac{1}{N} (\psi(z^{(3)}) - \Delta) (1) + 0 \\ &= \frac{1}{N} (\psi(z^{(3)}) - \Delta) \end{aligned}'''),
    Entry('dJtilde/da2',
          r'''\begin{aligned}
\frac{\partial \tilde{J}(\theta)}{\partial a^{(2)}} &= \frac{\partial J(\theta)}{\partial a^{(2)}} + \frac{\partial J_{reg}}{\partial a^{(2)}} \\
&= \frac{\partial J(\theta)}{\partial z^{(3)}} \cdot \frac{\partial z^{(3)}}{\partial a^{(2)}} + \frac{\partial}{\partial a^{(2)}} (\lambda (\|w^{(1)}\|_2^2 + \|w^{(2)}\|_2^2)) \\
&= \frac{1}{2} (\varphi(z^{(3)}) - \Delta) (w^{(2)})' + 0 \\
&= \frac{1}{2} (\varphi(z^{(3)}) - \Delta) \cdot w^{(2)'} \\
&\quad + 0 \quad \left(\frac{\partial J_{reg}}{\partial a^{(2)}} = 0 \right)
\end{aligned}'''),
    Entry('dJtilde/dz2.chain',
          r'''\frac{\partial \tilde{J}(\theta)}{\partial z^{(2)}} = \frac{\partial \tilde{J}(\theta)}{\partial a^{(2)}} \times \frac{\partial a^{(2)}}{\partial z^{(2)}} \quad \checkmark, \text{ since } a^{(2)} = \varphi(z^{(2)})'''),
    Entry('relu-derivative',
          r'''\frac{\partial a^{(2)}}{\partial z^{(2)}} = \begin{cases} 1 & \text{if } z^{(2)} > 0 \\ 0 & \text{" } z^{(2)} \leq 0 \end{cases}, \text{ so}'''),
    Entry('dJtilde/dz2',
          r'''\frac{\partial \tilde{J}(\theta)}{\partial z^{(2)}} = \begin{cases} \frac{1}{2} (\varphi(z^{(3)}) - \Delta) \cdot w^{(2)'} & \text{if } z^{(2)} > 0 \\ 0 & \text{if } z^{(2)} \leq 0 \end{cases}'''),
    Entry('z2',
          r'''z^{(2)} = w^{(1)} a^{(1)} + b^{(1)}''',
          why='the hidden pre-activation'),
    Entry('dz2/dw1',
          r'''\frac{\partial z^{(2)}}{\partial w^{(1)}} = a^{(1)}, \quad \frac{\partial z^{(2)}}{\partial b^{(1)}} = 1''',
          why='derivatives of a matrix by a matrix written as a and as 1'),
    Entry('dJreg/dw1',
          r'''\frac{\partial J_{reg}}{\partial w^{(1)}} = \frac{\partial}{\partial w^{(1)}} (\lambda (\|w^{(1)}\|_2^2 + \|w^{(2)}\|_2^2)) = 2\lambda w^{(1)}'''),
    Entry('dJtilde/dw1',
          r'''\begin{aligned}
\frac{\partial \tilde{J}(\theta)}{\partial w^{(1)}} &= \frac{\partial J(\theta)}{\partial w^{(1)}} + \frac{\partial J_{reg}}{\partial w^{(1)}} \quad (\text{when } z^{(2)} > 0) \\
&= \frac{\partial J(\theta)}{\partial z^{(2)}} \times \frac{\partial z^{(2)}}{\partial w^{(1)}} + 2\lambda w^{(1)} \\
&= \frac{1}{2} (\varphi(z^{(3)}) - \Delta) \cdot a^{(1)'} + 2\lambda w^{(1)}
\end{aligned}'''),
    Entry('dJtilde/db1',
          r'''\begin{aligned}\frac{\partial \tilde{J}(\theta)}{\partial b^{(1)}} &= \frac{\partial J(\theta)}{\partial z^{(2)}} \cdot \frac{\partial z^{(2)}}{\partial b^{(1)}} + \frac{\partial J_{reg}}{\partial b^{(1)}} \\ &= \frac{1}{N} (\varphi(z^{(1)}) - \Delta) \cdot (1) + 0\end{aligned}'''),
    Entry('dJtilde/dw1.cases',
          r'''\frac{\partial \tilde{J}(\theta)}{\partial w^{(1)}} = \begin{cases} \frac{1}{N} (\varphi(z^{(1)}) - \Delta) \cdot a^{(1)} & \text{if } z^{(2)} > 0 \\ 0 & \text{if } z^{(2)} \leq 0 \end{cases}'''),
    Entry('dJtilde/db1.cases',
          r'''\frac{\partial \tilde{J}(\theta)}{\partial b^{(1)}} = \begin{cases} \frac{1}{N} (\varphi(z^{(1)}) - \Delta) & \text{if } z^{(2)} > 0 \\ 0 & \text{if } z^{(2)} < 0 \end{cases}'''),
]

# Lines in index form write z_{ij} with i the sample and j the class: samples as rows there.
ROWS = replace(FLAGS, layout="rows")
HOW = {"cost": ({r"w^{(4)}": "W^{(2)}"}, ROWS), "softmax": ({}, ROWS), "dlogpsi/dz.j=y": ({}, ROWS),
       "dlogpsi/dz.j!=y": ({}, ROWS), "dJ/dz3.start": ({}, ROWS),
       "dz3/dw2": ({"a": "a^{(1)}"}, FLAGS)}        # the last side's bare a is the note's a^{(2)}
ENTRIES = [replace(e, readings={**HOW[e.id][0], **e.readings}, flags=HOW[e.id][1]) if e.id in HOW else e
           for e in ENTRIES]
