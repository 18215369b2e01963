"""Note 004: gradients of beta and Theta for a one-hidden-layer binary classifier (OCR of handwriting).

Source: derivations/notes/ (a verbatim copy of ../shared/notes/), file 004_8931190fa90ca261.txt. Every displayed equation of the note is an entry below,
its LaTeX copied verbatim. No verdict is written here, and no label keeps a line from the checker: symderiv.documents.check computes
every verdict every run; a `why` is the reader's note printed beside it.
"""
from dataclasses import replace

from symderiv.documents.model import Entry
from symderiv.engine.network import NetFlags

NOTE_ID = "004"
SOURCE = "004_8931190fa90ca261.txt"
TITLE = 'One hidden layer (tanh or sigmoid) and a sigmoid output for binary classification with mean binary cross-entropy'
MODEL = 'Inputs x in R^n, q hidden units a_j = sigma_1(sum_i theta x_i) with sigma_1 = tanh or the sigmoid (read as the sigmoid, as the derivative lines of the note use it), one sigmoid output p = sigma_2(w), w = sum_j beta_j a_j, and the mean over m samples of the binary cross-entropy. Data are stored with samples as rows (X is m x n). The OCR is poor: indices change meaning between lines (k is the sample, then a unit), theta_j^{i,j} carries three indices, and several lines mix symbols; each line is read as a careful reader would resolve it (readings below, line by line) and every line goes through the checker. Pure-calculus lines are checked without a network.'
FLAGS = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="none", batch=True, outputs=1)
# Lines written for one sample (no k, or k dropped): the same network with one sample.
ONE = NetFlags(depth=2, hidden="sigmoid", output="sigmoid", loss="bce", reg="none", batch=False, outputs=1)

# The note's symbols read in the default notation (DESIGN.md), for every line: applied to the parsed tree.
READINGS = {}

ENTRIES = [
    Entry('hidden',
          r'''a_j = \sigma_1 \left( \sum_{i=1}^m \theta_j^{i,j} x_i \right) = \sigma_1(z_j); \sigma_1(z) = \tanh(z) \text{ or } \sigma_1(z) = \frac{1}{1+e^{-z}} \quad x_i \in \mathbb{R}^m''',
          why='theta_j^{i,j} repeats the index j, and the line mixes a definition with a choice of activation'),
    Entry('bias-unit',
          r'''a_0 = x_0 = 1''',
          why='the bias convention a_0 = x_0 = 1'),
    Entry('output',
          r'''p = \sigma_2 \left( \sum_{j=0}^g a_j \beta_j \right) = \sigma_2 \left( \sum_{j=0}^g \beta_j \sigma_1 \left( \sum_{i=1}^m \theta_j^{i,j} x_i \right) \right)''',
          why='the forward pass of the output'),
    Entry('sigmoid-forms',
          r'''\text{with } \sigma_2(z) = \frac{1}{1+e^{-z}} = (1+e^{-z})^{-1} = \frac{e^z}{1+e^z}'''),
    Entry('output.w',
          r'''p = \sigma_2(w) = \sigma_2 \left( \sum_{j=0}^g a_j \beta_j \right) \quad w = (y-1) \log(1-\sigma_2(w)) - y \log(\sigma_2(w))''',
          why='w is defined both as the logit and as the loss in the same line'),
    Entry('loss',
          r'''\text{Distance loss: } l_k(\hat{y}_k, y_k) = -(y_k \log(\hat{y}_k) + (1-y_k) \log(1-\hat{y}_k)) = *''',
          why="the per-sample loss; the trailing '= *' is an OCR mark"),
    Entry('cost',
          r'''J(\theta, \alpha) = \frac{1}{m} \sum_{k=1}^m l_k(\hat{y}_k, y_k)''',
          why='the cost as the mean of the per-sample losses'),
    Entry('want',
          r'''\text{We want } \frac{\partial J}{\partial \theta_j^{i,j}} \text{ and } \frac{\partial J}{\partial \beta_j} = l_k(\hat{y}_k, y_k) = (y-1) \log(1-p) - y \log(p)''',
          why="'We want ... and dJ/dbeta_j = l_k' equates a gradient to a loss"),
    Entry('dJ/dtheta',
          r'''\frac{\partial J}{\partial \theta_j^{i,j}} = \frac{\partial J}{\partial p} \cdot \frac{\partial p}{\partial w} = \frac{\partial J}{\partial p} \cdot \frac{\partial p}{\partial w} = \left[ \frac{y-1}{1-p} - \frac{y}{p} \right] \sigma_2'(w) \left[ \sum_{j=0}^g a_j \beta_j \right]''',
          why='the left side is dJ/dtheta but the chain is for beta, and its last factor sums over j'),
    Entry('sigmoid-derivative',
          r'''\text{but } \sigma_2'(w) = -(1+e^w)^{-2} (-e^w) = \frac{e^{-w}}{(1+e^{-w})^2} = \sigma_2(w) (1-\sigma_2(w)) = p_k(1-p_k)''',
          readings={r'''p_k''': r'''\sigma(w)'''}),
    Entry('dp/dbeta',
          r'''\text{Then } \frac{\partial p_k}{\partial \beta_j} = \left[ \frac{1-y_k}{1-p_k} - \frac{y_k}{p_k} \right] p_k(1-p_k) \alpha_k = \frac{(p_k - y_k)(1-p_k)}{(1-p_k)(p_k)} \alpha_k = (p_k - y_k) \alpha_k''',
          why='the left side dp_k/dbeta_j is used for dL/dbeta_j, and alpha_k is not defined until the next line'),
    Entry('dJ/dbeta',
          r'''\text{And } \frac{\partial J}{\partial \beta_j} = \frac{1}{m} \sum_{k=1}^m (p_k - y_k) \alpha_k \quad \text{with } \alpha_k = \sigma_1 \left( \sum_{i=1}^m \theta_j^{i,j} x_i \right), x_i \in \mathbb{R}^m''',
          why='alpha_k (the hidden activation of sample k) and theta_j^{i,j} cannot be bound unambiguously'),
    Entry('dL/dTheta.chain',
          r'''\frac{\partial L_k}{\partial \Theta_k^{(l)}} = \frac{\partial L_k}{\partial P_k} \cdot \frac{\partial P_k}{\partial w_k} \cdot \frac{\partial w_k}{\partial z_k} \cdot \frac{\partial z_k}{\partial \Theta_k^{(l)}} \quad \text{with } \sigma_k(z_k) = \sigma_k(z_k)''',
          why="the chain's last factor sigma_k(z_k) = sigma_k(z_k) is a tautology and the indices k, l change roles"),
    Entry('dL/dTheta.1',
          r'''= \left[ \frac{P_k - y_k}{(1 - P_k)P_k} \right] \left[ P_k(1 - P_k) \right] \left[ \beta_l \right] \left[ \sigma'_k(z_k) \right] X_{nk}''',
          why='a continuation whose left side is garbled'),
    Entry('dL/dTheta.2',
          r'''= (P_k - y_k) [\beta_l] [\sigma_k(z_k)] [(1 - \sigma_k(z_k))] X_{nk}''',
          why='a continuation whose left side is garbled'),
    Entry('dL/dTheta.mean',
          r'''\therefore \frac{\partial L}{\partial \Theta_k^{(l)}} = \frac{1}{n} \sum_{k=1}^n \left[ (P_k - y_k) [\beta_l] [\sigma_k(z_k)] [(1 - \sigma_k(z_k))] X_{nk} \right]''',
          why='sums over k = 1..n with k also the unit index'),
    Entry('Z_k',
          r'''Z_k = \sum_{i=0}^{r_k} \Theta_k^{(i)} X_{ik} \Rightarrow \frac{\partial Z_k}{\partial \Theta_k^{(l)}} = X_{lk}''',
          why='Theta_k^{(i)} X_{ik} uses k as both the unit and the sample'),
    Entry('shapes.Theta',
          r'''\frac{\partial L_k}{\partial \Theta_k^{(l)}} = \underbrace{(P - y)}_{100 \times 1} \underbrace{\beta_l}_{1 \times 1} \underbrace{A_{l, l}}_{100 \times 1} \underbrace{(1 - A_{l, l})}_{100 \times 1} \underbrace{X_0}_{100 \times 1}''',
          why='shapes written under each factor, with A_{l,l} for a column of A; the left side is the '
              'gradient of one weight (1 x 1)',
          read_as='shapes', result_latex=r'''_{1 \times 1}'''),
    Entry('X',
          r'''X = \begin{bmatrix} x_1^{(1)} & x_2^{(1)} & \dots & x_n^{(1)} \\ x_1^{(2)} & x_2^{(2)} & \dots & x_n^{(2)} \\ \vdots & \vdots & \ddots & \vdots \\ x_1^{(m)} & x_2^{(m)} & \dots & x_n^{(m)} \end{bmatrix} \in \mathbb{R}^{m \times n}''',
          why='the data matrix'),
    Entry('X-bias',
          r'''\begin{bmatrix} 1 & 1 & \dots & 1 \\ x_1 & x_2 & \dots & x_n \end{bmatrix} = \begin{bmatrix} 1 & x_1^{(1)} & \dots & x_n^{(1)} \\ 1 & x_1^{(2)} & \dots & x_n^{(2)} \\ \vdots & \vdots & \ddots & \vdots \\ 1 & x_1^{(m)} & \dots & x_n^{(m)} \end{bmatrix}''',
          why='the data matrix with a column of ones'),
    Entry('y',
          r'''y = \begin{bmatrix} y^{(1)} \\ y^{(2)} \\ \vdots \\ y^{(m)} \end{bmatrix} \in \{0, 1\}^m''',
          why='the label vector'),
    Entry('Theta',
          r'''\Theta = \begin{bmatrix} \theta_1^{(1)} & \theta_1^{(2)} & \dots & \theta_1^{(n)} \\ \vdots & \vdots & \ddots & \vdots \\ \theta_q^{(1)} & \theta_q^{(2)} & \dots & \theta_q^{(n)} \end{bmatrix}''',
          why='the hidden weight matrix'),
    Entry('z1',
          r'''z_1^{(1)} = \sum_{i=1}^n \theta_1^{(1)} x_i^{(1)}''',
          why='the sum over i of theta_1^{(1)} x_i^{(1)} has no index i on theta'),
    Entry('a1',
          r'''a_1^{(1)} = \sigma(z_1^{(1)})''',
          why='the first hidden activation'),
    Entry('hidden-map',
          r'''\mathbb{R}^m \rightarrow \mathbb{Q}_0 = \sigma \left( \sum_{i=1}^n \theta_1^{(1)} x_i^{(1)} \right) = \sigma(z_1^{(1)})''',
          why="'R^m -> Q_0' is an OCR mark"),
    Entry('output-map',
          r'''\mathbb{R}^m \rightarrow \hat{p} = \sigma \left( \sum_{i=1}^q \beta_i a_i^{(i)} \right) = \sigma(w)''',
          why='the output as a function of the hidden activations'),
    Entry('mean-loss',
          r'''\mathcal{L}(\Theta, \beta) = \text{mean}(\mathcal{L}(\Theta, \beta))''',
          why='defines L as the mean of itself'),
    Entry('loss.k',
          r'''\mathcal{L}_k(\Theta, \beta) = -(y^{(k)} \log(\hat{p}_k) + (1-y^{(k)}) \log(1-\hat{p}_k))''',
          why='the loss of sample k'),
    Entry('dL/dbeta_k.chain',
          r'''\frac{\partial \mathcal{L}}{\partial \beta_k} = \frac{\partial \mathcal{L}}{\partial \hat{p}_k} \cdot \frac{\partial \hat{p}_k}{\partial w_k} \cdot \frac{\partial w_k}{\partial \beta_k} = \left[ \frac{1-y^{(k)}}{1-\hat{p}_k} - \frac{y^{(k)}}{\hat{p}_k} \right] \left[ \frac{\sigma(w_k)(1-\sigma(w_k))}{\hat{p}_k} \right] \left[ a_k^{(k)} \right]''',
          why='beta_k is indexed by the sample k, and a_k^{(k)} repeats k'),
    Entry('dL/dbeta_k',
          r'''= \left[ \frac{\hat{p}_k - y^{(k)}}{(1-\hat{p}_k)\hat{p}_k} \right] a_k^{(k)} = (\hat{p}_k - y^{(k)}) a_k^{(k)}''',
          why='a continuation of the garbled line before it'),
    Entry('dL/dbeta.vector',
          r'''\frac{\partial \mathcal{L}}{\partial \beta} = (\hat{p} - y) a \in \mathbb{R}^m''',
          why='(p - y) a with a an m x q matrix is not given a shape'),
    Entry('dl/dTheta.chain',
          r'''\frac{\partial l}{\partial \Theta_l^{(n)}} = \frac{\partial l}{\partial p} \cdot \frac{\partial p}{\partial w} \cdot \frac{\partial w}{\partial z_l^{(n)}} \cdot \frac{\partial a_l^{(k)}}{\partial z_l^{(k)}} \cdot \frac{\partial z_l^{(k)}}{\partial \Theta_l^{(n)}}''',
          why='the factors mix layers (n) and (k) for the same quantity'),
    Entry('dl/dTheta',
          r'''= [\hat{p} - y] [\beta_l] \left[ \frac{\sigma(z_l^{(k)})}{\sigma_l^{(k)}} (1 - \sigma(z_l^{(k)})) \right] x_n^{(k)}''',
          why='sigma_l^{(k)} in a denominator is an OCR mark'),
    Entry('dl/dTheta.vector',
          r'''\frac{\partial l}{\partial \Theta_l^{(n)}} = \underbrace{(\hat{p} - y)}_{\mathbb{R}^m} \underbrace{\beta_l}_{\mathbb{R}} \underbrace{[a_l (1 - a_l)]}_{\mathbb{R}^m} \underbrace{x_n}_{\mathbb{R}^m}''',
          why='sets under each factor instead of an equation between matrices'),
    Entry('elementwise',
          r'''\underbrace{T_l}_{m \times n} * \underbrace{\overline{X}}_{m \times n}''',
          why='T_l * X-bar with no left side'),
]

# ---------------------------------------------------------------- how to read each line
# Part 1 (lines 1-12): i an input, j a hidden unit, k the sample; theta_j^{i,j} the weight from input i
# to hidden unit j, beta_j from hidden unit j to the output; p the output, w its logit. The bias is the
# unit a_0 = x_0 = 1 (so W_{i0} is the bias). The note's m in the inner sums counts inputs (n_0), g
# counts hidden units (n_1).
PART1 = {
    r"\theta_j^{i,j}": "W^{(1)}_{ji}", "a_j": "a^{(1)}_j", "z_j": "z^{(1)}_j", "a_0": "a^{(1)}_0",
    r"\sum_{i=1}^m": r"\sum_{i=1}^{n_0}", r"\sum_{j=0}^g": r"\sum_{j=0}^{n_1}",
    r"\beta_j": "W^{(2)}_{1j}", "p": "a^{(2)}_1", "w": "z^{(2)}_1", "y": "y_1",
}
# Lines with the sample index k: p_k is the output for sample k, alpha_k the hidden activation a_j of sample k.
SAMPLES = {
    "p_k": "a^{(2)(k)}_1", "y_k": "y^{(k)}_1", r"\alpha_k": "a^{(1)(k)}_j", r"\beta_j": "W^{(2)}_{1j}",
    r"\hat{y}_k": "a^{(2)(k)}_1", r"\theta_j^{i,j}": "W^{(1)}_{ji}", r"\sum_{i=1}^m": r"\sum_{i=1}^{n_0}",
    "x_i": "x^{(k)}_i", r"J(\theta, \alpha)": "J",
    r"l_k(\hat{y}_k, y_k)": r"-(y^{(k)}_1 \log(a^{(2)(k)}_1) + (1 - y^{(k)}_1) \log(1 - a^{(2)(k)}_1))",
}
# Part 2 (the Theta section): for one sample k, L_k its loss, P_k its output, w_k the output logit,
# z_k the pre-activation of hidden unit l, sigma_k the hidden sigmoid, X_{nk} input n, Theta_k^{(l)} the
# weight from input n to hidden unit l, beta_l from hidden unit l to the output.
PART2 = {
    "L_k": "J", "P_k": "a^{(2)}_1", "w_k": "z^{(2)}_1", "z_k": "z^{(1)}_l", "X_{nk}": "x_n",
    r"\Theta_k^{(l)}": "W^{(1)}_{ln}", r"\beta_l": "W^{(2)}_{1l}", "y_k": "y_1",
}
# The mean over the samples: the same symbols with k the sample, n the number of inputs.
PART2_MEAN = {
    "L": "J", "P_k": "a^{(2)(k)}_1", "y_k": "y^{(k)}_1", "z_k": "z^{(1)(k)}_l", "X_{nk}": "x^{(k)}_n",
    r"\Theta_k^{(l)}": "W^{(1)}_{ln}", r"\beta_l": "W^{(2)}_{1l}", "n": "n_0",
}
# The vectorised section: one sample, p-hat the output, beta_k (indexed by the sample, an OCR slip) the
# weight of hidden unit j, a_k^{(k)} its activation.
VECTOR = {
    r"\mathcal{L}": "J", r"\mathcal{L}_k": "J", r"\hat{p}_k": "a^{(2)}_1", "y^{(k)}": "y_1", "w_k": "z^{(2)}_1",
    r"\beta_k": "W^{(2)}_{1j}", "a_k^{(k)}": "a^{(1)}_j",
}
# The last section, one sample: l its loss, Theta_l^{(n)} the weight from input n to hidden unit l; the
# layer marks (n), (k) on z and a are OCR noise for the hidden layer.
PART3 = {
    "l": "J", r"\Theta_l^{(n)}": "W^{(1)}_{ln}", "p": "a^{(2)}_1", r"\hat{p}": "a^{(2)}_1", "w": "z^{(2)}_1",
    "z_l^{(n)}": "z^{(1)}_l", "z_l^{(k)}": "z^{(1)}_l", "a_l^{(k)}": "a^{(1)}_l", r"\beta_l": "W^{(2)}_{1l}",
    "x_n^{(k)}": "x_n", "y": "y_1", "a_l": "a^{(1)}_l", "x_n": "x_n",
}
# The last line's matrix form, samples as columns: p-hat and y are 1 x m rows, a the m x q activations.
MATRIX = {r"\mathcal{L}": "J", r"\beta": "W^{(2)}", r"\hat{p}": "a^{(2)}", "a": "(a^{(1)})^T"}
# The z_1^{(1)} section: superscript (1) is the first sample, theta_1^{(1)} a weight of hidden unit 1; the
# section writes z and w with no bias term (w = sum_{i=1}^q beta_i a_i), so its model has none.
NO_BIAS = replace(ONE, bias=False)
FIRST_SAMPLE = {r"\theta_1^{(1)}": "W^{(1)}_{11}", r"\mathbb{Q}_0": "a^{(1)}_1", r"\hat{p}": "a^{(2)}_1",
                r"\beta_i": "W^{(2)}_{1i}", "a_i^{(i)}": "a^{(1)}_i", r"\sum_{i=1}^q": r"\sum_{i=1}^{n_1}",
                "w": "z^{(2)}_1"}

# The Z_k line: k is a hidden unit (and the sample, which one sample makes moot), i an input with the
# bias unit i = 0, r_k the number of inputs.
UNIT_K = {"Z_k": "z^{(1)}_k", r"\Theta_k^{(i)}": "W^{(1)}_{ki}", r"\Theta_k^{(l)}": "W^{(1)}_{kl}",
          "X_{ik}": "x_i", "X_{lk}": "x_l", r"\sum_{i=0}^{r_k}": r"\sum_{i=0}^{n_0}"}

# The data section: X is m x n and y a column, samples as rows.
AS_ROWS = replace(FLAGS, layout="rows")

HOW = {
    "hidden": (PART1, ONE), "bias-unit": (PART1, ONE), "output": (PART1, ONE), "output.w": (PART1, ONE),
    "dJ/dtheta": (PART1, ONE),
    "loss": ({**SAMPLES, r"l_k(\hat{y}_k, y_k)": "J"}, ONE), "cost": (SAMPLES, FLAGS), "dp/dbeta": (SAMPLES, FLAGS), "dJ/dbeta": (SAMPLES, FLAGS),
    "dL/dTheta.chain": (PART2, ONE), "dL/dTheta.1": (PART2, ONE), "dL/dTheta.2": (PART2, ONE),
    "dL/dTheta.mean": (PART2_MEAN, FLAGS),
    "loss.k": (VECTOR, ONE), "dL/dbeta_k.chain": (VECTOR, ONE), "dL/dbeta_k": (VECTOR, ONE),
    "dL/dbeta.vector": (MATRIX, FLAGS),
    "z1": (FIRST_SAMPLE, NO_BIAS), "a1": (FIRST_SAMPLE, NO_BIAS), "hidden-map": (FIRST_SAMPLE, NO_BIAS),
    "output-map": (FIRST_SAMPLE, NO_BIAS), "want": ({**PART1, **SAMPLES}, ONE), "Z_k": (UNIT_K, ONE),
    "dl/dTheta.chain": (PART3, ONE), "dl/dTheta": (PART3, ONE), "dl/dTheta.vector": (PART3, FLAGS),
    "X": ({}, AS_ROWS), "y": ({}, AS_ROWS), "X-bias": ({}, AS_ROWS),
}
ENTRIES = [replace(e, readings={**HOW[e.id][0], **e.readings}, flags=HOW[e.id][1]) if e.id in HOW else e
           for e in ENTRIES]
