"""Note 001: the delta recursion of a general L-layer network (eqs. 9.14-9.27).

Source: derivations/notes/ (a verbatim copy of ../shared/notes/), file 001_bc697639900f20b8.txt. Every displayed equation of the note is an entry below,
its LaTeX copied verbatim. No verdict is written here, and no label keeps a line from the checker: symderiv.documents.check computes
every verdict every run; a `why` is the reader's note printed beside it.
"""
from symderiv.documents.model import Entry
from symderiv.engine.network import NetFlags

NOTE_ID = "001"
SOURCE = "001_bc697639900f20b8.txt"
TITLE = 'Textbook section 9.14-9.27: gradient descent, the residual (delta) recursion, weight and bias gradients, output deltas'
MODEL = 'A general L-layer network, one sample (the note sets batch and regulariser aside), with z^{(l)} = W^{(l)} x^{(l)} + b^{(l)}, a^{(l)} = f(z^{(l)}) and x^{(l+1)} = a^{(l)}: so W^{(l)} maps layer l-1 to layer l, exactly the default notation, and s_{l+1} is the width of layer l+1. Eqs. 9.22-9.23 use squared error; eqs. 9.24-9.27 use cross-entropy with a softmax output (as the note says before 9.27).'
FLAGS = NetFlags(depth=3, hidden="sigmoid", output="sigmoid", loss="mse", reg="none")

# The note's symbols read in the default notation (DESIGN.md), for every line: applied to the parsed tree.
READINGS = {
    r'''J(\boldsymbol{W}, \boldsymbol{b})''': r'''J''',
    r'''J(W, b)''': r'''J''',
    r'''\frac{\partial}{\partial z_{i}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b})''': r'''\frac{\partial J}{\partial z_{i}^{(l)}}''',
    r'''\frac{\partial}{\partial W_{i j}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b})''': r'''\frac{\partial J}{\partial W_{i j}^{(l)}}''',
    r'''\frac{\partial}{\partial b_{i}^{(l)}} J(W, b)''': r'''\frac{\partial J}{\partial b_{i}^{(l)}}''',
    r'''\frac{\partial J(\boldsymbol{W}, \boldsymbol{b})}{\partial z_{j}^{(l+1)}}''': r'''\frac{\partial J}{\partial z_{j}^{(l+1)}}''',
    r'''\frac{\partial}{\partial z_{i}^{(l)}} J''': r'''\frac{\partial J}{\partial z_{i}^{(l)}}''',
    r'''\frac{\partial}{\partial W_{i j}^{(l)}} J''': r'''\frac{\partial J}{\partial W_{i j}^{(l)}}''',
    r'''\frac{\partial}{\partial b_{i}^{(l)}} J''': r'''\frac{\partial J}{\partial b_{i}^{(l)}}''',
    r'''x^{(l+1)}''': r'''a^{(l)}''',
    r'''x_{j}^{(l+1)}''': r'''a_{j}^{(l)}''',
}

ENTRIES = [
    Entry('9.14',
          r'''
W_{i j}^{(l)}=W_{i j}^{(l)}-\alpha \frac{\partial}{\partial W_{i j}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b})\tag{9.14}
''',
          why='gradient descent assigns a new value to W; it is not an equation between quantities'),
    Entry('9.15',
          r'''
b_{i}^{(l)}=b_{i}^{(l)}-\alpha \frac{\partial}{\partial b_{i}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b})\tag{9.15}
''',
          why='gradient descent assigns a new value to b'),
    Entry('9.16',
          r'''
\frac{\partial}{\partial z_{i}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b})=\sum_{j=1}^{s_{l+1}}\left(\frac{\partial J(\boldsymbol{W}, \boldsymbol{b})}{\partial z_{j}^{(l+1)}} \frac{\partial z_{j}^{(l+1)}}{\partial z_{i}^{(l)}}\right)\tag{9.16}
'''),
    Entry('9.17',
          r'''
\frac{\partial z_{j}^{(l+1)}}{\partial z_{i}^{(l)}}=\frac{\partial\left(W_{i j}^{(l)} x^{(l+1)}+b_{j}^{(l+1)}\right)}{\partial z_{i}^{(l)}}\tag{9.17}
'''),
    Entry('9.18',
          r'''
\frac{\partial z_{j}^{(l+1)}}{\partial z_{i}^{(l)}}=W_{i j}^{(l)} f^{\prime}\left(z_{i}^{(l)}\right)\tag{9.18}
'''),
    Entry('9.19',
          r'''
\delta_{i}^{(l)}=\left(\sum_{j=1}^{s_{l+1}} W_{i j}^{(l)} \delta_{j}^{(l+1)}\right) f^{\prime}\left(z_{i}^{(l)}\right)\tag{9.19}
'''),
    Entry('9.21',
          r'''
\begin{aligned}\frac{\partial}{\partial W_{i j}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b})&=\frac{\partial J(\boldsymbol{W}, \boldsymbol{b})}{\partial z_{j}^{(l+1)}} \frac{\partial z_{j}^{(l+1)}}{\partial W_{i j}^{(l)}}\\&=\delta_{i}^{(l+1)} x_{j}^{(l+1)}
\\&=\delta_{i}^{(l+1)} a_{j}^{(l)} \frac{\partial}{\partial b_{i}^{(l)}} J(W, b)\\&=\delta_{i}^{(l+1)}\end{aligned}\tag{9.21}
''',
          split_before=(r'''\frac{\partial}{\partial b_{i}^{(l)}} J(W, b)''',),
          why="two equations run together: ... = delta_i a_j, and then dJ/db_i = delta_i (the reader's question)"),
    Entry('9.22',
          r'''
J(\boldsymbol{W}, \boldsymbol{b})=\frac{1}{2}\left\|\boldsymbol{y}-\boldsymbol{a}^{(L)}\right\|^{2}=\frac{1}{2}\left\|\boldsymbol{y}-f\left(z_{j}^{(L)}\right)\right\|^{2}\tag{9.22}
'''),
    Entry('9.23',
          r'''
\delta^{(L)}=-\left(y-a^{(L)}\right) f^{\prime}\left(z^{(L)}\right)\tag{9.23}
'''),
    Entry('9.24',
          r'''
J(\boldsymbol{W}, \boldsymbol{b})=-\sum_{k=1}^{n} y_{k} \ln a_{k}^{(L)}=-\sum_{k=1}^{n} y_{k} \ln f\left(z_{k}^{(L)}\right)\tag{9.24}
''',
          flags=NetFlags(depth=3, hidden="sigmoid", output="softmax", loss="ce", reg="none")),
    Entry('9.25',
          r'''
J(\boldsymbol{W}, \boldsymbol{b})=-\ln a_{\tilde{k}}^{(L)}\tag{9.25}
''',
          flags=NetFlags(depth=3, hidden="sigmoid", output="softmax", loss="ce", reg="none")),
    Entry('9.26',
          r'''
\delta^{(L)}=-\frac{f^{\prime}\left(z_{\tilde{k}}^{(L)}\right)}{f\left(z_{\tilde{k}}^{(L)}\right)}\tag{9.26}
''',
          flags=NetFlags(depth=3, hidden="sigmoid", output="softmax", loss="ce", reg="none")),
    Entry('9.27',
          r'''
\delta^{(L)}=f\left(z_{k}^{(L)}\right)-1=a_{\tilde{k}}^{(L)}-1\tag{9.27}
''',
          flags=NetFlags(depth=3, hidden="sigmoid", output="softmax", loss="ce", reg="none")),
]

# The reader's red-ink questions in the note, answered in the report (LaTeX text).
QUESTIONS = [
    ("What is the residual delta?",
     r"$\delta^{(l)}_i = \partial J / \partial z^{(l)}_i$: how much the loss of one sample changes when the "
     r"pre-activation of unit $i$ of layer $l$ moves; the derivation below computes it for the output layer "
     r"first and then layer by layer backwards (the recursion)."),
    ("Why is 9.23 the derivative?",
     r"Because $J = \frac12\sum_k (y_k - f(z_k))^2$ depends on $z^{(L)}_k$ only through its own term: the chain "
     r"rule gives $-(y_k - a_k) f'(z_k)$ for each unit, element-wise (steps of the output layer below, with squared error)."),
    ("The detailed steps of 9.26?",
     r"9.26 treats the softmax as element-wise. Every $a_k$ depends on every $z_i$ through the denominator; the "
     r"softmax Jacobian $\partial a_k/\partial z_i = a_k([i=k] - a_i)$ and $\sum_k y_k = 1$ give "
     r"$\delta^{(L)} = a^{(L)} - y$ for every unit (the softmax steps below, derived by SymPy)."),
]
