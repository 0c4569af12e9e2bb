import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_utils import conv_output_size, conv_param_count, padding_amounts, same_padding


@pytest.mark.parametrize("size, kernel, stride, padding, expected", [
    (5, 3, 2, 1, 3),          # the lecture's CS231n demo: (5 - 3 + 2) / 2 + 1 = 3
    (3, 2, 1, "VALID", 2),    # 3x3 image, 2x2 filter: 2x2 map
    (3, 2, 1, "SAME", 3),
    (28, 3, 2, "SAME", 14),   # the MNIST digit with stride 2
    (14, 2, 2, "SAME", 7),    # and its 2x2 max pooling
    (7, 3, 2, 0, 3),          # (7 - 3) / 2 + 1 = 3
    (6, 3, 2, 0, 2),          # (6 - 3) / 2 + 1 = 2.5, rounded down
    (5, 3, 1, (0, 2), 5),     # (5 + 0 + 2 - 3) / 1 + 1
])
def test_conv_output_size(size, kernel, stride, padding, expected):
    assert conv_output_size(size, kernel, stride, padding) == expected


@pytest.mark.parametrize("size, kernel, stride, expected", [
    (3, 2, 1, (0, 1)),   # the odd pixel goes after (bottom/right)
    (28, 3, 2, (0, 1)),
    (28, 3, 1, (1, 1)),
    (5, 4, 1, (1, 2)),
    (4, 1, 3, (0, 0)),
])
def test_same_padding(size, kernel, stride, expected):
    assert same_padding(size, kernel, stride) == expected
    assert padding_amounts(size, kernel, stride, "SAME") == expected


@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 40), kernel=st.integers(1, 9), stride=st.integers(1, 5))
def test_same_keeps_ceil_of_size_over_stride(size, kernel, stride):
    before, after = same_padding(size, kernel, stride)
    assert 0 <= after - before <= 1
    assert conv_output_size(size, kernel, stride, "SAME") == math.ceil(size / stride)


def test_padding_amounts_forms():
    assert padding_amounts(5, 3, 1, "VALID") == (0, 0)
    assert padding_amounts(5, 3, 1, 2) == (2, 2)
    assert padding_amounts(5, 3, 1, (1, 0)) == (1, 0)


def test_conv_param_count_lecture_examples():
    assert conv_param_count(5, in_channels=3, filters=3) == 3 * (5 * 5) * 3 + 3 == 228
    assert conv_param_count(5, in_channels=3, filters=6) == 6 * (5 * 5) * 3 + 6 == 456
    assert conv_param_count(3, in_channels=3, filters=2) == 56  # the CS231n demo layer
    assert conv_param_count((3, 5), 2, 4, use_bias=False) == 4 * 3 * 5 * 2


def test_errors():
    with pytest.raises(ValueError, match="output would be empty"):
        conv_output_size(2, 3)
    with pytest.raises(ValueError, match=r"`stride` >= 1; received 0"):
        conv_output_size(5, 3, stride=0)
    with pytest.raises(TypeError, match="`kernel_size` to be an integer; received 2.5"):
        conv_output_size(5, 2.5)
    with pytest.raises(ValueError, match="in capitals"):
        padding_amounts(5, 3, 1, "same")
    with pytest.raises(ValueError, match=r"`padding` >= 0; received -1"):
        padding_amounts(5, 3, 1, -1)
    with pytest.raises(ValueError, match="pair"):
        conv_param_count((3, 3, 3), 1, 1)
