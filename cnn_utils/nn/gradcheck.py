"""Numerical gradients: the check that a backward pass is right (chapter 9 and the tests).

A central difference ``(f(p + h) - f(p - h)) / 2h`` approximates the derivative of a scalar
function with respect to one entry of a parameter to within O(h^2); comparing it with what
`backward` filled in catches a wrong backward pass without trusting any other implementation.
"""

import numpy as np


def numerical_gradient(f, param, index, h=1e-6):
    """The central difference of the scalar ``f()`` with respect to ``param[index]``.

    `param` is changed in place by ``+h`` and ``-h`` and always restored, even if `f` raises.

    Example:
        >>> p = np.array([1.0, 2.0])
        >>> round(numerical_gradient(lambda: float((p ** 2).sum()), p, (1,)), 6)  # d(p1^2) = 2 p1
        4.0
        >>> p
        array([1., 2.])
    """
    saved = param[index]
    try:
        param[index] = saved + h
        up = f()
        param[index] = saved - h
        down = f()
    finally:
        param[index] = saved
    return float((up - down) / (2 * h))


def relative_error(a, b, floor=1e-12):
    """``|a - b| / max(|a| + |b|, floor)``: 0 when equal, about 1 when unrelated (CS231n's measure)."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def gradient_check(model, loss, x, y, rng, entries=3, h=1e-6):
    """The largest relative error between backward's gradient and the numerical one.

    Runs one forward and backward pass of `model` on (x, y), then, for `entries` random entries of
    every parameter, compares the gradient `backward` filled in with `numerical_gradient` of the
    loss. Use float64 parameters and inputs: in float32 the difference quotient itself is too
    coarse.

    Args:
        model: a `Sequential` (or anything with `forward`, `backward` and `parameters()`).
        loss: a `SoftmaxCrossEntropy`.
        x, y: a small batch of inputs and integer labels.
        rng: a `np.random.Generator` that picks the entries.
        entries: how many entries of each parameter to check.
        h: the step of the central difference.

    Returns:
        (worst relative error, number of entries checked).
    """
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())

    def objective():                       # forward passes only: `grads` keep backward's values
        return loss.forward(model.forward(x), y)

    worst, checked = 0.0, 0
    for param, grad in model.parameters():
        for index in map(tuple, rng.integers(0, param.shape, size=(entries, param.ndim))):
            numerical = numerical_gradient(objective, param, index, h)
            worst = max(worst, relative_error(np.float64(numerical), np.float64(grad[index])))
            checked += 1
    return worst, checked
