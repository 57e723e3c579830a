"""One look for every figure on the site, readable on a light page and on a dark one.

The background is transparent and axes and text are mid-grey, so the same SVG works with
either colour scheme; the colours are Okabe-Ito's, safe for colour-blind readers.
"""

import io

GREY = "#8a8a8a"
# Okabe-Ito colours without the yellow (lost on white) and the black (lost on dark grey).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#999999")
STYLE = {
    "svg.fonttype": "none",  # text stays text: the page's font, and searchable
    "svg.hashsalt": "snippets",  # the same data give byte-identical SVGs
    "font.size": 10,
    "text.color": GREY,
    "axes.labelcolor": GREY,
    "axes.edgecolor": GREY,
    "xtick.color": GREY,
    "ytick.color": GREY,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.transparent": True,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def svg_text(fig) -> str:
    """A matplotlib Figure as SVG text, without the date that would make builds differ."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
