"""Speed of symderiv's derived gradients on NumPy, JAX and PyTorch, in one run, written to docs/benchmarks.md.

    python benchmarks/bench.py [--out docs/benchmarks.md] [--quick] [--threads 1] [--no-compile]

Models (``MODELS``): sigmoid hidden + sigmoid/binary cross-entropy output (note
000 / ex4) and ReLU hidden + softmax/cross-entropy output (CS231n), both with
the ``l2`` penalty. Sizes (``SIZES``): 64-25-10 on digits (m=1797), 400-25-10
and 784-256-128-10 on 5000 synthetic samples. Every model runs at every size.

For each case it times one gradient evaluation on the whole batch and one
training epoch (mini-batch gradient descent, batches of 32, fixed order) of

* symderiv on NumPy (``net.lambdify().gradients``) and a hand-written NumPy backprop;
* symderiv on JAX (``net.lambdify(backend="jax")``) and ``jax.jit(jax.grad(loss))``;
* symderiv on PyTorch (``net.lambdify(backend="torch")``) and torch eager autograd;
* with ``torch.compile`` (gradient only; skipped by ``--no-compile`` or when it
  fails): symderiv on PyTorch with ``compile=True`` and ``torch.compile``'d autograd.

The JAX epoch is one ``jax.jit`` step (gradients and update) per batch on both
sides. Before timing, every implementation's gradients are checked against the
hand-written ones, so the table never compares a wrong answer. Times are the
minimum over 31 rounds (15 for epochs) of the mean CPU time (``time.process_time``,
every library on one thread) of the calls in one short turn (~40 ms), the
implementations taking turns in a rotating order; the report gives ratios
only, all from one process.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # handwritten.py
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # symderiv from the repo

import handwritten  # noqa: E402
import symderiv  # noqa: E402

LAM, LR, BATCH = 1.0, 0.5, 32
ROUNDS = 31           # turns per implementation for a gradient time (half that for an epoch)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- cases ------------------------------------------------------------------

def digits_data(sizes, m, rng):
    from symderiv.training import data
    d = data.load("digits")
    X = data.Scaler.fit(d.X)(d.X).T
    return np.ascontiguousarray(X), np.ascontiguousarray(data.one_hot(d.y, 10).T)


def synthetic_data(sizes, m, rng):
    X = rng.normal(size=(sizes[0], m))
    Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    return X, Y


@dataclass(frozen=True)
class Model:
    """One network family: symderiv's flags, and the same loss written for each library."""

    name: str
    flags: dict
    hand: Callable            # hand-written NumPy gradients(params, X, Y, lam)
    hidden: str               # "sigmoid" | "relu": the hidden activation of the autodiff losses
    output_loss: str          # "bce" | "ce": the data term, from the logits, for the autodiff losses


MODELS = [
    Model("sigmoid / BCE", dict(hidden="sigmoid", output="sigmoid", loss="bce", reg="l2"),
          handwritten.gradients, "sigmoid", "bce"),
    Model("ReLU / softmax / CE", dict(hidden="relu", output="softmax", loss="ce", reg="l2"),
          handwritten.relu_softmax_gradients, "relu", "ce"),
]
SIZES = [
    ("64-25-10, digits (m=1797)", (64, 25, 10), 1797, digits_data),
    ("400-25-10, synthetic (m=5000)", (400, 25, 10), 5000, synthetic_data),
    ("784-256-128-10, synthetic (m=5000)", (784, 256, 128, 10), 5000, synthetic_data),
]


@dataclass(frozen=True)
class Case:
    model: Model
    size: str
    sizes: tuple
    m: int
    data: Callable

    @property
    def name(self) -> str:
        return f"{self.model.name}, {self.size}"


CASES = [Case(model, *size) for model in MODELS for size in SIZES]


# ---- implementations: each turns NumPy params into (grad, epoch) callables -------------
# A factory takes (model, sizes) and returns convert (NumPy params -> its own), grad,
# epoch (None: not timed per epoch), back (its gradients -> NumPy) and data (an array -> its own).

def total(batches):
    return sum(X.shape[1] for X, _ in batches)


def sgd(gradients, update):
    """A training epoch for any gradient function; ``update`` applies one step to the params."""
    def epoch(params, batches):
        for X, Y in batches:
            params = update(params, gradients(params, X, Y, LAM * X.shape[1] / total(batches)))
        return params
    return epoch


def numpy_update(params, grads):
    return [(W - LR * dW, b - LR * db) for (W, b), (dW, db) in zip(params, grads)]


def make_symderiv(model, sizes):
    num = symderiv.mlp(sizes, **model.flags).lambdify()
    grad = lambda params, X, Y: num.gradients(params, X, Y, LAM)  # noqa: E731
    return dict(convert=lambda p: p, grad=grad, epoch=sgd(num.gradients, numpy_update), back=lambda g: g)


def make_handwritten(model, sizes):
    grad = lambda params, X, Y: model.hand(params, X, Y, LAM)  # noqa: E731
    return dict(convert=lambda p: p, grad=grad, epoch=sgd(model.hand, numpy_update), back=lambda g: g)


def in_float32(factory):
    """The same implementation fed float32 parameters and data (it must compute and answer in float32)."""
    def make(model, sizes):
        impl = factory(model, sizes)
        to32 = lambda A: np.ascontiguousarray(A, dtype=np.float32)  # noqa: E731
        grad = impl["grad"]

        def checked_grad(p, X, Y):
            g = grad(p, X, Y)
            if any(a.dtype != np.float32 for pair in g for a in pair):
                raise AssertionError("float32 in, but the gradients came back in another dtype")
            return g
        return dict(impl, convert=lambda p: [(to32(W), to32(b)) for W, b in p], data=to32, grad=checked_grad,
                    back=lambda g: [(W.astype(float), b.astype(float)) for W, b in g], tolerance=1e-4)
    return make


# -- PyTorch

def torch_loss(model):
    """J written with torch's own functions, for autograd."""
    import torch
    import torch.nn.functional as F
    hidden = {"sigmoid": torch.sigmoid, "relu": torch.relu}[model.hidden]
    data_term = {"bce": lambda Z, Y: F.binary_cross_entropy_with_logits(Z, Y, reduction="sum"),
                 "ce": lambda Z, Y: -(Y * F.log_softmax(Z, dim=0)).sum()}[model.output_loss]

    def loss(params, X, Y, lam):
        A = X
        for W, b in params[:-1]:
            A = hidden(W @ A + b)
        W, b = params[-1]
        m = X.shape[1]
        return data_term(W @ A + b, Y) / m + lam / (2 * m) * sum((W ** 2).sum() for W, _ in params)
    return loss


def torch_update(params, grads):
    import torch
    with torch.no_grad():       # in place, as torch.optim does
        for (W, b), (dW, db) in zip(params, grads):
            W -= LR * dW
            b -= LR * db
    return params


def torch_io(requires_grad):
    import torch
    convert = lambda params: [tuple(torch.tensor(p, dtype=torch.float64, requires_grad=requires_grad)  # noqa: E731
                                    for p in pair) for pair in params]
    return dict(convert=convert, back=lambda g: [(dW.numpy(), db.numpy()) for dW, db in g],
                data=lambda A: torch.from_numpy(A))


def make_torch_autograd(model, sizes, compiled=False):
    import torch
    loss = torch_loss(model)
    if compiled:
        loss = torch.compile(loss, dynamic=False)

    def grad(params, X, Y, lam=LAM):
        for pair in params:
            for p in pair:
                p.grad = None
        loss(params, X, Y, lam).backward()
        return [(W.grad, b.grad) for W, b in params]

    epoch = None if compiled else sgd(grad, torch_update)   # compiled: the gradient only (compile time)
    return dict(grad=lambda p, X, Y: grad(p, X, Y), epoch=epoch, **torch_io(requires_grad=True))


def make_symderiv_torch(model, sizes, compiled=False):
    num = symderiv.mlp(sizes, **model.flags).lambdify(backend="torch", compile=compiled)
    epoch = None if compiled else sgd(num.gradients, torch_update)
    return dict(grad=lambda p, X, Y: num.gradients(p, X, Y, LAM), epoch=epoch, **torch_io(requires_grad=False))


# -- JAX

def jax_io():
    import jax.numpy as jnp
    return dict(convert=lambda p: [tuple(jnp.asarray(x) for x in pair) for pair in p],
                back=lambda g: [(np.asarray(dW), np.asarray(db)) for dW, db in g],
                data=lambda A: jnp.asarray(A))


def jax_epoch(gradients):
    """Batches of jit-compiled steps (gradients and update in one program), on both JAX sides."""
    import jax

    @jax.jit
    def step(params, X, Y, lam):
        grads = gradients(params, X, Y, lam)
        return jax.tree_util.tree_map(lambda p, g: p - LR * g, params, grads)

    def epoch(params, batches):
        m_total = total(batches)
        for X, Y in batches:
            params = step(params, X, Y, LAM * X.shape[1] / m_total)
        return jax.block_until_ready(params)
    return epoch


def make_jax_autodiff(model, sizes):
    import jax
    import jax.numpy as jnp
    hidden = {"sigmoid": jax.nn.sigmoid, "relu": jax.nn.relu}[model.hidden]
    data_term = {"bce": lambda Z, Y: jnp.sum(jax.nn.softplus(Z) - Y * Z),
                 "ce": lambda Z, Y: -jnp.sum(Y * jax.nn.log_softmax(Z, axis=0))}[model.output_loss]

    def loss(params, X, Y, lam):
        A = X
        for W, b in params[:-1]:
            A = hidden(W @ A + b)
        W, b = params[-1]
        m = X.shape[1]
        return data_term(W @ A + b, Y) / m + lam / (2 * m) * sum(jnp.sum(W ** 2) for W, _ in params)

    grad_fn = jax.jit(jax.grad(loss))
    return dict(grad=lambda p, X, Y: jax.block_until_ready(grad_fn(p, X, Y, LAM)),
                epoch=jax_epoch(jax.grad(loss)), **jax_io())


def make_symderiv_jax(model, sizes):
    import jax
    num = symderiv.mlp(sizes, **model.flags).lambdify(backend="jax")
    return dict(grad=lambda p, X, Y: jax.block_until_ready(num.gradients(p, X, Y, LAM)),
                epoch=jax_epoch(num.gradients), **jax_io())


# name -> (factory, module it needs or None, uses torch.compile)
IMPLEMENTATIONS = {
    "symderiv NumPy": (make_symderiv, None, False),
    "hand NumPy": (make_handwritten, None, False),
    "symderiv NumPy f32": (in_float32(make_symderiv), None, False),
    "hand NumPy f32": (in_float32(make_handwritten), None, False),
    "symderiv-JAX": (make_symderiv_jax, "jax", False),
    "JAX jit(grad)": (make_jax_autodiff, "jax", False),
    "symderiv-torch": (make_symderiv_torch, "torch", False),
    "torch eager": (make_torch_autograd, "torch", False),
    "symderiv-torch compiled": (lambda m, s: make_symderiv_torch(m, s, compiled=True), "torch", True),
    "torch.compile": (lambda m, s: make_torch_autograd(m, s, compiled=True), "torch", True),
}

# The ratios the report shows: (column title, numerator, denominator, {measure: target}).
RATIOS = [
    ("symderiv NumPy / hand NumPy", "symderiv NumPy", "hand NumPy", {"grad": 1.10, "epoch": 1.10}),
    ("symderiv NumPy / hand NumPy, float32", "symderiv NumPy f32", "hand NumPy f32", {"grad": 1.10, "epoch": 1.10}),
    ("symderiv-JAX / jax.jit(jax.grad)", "symderiv-JAX", "JAX jit(grad)", {"grad": 0.95}),
    ("symderiv-torch / torch eager autograd", "symderiv-torch", "torch eager", {"grad": 1.00, "epoch": 1.00}),
    ("symderiv-torch compiled / torch.compile autograd", "symderiv-torch compiled", "torch.compile", {}),
    ("symderiv-torch / torch.compile autograd", "symderiv-torch", "torch.compile", {}),
    ("symderiv NumPy / torch eager autograd", "symderiv NumPy", "torch eager", {}),
]

# Why the ratios are what they are: measured causes, independent of one run's figures.
NOTES = [
    "- **Where symderiv-JAX gains.** (1) The derived output delta is already simplified: sigmoid + BCE "
    "gives `a - y`, where `jax.grad` differentiates the stable softplus form (exp, log1p, a division) — "
    "visible when elementwise work is a fair share of the time, i.e. at small sizes. (2) The recursion "
    "`W^T δ`: XLA on CPU folds a transpose into the dot, and a product with a transposed left factor runs "
    "at about half speed (measured 17 ms vs 8.7 ms for a 256×128 weight by a 128×5000 delta). symderiv "
    "knows the product is `W^T δ` and, from 2^24 multiply-adds on, materialises the small `W^T` "
    "(`symderiv/engine/backends.py`, `tmatmul`); `jax.grad`'s transpose rule leaves the slow form.",
    "- **Where it cannot.** For ReLU + softmax/CE, XLA compiles the derived gradient and `jax.grad` of the "
    "log-softmax loss to the same program: the same dots and fusions (compared with "
    "`jit(...).lower(...).compile().as_text()`), except for that transposed product and two tiny kernels "
    "that scale the bias gradients by 1/m. Where the product is small (400-25-10 and 64-25-10, whose `W^T` "
    "is 10×25, and every 32-sample epoch batch) there is nothing left to gain and the ratio is about 1, so "
    "the ≤ 0.95× target is missed. At ReLU 64-25-10 symderiv is even slower (1.1–1.25× in repeated "
    "CPU-time runs): a hand-written JAX version of the same derived formulas is exactly as slow, and "
    "neither folding 1/m into the output delta nor a log-softmax-based softmax changed it, so the cause "
    "lies in how XLA runs two near-identical programs of ~0.4 ms, not in the code generation; it is not "
    "isolated. Rewrites of `dW = δ a^T` (materialised transposes of `X` or δ) were slower at every size.",
    "- **symderiv-torch vs autograd.** symderiv runs the derived formula with no autograd graph (its "
    "per-operation bookkeeping dominates at small sizes and in the epochs' 32-sample batches) and "
    "evaluates `δ ⊙ f'(z)` for the derived sigmoid, tanh and relu forms in one pass with ATen's fused "
    "kernels for exactly those formulas (`a(1-a)`, `1-a²`, `[z>0]`), where eager code would make three. "
    "At 784-256-128-10 matrix products dominate and both sides approach the same time.",
    "- **Noise.** The machine is shared (2 logical CPUs, other processes running). Wall-clock ratios "
    "spread by up to ±30% between runs there (the same ratio measured 1.03, 1.36 and 1.03 in three "
    "consecutive runs), which is why CPU time is measured; it still spreads by about ±3% (cache and "
    "memory bandwidth are shared), so a ratio within 3% of a target is not a clear pass or miss.",
]


def available(compile_torch: bool):
    import importlib.util
    return {name: f for name, (f, needs, compiles) in IMPLEMENTATIONS.items()
            if (needs is None or importlib.util.find_spec(needs) is not None) and (compile_torch or not compiles)}


# ---- timing -----------------------------------------------------------------

THREADS = {"count": 1}


def limit_threads(n: int) -> None:
    """Give OpenBLAS (NumPy), PyTorch and XLA (JAX) the same number of threads.

    With several pools on a small machine, one library's spinning idle threads
    (OpenMP waits actively after a parallel region) steal the CPUs of the next
    library's calls: taking turns then measured up to 100x slowdowns of NumPy
    right after PyTorch. Equal, fixed pools make the ratios about the code.
    """
    from threadpoolctl import threadpool_limits
    THREADS["count"] = n
    THREADS["limits"] = threadpool_limits(limits=n)   # kept alive: the limit lasts while referenced
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_cpu_multi_thread_eigen={'true' if n > 1 else 'false'}"
                               f" intra_op_parallelism_threads={n}").strip()
    try:
        import torch
        torch.set_num_threads(n)
    except ImportError:
        pass
    try:
        import jax
        jax.config.update("jax_enable_x64", True)   # float64 everywhere, as NumPy and torch
    except ImportError:
        pass


# CPU time of the whole process (all its threads), not wall time: with every library held to one
# thread it is the compute time, and other processes on a shared machine do not inflate it by
# preempting ours (measured: the same ratio spread 1.03-1.36 in wall time, 1.00-1.03 in CPU time).
CLOCK = time.process_time


def interleaved_times(fns: dict, min_seconds: float, rounds: int = 7) -> dict:
    """Per name, the minimum over ``rounds`` of the mean CPU time of ``number`` calls.

    The implementations take turns within each round (in a rotating order), so a slow spell of the
    machine (other processes, frequency changes) hits all of them alike and the
    ratios stay meaningful; ``number`` is sized so one turn lasts ``min_seconds``.
    """
    numbers = {}
    for name, fn in fns.items():
        fn()  # warm-up: JIT compilation, caches, lazy imports
        start = CLOCK()
        fn()
        numbers[name] = max(1, int(min_seconds / max(CLOCK() - start, 1e-7)))
    best = dict.fromkeys(fns, float("inf"))
    names = list(fns)
    for r in range(rounds):
        # Each round starts one further along, so no implementation always runs right after the
        # same other one (a library's idle threads can slow the next library's first calls).
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = fns[name]
            start = CLOCK()
            for _ in range(numbers[name]):
                fn()
            best[name] = min(best[name], (CLOCK() - start) / numbers[name])
    return best


def relative_error(got, want) -> float:
    g = np.concatenate([np.ravel(a) for pair in got for a in pair])
    w = np.concatenate([np.ravel(a) for pair in want for a in pair])
    return float(np.linalg.norm(g - w) / np.linalg.norm(w))


def run_case(case: Case, impls: dict, min_seconds: float) -> dict:
    """Per implementation: grad and epoch times (epoch None when not timed) and the gradient error."""
    rng = np.random.default_rng(0)
    X, Y = case.data(case.sizes, case.m, rng)
    params = symderiv.mlp(case.sizes).init_params(seed=0)
    order = rng.permutation(X.shape[1])
    batches = [(np.ascontiguousarray(X[:, order[k:k + BATCH]]), np.ascontiguousarray(Y[:, order[k:k + BATCH]]))
               for k in range(0, X.shape[1], BATCH)]
    reference = case.model.hand(params, X, Y, LAM)
    grad_fns, epoch_fns, errors = {}, {}, {}
    for name, factory in impls.items():
        try:
            impl = factory(case.model, case.sizes)
            to = impl.get("data", lambda A: A)
            p, pe, Xn, Yn = impl["convert"](params), impl["convert"](params), to(X), to(Y)
            errors[name] = relative_error(impl["back"](impl["grad"](p, Xn, Yn)), reference)
        except Exception as exc:  # torch.compile needs a working C++ toolchain: report, do not stop
            if not IMPLEMENTATIONS[name][2]:
                raise
            print(f"  {name}: does not run here ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})")
            continue
        if errors[name] > impl.get("tolerance", 1e-10):
            raise AssertionError(f"{name} gradients differ from the hand-written ones at {case.name}: "
                                 f"{errors[name]:.1e}")
        grad_fns[name] = (lambda impl, p, Xn, Yn: lambda: impl["grad"](p, Xn, Yn))(impl, p, Xn, Yn)
        if impl["epoch"] is not None:
            nb = [(to(a), to(b)) for a, b in batches]
            # torch updates in place and so keeps training across calls: the cost per epoch is the same.
            epoch_fns[name] = (lambda impl, pe, nb: lambda: impl["epoch"](pe, nb))(impl, pe, nb)
    # Many short turns: on a loaded machine the minimum over many short samples finds the
    # undisturbed time of each implementation; a few long turns are all disturbed alike.
    grad_t = interleaved_times(grad_fns, min_seconds, rounds=ROUNDS)
    epoch_t = interleaved_times(epoch_fns, min_seconds, rounds=ROUNDS // 2)
    row = {}
    for name in grad_fns:
        row[name] = dict(grad=grad_t[name], epoch=epoch_t.get(name), err=errors[name])
        epoch = f"{epoch_t[name] * 1e3:9.2f} ms" if name in epoch_t else "        —   "
        print(f"  {name:24s} grad {grad_t[name] * 1e3:9.3f} ms   epoch {epoch}   rel.err {errors[name]:.1e}",
              flush=True)
    return row


# ---- the report -------------------------------------------------------------

def machine() -> str:
    import numpy
    cpu = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, timeout=5).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    blas = numpy.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {}).get("name", "?") \
        if hasattr(numpy.__config__, "CONFIG") else "?"
    parts = [f"{cpu}, {os.cpu_count()} logical CPUs, benchmarks use {THREADS['count']} thread(s) per library", f"{platform.system()} {platform.release()}",
             f"Python {platform.python_version()}", f"NumPy {numpy.__version__} ({blas})"]
    for module in ("sympy", "torch", "jax"):
        try:
            parts.append(f"{module} {__import__(module).__version__}")
        except ImportError:
            parts.append(f"{module} not installed")
    return "; ".join(parts)


def ratio_of(row: dict, num: str, den: str, key: str):
    if num in row and den in row and row[num][key] is not None and row[den][key] is not None:
        return row[num][key] / row[den][key]
    return None


def table(results: dict, key: str) -> list:
    ratios = [r for r in RATIOS if any(ratio_of(row, r[1], r[2], key) is not None for row in results.values())]
    head = "| case | " + " | ".join(title for title, *_ in ratios) + " |"
    lines = [head, "|---|" + "---:|" * len(ratios)]
    for case, row in results.items():
        cells = [ratio_of(row, num, den, key) for _, num, den, _ in ratios]
        lines.append(f"| {case} | " + " | ".join("—" if c is None else f"{c:.2f}×" for c in cells) + " |")
    return lines


def verdicts(results: dict) -> list:
    """Each ratio that has a target, per case and measure: met or missed, and by how much."""
    out = []
    for title, num, den, targets in RATIOS:
        for key, target in targets.items():
            found = [(case, ratio_of(row, num, den, key)) for case, row in results.items()]
            found = [(case, r) for case, r in found if r is not None]
            if not found:
                continue
            missed = [f"{case} {r:.2f}× (+{r / target - 1:.0%} over)" for case, r in found if r > target]
            what = "gradient" if key == "grad" else "epoch"
            span = f"{min(r for _, r in found):.2f}–{max(r for _, r in found):.2f}×"
            out.append(f"- {title}, {what}: {span}; target ≤ {target:.2f}× "
                       + ("met in every case." if not missed else "MISSED in: " + "; ".join(missed) + "."))
    return out


def write_report(path: str, results: dict, names: list, seconds: float) -> None:
    sizes = "; ".join(f"{name}" for name, *_ in SIZES)
    text = [
        "# Benchmarks",
        "",
        "Written by `python benchmarks/bench.py` — do not edit by hand; rerun the script "
        "(`--quick` for shorter timings, `--no-compile` to skip torch.compile, `--threads N`).",
        "",
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} in {seconds:.0f} s on: {machine()}.",
        "",
        "How it was run: every library pinned to the same thread count (OpenBLAS via threadpoolctl, "
        "`torch.set_num_threads`, XLA via `XLA_FLAGS`); float64 everywhere (`jax_enable_x64`) except the "
        "float32 column, where symderiv and the hand-written backprop both get float32 parameters and data and "
        "must answer in float32 (checked; agreement to 1e-4 relative); "
        f"sizes {sizes}; λ = {LAM} with the `l2` penalty λ/(2m) ΣW². Models: "
        + "; ".join(f"**{m.name}** (`{' '.join(f'--{k} {v}' for k, v in m.flags.items())}`)" for m in MODELS)
        + ". Every implementation's gradients agree with a hand-written NumPy backprop "
        "(`benchmarks/handwritten.py`) to < 1e-10 relative error, checked by the script before timing.",
        "",
        "*gradient*: one evaluation of all gradients on the whole batch. "
        f"*epoch*: one pass of mini-batch gradient descent in batches of {BATCH} (lr {LR}), "
        "including the parameter updates (on JAX, one `jax.jit` step of gradients and update per batch, "
        "on both sides; torch.compile is timed on the gradient only, its compile time being minutes). "
        "Each cell is a ratio of two times taken in this one run, the implementations taking turns "
        f"(minimum over {ROUNDS} rounds, {ROUNDS // 2} for epochs, of the mean CPU time of the process "
        "(`time.process_time`; one thread per library, so CPU time is compute time, and other processes "
        "on the shared machine do not inflate it) over the calls of one turn of about 40 ms, the "
        "implementations taking turns in a rotating order): below 1 the first is faster. Columns: "
        "symderiv-JAX = `net.lambdify(backend=\"jax\").gradients` against `jax.jit(jax.grad(loss))` of "
        "the same J written with `jax.nn`; symderiv-torch = `net.lambdify(backend=\"torch\")` against "
        "`loss.backward()` of the same J written with `torch.nn.functional` (eager, and "
        "`torch.compile(loss)`); symderiv-torch compiled = `lambdify(backend=\"torch\", compile=True)`.",
        "",
        "## One gradient evaluation",
        "",
        *table(results, "grad"),
        "",
        "## One training epoch",
        "",
        *table(results, "epoch"),
        "",
        "## Targets",
        "",
        *verdicts(results),
        "",
        "## Why",
        "",
        *NOTES,
        "",
        f"Implementations timed: {', '.join(names)}.",
        "",
    ]
    text += kept_sections(path)
    kept = ""                  # the web server's load section (benchmarks/load.py) is that script's to rewrite
    if os.path.exists(path):
        old = open(path).read()
        kept = old[old.find(LOAD_MARKER):] if LOAD_MARKER in old else ""
    with open(path, "w") as f:
        f.write("\n".join(text) + ("\n" + kept if kept else ""))


LOAD_MARKER = "<!-- benchmarks/load.py writes below this line -->"


def kept_sections(path) -> list:
    """Sections other scripts own in the same file (``<!-- NAME:begin -->`` .. ``<!-- NAME:end -->``, e.g.
    benchmarks/grade_bench.py's), kept as they are."""
    try:
        old = open(path, encoding="utf-8").read()
    except OSError:
        return []
    return [m.group(0) + "\n" for m in re.finditer(r"<!-- ([\w-]+):begin -->.*?<!-- \1:end -->", old, re.S)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--quick", action="store_true", help="shorter timings (noisier)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for every library's thread pool (default 1; see limit_threads)")
    parser.add_argument("--no-compile", action="store_true", help="skip the torch.compile columns")
    parser.add_argument("--only", help="run only the cases whose name contains this text")
    args = parser.parse_args(argv)
    limit_threads(args.threads)
    impls = available(compile_torch=not args.no_compile)
    missing = [n for n in IMPLEMENTATIONS if n not in impls]
    if missing:
        print(f"skipping (not installed): {', '.join(missing)}")
    start = time.perf_counter()
    results = {}
    for case in CASES:
        if args.only and args.only not in case.name:
            continue
        print(case.name, flush=True)
        results[case.name] = run_case(case, impls, 0.01 if args.quick else 0.04)
    write_report(args.out, results, list(impls), time.perf_counter() - start)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
