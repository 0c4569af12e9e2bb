"""Set-up for every test, doctest and notebook: quiet TensorFlow and offline MNIST."""

import os

# Before TensorFlow is first imported (notebook kernels inherit this environment): no C++ start-up
# log lines (the oneDNN notice included) in any output. oneDNN itself stays on: it makes TensorFlow's
# convolutions on the CPU about 1.4 times faster.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# MNIST is read from the offline copy beside the project, never downloaded during tests. The test
# command sets this already; the default lets a bare `pytest` in a checkout do the same.
_ROOT = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("CNN_UTILS_MNIST_PATH",
                      os.path.join(os.path.dirname(_ROOT), "shared", "data", "mnist.npz"))
