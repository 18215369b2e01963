"""The hand-written NumPy backprop that symderiv's lambdified gradients are timed against.

What a careful person writes by hand for a sigmoid network with a sigmoid +
binary cross-entropy output and the ex4 penalty ``lambda/(2m) sum W^2``, in
column layout (a sample is a column): one forward pass that keeps every
activation, the output delta ``a - y``, and the recursion
``delta = W^T delta * a (1 - a)``. It shares no code with symderiv, so it is
also an independent check of the benchmark's gradients (bench.py compares them).

``relu_softmax_gradients`` is the same for ReLU hidden layers and a softmax +
cross-entropy output (CS231n style, in columns): output delta ``a - y`` for
one-hot targets, recursion ``delta = W^T delta * [z > 0]``.
"""
import numpy as np


def sigmoid(Z):
    # 1/(1+e^-z): what people write; errstate because e^-z overflows harmlessly to inf at z << 0.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-Z))


def gradients(params, X, Y, lam):
    """[(dW, db), ...] of J = 1/m sum bce + lam/(2m) sum W^2, for [(W, b), ...]."""
    m = X.shape[1]
    A = [X]
    for W, b in params:
        A.append(sigmoid(W @ A[-1] + b))
    delta = A[-1] - Y
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        W = params[l][0]
        grads[l] = ((delta @ A[l].T + lam * W) / m, delta.sum(axis=1, keepdims=True) / m)
        if l:
            delta = (W.T @ delta) * A[l] * (1.0 - A[l])
    return grads


def softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def relu_softmax_gradients(params, X, Y, lam):
    """[(dW, db), ...] of J = 1/m sum cross-entropy + lam/(2m) sum W^2, ReLU hidden layers."""
    m = X.shape[1]
    A, Z = [X], [None]
    for W, b in params[:-1]:
        Z.append(W @ A[-1] + b)
        A.append(np.maximum(Z[-1], 0.0))
    W, b = params[-1]
    delta = softmax(W @ A[-1] + b) - Y
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        W = params[l][0]
        grads[l] = ((delta @ A[l].T + lam * W) / m, delta.sum(axis=1, keepdims=True) / m)
        if l:
            delta = (W.T @ delta) * (Z[l] > 0)
    return grads
