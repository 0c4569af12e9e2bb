"""Chapter 11's pictures (cnn_utils.viz.blocks): gradient norms per layer and dilated kernels."""

import matplotlib.pyplot as plt
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
    cells = fig.axes[2].patches[:-1]                      # the 9 x 9 cells, then the border
    dark = [p for p in cells if p.get_facecolor()[2] < 0.7 * cells[1].get_facecolor()[2]]
    assert len(cells) == 81 and len(dark) == 9
    assert {(p.get_x(), p.get_y()) for p in dark} == {(x, y) for x in (0, 4, 8) for y in (0, 4, 8)}
    assert len(fig.axes[0].patches) == 9 + 1 and fig.axes[0].patches[0].get_x() == 3   # centred
    assert fig.get_figwidth() <= 10
    plt.close(fig)


def test_show_dilated_kernel_says_what_it_expects():
    with pytest.raises(TypeError, match="list of ints"):
        show_dilated_kernel(3, 2)
    with pytest.raises(ValueError, match="at least one"):
        show_dilated_kernel(3, [])
    with pytest.raises((TypeError, ValueError)):
        show_dilated_kernel(0, [1])
