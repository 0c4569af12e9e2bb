import numpy as np
import pytest
from matplotlib.patches import Rectangle

from cnn_utils import pool_windows, show_pooling

# The 4x4 example of the pooling chapter (2x2 windows, stride 2).
X4 = np.array([[1, 1, 2, 4],
               [5, 6, 7, 8],
               [3, 2, 1, 0],
               [1, 2, 3, 4]], dtype=float)


def texts(ax):
    return [t.get_text() for t in ax.texts]


def thick_frames(ax):
    """The window outlines and output frames (the cell grid and padding use thin lines)."""
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_linewidth() > 2]


def test_windows_valid_tile_the_image():
    boxes = pool_windows((4, 4), 2, 2, "VALID")
    assert boxes.shape == (2, 2, 4)
    assert boxes.reshape(-1, 4).tolist() == [[0, 0, 2, 2], [0, 2, 2, 4], [2, 0, 4, 2], [2, 2, 4, 4]]


def test_windows_same_reach_into_the_padding_at_the_bottom_right():
    # 4x4, 3x3 window, stride 2: SAME pads one row/column, at the end (TensorFlow's rule).
    boxes = pool_windows((4, 4), [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    assert boxes.reshape(-1, 4).tolist() == [[0, 0, 3, 3], [0, 2, 3, 5], [2, 0, 5, 3], [2, 2, 5, 5]]
    # 5x5, 3x3 window, stride 1: one pixel of padding on every side.
    boxes = pool_windows((5, 5), 3, 1, "SAME")
    assert boxes.shape == (5, 5, 4)
    assert boxes[0, 0].tolist() == [-1, -1, 2, 2] and boxes[4, 4].tolist() == [3, 3, 6, 6]


def test_windows_errors():
    with pytest.raises(ValueError, match=r"pair \(H, W\); received \(4, 4, 1\)"):
        pool_windows((4, 4, 1), 2, 2, "VALID")
    with pytest.raises(ValueError, match="received 'same'.*padding='SAME'"):
        pool_windows((4, 4), 2, 2, "same")
    with pytest.raises(TypeError, match=r"`input_hw\[1\]` to be an integer"):
        pool_windows((4, 4.0), 2, 2, "VALID")
    with pytest.raises(ValueError, match="output would be empty"):
        pool_windows((2, 2), 3, 1, "VALID")


def test_show_pooling_values_and_titles():
    fig = show_pooling(X4, 2, 2, "VALID")
    assert [ax.get_title() for ax in fig.axes] == ["입력 4×4", "최대 풀링 2×2", "평균 풀링 2×2",
                                                  "최소 풀링 2×2"]
    assert texts(fig.axes[0]) == [f"{v:g}" for v in X4.ravel()]
    assert texts(fig.axes[1]) == ["6", "8", "3", "4"]
    assert texts(fig.axes[2]) == ["3.25", "5.25", "2", "2"]
    assert texts(fig.axes[3]) == ["1", "2", "1", "0"]


def test_show_pooling_each_output_cell_has_its_windows_colour():
    fig = show_pooling(X4, 2, 2, "VALID", kinds="max")
    windows, cells = thick_frames(fig.axes[0]), thick_frames(fig.axes[1])
    assert len(windows) == len(cells) == 4
    assert [w.get_edgecolor() for w in windows] == [c.get_edgecolor() for c in cells]
    assert len({w.get_edgecolor() for w in windows}) == 4


def test_show_pooling_same_hatches_the_padding_and_averages_real_pixels():
    image = np.array([[4., 3.], [2., 1.]]).reshape(1, 2, 2, 1)
    fig = show_pooling(image, 2, 1, "SAME", kinds=("avg", "max"))
    assert fig.axes[0].get_title() == "입력 2×2, SAME 패딩"
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 5                       # a 3x3 grid around the 2x2 image
    assert texts(fig.axes[1]) == ["2.5", "2", "1.5", "1"]
    assert texts(fig.axes[2]) == ["4", "3", "2", "1"]


def test_show_pooling_draws_a_1x1_output():
    fig = show_pooling(np.array([[4., 3.], [2., 1.]]), 2, 2, "VALID")
    assert [texts(ax) for ax in fig.axes[1:]] == [["4"], ["2.5"], ["1"]]


def test_show_pooling_does_not_modify_its_input():
    image = X4.copy()
    show_pooling(image, 3, 2, "SAME")
    np.testing.assert_array_equal(image, X4)


def test_show_pooling_errors():
    with pytest.raises(ValueError, match=r"2-D image.*received shape \(2, 4, 4, 1\)"):
        show_pooling(np.zeros((2, 4, 4, 1)))
    with pytest.raises(ValueError, match=r"`kinds`.*received \('max', 'sum'\)"):
        show_pooling(X4, kinds=("max", "sum"))
    with pytest.raises(ValueError, match=r"`kinds`.*received \(\)"):
        show_pooling(X4, kinds=())
