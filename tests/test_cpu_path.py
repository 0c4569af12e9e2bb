"""cnn_utils.cpu_path, and the CPU paths `tasks.py test` runs the notebooks on: each does what it says.

A pass that silently ran the default kernels would prove nothing, so each path is checked in a fresh
Python: oneDNN really off, oneDNN really limited to AVX2, numpy's SIMD loops really limited too.
"""

import json
import os
import subprocess
import sys

import pytest

import tasks
from cnn_utils import ConvOutcome, channels_first_conv_outcome, onednn_enabled


def _run(code, **env):
    run = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def test_onednn_enabled_reports_the_switch():
    code = "from cnn_utils import onednn_enabled; print(onednn_enabled())"
    assert _run(code, TF_ENABLE_ONEDNN_OPTS="0").strip() == "False"
    assert _run(code, TF_ENABLE_ONEDNN_OPTS="1").strip() == "True"
    assert isinstance(onednn_enabled(), bool)


def test_channels_first_convolution_needs_onednn():
    """Chapter 7's fact, on this CPU: Eigen refuses NCHW, oneDNN runs it."""
    eigen, onednn = channels_first_conv_outcome(False), channels_first_conv_outcome(True)
    assert eigen == ConvOutcome(onednn=False, ran=False, error=(
        "UnimplementedError: The Conv2D op currently only supports the NHWC tensor format on the "
        "CPU. The op was given the format: NCHW"))
    assert onednn == ConvOutcome(onednn=True, ran=True, output_shape=(2, 3, 4, 4))
    assert str(eigen).startswith("Eigen 구현 (TF_ENABLE_ONEDNN_OPTS=0): UnimplementedError")
    assert str(onednn) == "oneDNN 구현 (TF_ENABLE_ONEDNN_OPTS=1): 실행됨, 출력 (2, 3, 4, 4)"


@pytest.mark.parametrize("bad", [0, 1, "0", None])
def test_channels_first_conv_outcome_takes_a_bool(bad):
    with pytest.raises(TypeError, match="True or False; received"):
        channels_first_conv_outcome(bad)


def test_the_three_paths_are_the_ones_the_issue_names():
    assert list(tasks.CPU_PATHS) == ["default", "onednn-off", "avx2"]
    assert tasks.CPU_PATHS["default"] == {}
    assert tasks.CPU_PATHS["onednn-off"] == {"TF_ENABLE_ONEDNN_OPTS": "0"}
    assert tasks.CPU_PATHS["avx2"]["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert not any(key.startswith("OPENBLAS") for path in tasks.CPU_PATHS.values() for key in path)


ONEDNN_ISA = """\
import numpy as np, tensorflow as tf
tf.nn.conv2d(np.zeros((1, 8, 8, 3), np.float32), np.zeros((3, 3, 3, 4), np.float32), 1, "SAME")
"""


def test_avx2_path_limits_onednn_to_avx2():
    out = _run(ONEDNN_ISA, ONEDNN_VERBOSE="1", **tasks.CPU_PATHS["avx2"])
    isa = [line for line in out.splitlines() if ",info,cpu,isa:" in line]
    assert isa and isa[0].rsplit("isa:", 1)[1].strip() in ("Intel AVX2", "Intel AVX2 with Intel DL Boost"), isa


def _convolutions(out):
    return [line for line in out.splitlines() if ",primitive,exec,cpu,convolution," in line]


def test_onednn_off_path_runs_eigens_convolution():
    """With oneDNN off TensorFlow convolves with Eigen (which may still call oneDNN's matrix
    product, `gemm_api`, for the multiplication); with it on, a oneDNN convolution primitive runs."""
    off = _run(ONEDNN_ISA, ONEDNN_VERBOSE="1", **tasks.CPU_PATHS["onednn-off"])
    on = _run(ONEDNN_ISA, ONEDNN_VERBOSE="1", TF_ENABLE_ONEDNN_OPTS="1")
    assert not _convolutions(off), off[-2000:]
    assert _convolutions(on), on[-2000:]


NUMPY_TARGETS = """\
import json
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
print(json.dumps({"dispatch": __cpu_dispatch__, "on": [t for t in __cpu_dispatch__ if __cpu_features__[t]]}))
"""


def test_avx2_path_limits_numpy_to_avx2():
    """The names in NPY_DISABLE_CPU_FEATURES are this numpy's AVX-512 targets: numpy ignores unknown
    names silently, and then the pass would stop being an older CPU for numpy."""
    report = json.loads(_run(NUMPY_TARGETS, **tasks.CPU_PATHS["avx2"]))
    disabled = tasks.CPU_PATHS["avx2"]["NPY_DISABLE_CPU_FEATURES"].split()
    assert set(disabled) <= set(report["dispatch"]), (disabled, report)
    assert not set(report["on"]) & set(disabled), report
