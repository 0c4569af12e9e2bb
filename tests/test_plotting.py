import numpy as np
import pytest

from cnn_utils import (plot_learning_curves, show_conv_steps, show_feature_maps, show_image_values,
                       show_kernels)


def test_feature_maps_grid_titles_and_colorbars():
    maps = np.random.default_rng(0).standard_normal((1, 14, 14, 5))
    fig = show_feature_maps(maps, titles=[f"f{k}" for k in range(5)], ncols=3, suptitle="maps")
    images = [ax for ax in fig.axes if ax.images and ax.get_title()]
    assert [ax.get_title() for ax in images] == ["f0", "f1", "f2", "f3", "f4"]
    assert len(fig.axes) == 6 + 5          # a 2x3 grid (one cell left empty) and 5 colour bars
    np.testing.assert_array_equal(images[2].images[0].get_array(), maps[0, :, :, 2])


def test_feature_maps_accepts_hwk_and_2d():
    assert len(show_feature_maps(np.zeros((4, 4, 2)), colorbar=False).axes) == 2
    assert len(show_feature_maps(np.zeros((4, 4)), colorbar=False).axes) == 1


def test_feature_maps_errors():
    with pytest.raises(ValueError, match=r"received shape \(2, 4, 4, 1\).*maps\[0\]"):
        show_feature_maps(np.zeros((2, 4, 4, 1)))
    with pytest.raises(ValueError, match="received 2 maps but 1 titles"):
        show_feature_maps(np.zeros((4, 4, 2)), titles=["a"])


def test_kernels_one_row_per_channel():
    fig = show_kernels(np.zeros((3, 3, 2, 4)), colorbar=False)
    assert len(fig.axes) == 8
    assert fig.axes[5].get_title() == "필터 1, 채널 1"
    with pytest.raises(ValueError, match=r"\(KH, KW, C, K\); received shape \(3, 3\)"):
        show_kernels(np.zeros((3, 3)))


def test_image_values_text_and_contrast():
    ax = show_image_values(np.arange(1., 10.).reshape(1, 3, 3, 1), cmap="gray")
    texts = ax.texts
    assert [t.get_text() for t in texts] == [str(v) for v in range(1, 10)]
    assert texts[0].get_color() == "white" and texts[-1].get_color() == "black"
    with pytest.raises(ValueError, match=r"2-D image.*received shape \(2, 3, 3\)"):
        show_image_values(np.zeros((2, 3, 3)))


def test_conv_steps_titles_windows_and_padding():
    from matplotlib.patches import Rectangle

    image = np.arange(1., 10.).reshape(3, 3)
    fig = show_conv_steps(image, np.ones((2, 2)), strides=1, padding="SAME")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[:3] == ["출력[0, 0] = 12", "출력[0, 1] = 16", "출력[0, 2] = 9"]
    assert len(titles) == 9
    last = fig.axes[8]
    red = [p for p in last.patches if isinstance(p, Rectangle) and p.get_edgecolor()[0] == 1.0]
    assert red[0].get_xy() == (1.5, 1.5)            # the window of out[2, 2] starts at row 2, col 2
    assert last.images[0].get_array().shape == (4, 4)  # SAME pads one row and column (bottom/right)
    fig = show_conv_steps(np.zeros((5, 5)), np.ones((2, 2)), strides=2)
    assert len([ax for ax in fig.axes if ax.get_title()]) == 4


def test_conv_steps_errors():
    with pytest.raises(ValueError, match=r"2-D image and a 2-D kernel.*\(2, 3, 3\)"):
        show_conv_steps(np.zeros((2, 3, 3)), np.ones((2, 2)))


def test_learning_curves_plot_the_record_in_percent_with_the_goal():
    record = {"loss": [0.3, 0.1, 0.05], "accuracy": [0.95, 0.98, 0.99], "test_accuracy": [0.97, 0.985, 0.991]}
    fig = plot_learning_curves(record, goal=0.99, ylim=(95, 100))
    loss_ax, acc_ax = fig.axes
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), record["loss"])
    training, test, goal = acc_ax.lines
    np.testing.assert_allclose(training.get_ydata(), [95, 98, 99])
    np.testing.assert_allclose(test.get_ydata(), [97, 98.5, 99.1])
    np.testing.assert_allclose(goal.get_ydata(), [99, 99])
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == ["학습 데이터", "시험 데이터",
                                                                       "목표 99.0%"]
    assert [ax.get_title() for ax in fig.axes] == ["학습 손실", "정확도"]
    assert loss_ax.get_xlabel() == acc_ax.get_xlabel() == "에포크"
    assert acc_ax.get_ylim() == (95, 100)
    assert len(plot_learning_curves({"loss": [1.0], "test_accuracy": [0.5]}).axes[1].lines) == 1


def test_learning_curves_error_names_the_missing_list():
    with pytest.raises(ValueError, match=r"received keys \['loss', 'test_acc'\]\. Add \['test_accuracy'\]"):
        plot_learning_curves({"loss": [1.0], "test_acc": [0.5]})


def test_feature_maps_wrap_to_stay_legible_and_share_one_colour_bar():
    maps = np.random.default_rng(1).standard_normal((14, 14, 5))
    fig = show_feature_maps(maps)                       # 5 maps with colour bars: rows of 3 and 2
    assert fig.get_figwidth() <= 10
    assert fig.axes[0].get_title() == "특징 맵 0"
    assert len([ax for ax in fig.axes if ax.images]) == 5
    fig = show_feature_maps(maps, ncols=5, colorbar="shared", cmap="RdBu_r")
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(fig.axes) == 5 + 1                       # one colour bar for the grid
    limits = {im.get_clim() for im in images}
    assert len(limits) == 1
    low, high = limits.pop()
    assert low == -high == -np.abs(maps).max()          # both signs: centred on 0
    with pytest.raises(ValueError, match="True, False or \"shared\"; received 'one'"):
        show_feature_maps(maps, colorbar="one")


def test_kernels_of_one_channel_wrap():
    fig = show_kernels(np.zeros((3, 3, 1, 5)))
    assert fig.get_figwidth() <= 10 and fig.axes[0].get_title() == "필터 0"
