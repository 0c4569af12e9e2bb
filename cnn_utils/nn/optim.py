"""Optimisers and a learning-rate schedule for the numpy layers of `cnn_utils.nn` (chapter 9).

Each optimiser updates the `(parameter, gradient)` pairs of `Sequential.parameters()` in place,
as `keras.optimizers.SGD` and `keras.optimizers.Adam` do (tests prove it step by step).
"""

import math

import numpy as np

from .._validation import one_cycle_warmup


class SGD:
    """Stochastic gradient descent with momentum: ``v = m v - lr g; p += v``.

    `lr` is a number, or a schedule: a function of the number of steps taken so far that returns
    the learning rate (as a Keras `LearningRateSchedule`), e.g. `one_cycle`.
    """

    def __init__(self, parameters, lr=0.01, momentum=0.9):
        self.parameters, self.lr, self.momentum = parameters, lr, momentum
        self.velocity = [np.zeros_like(p) for p, _ in parameters]
        self.t = 0

    def step(self):
        lr = float(self.lr(self.t) if callable(self.lr) else self.lr)
        self.t += 1
        for (p, g), v in zip(self.parameters, self.velocity):
            v *= self.momentum
            v -= lr * g
            p += v


class Adam:
    """Adam (Kingma and Ba, 2015), with bias-corrected moment estimates, as `keras.optimizers.Adam`.

    `lr` is a number or a schedule, as for `SGD`.
    """

    def __init__(self, parameters, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7):
        self.parameters, self.lr, self.beta1, self.beta2, self.eps = parameters, lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p, _ in parameters]
        self.v = [np.zeros_like(p) for p, _ in parameters]
        self.t = 0

    def step(self):
        base = self.lr(self.t) if callable(self.lr) else self.lr     # the rate for this step
        self.t += 1
        # A Python float: a numpy float64 scalar would turn float32 arithmetic into float64.
        lr = float(base * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t))
        for (p, g), m, v in zip(self.parameters, self.m, self.v):
            tmp = np.multiply(g, 1 - self.beta1)      # every step in place: no temporary arrays
            m *= self.beta1                            # but this one
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.beta2
            v *= self.beta2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr
            p -= tmp


def one_cycle(total_steps, peak_lr, warmup_fraction=0.2):
    """Learning rate that rises linearly to `peak_lr`, then falls along a cosine to almost zero.

    The same schedule as `cnn_utils.models.one_cycle_schedule` (Keras's `CosineDecay` with warm-up,
    from `peak_lr / 10`, down to 1% of `peak_lr`), as a plain function for `SGD` and `Adam`.

    Args:
        total_steps: int, the number of optimiser steps of the whole training.
        peak_lr: float, the largest learning rate.
        warmup_fraction: float in (0, 1), the share of steps spent rising.

    Returns:
        A function ``schedule(step) -> float``.

    Example:
        >>> schedule = one_cycle(100, 1e-2)
        >>> [round(schedule(step), 5) for step in (0, 10, 20, 100)]
        [0.001, 0.0055, 0.01, 0.0001]
    """
    warmup = one_cycle_warmup("one_cycle", total_steps, warmup_fraction)
    decay = total_steps - warmup
    start, alpha = peak_lr / 10, 0.01

    def schedule(step):
        if step < warmup:
            return start + (peak_lr - start) * step / warmup
        done = min(step - warmup, decay) / decay
        return peak_lr * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * done)) + alpha)

    return schedule
