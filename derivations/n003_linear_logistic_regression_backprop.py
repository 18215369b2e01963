"""Note 003: linear/logistic-regression networks, the chain-rule expansion and the general delta recursion.

Source: derivations/notes/ (a verbatim copy of ../shared/notes/), file 003_2f6e570e1a479a42.txt. Every displayed equation of the note is an entry below,
its LaTeX copied verbatim. No verdict is written here, and no label keeps a line from the checker: symderiv.documents.check computes
every verdict every run; a `why` is the reader's note printed beside it.
"""
from symderiv.documents.model import Entry
from symderiv.engine.network import NetFlags

NOTE_ID = "003"
SOURCE = "003_2f6e570e1a479a42.txt"
TITLE = 'Networks as linear and logistic regression: costs with L2, the chain rule layer by layer, the delta recursion'
MODEL = "An L-layer network W^{(l)} (S_l x S_{l-1}, w_{ij}^{(l)} joins unit j of layer l-1 to unit i of layer l), a^{(l)} = g(W^{(l)} a^{(l-1)}). Linear regression: identity output and squared error; logistic regression: sigmoid output and cross-entropy; both with lambda/(2m) sum w^2. The derivation assumes one sample , so the output delta is a - y for both models; checked with a sigmoid network, squared error and an identity output (linear regression), hidden units sigmoid as in the note's logistic case."
FLAGS = NetFlags(depth=3, hidden="sigmoid", output="identity", loss="mse", reg="none")

# The note's symbols read in the default notation (DESIGN.md), for every line: applied to the parsed tree.
READINGS = {
    r'''J(\vec{W})''': r'''J''',
    r'''J(W)''': r'''J''',
    r'''\delta_j^l''': r'''\delta_j^{(l)}''',
    r'''\Delta^{(L)}''': r'''\delta^{(L)}''',
    r'''A^{(L)}''': r'''a^{(L)}''',
    r'''Y''': r'''y''',
    # W_i . A: row i of W times the previous activations with the bias unit a_0 = 1 (the note's w_{i0})
    r'''W_{i}^{(l)} \cdot A^{(l-1)}''': r'''\sum_{j=0}^{n_{l-1}} W_{ij}^{(l)} a_{j}^{(l-1)}''',
    r'''W_i^{(L)} \cdot A^{(L-1)}''': r'''\sum_{j=0}^{n_{L-1}} W_{ij}^{(L)} a_{j}^{(L-1)}''',
    # "w" in the chain-rule expansion is any one weight: read as an entry of the first layer, the
    # deepest one the expansion reaches
    r'''w''': r'''W^{(1)}_{pq}''',
}

ENTRIES = [
    Entry('cost.linear',
          r'''
J(W) 
= \frac{1}{2m}
(\sum_{i=1}^m
(
h(X^{(i)})
- y^{(i)}
)^2 + 
\lambda
\sum_{l=2}^L
\sum_{i=1}^{S_j}
\sum_{j=1}^{S_{(j - 1)}}
(w_{ij}^{(l)})^2
)
'''),
    Entry('cost.logistic',
          r'''
J(W) =
-\frac{1}{m}(
\sum_{i=1}^m
\sum_{k=1}^K
(
y_k^{(i)} \times log(h(X^{(i)}))_k + 
(1 - y_k^{(i)}) \times log(1 - h(X^{(i)}))_k
)
- \frac{\lambda}{2}
\sum_{l=2}^L
\sum_{i=1}^{S_j}
\sum_{j=1}^{S_{(j - 1)}}
(w_{ij}^{(l)})^2
)
'''),
    Entry('dJ/dw',
          r'''
\frac
{\partial J(W)}
{\partial w}
''',
          why='an expression, not an equation'),
    Entry('z',
          r'''
z_i^{(l)} = 
W_{i}^{(l)} \cdot A^{(l-1)} = 
\sum_{j=0}^{S_{(l-1)}}w_{ij}^{(l)}a_i^{(l-1)}
''',
          comment='the note folds the bias into w_{i0} with a_0 = 1; symderiv keeps b separate, so a difference of exactly b is the convention, while a_i for a_j is not'),
    Entry('dJ/dw.output',
          r'''
\frac{\partial J(W)}{\partial w}
= 
\sum_{i=1}^{S_L}
(
(a_i^{(L)} - y_i)
\frac{\partial z_i^{(L)}}{\partial w}
)
''',
          why='w is an unspecified weight of any layer'),
    Entry('dz/dw.L',
          r'''
\frac
{\partial z_i^{(L)}}
{\partial w}  
=
\frac
{\partial (W_i^{(L)} \cdot A^{(L-1)})}
{\partial w}
=
\frac{\partial}{\partial w}
(
\sum_{j=0}^{S_{(L-1)}}w_{ij}^{(L)}a_j^{(L-1)}
)
''',
          why='w is an unspecified weight of any layer'),
    Entry('dz/dw.L.cont',
          r'''
= \sum_{j=1}^{S_{(L-1)}}
(
w_{ij}^{(L)}
\frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}}
\frac{\partial z_j^{(L-1)}}{\partial w}
)
''',
          why='w is an unspecified weight of any layer'),
    Entry('dz/dw.l',
          r'''
\frac{\partial z_i^{(l)}}{\partial w}
=
\sum_{j=1}^{S_{(l-1)}}
w_{ij}^{(l)}
\frac{\partial a_j^{(l-1)}}{\partial z_j^{(l-1)}}
\frac{\partial z_j^{(l-1)}}{\partial w}
''',
          why='w is an unspecified weight of any layer'),
    Entry('dJ/dw.expand',
          r'''
\frac{\partial J(W)}{\partial w} =
\sum_{i=1}^{S_L}
(
(a_i^{(L)} - y_i)
\frac{\partial z_i^{(L)}}{\partial w}
)
''',
          why='w is an unspecified weight of any layer'),
    Entry('dJ/dw.expand2',
          r'''
= 
\sum_{i=1}^{S_L}
\sum_{j=1}^{S_{(L-1)}}
(
(a_i^{(L)} - y_i)
(
w_{ij}^{(L)}
\frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}}
)
\frac{\partial z_j^{(L-1)}}{\partial w}
)
''',
          why='w is an unspecified weight of any layer'),
    Entry('dJ/dw.expand3',
          r'''
= 
\sum_{i=1}^{S_L}
\sum_{j=1}^{S_{(L-1)}}
\sum_{k=1}^{S_{(L-2)}}
(
(a_i^{(L)} - y_i)
(
w_{ij}^{(L)}
\frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}}
)
)(
w_{jk}^{(L-2)}
\frac{\partial a_k^{(L-2)}}{\partial z_k^{(L-2)}}
)
\frac{\partial z_k^{(L-2)}}{\partial w}
)
''',
          why='w is an unspecified weight of any layer'),
    Entry('da/dz.linear',
          r'''
\frac{\partial a_i^{(l)}}{\partial z_i^{(l)}} = 1
''',
          flags=NetFlags(depth=3, hidden="identity", output="identity", loss="mse", reg="none")),
    Entry('da/dz.sigmoid',
          r'''
\frac{\partial a_i^{(l)}}{\partial z_i^{(l)}} 
= 
a_i^{(l)}(1- a_i^{(l)})
''',
          flags=NetFlags(depth=3, hidden="sigmoid", output="sigmoid", loss="bce", reg="none")),
    Entry('forward',
          r'''
a_i^{(j)} = g(\vec{W}_{i}^{(j)} \cdot \vec{A}^{(j-1)})
''',
          # here j names the layer (as (j-1) shows); W_i . A is row i of W times the previous layer with the bias unit
          readings={r'''\vec{W}_{i}^{(j)} \cdot \vec{A}^{(j-1)}''': r'''\sum_{k=0}^{n_{j-1}} W_{ik}^{(j)} a_{k}^{(j-1)}'''}),
    Entry('dJ/dw.regroup',
          r'''
\frac{\partial J(W)}{\partial w} =
\sum_{i=1}^{S_L}
\sum_{j=1}^{S_{(L-1)}}
\sum_{k=1}^{S_{(L-2)}}
(
(a_i^{(L)} - y_i)
(
w_{ij}^{(L)}
\frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}}
)
)(
w_{jk}^{(L-2)}
\frac{\partial a_k^{(L-2)}}{\partial z_k^{(L-2)}}
)
\frac{\partial z_k^{(L-2)}}{\partial w}
)
''',
          why='w is an unspecified weight of any layer'),
    Entry('dJ/dw.reorder',
          r'''
=
\sum_{k=1}^{S_{(L-2)}}
\sum_{j=1}^{S_{(L-1)}}
\sum_{i=1}^{S_L}
(
(a_i^{(L)} - y_i)
(
w_{ij}^{(L)}
\frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}}
)
)(
w_{jk}^{(L-2)}
\frac{\partial a_k^{(L-2)}}{\partial z_k^{(L-2)}}
)
\frac{\partial z_k^{(L-2)}}{\partial w}
)
''',
          why='w is an unspecified weight of any layer'),
    Entry('delta.L',
          r'''
\delta_i^{(L)} = a_i^{(L)} - y_i \\
\Delta^{(L)} = A^{(L)} - Y
'''),
    Entry('delta.L-1',
          r'''
\delta_{j}^{(L-1)} 
= 
\sum_{i=1}^{S_{L}}
(a_i^{(L)} - y_i)w_{ij}^{(L)}
\frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}}
=
\sum_{i=1}^{S_{L}}
\delta_i^{(L)}w_{ij}^{(L)}
\frac{\partial a_j^{(L-1)}}{\partial z_j^{(L-1)}}
'''),
    Entry('delta.L-2',
          r'''
\delta_{k}^{(L-2)} = 
\sum_{j=1}^{S_{L-1}}
\delta_j^{(L-1)}w_{jk}^{(L-1)}
\frac{\partial a_k^{(L-2)}}{\partial z_k^{(L-2)}}
'''),
    Entry('delta.l',
          r'''
\delta_i^{(L)} = a_i^{(L)} - y_i \\
\delta_{i}^{(l)} = 
\sum_{j=1}^{S_{(l+1)}}
\delta_j^{(l+1)}w_{ji}^{(l+1)}
\frac{\partial a_i^{(l)}}{\partial z_i^{(l)}}
'''),
    Entry('update',
          r'''
w_{ij}^{(l)} := 
w_{ij}^{(l)} - \alpha
\frac{\partial J(\vec{W})}{\partial w_{ij}^{(l)}}
''',
          why='gradient descent assigns a new value to w'),
    Entry('dJ/dw_ij',
          r'''
\frac{\partial J(\vec{W})}{\partial w_{ij}^{(l)}}
=
\delta_j^l
\frac{\partial z_i^{(l)}}{\partial w_{ij}^{(l)}}
'''),
    Entry('dz/dw_ij',
          r'''
\frac{\partial z_i^{(l)}}{\partial w_{ij}^{(l)}}
=
a_{j}^{(l-1)}
'''),
    Entry('update.delta',
          r'''
w_{ij}^{(l)} := 
w_{ij}^{(l)} - 
\alpha a_j^{(l-1)} \delta_i^{(l)}
''',
          why='gradient descent assigns a new value to w'),
]
