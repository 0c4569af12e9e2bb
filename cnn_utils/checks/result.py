"""What a check returns: `CheckResult`, displayed as its Korean report, and the diagnoses' texts.

Used in chapters 1 to 7 (every check cell's result). The grader (`course_tools/grade.py`) reads the
score from the display's metadata under `CHECK_METADATA_KEY`.
"""

CHECK_METADATA_KEY = "cnn_utils_check"   # course_tools/grade.py has the same key

# What each known mistake means, and how to fix it (the diagnosis printed under a failing case).
DIAGNOSES = {
    "not_implemented": "아직 작성하지 않았습니다: 함수가 NotImplementedError를 냈습니다. "
                       "`raise NotImplementedError` 줄을 지우고 풀이를 쓰세요.",
    "no_answer": "아직 답을 쓰지 않았습니다: 값이 `...` 그대로입니다.",
    "not_callable": "`def`(클래스는 `class`)로 정의한 이름을 괄호 없이 넘기세요.",
    "timeout": "함수가 제한 시간 안에 끝나지 않았습니다. 끝나지 않는 반복문(while의 조건, 반복 변수의 "
               "증가)이나 너무 큰 계산이 없는지 확인하세요.",
    "exception": "함수를 실행하다 오류가 났습니다.",
    "returned_none": "함수가 None을 돌려주었습니다. 마지막에 `return 결과`를 빠뜨렸나요?",
    "wrong_type": "결과의 자료형이 기대와 다릅니다.",
    "not_finite": "결과에 NaN(숫자가 아님)이나 무한대가 있습니다. 0으로 나누거나, 큰 수의 exp가 넘치거나, "
                  "초기화하지 않은 배열(np.empty)을 쓰지 않았는지 확인하세요.",
    "wrong_shape": "결과의 모양이 기대와 다릅니다.",
    "wrong_value": "값이 기대와 다릅니다.",
    "flipped_kernel": "필터를 위아래·좌우로 뒤집어 곱했습니다(수학의 합성곱). 딥러닝의 합성곱은 필터를 "
                      "뒤집지 않는 교차 상관(cross-correlation)입니다: "
                      "out[i, j] = sum(x[i*S + u, j*S + v] * k[u, v]).",
    "symmetric_same": "SAME 패딩을 TensorFlow와 다르게 나눴습니다. 필요한 패딩의 합이 홀수이면 TensorFlow는 "
                      "남는 한 칸을 아래쪽(오른쪽)에 붙입니다: before = total // 2, after = total - before "
                      "(total = max((ceil(W / S) - 1) * S + F - W, 0)).",
    "same_ignores_stride": "SAME 패딩의 양을 스트라이드 없이 F - 1로 계산했습니다. 출력이 ceil(W / S)가 "
                           "되도록 total = max((ceil(W / S) - 1) * S + F - W, 0)을 쓰세요.",
    "negative_padding": "패딩이 음수입니다. 필요한 패딩의 합이 0보다 작으면 0으로 하세요: max(..., 0).",
    "channels_not_summed": "입력 채널을 모두 더하지 않았습니다. 출력값 하나는 창과 필터를 원소별로 곱해 "
                           "세로, 가로, 채널(KH, KW, C) 모두에 걸쳐 더한 값입니다.",
    "ceil_output_size": "출력 크기를 올림(ceil)으로 계산해 하나가 큽니다. 공식은 내림(floor)입니다: "
                        "(W - F + 2P) // S + 1. 입력을 벗어나는 마지막 창은 만들지 않습니다.",
    "missing_plus_one": "출력 크기가 하나 작습니다: (W - F + 2P) // S 에 1을 더하지 않았습니다. 첫 창의 "
                        "자리도 하나로 세어야 합니다.",
    "off_by_one": "출력 크기가 하나 다릅니다. 출력 크기는 floor((W - F + 2P) / S) + 1 입니다.",
    "float_output_size": "출력 크기가 정수(int)가 아닙니다. / 대신 정수 나눗셈 //를 쓰세요.",
    "padding_not_doubled": "패딩을 한쪽만 셌습니다. 패딩은 양쪽에 붙으므로 2P를 더합니다: (W - F + 2P) // S + 1.",
    "padding_ignored": "패딩 P를 공식에 넣지 않았습니다: (W - F + 2P) // S + 1.",
    "bias_missing": "편향(bias)을 더하지 않았습니다. 필터 k의 모든 출력값에 b[k]를 한 번 더하세요.",
    "bias_wrong": "편향을 잘못 더했습니다. 편향은 필터(출력 채널)마다 하나이며, 창의 곱을 모두 더한 뒤 "
                  "출력값마다 정확히 한 번 더합니다: out[..., k] = sum(...) + b[k].",
    "relu_missing": "ReLU를 적용하지 않았습니다: 합성곱과 편향 뒤에 np.maximum(..., 0)을 적용하세요.",
    "avg_counts_padding": "평균 풀링에서 패딩의 0까지 세어 창 크기(KH * KW)로 나눴습니다. TensorFlow의 SAME "
                          "평균 풀링은 창 안의 진짜 픽셀 수로만 나눕니다.",
    "max_pool_zero_padding": "최대 풀링의 SAME 패딩을 0으로 채웠습니다. 창의 값이 모두 음수이면 0이 뽑힙니다. "
                             "패딩은 절대 뽑히지 않게 -inf로 채우세요.",
    "missing_batch_axis": "배치(이미지 수) 축이 빠졌습니다. 결과는 (N, OH, OW, K)처럼 맨 앞에 이미지 수 축을 "
                          "두고, 이미지마다 계산합니다.",
    "missing_channel_axis": "채널 축이 빠졌습니다. 결과는 마지막 축에 채널(필터)을 두는 (N, OH, OW, K) 모양입니다. "
                            "채널이 하나여도 축은 남깁니다.",
    "input_modified": "입력 배열을 제자리에서(in place) 바꿨습니다. 함수는 입력을 읽기만 해야 합니다. 바꿔야 "
                      "하면 복사본(x.copy()나 np.pad의 결과)에서 하세요.",
    "softmax_overflow": "큰 점수에서 exp가 넘쳐 inf/NaN이 나왔습니다. 점수에서 최댓값을 먼저 빼고 exp를 "
                        "계산하세요: np.exp(z - z.max()).",
    "softmax_not_normalized": "확률의 합이 1이 아닙니다. exp의 결과를 그 합으로 나누세요.",
    "wrong_channels": "채널(마지막 축)의 수가 다릅니다. 합성곱의 출력 채널 수는 입력 채널 수가 아니라 필터 수 K이고, "
                      "풀링은 채널 수를 바꾸지 않습니다.",
    "axis_order": "축의 순서가 다릅니다. 값은 맞지만 자리가 바뀌었습니다: NHWC (N, H, W, C), 필터 (KH, KW, C, K), "
                  "channels_first (N, C, H, W) 중 무엇을 묻는지 확인하세요.",
    "percent_not_fraction": "비율(0~1)이 아니라 퍼센트(%)로 썼습니다. 100으로 나누세요.",
    "kernel_not_squared": "필터 크기를 제곱하지 않았습니다. F x F 필터의 가중치는 F * F * D개입니다.",
    "in_channels_ignored": "입력 채널 수 D를 곱하지 않았습니다. 필터 하나는 F x F x D 모양입니다.",
    # for the backward-pass checkers chapter 9 is to get (a naive conv_backward, max-pool backward)
    "grad_not_accumulated": "겹치는 창의 기울기를 더하지 않고 덮어썼습니다. 한 입력 픽셀이 여러 창에 들어가면 "
                            "그 창들의 기울기를 모두 더해야 합니다(+=).",
    "grad_not_summed_over_batch": "가중치의 기울기를 배치에 걸쳐 더하지 않았습니다(평균을 냈거나 첫 이미지만 "
                                  "썼습니다). dW와 db는 모든 이미지, 모든 위치의 기여를 더한 값입니다.",
    "grad_wrong": "기울기가 수치 미분과 다릅니다.",
    "maxpool_grad_all": "최대 풀링의 기울기를 창의 모든 칸에 보냈습니다. 기울기는 최댓값이 있던 칸 하나로만 "
                        "갑니다.",
    # receptive fields (chapter 5, checks/fields.py)
    "field_kernels_summed": "필터 크기를 그대로 더했습니다. 층 하나는 수용 영역을 F가 아니라 F - 1만큼(간격을 곱해) "
                            "넓힙니다: 3×3 두 층은 1 + 2 + 2 = 5입니다.",
    "field_stride_ignored": "스트라이드를 빠뜨렸습니다. 스트라이드(또는 풀링) 뒤의 층은 한 칸을 움직일 때 입력에서 "
                            "간격 J만큼 움직이므로 수용 영역을 (F - 1) * J만큼 넓힙니다.",
    "field_jump_after": "층의 간격을 그 층의 스트라이드를 곱한 뒤의 값으로 썼습니다. 층이 넓히는 양 (F - 1) * J의 "
                        "J는 그 층에 들어오는 입력의 간격, 곧 앞 층까지의 스트라이드의 곱입니다.",
    "field_area": "수용 영역의 넓이(R × R)를 넣었습니다. 묻는 것은 정사각형의 한 변 R입니다.",
    "stack_params_one_layer": "층 하나의 파라미터만 셌습니다. 층을 여러 개 쌓으면 층마다 필터와 편향이 따로 있으니 "
                              "모든 층의 파라미터를 더하세요.",
    # 1x1 convolutions (chapter 7, checks/fields.py)
    "conv1x1_not_reshaped": "결과를 (N, H, W, K) 모양으로 되돌리지 않았습니다. (N * H * W, C) @ (C, K)의 결과를 "
                            "reshape(N, H, W, K)로 바꾸세요.",
    "conv1x1_mean": "채널을 더하지 않고 평균을 냈습니다. 1×1 합성곱의 출력값은 채널 C개에 가중치를 곱한 합입니다.",
}


class CheckResult:
    """What a check found: a score and the Korean report.

    Displayed in Jupyter as its report, with the machine-readable result in the display's metadata
    under `CHECK_METADATA_KEY`, which is what the grader reads.

    Attributes:
        name: what was checked (the function's or variable's name).
        passed: number of cases (or answers) that were right.
        total: number of cases (or answers).
        message: the Korean report.
        diagnosis: key of `DIAGNOSES` for the first failure, or None.
    """

    def __init__(self, name, passed, total, message, diagnosis=None, score=None):
        self.name, self.passed, self.total = name, int(passed), int(total)
        self.message, self.diagnosis = message, diagnosis
        self._score = score

    @property
    def score(self):
        """Fraction of the cases that passed (for a combined result: the mean score), in [0, 1]."""
        if self._score is not None:
            return float(self._score)
        return self.passed / self.total if self.total else 0.0

    @property
    def ok(self):
        """True when every case passed."""
        return self.total > 0 and self.passed == self.total

    def to_dict(self):
        return {"name": self.name, "passed": self.passed, "total": self.total,
                "score": round(self.score, 6), "diagnosis": self.diagnosis, "message": self.message}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.message}, {CHECK_METADATA_KEY: self.to_dict()}

    def __repr__(self):
        return self.message

    def __bool__(self):
        return self.ok
