"""Chapter 11's pictures (cnn_utils.viz.blocks): gradient norms per layer and dilated kernels."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnn_utils import plot_gradient_norms, show_dilated_kernel


def test_plot_gradient_norms_draws_one_line_per_network_on_a_log_scale():
    fig = plot_gradient_norms({"평범한 쌓기": [1e-8, 1e-4, 1.0], "잔차 쌓기": [0.5, 0.8, 1.0]})
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["평범한 쌓기", "잔차 쌓기"]
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3]
    assert ax.get_yscale() == "log" and fig.get_figwidth() <= 10
    plt.close(fig)


@pytest.mark.parametrize("norms", [{}, [1.0], {"a": []}, {"a": [1.0, 0.0]}, {"a": [[1.0]]}])
def test_plot_gradient_norms_rejects_what_it_cannot_draw(norms):
    with pytest.raises(ValueError, match="plot_gradient_norms expects"):
        plot_gradient_norms(norms)


def test_show_dilated_kernel_marks_the_taps_inside_the_span():
    fig = show_dilated_kernel(3, [1, 2, 4])
    assert [ax.get_title() for ax in fig.axes] == ["팽창 1: 3×3 창", "팽창 2: 5×5 창", "팽창 4: 9×9 창"]
    grid = fig.axes[2].images[0].get_array()
    assert grid.shape == (9, 9) and int(np.sum(grid)) == 9 and grid[0, 4] == 1 and grid[1, 1] == 0
    assert fig.get_figwidth() <= 10
    plt.close(fig)


def test_show_dilated_kernel_says_what_it_expects():
    with pytest.raises(TypeError, match="list of ints"):
        show_dilated_kernel(3, 2)
    with pytest.raises(ValueError, match="at least one"):
        show_dilated_kernel(3, [])
    with pytest.raises((TypeError, ValueError)):
        show_dilated_kernel(0, [1])
