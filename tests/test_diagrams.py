import numpy as np
import pytest

from cnn_utils import conv2d, draw_conv_volume, draw_im2col, im2col


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_conv_volume_labels_the_three_shapes():
    texts = _texts(draw_conv_volume((32, 32, 3), 5))
    for label in ["입력 32×32×3", "필터 5×5×3", "출력 (특징 맵) 28×28×1", "채널 C = 3",
                  "채널 수 = 입력의 채널 수 3", "28 = (32 − 5) / 1 + 1"]:
        assert label in texts


def test_conv_volume_stride_and_same_padding():
    texts = _texts(draw_conv_volume((7, 9, 4), (3, 3), strides=2, padding="SAME"))
    assert "출력 (특징 맵) 4×5×1" in texts and "필터 3×3×4" in texts


def test_conv_volume_errors():
    with pytest.raises(ValueError, match=r"\(H, W, C\); received \(32, 32\)"):
        draw_conv_volume((32, 32), 5)
    with pytest.raises(ValueError):
        draw_conv_volume((4, 4, 3), 5)           # the filter does not fit
    with pytest.raises(ValueError, match="padding"):
        draw_conv_volume((8, 8, 3), 3, padding="same-ish")


def test_im2col_rows_filter_and_outputs_are_the_codes():
    image = np.arange(1., 10.).reshape(3, 3)
    kernel = np.array([[1., 0.], [0., -1.]])
    fig = draw_im2col(image, kernel)
    texts = _texts(fig)
    cols = im2col(image[np.newaxis, :, :, np.newaxis], 2, 1, "VALID")
    out = conv2d(image[np.newaxis, :, :, np.newaxis], kernel[:, :, np.newaxis, np.newaxis], 1,
                 "VALID")
    np.testing.assert_array_equal(cols @ kernel.reshape(-1), out.reshape(-1))
    # after the image's 9 values: the matrix row by row, the filter, the outputs twice
    numbers = [t for t in texts if t.lstrip("-").isdigit()]
    expected = ([f"{v:g}" for v in image.ravel()] + [f"{v:g}" for v in cols.ravel()]
                + [f"{v:g}" for v in kernel.ravel()] + [f"{v:g}" for v in out.ravel()] * 2)
    assert numbers == expected
    assert "im2col 행렬 4×4" in texts and "출력 2×2" in texts


def test_im2col_drawing_errors():
    with pytest.raises(ValueError, match="2-D image and a 2-D kernel"):
        draw_im2col(np.zeros((2, 3, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="at most 16; this image has 25 windows"):
        draw_im2col(np.zeros((6, 6)), np.ones((2, 2)))
