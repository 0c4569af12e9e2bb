"""Pictures of CIFAR-10 and of chapter 10's experiments, with Korean text.

Used in chapter 10: `show_class_grid` (a few images of every class with its Korean name),
`show_channels` (one colour image and its red, green and blue channels, as chapter 4 stacked
channels), `show_augmented` (what the augmentation layers make of a few images),
`plot_gap_comparison` (training against validation accuracy of the comparison runs) and
`plot_confusion_matrix` (a confusion matrix as a heatmap with the counts written in).
"""

import matplotlib.pyplot as plt
import numpy as np

from ..cifar import CIFAR10_CLASSES_KO


def _images(op, images):
    array = np.asarray(images)
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f"{op} expects colour images of shape (N, H, W, 3); received shape "
                         f"{array.shape}. For one image pass image[np.newaxis].")
    return array


def _as_uint8(image):
    return np.clip(np.asarray(image, dtype=np.float64), 0, 255).astype(np.uint8)


def show_class_grid(images, labels, per_class=5, class_names=CIFAR10_CLASSES_KO, size=0.95):
    """The first `per_class` images of every class, one row per class, its Korean name at the left.

    Args:
        images: (N, 32, 32, 3) uint8 images.
        labels: (N,) or (N, 1) int labels.
        per_class: images per row.
        class_names: the row names, one per class.
        size: inches per image.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> x = np.zeros((20, 32, 32, 3), np.uint8); y = np.arange(20) % 10
        >>> fig = show_class_grid(x, y, per_class=2)
        >>> len(fig.axes), fig.axes[0].get_ylabel()
        (20, '비행기')
    """
    images = _images("show_class_grid", images)
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(images):
        raise ValueError(f"show_class_grid expects one label per image; received {len(images)} images "
                         f"and {len(labels)} labels.")
    classes = len(class_names)
    fig, axes = plt.subplots(classes, per_class, figsize=(size * per_class + 0.9, size * classes),
                             squeeze=False, constrained_layout=True)
    for k in range(classes):
        chosen = np.flatnonzero(labels == k)[:per_class]
        for j, ax in enumerate(axes[k]):
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if j < len(chosen):
                ax.imshow(images[chosen[j]])
        axes[k, 0].set_ylabel(class_names[k], rotation=0, ha="right", va="center", fontsize=11)
    return fig


def show_channels(image, title=None):
    """One colour image beside its red, green and blue channels, each as a grey map of 0-255.

    Args:
        image: (H, W, 3) array on the 0-255 scale.
        title: optional title over the four panels.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> [ax.get_title() for ax in show_channels(np.zeros((4, 4, 3))).axes[:4]]
        ['컬러 이미지', '빨강(R) 채널', '초록(G) 채널', '파랑(B) 채널']
    """
    image = _images("show_channels", np.asarray(image)[np.newaxis])[0]
    fig, axes = plt.subplots(1, 4, figsize=(9, 2.8), constrained_layout=True)
    axes[0].imshow(_as_uint8(image))
    axes[0].set_title("컬러 이미지", fontsize=11)
    for c, (ax, name) in enumerate(zip(axes[1:], ("빨강(R)", "초록(G)", "파랑(B)"))):
        shown = ax.imshow(image[:, :, c], cmap="gray", vmin=0, vmax=255)
        ax.set_title(f"{name} 채널", fontsize=11)
    fig.colorbar(shown, ax=list(axes[1:]), shrink=0.85)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def show_augmented(images, augmented, size=1.1):
    """Each original image (top row) above what the augmentation layers made of it (the rows below).

    Args:
        images: (N, H, W, 3) originals.
        augmented: list of (N, H, W, 3) arrays, one per row of augmented copies.
        size: inches per image.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> x = np.zeros((3, 8, 8, 3))
        >>> fig = show_augmented(x, [x, x])
        >>> len(fig.axes), fig.axes[0].get_ylabel(), fig.axes[3].get_ylabel()
        (9, '원본', '증강 1')
    """
    images = _images("show_augmented", images)
    rows = [images] + [_images("show_augmented", a) for a in augmented]
    if any(r.shape != images.shape for r in rows):
        raise ValueError(f"show_augmented expects every row of the shape of `images` {images.shape}; "
                         f"received {[r.shape for r in rows]}.")
    n = len(images)
    fig, axes = plt.subplots(len(rows), n, figsize=(size * n + 0.8, size * len(rows)),
                             squeeze=False, constrained_layout=True)
    for i, row in enumerate(rows):
        for j, ax in enumerate(axes[i]):
            ax.imshow(_as_uint8(row[j]))
            ax.set_xticks([])
            ax.set_yticks([])
        axes[i, 0].set_ylabel("원본" if i == 0 else f"증강 {i}", rotation=0, ha="right", va="center",
                              fontsize=10)
    return fig


def plot_gap_comparison(runs, last=3):
    """Training and validation accuracy of several runs as paired bars, with the gap written above.

    Args:
        runs: dict label -> a `cnn_utils.models.train_subset` result.
        last: final epochs averaged (`cnn_utils.models.overfitting_gap`).

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> runs = {"기본": {"accuracy": [0.9, 1.0], "val_accuracy": [0.4, 0.45]},
        ...         "증강": {"accuracy": [0.6, 0.7], "val_accuracy": [0.5, 0.5]}}
        >>> [t.get_text() for t in plot_gap_comparison(runs, last=1).axes[0].texts]
        ['차이 55%p', '차이 20%p']
    """
    from ..models.cifar_subset import overfitting_gap

    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"plot_gap_comparison expects a dict label -> train_subset result; received "
                         f"{type(runs).__name__}.")
    gaps = [overfitting_gap(run, last) for run in runs.values()]
    x = np.arange(len(runs))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.4 * len(runs) + 1.5), 3.6), constrained_layout=True)
    train = np.array([g[0] for g in gaps]) * 100
    val = np.array([g[1] for g in gaps]) * 100
    ax.bar(x - 0.2, train, 0.4, label="학습 정확도")
    ax.bar(x + 0.2, val, 0.4, label="검증 정확도")
    for i, (t, v) in enumerate(zip(train, val)):
        ax.text(i, max(t, v) + 2, f"차이 {t - v:.0f}%p", ha="center", fontsize=10)
    ax.set_xticks(x, list(runs), fontsize=10)
    ax.set(ylabel=f"정확도 (%, 마지막 {last} 에포크 평균)", ylim=(0, 112))
    ax.legend(fontsize=10, loc="upper right")
    return fig


def plot_confusion_matrix(matrix, class_names=CIFAR10_CLASSES_KO, title=None):
    """A confusion matrix as a heatmap, rows the true class, columns the prediction, counts written in.

    The colour is each cell's share of its row (of the images of that class), so that the
    off-diagonal cells of every class are on one scale; the numbers are the counts.

    Args:
        matrix: (K, K) counts, e.g. `cnn_utils.confusion_matrix(labels, predictions)`.
        class_names: K names for the axes.
        title: optional axis title.

    Returns:
        The matplotlib `Figure`.

    Example:
        >>> fig = plot_confusion_matrix([[5, 1], [2, 4]], ["고양이", "개"])
        >>> fig.axes[0].get_xlabel(), [t.get_text() for t in fig.axes[0].texts]
        ('예측', ['5', '1', '2', '4'])
    """
    counts = np.asarray(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(class_names):
        raise ValueError(f"plot_confusion_matrix expects a square matrix with one row per class name "
                         f"({len(class_names)}); received shape {counts.shape}.")
    k = len(class_names)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / counts.sum(axis=1, keepdims=True)
    fig, ax = plt.subplots(figsize=(max(3.5, 0.62 * k + 1.6), max(3.0, 0.55 * k + 1.2)),
                           constrained_layout=True)
    shown = ax.imshow(np.nan_to_num(shares), cmap="Blues", vmin=0, vmax=1)
    for (i, j), n in np.ndenumerate(counts):
        ax.text(j, i, f"{int(n)}", ha="center", va="center", fontsize=10,
                color="white" if np.nan_to_num(shares[i, j]) > 0.5 else "black")
    ax.set_xticks(range(k), class_names, rotation=60, ha="right", fontsize=10)
    ax.set_yticks(range(k), class_names, fontsize=10)
    ax.set(xlabel="예측", ylabel="정답")
    if title:
        ax.set_title(title, fontsize=11)
    fig.colorbar(shown, ax=ax, shrink=0.8, label="그 정답의 이미지 가운데 비율")
    return fig
