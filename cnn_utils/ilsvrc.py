"""The ILSVRC results the book cites, kept as data in one place, with their sources.

Every number here comes from the publication named in its `source`; charts and chapters read them
from this module and never type them again. Used in chapter 1 (its charts are in
`cnn_utils.viz.ilsvrc`).
"""

from dataclasses import dataclass
from typing import Optional

RUSSAKOVSKY_2015 = ("Russakovsky et al., ImageNet Large Scale Visual Recognition Challenge, "
                    "IJCV 115(3), 2015")


@dataclass(frozen=True)
class IlsvrcResult:
    """One entry of the ILSVRC image classification task.

    Attributes:
        year: int, the year of the challenge.
        team: str, the team's name in the results.
        model: str, the method or network.
        top5_error: float, top-5 error on the test set, in percent.
        cnn: bool, whether the method is a convolutional network (False: hand-crafted features and
            a shallow classifier).
        layers: int or None, the network's depth in weight layers (convolutional and dense), as the
            paper counts it; None for the shallow methods and for ensembles of different networks.
        rank: int, the place in that year's classification task (1 = winner).
        source: str, the publication the numbers come from.
    """

    year: int
    team: str
    model: str
    top5_error: float
    cnn: bool
    layers: Optional[int]
    rank: int
    source: str


@dataclass(frozen=True)
class IlsvrcDataset:
    """Size of the ILSVRC classification data (the same 1000 classes from 2012 to 2017).

    Attributes:
        classes: int, number of classes.
        train_images, val_images, test_images: int, images in each split.
        source: str, where the numbers come from.
    """

    classes: int
    train_images: int
    val_images: int
    test_images: int
    source: str


ILSVRC_DATASET = IlsvrcDataset(classes=1000, train_images=1_281_167, val_images=50_000,
                               test_images=100_000, source=RUSSAKOVSKY_2015 + ", Table 2")

# Top-5 error of one trained human annotator on 1,500 test images (Russakovsky et al., Sec. 6.4).
HUMAN_TOP5_ERROR = 5.1
HUMAN_TOP5_SOURCE = RUSSAKOVSKY_2015 + ", Section 6.4"

# Every winner of the classification task, plus two runners-up the book discusses. The errors are
# those of the entries trained on the challenge's data alone: AlexNet's 16.4% became 15.3% with
# extra pre-training on a larger ImageNet release, Clarifai's 11.7% became 11.2%.
ILSVRC_RESULTS = (
    # year, team, model, top-5 error (%), CNN?, weight layers, rank, source
    IlsvrcResult(2010, "NEC-UIUC", "SIFT/LBP + sparse coding + SVM", 28.2, False, None, 1,
                 RUSSAKOVSKY_2015),
    IlsvrcResult(2011, "XRCE", "Fisher vectors + SVM", 25.8, False, None, 1, RUSSAKOVSKY_2015),
    IlsvrcResult(2012, "SuperVision", "AlexNet", 16.4, True, 8, 1,
                 "Krizhevsky, Sutskever & Hinton, ImageNet Classification with Deep "
                 "Convolutional Neural Networks, NIPS 2012"),
    IlsvrcResult(2012, "ISI", "Fisher vectors", 26.2, False, None, 2,
                 "Krizhevsky, Sutskever & Hinton, NIPS 2012 (the second-best entry)"),
    IlsvrcResult(2013, "Clarifai", "ZFNet", 11.7, True, 8, 1,
                 "Zeiler & Fergus, Visualizing and Understanding Convolutional Networks, "
                 "ECCV 2014; " + RUSSAKOVSKY_2015),
    IlsvrcResult(2014, "GoogLeNet", "GoogLeNet", 6.7, True, 22, 1,
                 "Szegedy et al., Going Deeper with Convolutions, CVPR 2015"),
    IlsvrcResult(2014, "VGG", "VGG-19", 7.3, True, 19, 2,
                 "Simonyan & Zisserman, Very Deep Convolutional Networks for Large-Scale "
                 "Image Recognition, ICLR 2015"),
    IlsvrcResult(2015, "MSRA", "ResNet", 3.57, True, 152, 1,
                 "He, Zhang, Ren & Sun, Deep Residual Learning for Image Recognition, CVPR 2016"),
    IlsvrcResult(2016, "Trimps-Soushen", "ensemble (Inception, ResNet, Wide ResNet)", 2.99, True,
                 None, 1,
                 "ILSVRC 2016 results, https://image-net.org/challenges/LSVRC/2016/results"),
    IlsvrcResult(2017, "WMW", "SENet", 2.25, True, None, 1,
                 "Hu, Shen & Sun, Squeeze-and-Excitation Networks, CVPR 2018"),
)


@dataclass(frozen=True)
class SupervisionEntry:
    """One of the two entries of team SuperVision (AlexNet) to the ILSVRC 2012 classification task.

    Attributes:
        networks: int, how many CNNs' predictions were averaged (an ensemble).
        pretrained: int, how many of them were first trained on the whole ImageNet Fall 2011
            release, data beyond the challenge's (0: the challenge's data alone).
        top5_error: float, top-5 error on the test set, in percent.
    """

    networks: int
    pretrained: int
    top5_error: float


# SuperVision's entries of 2012. `ILSVRC_RESULTS` keeps the first, trained on the challenge's data
# alone like the other rows; the second added two CNNs pre-trained on a larger ImageNet release.
SUPERVISION_2012 = (SupervisionEntry(networks=5, pretrained=0, top5_error=16.4),
                    SupervisionEntry(networks=7, pretrained=2, top5_error=15.3))
SUPERVISION_2012_SOURCE = ("Krizhevsky, Sutskever & Hinton, ImageNet Classification with Deep "
                           "Convolutional Neural Networks, NIPS 2012, Section 6 and Table 2")


def ilsvrc_winners():
    """The winners of the classification task, one per year from 2010 to 2017.

    Returns:
        Tuple of `IlsvrcResult`, in increasing year.

    Example:
        >>> [(r.year, r.model, r.top5_error) for r in ilsvrc_winners()][2]
        (2012, 'AlexNet', 16.4)
    """
    return tuple(r for r in ILSVRC_RESULTS if r.rank == 1)
