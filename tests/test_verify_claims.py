"""Textbook backprop claims, each with perturbed variants: zero false "correct".

Every row is (flags, a true claim, perturbed variants). Generic perturbations
(sign, scale by 2 and 1/2, transpose for matrix claims) are added to each
row's own specific ones (layer shift, index swap, dropped factor, dropped sum).
The default run checks a sample of the rows; ``-m exhaustive`` checks the rest.
"""
import pytest

from symderiv.engine.network import NetFlags
from symderiv.verify import verify
from sampling import covering_sample, split_grid

D = NetFlags()                                        # sigmoid / sigmoid / bce, one sample
B = NetFlags(batch=True)
BL2 = NetFlags(batch=True, reg="l2")
BL2S = NetFlags(batch=True, reg="l2-sum")
MSE = NetFlags(loss="mse")
SMX = NetFlags(output="softmax", batch=True)
TANH = NetFlags(hidden="tanh")
RELU = NetFlags(hidden="relu", output="softmax")
IDM = NetFlags(output="identity", hidden="tanh")
D3 = NetFlags(depth=3)
ROWS = NetFlags(batch=True, layout="rows")
ROWSL2 = NetFlags(batch=True, layout="rows", reg="l2-sum", hidden="relu", output="softmax")

# section -> rows of (flags, claim, matrix-valued?, specific wrong variants)
SECTIONS = {
    "output deltas": [
        (D, r"\delta^{(L)} = a^{(L)} - y", True, [r"\delta^{(L)} = a^{(L)} + y", r"\delta^{(L)} = a^{(L-1)} - y"]),
        (D, r"\delta^{(L)} = \hat{y} - y", True, [r"\delta^{(L)} = (\hat{y} - y) \odot \sigma'(z^{(L)})"]),
        (D, r"\delta^{(L)} = h_\theta(x) - y", True, [r"\delta^{(L)} = h_\theta(x) - x"]),
        (B, r"\delta^{(L)} = a^{(L)} - y", True, [r"\delta^{(L)} = \frac{1}{m}(a^{(L)} - y)"]),
        (D3, r"\delta^{(L)} = a^{(L)} - y", True, [r"\delta^{(L)} = a^{(L)} \odot (1 - a^{(L)}) - y"]),
        (MSE, r"\delta^{(L)} = (a^{(L)} - y) \odot \sigma'(z^{(L)})", True,
         [r"\delta^{(L)} = a^{(L)} - y", r"\delta^{(L)} = (a^{(L)} - y) \odot \sigma'(z^{(L-1)})"]),
        (MSE, r"\delta^{(L)} = (a^{(L)} - y) \odot a^{(L)} \odot (1 - a^{(L)})", True,
         [r"\delta^{(L)} = (a^{(L)} - y) \odot a^{(L)}", r"\delta^{(L)} = (a^{(L)} - y) \odot (1 - a^{(L)})"]),
        (MSE, r"\delta^{(L)} = -(y - a^{(L)}) \odot f'(z^{(L)})", True, [r"\delta^{(L)} = (y - a^{(L)}) \odot f'(z^{(L)})"]),
        (SMX, r"\delta^{(L)} = a^{(L)} - y", True, [r"\delta^{(L)} = a^{(L)} - 1"]),
        (RELU, r"\delta^{(L)} = a^{(L)} - y", True, [r"\delta^{(L)} = y - a^{(L)}"]),
        (IDM, r"\delta^{(L)} = a^{(L)} - y", True, [r"\delta^{(L)} = z^{(L-1)} - y"]),
        (IDM, r"\delta^{(L)} = z^{(L)} - y", True, [r"\delta^{(L)} = z^{(L)} - y + b^{(L)}"]),
        (D, r"\delta^{(L)}_i = a^{(L)}_i - y_i", False, [r"\delta^{(L)}_i = a^{(L)}_i + y_i"]),
        (B, r"\delta^{(L)}_{ij} = a^{(L)}_{ij} - y_{ij}", False, [r"\delta^{(L)}_{ij} = a^{(L)}_{ji} - y_{ij}"]),
        (MSE, r"\delta^{(L)}_k = (a^{(L)}_k - y_k) a^{(L)}_k (1 - a^{(L)}_k)", False,
         [r"\delta^{(L)}_k = (a^{(L)}_k - y_k) a^{(L)}_k"]),
    ],
    "recursions": [
        (D, r"\delta^{(l)} = \left(W^{(l+1)}\right)^T \delta^{(l+1)} \odot \sigma'(z^{(l)})", True,
         [r"\delta^{(l)} = W^{(l+1)} \delta^{(l+1)} \odot \sigma'(z^{(l)})",
          r"\delta^{(l)} = \left(W^{(l+1)}\right)^T \delta^{(l+1)}",
          r"\delta^{(l)} = \left(W^{(l)}\right)^T \delta^{(l+1)} \odot \sigma'(z^{(l)})",
          r"\delta^{(l)} = \left(W^{(l+1)}\right)^T \delta^{(l+1)} \odot \sigma'(z^{(l+1)})",
          r"\delta^{(l)} = \left(W^{(l+1)}\right)^T \delta^{(l+1)} \odot \sigma(z^{(l)})"]),
        (D3, r"\delta^{(l)} = (W^{(l+1)})^\top \delta^{(l+1)} \circ f'(z^{(l)})", True,
         [r"\delta^{(l)} = (W^{(l+1)})^\top \delta^{(l+1)} \circ f'(z^{(l-1)})",
          r"\delta^{(l)} = (W^{(l+1)})^\top \delta^{(l+2)} \circ f'(z^{(l)})"]),
        (D3, r"\delta^{(l)} = W^{(l+1)'} \delta^{(l+1)} \odot a^{(l)} \odot (1 - a^{(l)})", True,
         [r"\delta^{(l)} = W^{(l+1)'} \delta^{(l+1)} \odot (1 - a^{(l)})"]),
        (TANH, r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot (1 - a^{(l)} \odot a^{(l)})", True,
         [r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot a^{(l)} \odot (1 - a^{(l)})",
          r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot (1 + a^{(l)} \odot a^{(l)})"]),
        (TANH, r"\delta^{(1)} = (W^{(2)})^T \delta^{(2)} \odot (1 - \tanh^2(z^{(1)}))", True,
         [r"\delta^{(1)} = (W^{(2)})^T \delta^{(2)} \odot (1 - \tanh(z^{(1)}))"]),
        (RELU, r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot g'(z^{(l)})", True,
         [r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)}  \odot a^{(l)}"]),
        (B, r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})", True,
         [r"\delta^{(l)} = \frac{1}{m}(W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})"]),
        (D, r"\delta_i^{(l)} = \left(\sum_{j=1}^{n_{l+1}} W_{ji}^{(l+1)} \delta_j^{(l+1)}\right) f^{\prime}(z_i^{(l)})", False,
         [r"\delta_i^{(l)} = \left(\sum_{j=1}^{n_{l+1}} W_{ij}^{(l+1)} \delta_j^{(l+1)}\right) f^{\prime}(z_i^{(l)})",
          r"\delta_i^{(l)} = \left(\sum_{j=1}^{n_{l+1}} W_{ji}^{(l+1)} \delta_j^{(l+1)}\right)",
          r"\delta_i^{(l)} = \left(\sum_{j=1}^{n_{l+1}} W_{ji}^{(l)} \delta_j^{(l+1)}\right) f^{\prime}(z_i^{(l)})"]),
        (D3, r"\delta_k^{(l)} = \sum_{j} \delta_j^{(l+1)} w_{jk}^{(l+1)} a_k^{(l)} (1 - a_k^{(l)})", False,
         [r"\delta_k^{(l)} = \sum_{j} \delta_j^{(l+1)} w_{jk}^{(l)} a_k^{(l)} (1 - a_k^{(l)})",
          r"\delta_k^{(l)} = \sum_{j} \delta_j^{(l+1)} w_{kj}^{(l+1)} a_k^{(l)} (1 - a_k^{(l)})"]),
        (ROWS, r"\delta^{(l)} = \delta^{(l+1)} (W^{(l+1)})^T \odot \sigma'(z^{(l)})", True,
         [r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \sigma'(z^{(l)})",
          r"\delta^{(l)} = \delta^{(l+1)} W^{(l+1)} \odot \sigma'(z^{(l)})"]),
    ],
    "weight gradients": [
        (D, r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T", True,
         [r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l)})^T",
          r"\frac{\partial J}{\partial W^{(l)}} = a^{(l-1)} (\delta^{(l)})^T",
          r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l-1)} (a^{(l-1)})^T"]),
        (B, r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m}\delta^{(l)} (a^{(l-1)})^T", True,
         [r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T",
          r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{2}\delta^{(l)} (a^{(l-1)})^T"]),
        (BL2, r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m}\delta^{(l)} (a^{(l-1)})^T + \frac{\lambda}{m} W^{(l)}", True,
         [r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m}\delta^{(l)} (a^{(l-1)})^T",
          r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m}\delta^{(l)} (a^{(l-1)})^T + \lambda W^{(l)}",
          r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m}\delta^{(l)} (a^{(l-1)})^T + \frac{\lambda}{2m} W^{(l)}"]),
        (BL2S, r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m}\delta^{(l)} (a^{(l-1)})^T + 2\lambda W^{(l)}", True,
         [r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m}\delta^{(l)} (a^{(l-1)})^T + \lambda W^{(l)}"]),
        (BL2, r"\frac{\partial J}{\partial W^{(2)}} = \frac{1}{m}\delta^{(2)} (a^{(1)})^T + \frac{\lambda}{m} W^{(2)}", True,
         [r"\frac{\partial J}{\partial W^{(2)}} = \frac{1}{m}\delta^{(2)} (a^{(2)})^T + \frac{\lambda}{m} W^{(2)}"]),
        (D, r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \delta^{(l)}_i a^{(l-1)}_j", False,
         [r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \delta^{(l)}_j a^{(l-1)}_i",
          r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \delta^{(l+1)}_i a^{(l)}_j",
          r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \delta^{(l)}_i"]),
        (D, r"\frac{\partial}{\partial W_{ij}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b}) = a_j^{(l-1)} \delta_i^{(l)}", False,
         [r"\frac{\partial}{\partial W_{ij}^{(l)}} J(\boldsymbol{W}, \boldsymbol{b}) = a_j^{(l)} \delta_i^{(l+1)}"]),
        (B, r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \frac{1}{m}\sum_{s=1}^{m} \delta^{(l)}_{is} a^{(l-1)}_{js}", False,
         [r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \sum_{s=1}^{m} \delta^{(l)}_{is} a^{(l-1)}_{js}",
          r"\frac{\partial J}{\partial W^{(l)}_{ij}} = \frac{1}{m}\sum_{s=1}^{m} \delta^{(l)}_{js} a^{(l-1)}_{is}"]),
        (ROWS, r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m} (A^{(l-1)})^T \delta^{(l)}", True,
         [r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m} \delta^{(l)} (A^{(l-1)})^T"]),
        (ROWSL2, r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m} (A^{(l-1)})^T \delta^{(l)} + 2\lambda W^{(l)}", True,
         [r"\frac{\partial J}{\partial W^{(l)}} = \frac{1}{m} (A^{(l-1)})^T \delta^{(l)} + \lambda W^{(l)}"]),
        (TANH, r"\frac{\partial J}{\partial \Theta^{(1)}} = \delta^{(1)} x^T", True,
         [r"\frac{\partial J}{\partial \Theta^{(1)}} = \delta^{(2)} x^T"]),
        (MSE, r"\frac{\partial C}{\partial w^{(L)}} = \delta^{(L)} (a^{(L-1)})^T", True,
         [r"\frac{\partial C}{\partial w^{(L)}} = \delta^{(L)} (a^{(L)})^T"]),
    ],
    "bias gradients": [
        (D, r"\frac{\partial J}{\partial b^{(l)}} = \delta^{(l)}", True, [r"\frac{\partial J}{\partial b^{(l)}} = \delta^{(l+1)}"]),
        (B, r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\delta^{(l)} \mathbf{1}", True,
         [r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\delta^{(l)}", r"\frac{\partial J}{\partial b^{(l)}} = \delta^{(l)} \mathbf{1}"]),
        (BL2, r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\delta^{(l)} \mathbf{1}", True,
         [r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\delta^{(l)} \mathbf{1} + \frac{\lambda}{m} b^{(l)}"]),
        (B, r"\frac{\partial J}{\partial b^{(l)}_i} = \frac{1}{m}\sum_{s=1}^{m}\delta^{(l)}_{is}", False,
         [r"\frac{\partial J}{\partial b^{(l)}_i} = \sum_{s=1}^{m}\delta^{(l)}_{is}"]),
        (D, r"\frac{\partial J}{\partial b^{(l)}_i} = \delta^{(l)}_i", False, [r"\frac{\partial J}{\partial b^{(l)}_i} = \delta^{(l+1)}_i"]),
        (ROWS, r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\mathbf{1}^T \delta^{(l)}", True,
         [r"\frac{\partial J}{\partial b^{(l)}} = \frac{1}{m}\delta^{(l)}"]),
    ],
    "other partials": [
        (B, r"\frac{\partial J}{\partial z^{(l)}} = \frac{1}{m}\delta^{(l)}", True, [r"\frac{\partial J}{\partial z^{(l)}} = \delta^{(l)}"]),
        (SMX, r"\frac{\partial J}{\partial z^{(L)}} = \frac{1}{N}(a^{(L)} - y)", True,
         [r"\frac{\partial J}{\partial z^{(L)}} = \frac{1}{2}(a^{(L)} - y)"]),
        (D, r"\frac{\partial J}{\partial a^{(l)}} = (W^{(l+1)})^T \delta^{(l+1)}", True,
         [r"\frac{\partial J}{\partial a^{(l)}} = W^{(l+1)} \delta^{(l+1)}", r"\frac{\partial J}{\partial a^{(l)}} = (W^{(l+1)})^T \delta^{(l)}"]),
        (B, r"\frac{\partial J}{\partial a^{(l)}} = \frac{1}{m} (W^{(l+1)})^T \delta^{(l+1)}", True,
         [r"\frac{\partial J}{\partial a^{(l)}} = \frac{1}{2} (W^{(l+1)})^T \delta^{(l+1)}"]),
        (MSE, r"\frac{\partial J}{\partial a^{(L)}} = a^{(L)} - y", True, [r"\frac{\partial J}{\partial a^{(L)}} = y - a^{(L)}"]),
        (D, r"\frac{\partial J}{\partial a^{(L)}} = \frac{a^{(L)} - y}{a^{(L)} \odot (1 - a^{(L)})}", True,
         [r"\frac{\partial J}{\partial a^{(L)}} = \frac{a^{(L)} - y}{a^{(L)}}"]),
        (D, r"\frac{\partial a^{(l)}}{\partial z^{(l)}} = a^{(l)} \odot (1 - a^{(l)})", True,
         [r"\frac{\partial a^{(l)}}{\partial z^{(l)}} = 1 - a^{(l)}"]),
        (D, r"\frac{\partial a_i^{(l)}}{\partial z_i^{(l)}} = a_i^{(l)}(1 - a_i^{(l)})", False,
         [r"\frac{\partial a_i^{(l)}}{\partial z_i^{(l)}} = a_i^{(l)}(1 + a_i^{(l)})"]),
        (D, r"\frac{\partial z_j^{(l+1)}}{\partial a_i^{(l)}} = W_{ji}^{(l+1)}", False,
         [r"\frac{\partial z_j^{(l+1)}}{\partial a_i^{(l)}} = W_{ij}^{(l+1)}"]),
        (D, r"\frac{\partial z_j^{(l+1)}}{\partial z_i^{(l)}} = W_{ji}^{(l+1)} f'(z_i^{(l)})", False,
         [r"\frac{\partial z_j^{(l+1)}}{\partial z_i^{(l)}} = W_{ji}^{(l+1)} f'(z_j^{(l+1)})"]),
        (D, r"\frac{\partial z_i^{(l)}}{\partial W_{ij}^{(l)}} = a_j^{(l-1)}", False,
         [r"\frac{\partial z_i^{(l)}}{\partial W_{ij}^{(l)}} = a_j^{(l)}"]),
        (D, r"\frac{\partial z^{(l+1)}}{\partial a^{(l)}} = W^{(l+1)}", True, [r"\frac{\partial z^{(l+1)}}{\partial a^{(l)}} = W^{(l)}"]),
    ],
    "forward pass and loss": [
        (D, r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}", True,
         [r"z^{(l)} = W^{(l)} a^{(l-1)}", r"z^{(l)} = W^{(l)} a^{(l)} + b^{(l)}"]),
        (B, r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}", True, [r"z^{(l)} = (W^{(l)})^T a^{(l-1)} + b^{(l)}"]),
        (ROWS, r"Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}", True, [r"Z^{(l)} = W^{(l)} A^{(l-1)} + b^{(l)}"]),
        (D, r"a^{(l)} = \sigma(z^{(l)})", True, [r"a^{(l)} = \sigma(z^{(l-1)})"]),
        (D, r"a^{(l)} = \frac{1}{1 + e^{-z^{(l)}}}", True, [r"a^{(l)} = \frac{1}{1 + e^{z^{(l)}}}"]),
        (SMX, r"a^{(L)}_i = \frac{\exp(z^{(L)}_i)}{\sum_k \exp(z^{(L)}_k)}", False,
         [r"a^{(L)}_i = \frac{\exp(z^{(L)}_i)}{\sum_k \exp(z^{(L-1)}_k)}"]),
        (MSE, r"J = \frac{1}{2}\sum_{k} (a^{(L)}_k - y_k)^2", False, [r"J = \sum_{k} (a^{(L)}_k - y_k)^2"]),
        (D, r"J = -\sum_{k} (y_k \ln a^{(L)}_k + (1 - y_k)\ln(1 - a^{(L)}_k))", False,
         [r"J = -\sum_{k} (y_k \ln a^{(L)}_k - (1 - y_k)\ln(1 - a^{(L)}_k))"]),
        # the regulariser summed over layers, and the loss of (prediction, target) as the data term
        (BL2, r"J = \frac{1}{m}\sum_{i=1}^{m} \mathcal{L}(a^{(L)(i)}, y^{(i)}) + \frac{\lambda}{2m}\sum_l \|W^{(l)}\|^2",
         False, [r"J = \frac{1}{m}\sum_{i=1}^{m} \mathcal{L}(a^{(L)(i)}, y^{(i)})",
                 r"J = \frac{1}{m}\sum_{i=1}^{m} \mathcal{L}(a^{(L)(i)}, y^{(i)}) + \frac{\lambda}{2m}\sum_{l=1}^{L-1} \|W^{(l)}\|^2",
                 r"J = \sum_{i=1}^{m} \mathcal{L}(a^{(L)(i)}, y^{(i)}) + \frac{\lambda}{2m}\sum_l \|W^{(l)}\|^2"]),
        (BL2, r"J_{reg} = \frac{\lambda}{2m}\sum_{l=1}^{L}\sum_i\sum_j (W^{(l)}_{ij})^2", False,
         [r"J_{reg} = \frac{\lambda}{2m}\sum_{l=1}^{L}\sum_i\sum_j (W^{(l)}_{ji})", r"J_{reg} = \frac{\lambda}{2m}\sum_{l=2}^{L}\sum_i\sum_j (W^{(l)}_{ij})^2"]),
    ],
    "pure calculus": [
        (D, r"\sigma'(z) = \sigma(z)(1-\sigma(z))", False, [r"\sigma'(z) = \sigma(z)(1+\sigma(z))", r"\sigma'(z) = 1-\sigma(z)"]),
        (D, r"\frac{d}{dz}\tanh(z) = 1 - \tanh^2(z)", False, [r"\frac{d}{dz}\tanh(z) = 1 - \tanh(z)"]),
        (D, r"\frac{d}{dz}(1+e^{-z})^{-1} = \frac{e^{-z}}{(1+e^{-z})^2}", False, [r"\frac{d}{dz}(1+e^{-z})^{-1} = \frac{-e^{-z}}{(1+e^{-z})^2}"]),
        (D, r"\frac{d}{dp}\left(-y\ln p - (1-y)\ln(1-p)\right) = \frac{p - y}{p(1-p)}", False,
         [r"\frac{d}{dp}\left(-y\ln p - (1-y)\ln(1-p)\right) = \frac{y - p}{p(1-p)}"]),
        (D, r"\frac{d}{dz}\ln(1 + e^{z}) = \sigma(z)", False, [r"\frac{d}{dz}\ln(1 + e^{z}) = \sigma(-z)"]),
        (TANH, r"f'(z) = 1 - f(z)^2", False, [r"f'(z) = f(z)(1 - f(z))"]),
        (D, r"\frac{d}{dz}\exp(2z) = 2\exp(2z)", False, [r"\frac{d}{dz}\exp(2z) = \exp(2z)"]),
    ],
}
CLAIMS = [row for rows in SECTIONS.values() for row in rows]


def generic(claim, matrix):
    lhs, rhs = claim.split(" = ", 1)
    out = [f"{lhs} = -\\left({rhs}\\right)", f"{lhs} = 2\\left({rhs}\\right)", f"{lhs} = \\frac{{1}}{{2}}\\left({rhs}\\right)"]
    if matrix:
        out.append(f"{lhs} = \\left({rhs}\\right)^T")
    return out


def test_at_least_sixty_claims():
    assert len(CLAIMS) >= 60


# The default run checks a sample holding every section, every flags setting and both claim kinds.
SECTION = {claim: name for name, rows in SECTIONS.items() for _, claim, _, _ in rows}
SAMPLE = covering_sample(CLAIMS, seed=8, axes=lambda row: (SECTION[row[1]], row[0], row[2]))


@pytest.mark.parametrize("flags,claim,matrix,wrong", split_grid(CLAIMS, SAMPLE, ids=lambda row: row[1][:50]))
def test_claim_and_perturbations(flags, claim, matrix, wrong):
    v = verify(claim, flags)
    assert v.verdict == "correct", (claim, v.reason, v.diagnosis)
    for bad in wrong + generic(claim, matrix):
        w = verify(bad, flags)
        assert w.verdict != "correct", bad
        assert w.verdict == "incorrect", (bad, w.reason)
        assert w.diagnosis
