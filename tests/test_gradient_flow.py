"""`cnn_utils.models.gradient_flow`: at initialisation, a deep plain stack's gradients grow by orders
of magnitude from the last block to the first; a residual stack's stay within a small factor."""

import numpy as np
import pytest

from cnn_utils.models import deep_stack, gradient_norms


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    return rng.standard_normal((8, 16, 16, 3)).astype(np.float32), rng.integers(0, 10, size=8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shortcuts_keep_the_gradient_steady_through_20_blocks(batch, seed):
    x, y = batch
    plain = gradient_norms(deep_stack(20, residual=False, input_shape=x.shape[1:], seed=seed), x, y)
    residual = gradient_norms(deep_stack(20, residual=True, input_shape=x.shape[1:], seed=seed), x, y)
    assert plain.shape == residual.shape == (20,)
    # measured (seeds 0 to 2): plain 720 to 860, residual 9 to 11
    assert plain[0] / plain[-1] > 100
    assert residual[0] / residual[-1] < 30 and residual.max() / residual.min() < 30
    assert (plain[0] / plain[-1]) > 10 * (residual[0] / residual[-1])


def test_kernel_gradients_show_the_same(batch):
    x, y = batch
    plain = gradient_norms(deep_stack(20, False, input_shape=x.shape[1:]), x, y, wrt="kernel")
    residual = gradient_norms(deep_stack(20, True, input_shape=x.shape[1:]), x, y, wrt="kernel")
    assert plain[0] / plain[-1] > 100 > 30 > residual[0] / residual[-1]     # measured 670 and 8.5


def test_the_stack_and_its_errors():
    model = deep_stack(2, residual=True, width=4, input_shape=(8, 8, 3))
    assert [layer.name for layer in model.layers] == ["stem", "block1", "block2", "pool", "logits"]
    assert model.output_shape == (None, 10)
    block = model.get_layer("block1")
    assert [type(layer).__name__ for layer in block.layers[1:]] == [
        "Conv2D", "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization", "Add", "ReLU"]
    plain = deep_stack(1, residual=False, width=4, input_shape=(8, 8, 3)).get_layer("block1")
    assert "Add" not in [type(layer).__name__ for layer in plain.layers]
    with pytest.raises(ValueError, match="`depth` to be an int >= 1; received 0"):
        deep_stack(0, True)
    with pytest.raises(TypeError, match="`residual` to be True or False"):
        deep_stack(3, "yes")
    with pytest.raises(ValueError, match="input_shape"):
        deep_stack(3, True, input_shape=(32, 32))
    with pytest.raises(ValueError, match="`wrt` to be 'output' or 'kernel'"):
        gradient_norms(model, np.zeros((2, 8, 8, 3)), np.zeros(2, int), wrt="weights")
