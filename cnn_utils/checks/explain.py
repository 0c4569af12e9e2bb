"""Checkers of chapter 12's exercises: a saliency map, Grad-CAM's weighting, occlusion, transfer counts.

Used in chapter 12: `check_saliency` (a student's ``saliency(images, class_index, w1, w2)`` written
with `tf.GradientTape` for the tiny network `two_layer_scores`), `check_grad_cam_weights`
(``grad_cam_map(maps, gradients)``, Grad-CAM's weighting of one image's feature maps in numpy),
`check_occlusion` (``occlusion_map(image, class_index, patch, stride, fill, weights)`` for the linear
model `linear_probabilities`) and
`check_transfer_counts` (the trainable parameters of the transfer model, frozen and unfrozen). Every
argument is a plain array or number, because the grader ships the arguments of a student's function
into the student's kernel as plain data (`course_tools.plaindata`): a Keras model or a Python
function cannot travel. The references are `cnn_utils.explain` and `cnn_utils.models.transfer`; each usual mistake is
diagnosed by computing what it gives for the case (no absolute value, the channels averaged or
summed, the softmax probability differentiated; no ReLU, a sum instead of a mean, the gradient
times the maps point by point; the sign reversed, the patch moved by one pixel instead of the
stride, the occluded probability itself; the batch normalisation statistics or the frozen base
counted as trainable).
"""

import numpy as np

from ..explain import linear_probabilities, two_layer_scores
from .answers import check_all, check_answer
from .engine import _SEED, _Case, _hidden_rng, _name, _run_cases
from .formatting import _describe_with_values
from .result import DIAGNOSES, CheckResult

DIAGNOSES.update({
    "saliency_no_abs": "기울기의 절댓값을 쓰지 않았습니다. 점수를 낮추는 픽셀(음의 기울기)도 중요하므로 "
                       "크기만 봅니다: np.abs(기울기)의 채널 최댓값.",
    "saliency_channel_mean": "채널을 평균했습니다. Simonyan 등(2014)은 픽셀마다 세 채널 가운데 가장 큰 "
                             "|기울기|를 씁니다: np.abs(g).max(axis=-1).",
    "saliency_channel_sum": "채널을 더했습니다. 픽셀마다 세 채널 가운데 가장 큰 |기울기|를 씁니다: "
                            "np.abs(g).max(axis=-1).",
    "saliency_probability": "소프트맥스 확률을 미분했습니다. two_layer_scores(x, w1, w2)의 출력이 소프트맥스 앞의 점수입니다. "
                            "확률은 확신할수록 포화되어 기울기가 작아지고 다른 클래스의 점수가 섞이므로, "
                            "점수 two_layer_scores(x, w1, w2)[:, class_index]를 그대로 미분하세요.",
    "saliency_not_watched": "기울기가 None이었습니다. 입력은 변수가 아니라 상수 텐서이므로 테이프가 지켜보지 "
                            "않습니다. with tf.GradientTape() as tape: 안에서 모델을 부르기 전에 "
                            "tape.watch(x)를 쓰세요(x = tf.convert_to_tensor(images)).",
    "saliency_not_reduced": "채널 축을 줄이지 않았습니다. 결과는 픽셀마다 값 하나인 (N, H, W)입니다: "
                            "np.abs(g).max(axis=-1).",
    "cam_no_relu": "ReLU를 빠뜨렸습니다. Grad-CAM은 클래스의 점수를 높이는 부분만 남깁니다: "
                   "np.maximum(가중합, 0).",
    "cam_sum_weights": "채널의 가중치를 기울기의 합으로 구했습니다. 가중치는 공간 평균입니다: "
                       "gradients.mean(axis=(0, 1)). 합은 평균의 H×W배라 지도 전체의 크기가 바뀝니다.",
    "cam_pointwise": "기울기를 평균하지 않고 위치마다 특징 맵에 곱했습니다. Grad-CAM은 채널마다 기울기의 "
                     "공간 평균 하나를 가중치로 써서 특징 맵 전체에 곱합니다: "
                     "sum_k mean(gradients[..., k]) * maps[..., k].",
    "cam_weights_from_maps": "가중치를 특징 맵의 평균으로 구했습니다. 가중치는 기울기(gradients)의 "
                             "공간 평균입니다.",
    "cam_channel_mean": "채널을 더하지 않고 평균했습니다. 가중치를 곱한 특징 맵을 채널에 걸쳐 더합니다(sum, "
                        "axis=-1).",
    "cam_relu_first": "ReLU를 가중치나 기울기에 먼저 적용했습니다. 가중합을 다 더한 뒤에 ReLU를 한 번 적용합니다.",
    "cam_normalised": "최댓값으로 나눴습니다. 이 함수는 나누지 않은 가중합의 ReLU를 돌려줍니다(그림을 그릴 때만 "
                      "나눕니다).",
    "occlusion_sign": "부호가 반대입니다. 가림 민감도는 원래 확률에서 가린 이미지의 확률을 뺀 값입니다: "
                      "p(원래) - p(가림). 중요한 곳을 가리면 확률이 떨어져 값이 양수가 됩니다.",
    "occlusion_probability": "가린 이미지의 확률 자체를 돌려주었습니다. 원래 이미지의 확률에서 그 값을 빼세요.",
    "occlusion_no_stride": "가림 조각을 stride만큼이 아니라 한 칸씩 옮겼습니다. 칸 [i, j]의 조각은 "
                           "(i * stride, j * stride)에서 시작합니다.",
    "occlusion_stride_patch": "조각의 크기로 stride를 썼습니다. 조각은 patch × patch입니다: "
                              "image[i*stride:i*stride+patch, j*stride:j*stride+patch].",
    "occlusion_ceil_size": "출력 크기가 하나 큽니다. 조각이 이미지 밖으로 나가는 자리는 만들지 않습니다: "
                           "(H - patch) // stride + 1.",
    "occlusion_no_stride_size": "출력 크기를 stride 없이 H - patch + 1로 정했습니다: "
                                "(H - patch) // stride + 1.",
})


# -- saliency ----------------------------------------------------------------------------------
# The grader ships a student function's arguments into the student's kernel as plain data, so the
# network is given by its weight arrays (`two_layer_scores`), not as a Keras model.

def _saliency_gradients(x, class_index, w1, w2):
    """(d score / d x, d probability / d x) of `two_layer_scores`, with `tf.GradientTape`."""
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(x, np.float32))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        scores = two_layer_scores(x, w1, w2)
        score = scores[:, class_index]
        probability = tf.nn.softmax(scores)[:, class_index]
    return tape.gradient(score, x).numpy(), tape.gradient(probability, x).numpy()


def reference_saliency(images, class_index, w1, w2):
    """The saliency map of `two_layer_scores`: max over channels of |d score / d x|, (N, H, W).

    Example:
        >>> w1, w2 = np.eye(4), np.array([[1.0], [-2.0], [3.0], [-4.0]])
        >>> reference_saliency(np.ones((1, 2, 2, 1)), 0, w1, w2)[0]
        array([[1., 2.],
               [3., 4.]], dtype=float32)
    """
    return np.abs(_saliency_gradients(images, class_index, w1, w2)[0]).max(axis=-1)


def _saliency_mistakes(x, class_index, w1, w2):
    g, gp = _saliency_gradients(x, class_index, w1, w2)
    return [("saliency_no_abs", g.max(axis=-1)), ("saliency_no_abs", g.sum(axis=-1)),
            ("saliency_no_abs", g.mean(axis=-1)),
            ("saliency_channel_mean", np.abs(g).mean(axis=-1)),
            ("saliency_channel_sum", np.abs(g).sum(axis=-1)),
            ("saliency_probability", np.abs(gp).max(axis=-1))]


# (image shape (H, W, C), hidden units, classes, images, class_index): the first two visible
_SALIENCY_CASES = [((2, 2, 3), 4, 3, 1, 1), ((3, 3, 3), 6, 3, 2, 0), ((3, 3, 2), 5, 4, 2, 3),
                   ((4, 4, 3), 8, 2, 3, 1), ((5, 4, 3), 6, 5, 2, 4), ((4, 4, 3), 3, 2, 3, 0)]
_SALIENCY_VISIBLE = 2


def check_saliency(fn, timeout=30.0):
    """Checks ``fn(images, class_index, w1, w2)``: the saliency map of `two_layer_scores`.

    The scores are ``two_layer_scores(x, w1, w2)`` (no softmax), `images` a float32 array
    (N, H, W, C), `class_index` an int; the result is max over channels of |d score / d x|, shape
    (N, H, W) (`reference_saliency`, the same formula as `cnn_utils.saliency_map`).

    Args:
        fn: the student's function (with `tf.GradientTape`).
        timeout: seconds one call may take (the first call of TensorFlow traces).

    Returns:
        A `CheckResult`.

    Example:
        >>> check_saliency(reference_saliency).ok
        True
    """
    rng = np.random.default_rng(_SEED + 120)
    cases = []
    for index, (shape, hidden, classes, n, class_index) in enumerate(_SALIENCY_CASES):
        if index == _SALIENCY_VISIBLE:
            rng = _hidden_rng(rng, 120)
        w1 = rng.normal(size=(int(np.prod(shape)), hidden)).astype(np.float32)
        w2 = rng.normal(size=(hidden, classes)).astype(np.float32)
        x = (rng.normal(size=(n, *shape)) * 2).astype(np.float32)
        describe = _describe_with_values([("images", x), ("class_index", class_index), ("w1", w1), ("w2", w2)])
        cases.append(_Case((x, class_index, w1, w2), reference_saliency(x, class_index, w1, w2), describe,
                           _saliency_mistakes(x, class_index, w1, w2), hidden=index >= _SALIENCY_VISIBLE,
                           shape_hints=[("saliency_not_reduced", (n, *shape))]))
    result = _run_cases(_name(fn, "saliency"), fn, cases, timeout, ["images", "class_index", "w1", "w2"])
    if result.diagnosis == "exception" and "None" in result.message:    # tape.gradient gave None
        message = result.message.replace(DIAGNOSES["exception"], DIAGNOSES["saliency_not_watched"])
        return CheckResult(result.name, result.passed, result.total, message, "saliency_not_watched")
    return result


# -- Grad-CAM's weighting ---------------------------------------------------------------------

def grad_cam_weighting(maps, gradients):
    """Grad-CAM of one image from its layer's maps A (H, W, K) and the score's gradients (H, W, K).

    ``ReLU(sum_k mean_ij(gradients[..., k]) * maps[..., k])``, shape (H, W), not normalised: what
    `cnn_utils.grad_cam` computes before upsampling.

    Example:
        >>> maps = np.stack([np.eye(2), np.ones((2, 2))], axis=-1)
        >>> grad_cam_weighting(maps, np.stack([np.full((2, 2), 2.0), np.full((2, 2), -1.0)], axis=-1))
        array([[1., 0.],
               [0., 1.]])
    """
    weights = gradients.mean(axis=(0, 1))
    return np.maximum((maps * weights).sum(axis=-1), 0)


def _cam_mistakes(maps, gradients):
    weights = gradients.mean(axis=(0, 1))
    raw = (maps * weights).sum(axis=-1)
    right = np.maximum(raw, 0)
    peak = right.max()
    return [("cam_no_relu", raw), ("cam_sum_weights", np.maximum((maps * gradients.sum(axis=(0, 1))).sum(-1), 0)),
            ("cam_pointwise", np.maximum((maps * gradients).sum(axis=-1), 0)),
            ("cam_pointwise", (maps * gradients).sum(axis=-1)),
            ("cam_weights_from_maps", np.maximum((maps * maps.mean(axis=(0, 1))).sum(-1), 0)),
            ("cam_channel_mean", np.maximum((maps * weights).mean(axis=-1), 0)),
            ("cam_relu_first", (maps * np.maximum(weights, 0)).sum(axis=-1)),
            ("cam_relu_first", np.maximum(maps * np.maximum(gradients, 0).mean(axis=(0, 1)), 0).sum(-1)),
            ("cam_normalised", right / peak if peak > 0 else None)]


_CAM_SHAPES = [(2, 2, 2), (3, 3, 2), (4, 4, 3), (4, 4, 8), (2, 3, 5), (6, 6, 16), (4, 4, 256)]
_CAM_VISIBLE = 2


def check_grad_cam_weights(fn, timeout=5.0):
    """Checks ``fn(maps, gradients)``: Grad-CAM's map of one image, before upsampling.

    `maps` is a layer's output A (H, W, K) for the image, `gradients` the gradient of the class
    score with respect to it, of the same shape; the result is ReLU(sum_k alpha_k A_k), shape (H, W),
    with alpha_k the spatial mean of channel k's gradient (`grad_cam_weighting`).

    Example:
        >>> check_grad_cam_weights(grad_cam_weighting).ok
        True
        >>> check_grad_cam_weights(lambda a, g: (a * g.mean(axis=(0, 1))).sum(-1)).diagnosis
        'cam_no_relu'
    """
    rng = np.random.default_rng(_SEED + 121)
    cases = []
    for index, shape in enumerate(_CAM_SHAPES):
        if index == _CAM_VISIBLE:
            rng = _hidden_rng(rng, 121)
        if index == 0:      # by hand: channel 0 weighs +2, channel 1 weighs -1
            maps = np.stack([np.array([[1.0, 0.0], [2.0, 1.0]]), np.ones((2, 2))], axis=-1)
            gradients = np.stack([np.full((2, 2), 2.0), np.array([[-1.0, -2.0], [0.0, -1.0]])], axis=-1)
        else:
            maps = np.maximum(rng.normal(size=shape), 0) * 2           # maps after a ReLU
            gradients = rng.normal(size=shape) + rng.normal(size=shape[-1]) * 0.5
        expected = grad_cam_weighting(maps, gradients)
        mistakes = [(d, v) for d, v in _cam_mistakes(maps, gradients) if v is not None]
        cases.append(_Case((maps, gradients), expected,
                           _describe_with_values([("maps", maps), ("gradients", gradients)]), mistakes,
                           hidden=index >= _CAM_VISIBLE))
    return _run_cases(_name(fn, "grad_cam_map"), fn, cases, timeout, ["maps", "gradients"])


# -- occlusion --------------------------------------------------------------------------------
# The model is `linear_probabilities` with given weights: plain arrays in and out, for the grader.

def reference_occlusion(image, class_index, patch, stride, fill, weights, step=None, size=None):
    """The occlusion map of `linear_probabilities(., weights)`; `step` and `size` give the mistakes.

    Example:
        >>> w = np.zeros((4, 2)); w[0, 0] = 1.0
        >>> reference_occlusion(np.ones((2, 2, 1)), 0, 1, 1, 0.0, w).round(3)
        array([[0.231, 0.   ],
               [0.   , 0.   ]])
    """
    step, size = step or stride, size or patch
    h, w, _ = image.shape
    rows, cols = (h - patch) // stride + 1, (w - patch) // stride + 1
    base = linear_probabilities(image[np.newaxis], weights)[0, class_index]
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            covered = image.copy()
            covered[i * step:i * step + size, j * step:j * step + size] = fill
            out[i, j] = base - linear_probabilities(covered[np.newaxis], weights)[0, class_index]
    return out


_OCCLUSION_CASES = [((4, 4, 1), 2, 2, 2), ((6, 6, 1), 2, 2, 2), ((6, 6, 3), 3, 1, 3), ((8, 8, 3), 4, 2, 3),
                    ((7, 9, 2), 3, 2, 4), ((10, 10, 3), 4, 3, 5), ((8, 6, 1), 2, 3, 2)]
_OCCLUSION_VISIBLE = 2


def check_occlusion(fn, timeout=10.0):
    """Checks ``fn(image, class_index, patch, stride, fill, weights)``: the occlusion map.

    The model is ``linear_probabilities(batch, weights)``; `image` is (H, W, C). Entry [i, j] is its
    probability of `class_index` for the image minus that for the image with a `patch` x `patch`
    square of value `fill` at (i * stride, j * stride), shape ((H - patch) // stride + 1,
    (W - patch) // stride + 1) (`reference_occlusion`, as `cnn_utils.occlusion_sensitivity`).

    Example:
        >>> check_occlusion(reference_occlusion).ok
        True
    """
    rng = np.random.default_rng(_SEED + 122)
    cases = []
    for index, (shape, patch, stride, classes) in enumerate(_OCCLUSION_CASES):
        if index == _OCCLUSION_VISIBLE:
            rng = _hidden_rng(rng, 122)
        weights = rng.normal(size=(int(np.prod(shape)), classes)) / np.sqrt(np.prod(shape)) * 3
        image = rng.uniform(0, 1, size=shape)
        c, fill = int(rng.integers(classes)), 0.5
        args = (image, c, patch, stride, fill, weights)
        expected = reference_occlusion(*args)
        p_base = linear_probabilities(image[np.newaxis], weights)[0, c]
        mistakes = [("occlusion_sign", -expected), ("occlusion_probability", p_base - expected)]
        if stride != 1:
            mistakes += [("occlusion_no_stride", reference_occlusion(*args, step=1))]
        if stride != patch:
            mistakes += [("occlusion_stride_patch", reference_occlusion(*args, size=stride))]
        h, w, _ = shape
        hints = [("occlusion_ceil_size", (-(-(h - patch) // stride) + 1, -(-(w - patch) // stride) + 1)),
                 ("occlusion_no_stride_size", (h - patch + 1, w - patch + 1))]
        describe = _describe_with_values([("image", image.round(3)), ("class_index", c), ("patch", patch),
                                          ("stride", stride), ("fill", fill), ("weights", weights.round(3))])
        cases.append(_Case(args, expected, describe, mistakes, hidden=index >= _OCCLUSION_VISIBLE,
                           shape_hints=[(d, s) for d, s in hints if s != expected.shape]))
    return _run_cases(_name(fn, "occlusion_map"), fn, cases, timeout,
                      ["image", "class_index", "patch", "stride", "fill", "weights"])


# -- transfer counts --------------------------------------------------------------------------

def transfer_counts(num_classes=5):
    """The transfer model's parameter counts: trainable with the extractor frozen and not, and more.

    Built as chapter 12 builds it: `feature_extractor` of a `cifar_resnet` and a new dense head of
    `num_classes` (the weights do not matter for the count, so no file is read).

    Returns:
        dict of ints: "frozen" and "unfrozen" (trainable), "total" (`count_params()`), "base"
        (the extractor's `count_params()`), "head" and "moving" (batch normalisation's moving
        means and variances).
    """
    from ..models.cifar import cifar_resnet
    from ..models.transfer import feature_extractor, trainable_count, transfer_model, unfreeze

    extractor = feature_extractor(cifar_resnet(num_classes=num_classes))
    model, head = transfer_model(extractor, num_classes)
    extractor.trainable = False
    frozen = trainable_count(model)
    unfreeze(extractor)
    unfrozen = trainable_count(model)
    moving = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights if "moving" in w.path)
    return {"frozen": frozen, "unfrozen": unfrozen, "total": model.count_params(),
            "base": extractor.count_params(), "head": head.count_params(), "moving": moving}


def check_transfer_counts(frozen_trainable, finetune_trainable, num_classes=5):
    """Checks the trainable parameters of chapter 12's transfer model, frozen and while fine-tuning.

    Frozen, only the new head learns: 256 * classes + classes. Fine-tuning (`unfreeze`), every weight
    the optimiser changes: the convolutions' kernels and the head, not the batch normalisation
    layers, which stay frozen (their gamma and beta, and the moving means and variances that
    `count_params()` includes; the input `Normalization` layer, built from given statistics, holds
    no weights).

    Args:
        frozen_trainable, finetune_trainable: the student's ints.
        num_classes: the new head's classes.

    Returns:
        A `CheckResult` of both answers (`check_all`).

    Example:
        >>> check_transfer_counts(1285, 1642597).ok
        True
    """
    counts = transfer_counts(num_classes)
    frozen, unfrozen, total, base, head = (counts[k] for k in ("frozen", "unfrozen", "total", "base", "head"))
    features = (head - num_classes) // num_classes
    first = check_answer(frozen_trainable, frozen, name="frozen_trainable", mistakes=[
        ("고정한 특징 추출기까지 셌습니다. trainable = False인 층의 가중치는 옵티마이저가 바꾸지 않으므로, "
         "새 분류기 층만 셉니다: 특징 수 × 클래스 수 + 클래스 수.", total),
        ("특징 추출기의 파라미터를 셌습니다. 고정한 뒤 학습되는 것은 새 분류기 층뿐입니다.", base),
        ("편향을 빠뜨렸습니다. 새 분류기 층은 클래스마다 편향이 하나 있습니다.", features * num_classes),
        ("특징 추출기의 학습되는 파라미터(배치 정규화의 이동 통계를 뺀 것)를 셌습니다. 고정하면 이 값은 "
         "모두 학습되지 않습니다.", unfrozen - head)],
        hint="model.trainable_weights의 크기를 더하거나, 특징 256개 → 클래스 5개인 완전 연결 층을 세세요.")
    second = check_answer(finetune_trainable, unfrozen, name="finetune_trainable", mistakes=[
        ("count_params()를 그대로 썼습니다. 배치 정규화의 이동 평균과 이동 분산은 기울기로 학습되지 않고, 미세 조정에서는 "
         "배치 정규화 층 전체(gamma와 beta도)를 고정해 둡니다. model.trainable_weights만 세세요.", total),
        ("배치 정규화 층의 gamma와 beta를 셌습니다. 미세 조정에서는 배치 정규화 층을 고정해(trainable = False) 추론 "
         "모드로 두므로 gamma와 beta도 학습되지 않습니다.", total - counts["moving"]),
        ("특징 추출기를 풀지 않았습니다(trainable = True). 미세 조정에서는 새 분류기 층과 함께 특징 추출기의 "
         "합성곱 가중치도 학습합니다.", frozen),
        ("새 분류기 층을 빠뜨렸습니다. 미세 조정에서도 분류기 층은 계속 학습합니다.", unfrozen - head)],
        hint="미세 조정 때 trainable_weights는 합성곱의 커널과 분류기 층의 가중치, 편향입니다(배치 정규화 층은 고정).")
    return check_all(first, second, name="transfer_counts")
