"""Keras models as a table and a picture: each layer's name, type, output shape and parameters.

Used in chapters 3, 6 and 11.

`layer_table` reads a built Keras model into rows, `side_by_side` puts two tables next to each other,
and `show_shape_flow` draws the shape of the data after every layer. Keras is imported inside
`layer_table` only, so the package still imports without TensorFlow, and `show_shape_flow` also
draws rows written by hand (a numpy network has no Keras model to read).
"""

import math
from collections import namedtuple

import matplotlib.pyplot as plt
import numpy as np

LayerRow = namedtuple("LayerRow", ["name", "type", "output_shape", "params"])
LayerRow.__doc__ = """One layer: its name, its class name, its output shape (batch axis None) and its parameter count."""

_HEADER = ("layer", "type", "output shape", "params")


class LayerTable(list):
    """A list of `LayerRow`s that prints as an aligned text table with the total parameter count.

    Attributes:
        title: the model's name, printed above the table ("" for none).
    """

    def __init__(self, rows=(), title=""):
        super().__init__(rows)
        self.title = title

    @property
    def total_params(self):
        """Sum of the rows' parameter counts."""
        return sum(row.params for row in self)

    def __str__(self):
        cells = [_HEADER] + [(row.name, row.type, _shape_text(row.output_shape), f"{row.params:,}")
                             for row in self]
        widths = [max(len(line[i]) for line in cells) for i in range(4)]

        def line(values):
            # text columns to the left, the parameter count to the right, as Keras prints them
            return "  ".join([values[0].ljust(widths[0]), values[1].ljust(widths[1]),
                              values[2].ljust(widths[2]), values[3].rjust(widths[3])])

        rule = line(["-" * w for w in widths])
        total = f"{self.total_params:,}"
        lines = ([self.title] if self.title else []) + [line(cells[0]), rule]
        lines += [line(values) for values in cells[1:]]
        lines += [rule, line(["total", "", "", total])]
        return "\n".join(text.rstrip() for text in lines)

    def __repr__(self):
        return str(self)


def _shape_text(shape):
    """(None, 26, 26, 8) -> "(None, 26, 26, 8)"; a one-element tuple loses its trailing comma."""
    return "(" + ", ".join(str(d) for d in shape) + ")"


def layer_table(model):
    """Rows (name, type, output shape, parameter count) of a built Keras model, one per layer.

    The model's input comes first, as a row of type "InputLayer" with 0 parameters, so the table
    shows every shape the data takes. Give the layers explicit names (``name="conv1"``): Keras
    numbers unnamed layers differently from run to run.

    Args:
        model: a `keras.Model` (Sequential or functional) whose input shape is known, e.g. a
            Sequential that starts with `keras.Input(shape=...)`.

    Returns:
        `LayerTable`: a list of `LayerRow(name, type, output_shape, params)` that prints as an
        aligned text table with a "total" line; `output_shape` is a tuple whose batch axis is None.

    Raises:
        TypeError: if `model` is not a Keras model.
        ValueError: if the model has no known input shape yet.

    Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((28, 28, 1), name="image"),
        ...                           keras.layers.Conv2D(8, 3, name="conv1"),
        ...                           keras.layers.Flatten(name="flatten")], name="tiny")
        >>> table = layer_table(model)
        >>> table[1]
        LayerRow(name='conv1', type='Conv2D', output_shape=(None, 26, 26, 8), params=80)
        >>> print(table)
        tiny
        layer    type        output shape       params
        -------  ----------  -----------------  ------
        image    InputLayer  (None, 28, 28, 1)       0
        conv1    Conv2D      (None, 26, 26, 8)      80
        flatten  Flatten     (None, 5408)            0
        -------  ----------  -----------------  ------
        total                                       80
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(
            f"layer_table expects a keras.Model; received {type(model).__name__}. Pass the model "
            f"itself, e.g. layer_table(model), not its output or its weights."
        )
    fix = ("Start a Sequential with keras.Input(shape=...), e.g. keras.Input((28, 28, 1)), or call "
           "model.build((None, 28, 28, 1)) first.")
    try:
        inputs = list(model.inputs)
    except AttributeError:
        inputs = None
    if not inputs:
        raise ValueError(
            f"layer_table needs a model whose input shape is known; received model "
            f"{model.name!r}, which has not been built on an input yet. {fix}"
        )
    rows = []
    layers = list(model.layers)
    if not layers or type(layers[0]).__name__ != "InputLayer":
        # a Sequential keeps its input out of model.layers; show it anyway
        for tensor in inputs:
            name = tensor.name if not tensor.name.startswith("keras_tensor") else "input"
            rows.append(LayerRow(name, "InputLayer", tuple(tensor.shape), 0))
    for layer in layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError) as exc:
            raise ValueError(
                f"layer_table could not read the output shape of layer {layer.name!r} "
                f"({type(layer).__name__}) in model {model.name!r}: {exc} A layer used more "
                f"than once has no single output shape; give each use its own layer."
            ) from exc
        rows.append(LayerRow(layer.name, type(layer).__name__, shape, int(layer.count_params())))
    return LayerTable(rows, title=model.name)


def side_by_side(*blocks, gap=4):
    """Joins multi-line texts (e.g. two `layer_table`s) column by column into one text.

    Args:
        *blocks: objects whose `str()` is a multi-line text.
        gap: spaces between the blocks.

    Returns:
        str; shorter blocks are padded with blank lines at the bottom.

    Example:
        >>> print(side_by_side("a\\nbb", "ccc\\nd\\ne", gap=2))
        a   ccc
        bb  d
            e
    """
    if not blocks:
        raise ValueError("side_by_side expects at least one block of text; received none.")
    if not isinstance(gap, int) or isinstance(gap, bool) or gap < 0:
        raise ValueError(f"side_by_side expects `gap` to be an int >= 0; received {gap!r}.")
    columns = [str(block).split("\n") for block in blocks]
    widths = [max(len(text) for text in column) for column in columns]
    height = max(len(column) for column in columns)
    lines = []
    for i in range(height):
        parts = [(column[i] if i < len(column) else "").ljust(width)
                 for column, width in zip(columns, widths)]
        lines.append((" " * gap).join(parts).rstrip())
    return "\n".join(lines)


def _as_rows(model_or_rows):
    """A Keras model or a sequence of LayerRow-like tuples -> (list of LayerRow, title)."""
    if isinstance(model_or_rows, (list, tuple)):
        rows = []
        for index, row in enumerate(model_or_rows):
            if not isinstance(row, tuple) or len(row) != 4:
                raise ValueError(
                    f"show_shape_flow expects rows (name, type, output_shape, params); row {index} "
                    f"is {row!r}. Build them with LayerRow(name, type, output_shape, params) or "
                    f"pass the Keras model itself."
                )
            rows.append(LayerRow(*row))
        if not rows:
            raise ValueError("show_shape_flow received no rows; pass a model or at least one row.")
        return rows, getattr(model_or_rows, "title", "")
    table = layer_table(model_or_rows)
    return list(table), table.title


def _box_dims(shape, op):
    """Output shape with its batch axis -> ("image", H, W, C) or ("vector", D)."""
    dims = [d for d in tuple(shape)[1:]]
    if not dims or any(not isinstance(d, (int, np.integer)) or d < 1 for d in dims):
        raise ValueError(
            f"{op} expects output shapes (batch, ...) with known positive sizes after the batch "
            f"axis; received {tuple(shape)!r}. Give the model a fixed input shape."
        )
    if len(dims) == 3:
        return ("image", int(dims[0]), int(dims[1]), int(dims[2]))
    if len(dims) == 2:
        return ("image", int(dims[0]), int(dims[1]), 1)
    return ("vector", int(math.prod(dims)))


def _shape_label(dims):
    return f"{dims[1]}×{dims[2]}×{dims[3]}" if dims[0] == "image" else f"{dims[1]}"


def show_shape_flow(model_or_rows, title=None, side=1.6, max_sheets=4, per_row=None):
    """Draws the shape of the data after every layer, left to right, with arrows in between.

    An image-shaped output (H, W, C) is a box whose width and height are proportional to W and H,
    with up to `max_sheets` sheets stacked behind it when C > 1; a vector of length D is a thin bar
    whose height is proportional to sqrt(D), on the same scale (a vector of 784 values is as tall as a
    28 x 28 image). Above each box is the layer's name, below it the shape (H×W×C or D) and type;
    the legend is in Korean (chapter 3). A network of many layers wraps onto several rows, so that
    the figure stays narrow enough for its text to be legible in the HTML book.

    Args:
        model_or_rows: a built Keras model (read with `layer_table`), or a sequence of
            `LayerRow(name, type, output_shape, params)` with the batch axis first in each shape.
        title: figure title (default: the model's name).
        side: height in axis units of the largest image (the largest H or W).
        max_sheets: at most this many sheets are drawn for the channels.
        per_row: at most this many layers in a row (default: as many as fit in 10 inches).

    Returns:
        The matplotlib Figure.

    Example:
        >>> rows = [LayerRow("image", "InputLayer", (None, 28, 28, 1), 0),
        ...         LayerRow("conv1", "Conv2D", (None, 26, 26, 8), 80),
        ...         LayerRow("flatten", "Flatten", (None, 5408), 0)]
        >>> fig = show_shape_flow(rows, title="tiny")
        >>> [t.get_text() for t in fig.axes[0].texts if "×" in t.get_text()]
        ['28×28×1', '26×26×8']
    """
    from matplotlib.patches import Patch, Rectangle

    op = "show_shape_flow"
    rows, model_title = _as_rows(model_or_rows)
    if per_row is not None and (not isinstance(per_row, int) or isinstance(per_row, bool)
                                or per_row < 1):
        raise ValueError(f"{op} expects `per_row` to be an int >= 1 or None; received {per_row!r}.")
    dims = [_box_dims(row.output_shape, op) for row in rows]
    largest = max(max(d[1], d[2]) for d in dims if d[0] == "image") if any(
        d[0] == "image" for d in dims) else max(math.sqrt(d[1]) for d in dims)
    scale = side / largest
    offset, bar, slot_min, arrow = 0.1, 0.22, 1.9, 0.55
    inch = 0.62                      # inches per axis unit: 10-point text fits a slot
    colours = {"image": "#9ecae1", "vector": "#fdae6b"}

    # sizes of every box: (width, height, sheets)
    boxes = []
    for d in dims:
        if d[0] == "image":
            boxes.append((d[2] * scale, d[1] * scale, min(d[3], max_sheets)))
        else:
            boxes.append((bar, math.sqrt(d[1]) * scale, 1))
    slots = [max(w + (s - 1) * offset, slot_min) for w, _, s in boxes]
    # Rows of layers: as many as fit in 10 inches, spread evenly (8 layers: two rows of 4).
    if per_row is None:
        fit, width = 0, -arrow
        for slot in slots:
            width += slot + arrow
            if width * inch > 10.0 and fit:
                break
            fit += 1
        per_row = fit
    n_lines = -(-len(rows) // per_row)
    per_row = -(-len(rows) // n_lines)
    lines = [list(range(i, min(i + per_row, len(rows)))) for i in range(0, len(rows), per_row)]
    total_width = max(sum(slots[i] for i in line) + arrow * (len(line) - 1) for line in lines)
    tallest = [max(boxes[i][1] + (boxes[i][2] - 1) * offset for i in line) for line in lines]
    above, below, gap = 0.55, 0.95, 0.35   # room for the name above and shape and type below
    pitch = [t + above + below + gap for t in tallest]
    height = sum(pitch) - gap

    fig, ax = plt.subplots(figsize=(max(4.0, inch * (total_width + 0.2)), inch * height + 1.0),
                           constrained_layout=True)
    centres = []                     # (left, right, y) of every block, for the arrows
    y = 0.0
    for line, tall, step in zip(lines, tallest, pitch):
        y_mid = y - above - tall / 2
        x = 0.0
        for index in line:
            row, d, (w, h, sheets), slot = rows[index], dims[index], boxes[index], slots[index]
            block_w = w + (sheets - 1) * offset
            left = x + (slot - block_w) / 2
            for k in reversed(range(sheets)):  # back sheets first, the front sheet last
                ax.add_patch(Rectangle((left + k * offset, y_mid - h / 2 + k * offset), w, h,
                                       facecolor=colours[d[0]], edgecolor="#333333",
                                       linewidth=0.8))
            top = y_mid + h / 2 + (sheets - 1) * offset
            centre = left + block_w / 2
            ax.text(centre, top + 0.1, row.name, ha="center", va="bottom", fontsize=10,
                    fontweight="bold")
            ax.text(centre, y_mid - h / 2 - 0.1, _shape_label(d), ha="center", va="top",
                    fontsize=10)
            ax.text(centre, y_mid - h / 2 - 0.45, row.type, ha="center", va="top", fontsize=9,
                    color="#444444")
            centres.append((left, left + block_w, y_mid))
            x += slot + arrow
        y -= step
    arrowprops = dict(arrowstyle="->", color="#333333", linewidth=1.0)
    for (_, right, y0), (left, _, y1) in zip(centres, centres[1:]):
        if y0 == y1:
            ax.annotate("", xy=(left - 0.05, y1), xytext=(right + 0.05, y0), arrowprops=arrowprops)
        else:  # to the next row: right, down between the rows, back left, into the first block
            x_turn = min(right + arrow / 2, total_width + 0.05)
            y_turn = (y0 + y1) / 2
            ax.plot([right + 0.05, x_turn, x_turn, -0.05, -0.05],
                    [y0, y0, y_turn, y_turn, y1], color="#333333", linewidth=1.0)
            ax.annotate("", xy=(left - 0.05, y1), xytext=(-0.06, y1), arrowprops=arrowprops)
    ax.set_xlim(-0.15, total_width + 0.15)
    ax.set_ylim(-height - 0.05, 0.05)
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = [Patch(facecolor=colours["image"], edgecolor="#333333",
                     label="이미지 모양 (세로×가로×채널)"),
               Patch(facecolor=colours["vector"], edgecolor="#333333", label="벡터 (길이)")]
    kinds = {d[0] for d in dims}
    ax.legend(handles=[h for h, kind in zip(handles, ("image", "vector")) if kind in kinds],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False, fontsize=10)
    fig.suptitle(title if title is not None else model_title or "데이터의 모양", fontsize=12)
    return fig
