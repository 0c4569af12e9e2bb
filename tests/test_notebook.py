from cnn_utils import conv2d_naive, show_source, source


def helper_without_docstring(x):
    return x + 1


def test_source_drops_only_the_docstring():
    text = source(conv2d_naive)
    assert text.startswith('def conv2d_naive(input, filters, strides, padding, data_format="NHWC", '
                           'dilations=None, name=None):\n')
    assert '"""' not in text and "Args:" not in text
    assert "np.sum(window * w[:, :, :, f])" in text
    assert '"""2-D cross-correlation with plain loops' in source(conv2d_naive, docstring=True)
    assert source(helper_without_docstring) == "def helper_without_docstring(x):\n    return x + 1\n"


def test_show_source_displays_a_python_block(capsys):
    from unittest import mock

    with mock.patch("IPython.display.display") as display:
        show_source(helper_without_docstring)
    shown = display.call_args.args[0]
    assert shown.data == "```python\ndef helper_without_docstring(x):\n    return x + 1\n```"
