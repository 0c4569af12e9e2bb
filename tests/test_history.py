import dataclasses

import matplotlib.pyplot as plt
import pytest

from cnn_utils import (HUMAN_TOP5_ERROR, HUMAN_TOP5_SOURCE, ILSVRC_DATASET, ILSVRC_RESULTS,
                       ilsvrc_winners, plot_depth, plot_top5_errors)

# The winners' top-5 error (%) as Russakovsky et al. (2015) and the papers report them.
WINNERS = {
    2010: ("NEC-UIUC", 28.2),
    2011: ("XRCE", 25.8),
    2012: ("AlexNet", 16.4),
    2013: ("ZFNet", 11.7),
    2014: ("GoogLeNet", 6.7),
    2015: ("ResNet", 3.57),
    2016: ("Trimps-Soushen", 2.99),
    2017: ("SENet", 2.25),
}


def test_one_winner_a_year_from_2010_to_2017():
    years = [r.year for r in ilsvrc_winners()]
    assert years == list(range(2010, 2018))
    assert all(a < b for a, b in zip(years, years[1:]))


def test_winners_values():
    for r in ilsvrc_winners():
        name, error = WINNERS[r.year]
        assert name in (r.team, r.model)
        assert r.top5_error == error


def test_table_sorted_by_year_then_rank():
    keys = [(r.year, r.rank) for r in ILSVRC_RESULTS]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_every_row_has_a_source():
    for r in ILSVRC_RESULTS:
        assert isinstance(r.source, str) and len(r.source) > 10, r
    assert "Russakovsky" in HUMAN_TOP5_SOURCE and "Russakovsky" in ILSVRC_DATASET.source
    papers = {"AlexNet": "Krizhevsky", "ZFNet": "Zeiler", "GoogLeNet": "Szegedy",
              "VGG-19": "Simonyan", "ResNet": "He,", "SENet": "Hu,"}
    for r in ILSVRC_RESULTS:
        if r.model in papers:
            assert papers[r.model] in r.source, r


def test_depths_and_kinds():
    depth = {r.model: r.layers for r in ILSVRC_RESULTS if r.layers is not None}
    assert depth == {"AlexNet": 8, "ZFNet": 8, "GoogLeNet": 22, "VGG-19": 19, "ResNet": 152}
    assert [r.cnn for r in ilsvrc_winners()] == [False, False] + [True] * 6
    assert all(r.layers is None for r in ILSVRC_RESULTS if not r.cnn)


def test_human_line_and_the_lecture_claims():
    assert HUMAN_TOP5_ERROR == 5.1
    below_human = [r.year for r in ilsvrc_winners() if r.top5_error < HUMAN_TOP5_ERROR]
    assert below_human[0] == 2015                          # "2015년 사람의 5%를 추월"
    senet = ilsvrc_winners()[-1]
    assert senet.top5_error < HUMAN_TOP5_ERROR / 2         # "사람의 절반도 안 됨"
    assert ILSVRC_DATASET.classes == 1000


def test_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ILSVRC_RESULTS[0].top5_error = 0.0


def test_plot_top5_errors():
    ax = plot_top5_errors()
    assert [round(float(p.get_height()), 2) for p in ax.patches] == [e for _, e in WINNERS.values()]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "2010\nNEC-UIUC" and labels[2] == "2012\nAlexNet"
    assert labels[6] == "2016\nTrimps-Soushen"
    assert [line.get_ydata()[0] for line in ax.get_lines()] == [HUMAN_TOP5_ERROR]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["얕은 방법 (사람이 설계한 특징)", "합성곱 신경망", "사람 (5.1%, Russakovsky 외 2015)"]
    assert "에러율" in ax.get_title() and "에러율" in ax.get_ylabel()


def test_plot_depth_into_given_axes():
    _, ax = plt.subplots()
    assert plot_depth(ax) is ax
    assert [int(p.get_height()) for p in ax.patches] == [8, 8, 19, 22, 152]
    with pytest.raises(TypeError, match="matplotlib Axes or None; received str"):
        plot_depth("axes")


def test_supervision_entries_of_2012():
    from cnn_utils import SUPERVISION_2012, SUPERVISION_2012_SOURCE

    alone, pretrained = SUPERVISION_2012
    assert (alone.networks, alone.pretrained, alone.top5_error) == (5, 0, 16.4)
    assert (pretrained.networks, pretrained.pretrained, pretrained.top5_error) == (7, 2, 15.3)
    # the results table keeps the entry trained on the challenge's data alone
    assert WINNERS[2012][1] == alone.top5_error
    assert "Krizhevsky" in SUPERVISION_2012_SOURCE and "NIPS 2012" in SUPERVISION_2012_SOURCE
