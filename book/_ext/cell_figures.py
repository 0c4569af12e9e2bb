"""One figure per notebook cell: merges the figures MyST-NB makes for a cell that shows several images.

MyST-NB 1.4 wraps *each* display output of a code cell that has ``mystnb.figure`` metadata in its own
figure, and gives every one of them the cell's caption. A cell that draws two images (filters, then
the feature maps they make) thus shows the same caption twice, numbered as two figures. This
transform moves the images of the later figures into the first one, so the cell has one numbered
figure with one caption under all of its images ("(위) ... (아래) ...").

Such a cell has no figure name (tests/test_figures.py): MyST-NB registers the name once per output
while parsing, before this transform runs, and a name defined twice fails the build.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform


class MergeCellFigures(SphinxTransform):
    """Merges the sibling figures inside one cell's output container into the first."""

    default_priority = 500      # after parsing; before Sphinx numbers the figures (numfig)

    def apply(self, **kwargs) -> None:
        for output in list(self.document.findall(nodes.container)):
            if output.get("nb_element") != "cell_code_output":
                continue
            figures = [child for child in output.children if isinstance(child, nodes.figure)]
            if len(figures) < 2:
                continue
            first = figures[0]
            captions = [c for c in first.children if isinstance(c, (nodes.caption, nodes.legend))]
            at = first.index(captions[0]) if captions else len(first.children)
            for figure in figures[1:]:
                for child in list(figure.children):
                    if isinstance(child, (nodes.caption, nodes.legend)):
                        continue
                    figure.remove(child)
                    first.insert(at, child)
                    at += 1
                output.remove(figure)


def setup(app):
    app.add_transform(MergeCellFigures)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
