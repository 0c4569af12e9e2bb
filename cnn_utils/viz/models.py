"""Chapter 1's drawings of the classic CNNs that `cnn_utils.models.classic` builds: LeNet-5 and
AlexNet's two-GPU layout. Sizes come from the same layer specifications and `conv_output_size`,
so a drawing always agrees with its model. Their text is Korean.
"""

import matplotlib.pyplot as plt

from ..models.classic import ALEXNET_LAYERS, alexnet_steps, check_model_args
from ..shapes import conv_output_size


def draw_alexnet_two_gpu(input_shape=(227, 227, 3)):
    """Draws AlexNet split over two GPUs, as in Figure 2 of Krizhevsky et al. (2012).

    Each GPU holds half of every layer's filters or units. Grey arrows stay on one GPU; red arrows
    mark the layers that read the maps of both GPUs (conv3 and the dense layers). Sizes come from
    `ALEXNET_LAYERS` and `conv_output_size`. Chapter 1 shows it; its text is Korean, 10 points in a
    figure 10 inches wide, so that it stays legible in the HTML book.

    Args:
        input_shape: (height, width, channels) of the image, for the map sizes in the boxes.

    Returns:
        The matplotlib Figure. Each arrow's gid is "within:<layer>" or "across:<layer>".

    Example:
        >>> fig = draw_alexnet_two_gpu()
        >>> sorted({a.get_gid().split(":")[1] for a in fig.axes[0].patches
        ...         if (a.get_gid() or "").startswith("across")})
        ['conv3', 'fc6', 'fc7', 'fc8']
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    height, width, channels = check_model_args("draw_alexnet_two_gpu", input_shape, 1,
                                                alexnet_steps())

    # 10 inches (1000 px) and 10-point text: at least 9 px in the book's 672 px column.
    fig, ax = plt.subplots(figsize=(10, 5.0), constrained_layout=True)
    ax.set_xlim(-0.47, len(ALEXNET_LAYERS) + 0.47)
    ax.set_ylim(-1.08, 1.12)
    ax.set_axis_off()
    box_w, box_h = 0.86, 0.8
    rows = {1: 0.55, 2: -0.55}  # GPU number -> y of its row

    def box(x, y, h, text, colour):
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - h / 2), box_w, h,
                                    boxstyle="round,pad=0.02", facecolor=colour,
                                    edgecolor="black", linewidth=1))
        ax.text(x, y, text, ha="center", va="center", fontsize=10, linespacing=1.25)

    def arrow(start, end, kind, layer):
        colour = "tab:red" if kind == "across" else "0.45"
        patch = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=colour,
                                linewidth=1.6 if kind == "across" else 1.2,
                                shrinkA=0, shrinkB=0)
        patch.set_gid(f"{kind}:{layer}")
        ax.add_patch(patch)

    # the input image, copied to both GPUs
    box(0, 0, 1.4 * box_h, f"입력\n{height}×{width}×{channels}", "0.92")
    band_end = len(ALEXNET_LAYERS) - 1 + box_w / 2 + 0.06  # just past fc7
    for gpu, y in rows.items():  # a band behind each GPU's half of the network
        ax.add_patch(plt.Rectangle((0.52, y - box_h / 2 - 0.05), band_end - 0.52, box_h + 0.1,
                                   facecolor="0.96", edgecolor="0.6", linestyle="--", zorder=0))
        ax.text(0.56, y + box_h / 2 + 0.06, f"GPU {gpu}", fontsize=10, fontweight="bold",
                va="bottom")
    h, w = height, width
    for x, spec in enumerate(ALEXNET_LAYERS, start=1):
        if spec.kernel:
            h, w = (conv_output_size(n, spec.kernel, spec.stride, spec.padding.upper())
                    for n in (h, w))
            text = (f"{spec.name}\n{spec.kernel}×{spec.kernel} 필터\n"
                    + (f"스트라이드 {spec.stride}\n" if spec.stride != 1 else "")
                    + f"{h}×{w}×{spec.size // 2}")
            if spec.pool:
                h, w = (conv_output_size(n, 3, 2, "VALID") for n in (h, w))
                text += f"\n최대 풀링\n→ {h}×{w}"
        else:
            text = f"{spec.name}\n완전 연결\n{spec.size // 2}"
        colour = "#9ecae1" if spec.kernel else "#fdd0a2"
        if spec is ALEXNET_LAYERS[-1]:  # the output layer: one box over both GPUs, reading both
            box(x, 0, 1.4 * box_h, f"{spec.name}\n완전 연결\n{spec.size}\n소프트맥스", colour)
            for y in rows.values():
                arrow((x - 1 + box_w / 2, y), (x - box_w / 2, y / 2), "across", spec.name)
            continue
        for y1 in rows.values():
            box(x, y1, box_h, text, colour)
            if x == 1:  # every GPU reads the whole image
                arrow((box_w / 2, y1 / 2), (x - box_w / 2, y1), "within", spec.name)
                continue
            for y0 in rows.values():
                if y0 == y1:
                    arrow((x - 1 + box_w / 2, y0), (x - box_w / 2, y1), "within", spec.name)
                elif spec.groups == 1:  # this layer reads the other GPU's maps too
                    arrow((x - 1 + box_w / 2, y0), (x - box_w / 2, y1), "across", spec.name)

    ax.plot([], [], color="0.45", label="같은 GPU 안의 연결")
    ax.plot([], [], color="tab:red", label="두 GPU의 특징 맵을 모두 읽는 연결")
    ax.legend(loc="upper center", ncol=2, frameon=False, bbox_to_anchor=(0.5, 0.0), fontsize=10)
    ax.set_title("두 GPU에 나눈 AlexNet(Krizhevsky 외 2012): 두 GPU는 conv3와 완전 연결 층에서만\n"
                 "특징 맵을 주고받는다", fontsize=12)
    return fig


def _lenet5_blocks(input_shape, num_classes):
    """(name, what made it, shape) of LeNet-5's input and of each of its seven layers."""
    height, width, channels = check_model_args(
        "draw_lenet5", input_shape, num_classes,
        [(5, 1, "VALID"), (2, 2, "VALID"), (5, 1, "VALID"), (2, 2, "VALID")])
    blocks = [("입력", "", (height, width, channels))]
    h, w = height, width
    for name, what, kernel, stride, depth in (("C1", "합성곱\n5×5", 5, 1, 6),
                                              ("S2", "평균 풀링\n2×2", 2, 2, 6),
                                              ("C3", "합성곱\n5×5", 5, 1, 16),
                                              ("S4", "평균 풀링\n2×2", 2, 2, 16)):
        h, w = (conv_output_size(n, kernel, stride, "VALID") for n in (h, w))
        blocks.append((name, what, (h, w, depth)))
    blocks += [("C5", "완전 연결", (120,)), ("F6", "완전 연결", (84,)),
               ("출력", "소프트맥스", (num_classes,))]
    return blocks


def draw_lenet5(input_shape=(32, 32, 1), num_classes=10):
    """Draws LeNet-5 as `lenet5` builds it: the data after the input and each layer, with its shape.

    Chapter 1 shows it next to `lenet5`. Image-shaped data (H×W×C) is drawn as stacked sheets whose
    side is proportional to H and W (at most four sheets are drawn), vectors as bars whose height is
    proportional to the square root of their length. Above each block are the layer's name in the
    paper (C1, S2, C3, S4, C5, F6) and what it does, below it the shape; a bracket marks the feature
    extractor (C1 to S4) and the classifier (C5 to the output). The text is Korean. Shapes come
    from `conv_output_size`, so they agree with `lenet5(input_shape, num_classes)`.

    Args:
        input_shape: (height, width, channels) of one image, as in `lenet5`.
        num_classes: int, units of the output layer.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: for a bad shape or an image too small for the two 5x5 convolutions.

    Example:
        >>> fig = draw_lenet5()
        >>> [t.get_text() for t in fig.axes[0].texts if "×" in t.get_text() and "\\n" not in t.get_text()]
        ['32×32×1', '28×28×6', '14×14×6', '10×10×16', '5×5×16']
    """
    import math

    from matplotlib.patches import Rectangle

    blocks = _lenet5_blocks(input_shape, num_classes)
    largest = max(max(shape[:2]) for _, _, shape in blocks if len(shape) == 3)
    scale = 1.2 / largest                 # inches per pixel: the input is 1.2 inches tall
    offset, bar, slot_min, gap = 0.07, 0.16, 0.95, 0.2
    sizes = []                            # (width, height, sheets) in inches
    for _, _, shape in blocks:
        if len(shape) == 3:
            sizes.append((shape[1] * scale, shape[0] * scale, min(shape[2], 4)))
        else:
            sizes.append((bar, math.sqrt(shape[0]) * scale, 1))
    slots = [max(w + (s - 1) * offset, slot_min) for w, _, s in sizes]
    total = sum(slots) + gap * (len(slots) - 1)
    tallest = max(h + (s - 1) * offset for _, h, s in sizes)
    # 10-point text in a figure at most 10 inches wide: at least 9 px in the book's column
    fig, ax = plt.subplots(figsize=(total + 0.2, tallest + 2.3), constrained_layout=True)
    colours = {3: "#9ecae1", 1: "#fdae6b"}
    x, spans = 0.0, []
    for (name, what, shape), (w, h, sheets), slot in zip(blocks, sizes, slots):
        block_w = w + (sheets - 1) * offset
        left = x + (slot - block_w) / 2
        for k in reversed(range(sheets)):
            ax.add_patch(Rectangle((left + k * offset, -h / 2 + k * offset), w, h,
                                   facecolor=colours[len(shape)], edgecolor="#333333",
                                   linewidth=0.8))
        centre = x + slot / 2
        ax.text(centre, tallest / 2 + 0.62, name, ha="center", va="bottom", fontsize=11,
                fontweight="bold")
        if what:
            ax.text(centre, tallest / 2 + 0.58, what, ha="center", va="top", fontsize=10,
                    linespacing=1.15)
        label = "×".join(str(n) for n in shape)
        ax.text(centre, -tallest / 2 - 0.1, label, ha="center", va="top", fontsize=10)
        if spans:
            ax.annotate("", xy=(left - 0.04, 0), xytext=(spans[-1][1] + 0.04, 0),
                        arrowprops=dict(arrowstyle="->", color="#333333", linewidth=1.0))
        spans.append((left, left + block_w, x, x + slot))
        x += slot + gap
    # brackets under the feature extractor (C1..S4) and the classifier (C5..output)
    y = -tallest / 2 - 0.5
    for first, last, text in ((1, 4, "특징 추출기"), (5, 7, "분류기")):
        x0, x1 = spans[first][2] + 0.05, spans[last][3] - 0.05
        ax.plot([x0, x0, x1, x1], [y + 0.08, y, y, y + 0.08], color="#555555", linewidth=1.0)
        ax.text((x0 + x1) / 2, y - 0.06, text, ha="center", va="top", fontsize=10,
                color="#333333")
    ax.set_xlim(-0.1, total + 0.1)
    ax.set_ylim(y - 0.4, tallest / 2 + 0.95)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"LeNet-5 (LeCun 외 1998): {input_shape[0]}×{input_shape[1]} 이미지에서 "
                 f"{num_classes}개 클래스까지", fontsize=12)
    return fig
