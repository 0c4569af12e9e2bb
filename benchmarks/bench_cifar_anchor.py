"""The anchor of the CIFAR-10 benchmark: the Keras example cifar10_cnn trained for 20 minutes
(see benchmarks/bench_cifar.py, which holds both)."""

from benchmarks.bench_cifar import run_anchor as run

__all__ = ["run"]
