import subprocess
import sys

import keras
import numpy as np
import pytest

from cnn_utils import LayerRow, layer_table, show_shape_flow, side_by_side

layers = keras.layers


def small_cnn():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1), name="image"),
        layers.Conv2D(8, 3, activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Flatten(name="flatten"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name="small_cnn")


def test_rows_match_keras():
    model = small_cnn()
    table = layer_table(model)
    assert [row.name for row in table] == ["image", "conv1", "pool1", "flatten", "output"]
    assert [row.type for row in table] == ["InputLayer", "Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    assert [row.output_shape for row in table] == [(None, 28, 28, 1), (None, 26, 26, 8),
                                                   (None, 13, 13, 8), (None, 1352), (None, 10)]
    assert [row.params for row in table] == [0, 3 * 3 * 1 * 8 + 8, 0, 0, 1352 * 10 + 10]
    assert table.total_params == model.count_params() == 13610
    assert table.title == "small_cnn"


def test_table_text_is_aligned():
    text = str(layer_table(small_cnn()))
    lines = text.split("\n")
    assert lines[0] == "small_cnn"
    assert lines[1].split() == ["layer", "type", "output", "shape", "params"]
    assert lines[-1].split() == ["total", "13,610"]
    # the parameter column is right-aligned: every row ends at the same column
    assert len({len(line) for line in lines[1:]}) == 1
    assert "13,530" in text and repr(layer_table(small_cnn())) == text


def test_functional_model_keeps_its_input_layer_once():
    inputs = keras.Input((8, 8, 3), name="rgb")
    outputs = layers.Conv2D(2, 3, padding="same", name="conv")(inputs)
    table = layer_table(keras.Model(inputs, outputs, name="func"))
    assert [(row.name, row.type, row.output_shape, row.params) for row in table] == [
        ("rgb", "InputLayer", (None, 8, 8, 3), 0), ("conv", "Conv2D", (None, 8, 8, 2), 56)]


def test_built_sequential_without_named_input():
    model = keras.Sequential([layers.Dense(4, name="fc")])
    model.build((None, 3))
    assert layer_table(model)[0] == LayerRow("input", "InputLayer", (None, 3), 0)


def test_layer_table_errors():
    with pytest.raises(ValueError, match=r"has not been built.*keras\.Input"):
        layer_table(keras.Sequential([layers.Dense(4, name="fc")], name="unbuilt"))
    with pytest.raises(TypeError, match="expects a keras.Model; received ndarray"):
        layer_table(np.zeros((2, 2)))


def test_side_by_side():
    assert side_by_side("a\nbb", "ccc\nd\ne", gap=2) == "a   ccc\nbb  d\n    e"
    assert side_by_side("x") == "x"
    with pytest.raises(ValueError, match="at least one block"):
        side_by_side()
    with pytest.raises(ValueError, match="`gap` to be an int >= 0; received -1"):
        side_by_side("a", "b", gap=-1)


def test_shape_flow_boxes_labels_and_arrows():
    fig = show_shape_flow(small_cnn())
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for label in ["image", "conv1", "28×28×1", "26×26×8", "13×13×8", "1352", "10", "MaxPooling2D"]:
        assert label in texts
    assert len([t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]) == 4  # 5 outputs
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["이미지 모양 (세로×가로×채널)",
                                                                 "벡터 (길이)"]
    # every sheet of an output has its height; heights follow H on one scale
    heights = sorted({round(p.get_height(), 6) for p in ax.patches})
    assert 1.6 in heights                                      # 28, the largest side -> side=1.6
    assert round(26 / 28 * 1.6, 6) in heights and round(13 / 28 * 1.6, 6) in heights
    assert round(np.sqrt(1352) / 28 * 1.6, 6) in heights      # the flattened vector's bar
    assert fig.get_suptitle() == "small_cnn"


def test_shape_flow_from_rows_and_sheet_count():
    rows = [LayerRow("x", "InputLayer", (None, 10, 20, 1), 0),
            LayerRow("c", "Conv2D", (None, 10, 20, 6), 60),
            ("v", "Dense", (None, 100), 10)]
    fig = show_shape_flow(rows, title="rows", side=2.0, max_sheets=3)
    ax = fig.axes[0]
    sizes = [(round(p.get_width(), 6), round(p.get_height(), 6)) for p in ax.patches]
    assert sizes.count((2.0, 1.0)) == 1 + 3       # input: one sheet; conv: 6 channels -> 3 sheets
    assert (0.22, round(10 * 2.0 / 20, 6)) in sizes  # vector: height sqrt(100) on the same scale
    assert fig.get_suptitle() == "rows"


def test_shape_flow_errors():
    with pytest.raises(ValueError, match=r"row 0 is 'conv1'"):
        show_shape_flow(["conv1"])
    with pytest.raises(ValueError, match=r"known positive sizes.*\(None, None, 3\)"):
        show_shape_flow([LayerRow("x", "InputLayer", (None, None, 3), 0)])
    with pytest.raises(ValueError, match="no rows"):
        show_shape_flow([])


def test_package_imports_without_tensorflow():
    code = ("import sys; sys.modules['tensorflow'] = None; sys.modules['keras'] = None\n"
            "import cnn_utils, cnn_utils.viz.architecture\n"
            "print(cnn_utils.LayerRow('a', 'b', (None, 1), 0).name)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "a"


def test_shape_flow_wraps_a_long_network_onto_rows():
    rows = [LayerRow(f"l{i}", "Conv2D", (None, 20 - i, 20 - i, 4), 0) for i in range(8)]
    fig = show_shape_flow(rows)
    assert fig.get_figwidth() <= 10
    ax = fig.axes[0]
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == 7 and len({round(t.xy[1], 6) for t in arrows}) == 2  # two rows of four
    assert len(ax.lines) == 1                            # the connector from one row to the next
    assert len(show_shape_flow(rows, per_row=8).axes[0].lines) == 0
    with pytest.raises(ValueError, match="`per_row` to be an int >= 1 or None; received 0"):
        show_shape_flow(rows, per_row=0)
