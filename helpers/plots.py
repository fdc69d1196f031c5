"""The course's pictures. Each function takes ``ax=None``, returns the axes and never calls
``plt.show()``; figure defaults are set once, by ``setup()``. A notebook shows a figure with
``show(alt="what it shows")``, which gives it a text alternative (see ``show``).
"""

from __future__ import annotations

import base64
import html
import io
import os

import matplotlib.pyplot as plt
import numpy as np


# Body text in JupyterLab is 14 px (--jp-content-font-size1). A figure is shown at its natural size
# (FIGURE_DPI pixels per inch, see Figure) unless it is wider than the notebook, so its text is
# TEXT_PT * FIGURE_DPI / 72 = 15 px: at least as large as the body text around it (contract C6).
# Every text of the course's figures uses these sizes or larger: no "small" and no fixed points.
FIGURE_DPI = 90
TEXT_PT = 12.0
BODY_TEXT_PX = 14.0


def setup():
    """Figure defaults for the notebooks: PNG output (nbval cannot compare SVG), a modest size, and
    text at least as large as the notebook's body text (titles, labels, ticks and legends alike)."""
    plt.rcParams.update({
        "figure.figsize": (6.0, 3.6),
        "figure.dpi": FIGURE_DPI,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": TEXT_PT,
        "axes.titlesize": "medium",   # as large as the rest: larger titles crowd side-by-side panels
        "axes.labelsize": "medium",
        "xtick.labelsize": "medium",
        "ytick.labelsize": "medium",
        "legend.fontsize": "medium",
        "legend.title_fontsize": "medium",
        "figure.titlesize": "large",
    })


def text_size(scale=1.0):
    """A text size (points) for a figure's labels: the course's text size (setup()), times scale ≥ 1."""
    return max(plt.rcParams["font.size"], TEXT_PT) * max(scale, 1.0)


# One colour per layer, the same in every notebook (Okabe-Ito: distinguishable with colour-vision
# deficiencies): the input, then layer 1, 2, 3, ... Index with LAYER_COLOURS[l] for layer l.
LAYER_COLOURS = ("#555555", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


def layer_colour(layer):
    """The colour of layer `layer` (0 is the input), the same in every figure of the course."""
    return LAYER_COLOURS[layer % len(LAYER_COLOURS)]


# The PNG is drawn at HIDPI times the figure's dpi and displayed at its natural size, so it is
# crisp on high-density screens and no larger on the page.
HIDPI = 2


class Figure:
    """A rendered figure with its text alternative, for Jupyter's rich display.

    Its HTML is an ``<img>`` with ``alt`` (read by screen readers in JupyterLab, and kept by
    nbconvert's HTML export, which ignores alt text in image metadata); its image/png carries the
    same text as ``alt`` metadata; its plain text, which nbval compares, is the text alternative.
    """

    def __init__(self, png, alt, width, height, text_px=None):
        self.png, self.alt, self.width, self.height = png, alt, width, height
        self.text_px = text_px  # the smallest text's size, in CSS pixels at the figure's natural size

    def __repr__(self):
        return f"Figure: {self.alt}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = base64.b64encode(self.png).decode("ascii")
        # data-text-px: lets a browser test measure the text as shown (tests/test_workbook_browser.py)
        text_px = f' data-text-px="{self.text_px:.1f}"' if self.text_px else ""
        img = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
               f'width="{self.width}" height="{self.height}"{text_px} style="max-width:100%;height:auto">')
        bundle = {"text/html": img, "image/png": data, "text/plain": repr(self)}
        meta = {"image/png": {"width": self.width, "height": self.height, "alt": self.alt}}
        return bundle, meta


def smallest_text_px(fig):
    """The size of the smallest visible text of a drawn figure (labels, ticks, titles, legends,
    annotations), in CSS pixels at the figure's natural size; None if it has no text."""
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_alpha() != 0]
    return min(sizes) * fig.dpi / 72 if sizes else None


def render(fig=None, alt=""):
    """The figure (the current one if None) as a Figure with its text alternative; closes it."""
    fig = plt.gcf() if fig is None else fig
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=fig.dpi * HIDPI,
                metadata={"Software": None})
    text_px = smallest_text_px(fig)  # once drawn: tick labels exist
    plt.close(fig)
    png = buffer.getvalue()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return Figure(png, alt, round(width / HIDPI), round(height / HIDPI), text_px)


def show(fig=None, alt=None):
    """Display a figure with a text alternative that says what it shows (instead of plt.show()).

    Args:
        fig: a matplotlib Figure, or None for the current one.
        alt: one or two sentences for a reader who cannot see the picture: what is plotted and
            what it shows, e.g. "The error falls from 0.30 to 0.0001 in 10,000 steps, fastest
            in the first 1,000." Required.

    Raises:
        ValueError: without a text alternative (a course author's mistake, not a learner's).
    """
    from IPython.display import display

    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("plots.show needs alt=\"...\": a sentence saying what the figure shows")
    if os.environ.get("BACKPROP_GRADING") == "1":
        # nbgrader's autograde (helpers.classroom): a picture earns no points, and rendering the
        # figures was a fifth of the CPU of grading a submission; its text alternative stands in
        plt.close(plt.gcf() if fig is None else fig)
        print(f"(figure not drawn while grading: {alt.strip()})")
        return
    if os.environ.get("BACKPROP_FIGURES") == "text":
        # the planted workbook runs of make test (tests/planting.py): every line of the figure's code
        # runs, only the PNG is not encoded (nbval renders every figure of the same notebooks)
        plt.close(plt.gcf() if fig is None else fig)
        print(f"(figure not drawn: {alt.strip()})")
        return
    display(render(fig, alt.strip()))


def _axes(ax, figsize=None):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def draw_network(layer_sizes, weights=None, layer_labels=None, node_labels=None,
                 convention="column", ax=None, title=None, weight_fmt="{:.2f}", weight_position=None,
                 fontsize=None, spacing=1.0):
    """A layered network diagram: nodes per layer, an arrow per weight, weights written on them.

    Args:
        layer_sizes: nodes per layer, input first, e.g. [2, 2, 2].
        weights: optional weight matrices between consecutive layers, in the given convention
            (column: W[j, i] joins input i to output j; row: W[i, j] does).
        layer_labels: a caption under each layer.
        node_labels: a list (per layer) of lists of node labels (LaTeX allowed).
        convention: "column" or "row", to read ``weights``.
        title: the axes title.
        weight_position: None (the default) staggers the labels along the arrows by target; a
            fraction such as 0.2 puts every label that far along its own arrow from the unit it
            leaves, framed in its layer's colour. Near the source the arrows have not crossed yet
            (two straight arrows between neighbouring layers of three cross at 1/3, 1/2 or 2/3 of
            the way), so each label sits on one arrow only, and the labels leaving unit j read,
            top to bottom, as row j of a row-convention W.
        fontsize: the size of every text (weights, units, layers); None: the course's text size (plots.text_size()).
        spacing: the vertical distance between units (1.0 by default); more room for larger text.

    Returns:
        The axes.
    """
    n_layers = len(layer_sizes)
    ax = _axes(ax, figsize=(2.2 * n_layers + 1, 1.1 * spacing * max(layer_sizes) + 1.2))
    xs = np.arange(n_layers) * 2.2
    tallest = max(layer_sizes)
    pos = [[(xs[l], spacing * ((tallest - 1) / 2 - k)) for k in range(n)] for l, n in enumerate(layer_sizes)]
    size_w = size_node = size_layer = text_size() if fontsize is None else fontsize
    for l in range(n_layers - 1):
        W = None if weights is None else np.asarray(weights[l], dtype=float)
        n_in, n_out = layer_sizes[l], layer_sizes[l + 1]
        for i in range(n_in):
            for j in range(n_out):
                (x0, y0), (x1, y1) = pos[l][i], pos[l + 1][j]
                ax.annotate("", xy=(x1 - 0.28, y1), xytext=(x0 + 0.28, y0),
                            arrowprops=dict(arrowstyle="->", color="#57606a", lw=1))
                if W is not None:
                    w = W[j, i] if convention == "column" else W[i, j]
                    if weight_position is None:
                        # each edge's label sits at its own fraction of the way, set by its target, so
                        # labels of crossing edges never meet at the crossing
                        t = 0.5 if n_out == 1 else 0.25 + 0.5 * j / (n_out - 1)
                        ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), weight_fmt.format(w), fontsize=size_w,
                                ha="center", va="center", color="#0550ae",
                                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
                    else:  # near the source, before any crossing, framed in the layer's colour (as notebook 03)
                        t = weight_position
                        ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), weight_fmt.format(w), fontsize=size_w,
                                ha="center", va="center", color="black", zorder=5,
                                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=layer_colour(l + 1), lw=1.2))
    for l, layer in enumerate(pos):
        for k, (x, y) in enumerate(layer):
            ax.add_patch(plt.Circle((x, y), 0.27, fc="#ddf4ff", ec="#0969da", lw=1.5, zorder=3))
            if node_labels is not None:
                ax.text(x, y, node_labels[l][k], ha="center", va="center", fontsize=size_node, zorder=4)
        if layer_labels is not None:
            ax.text(xs[l], -spacing * (tallest - 1) / 2 - 0.75, layer_labels[l], ha="center", va="top",
                    fontsize=size_layer)
    ax.set_xlim(xs[0] - 0.6, xs[-1] + 0.6)
    ax.set_ylim(-spacing * (tallest - 1) / 2 - 1.2, spacing * (tallest - 1) / 2 + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def plot_weight_sequence(ws, target=None, ax=None, title=None, label="$w$ after step $k$"):
    """The weight after each gradient-descent step, with the optimum as a dashed line; its text as
    large as the notebook's (``legible``)."""
    ax = _axes(ax)
    steps = np.arange(1, len(ws) + 1)
    ax.plot(steps, ws, "o-", ms=4, label=label, color=layer_colour(1))
    if target is not None:
        ax.axhline(target, ls="--", color="#333333", lw=1, label=f"optimum $w^* = t/x$ = {target:.4f}")
    ax.set_xlabel("step $k$")
    ax.set_ylabel("$w$")
    ax.set_xticks(steps[:: max(1, len(ws) // 10)])
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right")      # the steps approach w* from below or around it: the corner stays clear
    legible(ax.figure)
    return ax


def weight_frame(w0, w_star, margin=1.4):
    """y-limits centred on the optimum and wide enough for the start: a frame that stays fixed."""
    half = margin * abs(w0 - w_star)
    return w_star - half, w_star + half


def plot_loss_curve(losses, ax=None, title=None, logy=True, label=None, xlabel="step"):
    """A loss (or error) curve, on a log scale by default."""
    ax = _axes(ax)
    ax.plot(np.arange(len(losses)), losses, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    if title:
        ax.set_title(title)
    if label:
        ax.legend(loc="best")
    return ax


def figure_png(fig):
    """A figure as PNG bytes (for an image widget); closes the figure."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def draw_learning_rate(x, w0, t, rate, steps=20, rate_max=0.04, fig=None):
    """Two panels for one learning rate: the weights it gives (left) and where the rate sits among
    the three regimes (right: the factor q = 1 − 2ηx² against η, the regimes shaded and labelled).

    The left panel keeps a fixed frame (``weight_frame``), so one rate compares with the next, and
    the legend sits below both panels, clear of the data whatever the rate.

    Returns:
        The figure.
    """
    from helpers import nets

    size = legible_size()      # text as large as the notebook's (notebook 01's explorer)
    fig = fig or plt.figure(figsize=(min(max_width_inches() - 0.2, 9.0), 3.6))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    ws = nets.descend(x, w0, t, rate, steps)
    w_star = t / x
    low, high = weight_frame(w0, w_star)
    shown = np.clip(ws, low, high)
    k = np.arange(1, steps + 1)
    left.plot(k, shown, "o-", ms=4, color=layer_colour(1), label="$w$ after step $k$")
    outside = (ws < low) | (ws > high)
    if outside.any():
        left.plot(k[outside], shown[outside], "x", ms=7, mew=2, color="#D55E00",
                  label="beyond the frame (drawn at its edge)")
    left.axhline(w_star, ls="--", color="#333333", lw=1, label=f"optimum $w^* = t/x$ = {w_star:.4f}")
    left.set_ylim(low, high)
    left.set_xlabel("step $k$")
    left.set_ylabel("$w$")
    left.set_xticks(k[::2])
    left.set_title(f"$\\eta$ = {rate:.4f}: {nets.regime(x, rate)}".replace(", ", ",\n", 1), fontsize=size)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(handles), fontsize=size, frameon=False,
               handlelength=1.5, columnspacing=1.2)
    etas = np.linspace(0, rate_max, 200)
    edge_monotone, edge_divergent = 1 / (2 * x**2), 1 / x**2
    for lo, hi, colour, text in [(0, edge_monotone, "#009E73", "monotone"),
                                 (edge_monotone, edge_divergent, "#E69F00", "oscillates, converges"),
                                 (edge_divergent, rate_max, "#D55E00", "diverges")]:
        right.axvspan(lo, hi, color=colour, alpha=0.18, lw=0)
        right.text((lo + hi) / 2, 1.35, text, ha="center", va="top", fontsize=size)
    right.plot(etas, 1 - 2 * etas * x**2, color="#333333", lw=1.2)
    q = nets.contraction(x, rate)
    right.plot([rate], [q], "o", ms=8, color=layer_colour(1))
    right.axhline(-1, color="#777777", lw=0.8, ls=":")
    right.axhline(0, color="#777777", lw=0.8, ls=":")
    right.set_xlim(0, rate_max)
    right.set_ylim(-2.0, 1.4)
    right.set_xlabel("learning rate $\\eta$")
    right.set_ylabel("$q = 1 - 2\\eta x^2$")
    right.set_title(f"$q$ = {q:.4f} (the dot)", fontsize=size)
    legible(fig)
    fig.tight_layout(rect=(0, 0.1, 1, 1))      # the legend below both panels, clear of the data
    return fig


def learning_rate_alt(x, w0, t, rate, steps=20):
    """The text alternative of ``draw_learning_rate``: what the two panels show, in words."""
    from helpers import nets

    ws = nets.descend(x, w0, t, rate, steps)
    return (f"Left: the {steps} weights of gradient descent with learning rate {rate:.4f}; the descent "
            f"{nets.regime(x, rate)} (after step {steps}, w = {ws[-1]:.4g}; the optimum is {t / x:.4f}). "
            f"Right: the factor q = 1 − 2ηx² against η, falling through three shaded regimes: monotone "
            f"up to η = {1 / (2 * x**2):.5f}, oscillating but converging up to {1 / x**2:.5f}, diverging beyond; "
            f"this rate's q = {nets.contraction(x, rate):.4f}.")


class _Explorer:
    """Mixin for the explorer's controls: a sentence as their plain text, for wherever the live
    widget cannot be drawn (a notebook opened fresh, untrusted or without a kernel; a static export),
    instead of the widget's raw description ``VBox(children=(FloatSlider(…``."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle or {})
        bundle["text/plain"] = self._sentence
        return bundle


def learning_rate_explorer(a, w0, y, steps=20, rate=0.007, rate_max=0.04, step=0.0005):
    """A slider for the learning rate η and, live, the weights it gives and its regime.

    Args:
        a: the input x of the one-weight model (seed 000's a⁽ᴸ⁻¹⁾).
        w0: the starting weight. y: the target t. steps: how many steps to draw.
        rate: the slider's starting value; rate_max: its largest value; step: its resolution.

    Two outputs: the controls (slider and caption, a widget whose plain text is a sentence), and
    the picture, an ordinary figure with its text alternative (``show``) that every move of the
    slider replaces in place. So a notebook opened fresh, or exported to HTML, shows the picture
    and its text, never raw widget text; and the picture is drawn at HIDPI and shown at its
    natural width, crisp on high-density screens.

    Returns:
        The slider (so a test can move it).
    """
    import ipywidgets as widgets
    from IPython.display import display

    from helpers import nets

    x, t = a, y
    slider = widgets.FloatSlider(value=rate, min=step, max=rate_max, step=step, readout_format=".4f",
                                 description="η", continuous_update=False,
                                 layout=widgets.Layout(width="420px"))
    caption = widgets.HTML()

    def picture(R):
        fig = draw_learning_rate(x, w0, t, R, steps=steps, rate_max=rate_max)
        return render(fig, learning_rate_alt(x, w0, t, R, steps=steps))

    def describe(R):
        caption.value = (f"<b>η = {R:.4f}</b>: each step multiplies the distance to w* by "
                         f"1 − 2ηx² = {nets.contraction(x, R):.4f}, so the descent "
                         f"<b>{nets.regime(x, R)}</b>.")

    box = type("LearningRateExplorer", (_Explorer, widgets.VBox), {})([slider, caption])
    box._sentence = "Learning-rate explorer: a slider for η (run this cell to use it)."
    describe(rate)
    display(box)
    handle = display(picture(rate), display_id=True)

    def redraw(change):
        describe(slider.value)
        handle.update(picture(slider.value))

    slider.observe(redraw, names="value")
    return slider


def draw_matrix(M, ax=None, title=None, fmt="{:.3f}", row_labels=None, col_labels=None, cmap="RdBu_r",
                fontsize=None):
    """A matrix as a grid of coloured cells with each entry written in it (zero is white).

    Args:
        M: a 2-D array (a 1-D array is drawn as one row).
        fmt: how each entry is written.
        row_labels, col_labels: tick labels for the rows and columns (LaTeX allowed).
        cmap: a diverging colour map; the colour scale is symmetric about zero.
        fontsize: the size of the entries written in the cells (None: the course's text size).

    Returns:
        The axes.
    """
    M = np.atleast_2d(np.asarray(M, dtype=float))
    ax = _axes(ax, figsize=(0.9 * M.shape[1] + 1.2, 0.6 * M.shape[0] + 0.9))
    vmax = float(np.max(np.abs(M))) or 1.0
    ax.imshow(M, cmap=cmap, vmin=-vmax, vmax=vmax)
    for (i, j), v in np.ndenumerate(M):
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=text_size() if fontsize is None else fontsize,
                color="white" if abs(v) > 0.6 * vmax else "black")
    ax.set_xticks(range(M.shape[1]), col_labels if col_labels is not None else range(1, M.shape[1] + 1))
    ax.set_yticks(range(M.shape[0]), row_labels if row_labels is not None else range(1, M.shape[0] + 1))
    ax.tick_params(length=0)
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


def compare_bars(series, labels=None, ax=None, title=None, ylabel=None):
    """Grouped bars: the same few quantities as computed several ways, side by side.

    Args:
        series: a dict, name -> values (all of the same length); one colour per name.
        labels: a label under each group (LaTeX allowed); 1, 2, … by default.
        ylabel: the y-axis label.

    Returns:
        The axes.
    """
    ax = _axes(ax)
    names = list(series)
    n = len(np.ravel(series[names[0]]))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        offsets = np.arange(n) - 0.4 + width * (k + 0.5)
        ax.bar(offsets, np.ravel(series[name]), width=width * 0.95, label=name)
    ax.axhline(0, color="#57606a", lw=0.8)
    ax.set_xticks(np.arange(n), labels if labels is not None else range(1, n + 1))
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best")
    return ax


def draw_matrix_row(items, operators=None, captions=None, ax=None, title=None, cell=0.62, fontsize=None, gap=0.8):
    """Matrices side by side, with operators between them: for products of Jacobians and sums of blocks.

    Each item is either a 2-D list of entries (strings, LaTeX allowed, or numbers), drawn as a grid
    of cells with its entries written in (cells holding 0 left white), or a shape ``(rows, cols)``,
    drawn as a shaded grid of that shape labelled "rows×cols". All items are centred on one line,
    so a chain of Jacobians shows at a glance which sizes meet.

    Args:
        items: the matrices, left to right.
        operators: the symbols between consecutive items ("+", "·", "="), one fewer than items.
        captions: a caption under each item (LaTeX allowed).
        cell: the side of one cell, in data units.
        gap: the space between two items, in data units.
        fontsize: the entries' size in points (default and minimum: the course's text size).

    Returns:
        The axes.
    """
    fontsize = text_size() if fontsize is None else max(fontsize, text_size())
    shapes = [tuple(item) if _is_shape(item) else np.shape(np.asarray(item, dtype=object)) for item in items]
    shapes = [(s[0], s[1]) if len(s) == 2 else (1, s[0]) for s in shapes]
    width = sum(c * cell for _, c in shapes) + gap * (len(items) - 1)
    tallest = max(r for r, _ in shapes) * cell
    scale = min(0.8, 10.0 / (width + 0.4))  # inches per data unit, at most 10 inches wide
    ax = _axes(ax, figsize=(max(3.0, scale * (width + 0.4)), scale * tallest + 1.2))
    left = 0.0
    for n, (item, (rows, cols)) in enumerate(zip(items, shapes)):
        top = rows * cell / 2
        entries = None if _is_shape(item) else np.asarray(item, dtype=object).reshape(rows, cols)
        for i in range(rows):
            for j in range(cols):
                value = None if entries is None else entries[i, j]
                zero = value is not None and str(value).strip() in ("0", "0.0", "$0$")
                ax.add_patch(plt.Rectangle((left + j * cell, top - (i + 1) * cell), cell, cell,
                                           fc="white" if zero else "#ddf4ff", ec="#8c959f", lw=0.8))
                if value is not None:
                    ax.text(left + (j + 0.5) * cell, top - (i + 0.5) * cell, str(value), ha="center",
                            va="center", fontsize=fontsize, color="#8c959f" if zero else "black")
        ax.add_patch(plt.Rectangle((left, -top), cols * cell, rows * cell, fc="none", ec="#0969da", lw=1.5))
        if entries is None:
            ax.text(left + cols * cell / 2, 0, f"{rows}×{cols}", ha="center", va="center",
                    fontsize=fontsize, fontweight="bold", color="#0550ae")
        if captions is not None and captions[n]:
            ax.text(left + cols * cell / 2, -tallest / 2 - 0.18, captions[n], ha="center", va="top",
                    fontsize=fontsize)
        left += cols * cell
        if operators is not None and n < len(operators):
            ax.text(left + gap / 2, 0, operators[n], ha="center", va="center", fontsize=fontsize * 1.3)
        left += gap
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(-tallest / 2 - (0.75 if captions is not None else 0.25), tallest / 2 + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def _is_shape(item):
    """True for a (rows, cols) pair of ints, as opposed to a matrix of entries."""
    return (isinstance(item, tuple) and len(item) == 2
            and all(isinstance(v, (int, np.integer)) for v in item))


# --- notebook 05: decision regions, confusion matrix, gradient norms per layer ------------------

CLASS_COLOURS = ("#0969da", "#1a7f37", "#cf222e", "#8250df", "#bf8700", "#57606a")


def plot_decision_regions(predict, X, y, ax=None, names=None, title=None, limits=None, origin=False,
                          resolution=300):
    """The class a model predicts at every point of a plane, with the data drawn on top.

    Args:
        predict: a function from an (M, 2) array of points to M integer classes.
        X, y: the data, two features per row, and its integer classes.
        names: one name per class, for the legend.
        limits: ((x_min, x_max), (y_min, y_max)); by default the data's range plus a margin.
        origin: mark the origin (0, 0) with a black cross.
        resolution: grid points along each axis.

    Returns:
        The axes.
    """
    from matplotlib.colors import ListedColormap

    ax = _axes(ax)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=int)
    if limits is None:
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.08 * (hi - lo)
        limits = ((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))
    gx, gy = np.meshgrid(np.linspace(*limits[0], resolution), np.linspace(*limits[1], resolution))
    regions = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    k = int(max(y.max(), regions.max())) + 1
    ax.contourf(gx, gy, regions, levels=np.arange(k + 1) - 0.5, cmap=ListedColormap(CLASS_COLOURS[:k]),
                alpha=0.18)
    for c in range(k):
        label = names[c] if names is not None else f"class {c}"
        ax.scatter(X[y == c, 0], X[y == c, 1], s=16, color=CLASS_COLOURS[c], edgecolors="white",
                   linewidths=0.5, label=label, zorder=3)
    if origin:
        ax.plot([0], [0], "k+", ms=12, mew=2, zorder=4)
    ax.set_xlim(*limits[0])
    ax.set_ylim(*limits[1])
    ax.grid(False)
    ax.legend(loc="upper left")
    if title:
        ax.set_title(title)
    return ax


def plot_confusion_matrix(C, names=None, ax=None, title=None):
    """A confusion matrix: row i, column j counts the examples of class i predicted as class j."""
    ax = _axes(ax)
    C = np.asarray(C)
    k = C.shape[0]
    ax.imshow(C, cmap="Blues", vmin=0)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(int(C[i, j])), ha="center", va="center",
                    color="white" if C[i, j] > 0.6 * C.max() else "black", fontsize=text_size())
    labels = names if names is not None else [str(i) for i in range(k)]
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax


def plot_layer_norms(norms, ax=None, title=None, ylabel=r"$\|\nabla W^{(l)}\|$"):
    """Per layer, the norm of a gradient (log scale): one line per network. The default label writes the
    gradient ∇W (∇_W E, E understood) with the layer as a superscript in parentheses, as docs/notation.md
    does, not in a subscript where the (l) would be too small to read.

    Args:
        norms: a dict, label -> one number per layer (layer 1 first).

    Returns:
        The axes.
    """
    ax = _axes(ax)
    for label, values in norms.items():
        layers = np.arange(1, len(values) + 1)
        ax.semilogy(layers, values, "o-", ms=4, label=label)
    ax.set_xlabel("layer $l$ (1 = next to the input)")
    ax.set_ylabel(ylabel)
    ax.set_xticks(np.arange(1, max(len(v) for v in norms.values()) + 1))
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax


# --- notebooks 01-03: text as large as the notebook's body text; the chain, the two-weight paths, --
# --- the 2-2-2 network forward and backward, the two layouts of a Jacobian --------------------------

# Measured in JupyterLab 4 in Chromium at 1280×800, file browser open: body text is 14 px and an
# output is 848 px wide. A figure no wider than that is shown at its natural size (1 pt = dpi/72 px),
# so text of legible_size() points or more shows at least as large as the text around it.
BODY_PX = 14
OUTPUT_PX = 840


def legible_size():
    """The font size, in points, at which figure text shows as large as the notebook's body text."""
    return max(float(plt.rcParams["font.size"]), BODY_PX * 72 / float(plt.rcParams["figure.dpi"]))


def legible(fig=None, size=None):
    """Raise every text of a figure (titles, labels, ticks, legends, annotations) to at least
    `size` points (``legible_size()`` by default); returns the figure."""
    import matplotlib.text

    fig = plt.gcf() if fig is None else fig
    size = legible_size() if size is None else size
    for ax in fig.axes:      # tick labels are made anew at each draw: their size is set on the axis
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels()
            if not labels or labels[0].get_fontsize() < size:
                axis.set_tick_params(which="both", labelsize=size)
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_text() and text.get_fontsize() < size:
            text.set_fontsize(size)
    return fig


def max_width_inches():
    """The widest figure (inches, at the current dpi) that an output shows without scaling it down."""
    return OUTPUT_PX / float(plt.rcParams["figure.dpi"])


def draw_chain(nodes, links, captions=None, backward=None, below=None, ax=None, title=None, spacing=3.2):
    """A chain of quantities in a row (x → a⁽¹⁾ → a⁽²⁾ → E), forward arrows above, and below them the
    chain rule's factors on backward arrows, each from a quantity back to the one it depends on.

    Args:
        nodes: the labels of the quantities, left to right (LaTeX allowed).
        links: one per arrow: None, or the label of a box on the arrow (a weight, "$w$ = −23.1"),
            or (box, text above the arrow).
        captions: text under each node (None to leave one out).
        backward: a list of (from_node, to, label): to is a node index, or ("box", k) for the box
            on link k; drawn right to left, in layer 2's colour.
        below: lines of text under everything (the product the factors make).

    Returns:
        The axes.
    """
    n = len(nodes)
    size = legible_size()
    ax = _axes(ax, figsize=(min(max_width_inches(), 1.05 * spacing * (n - 1) + 1.6), 3.2))
    xs = np.arange(n) * spacing
    r = 0.42
    back = layer_colour(2)
    for k, link in enumerate(links):
        box, above = (link if isinstance(link, tuple) else (link, None))
        ax.annotate("", xy=(xs[k + 1] - r, 0), xytext=(xs[k] + r, 0),
                    arrowprops=dict(arrowstyle="-|>", color="#333333", lw=1.4, mutation_scale=16))
        if box:
            ax.text((xs[k] + xs[k + 1]) / 2, 0, box, ha="center", va="center", fontsize=size,
                    bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=layer_colour(1), lw=1.4), zorder=4)
        if above:
            ax.text((xs[k] + xs[k + 1]) / 2, 0.32, above, ha="center", va="bottom", fontsize=size)
    for k, label in enumerate(nodes):
        ax.add_patch(plt.Circle((xs[k], 0), r, fc="#ddf4ff", ec="#0969da", lw=1.5, zorder=3))
        ax.text(xs[k], 0, label, ha="center", va="center", fontsize=size, zorder=5)
        if captions is not None and captions[k]:
            ax.text(xs[k], 0.62, captions[k], ha="center", va="bottom", fontsize=size)
    low = -r - 0.15
    lane = -0.8     # the backward arrows run in a lane of their own, under the nodes
    for start, to, label in backward or []:
        end = (xs[to[1]] + xs[to[1] + 1]) / 2 if isinstance(to, tuple) else xs[to]
        ax.annotate("", xy=(end + 0.12, lane), xytext=(xs[start] - 0.12, lane),
                    arrowprops=dict(arrowstyle="-|>", color=back, lw=1.8, mutation_scale=16))
        ax.plot([xs[start] - 0.12] * 2, [-r, lane], ":", color=back, lw=1.2)
        if isinstance(to, tuple):      # up to the box of the weight it ends at
            ax.plot([end + 0.12] * 2, [lane, -0.3], ":", color=back, lw=1.2)
        ax.text((xs[start] + end) / 2, lane - 0.18, label, ha="center", va="top", fontsize=size, color="#7a4f00")
        low = lane - 1.0
    for k, line in enumerate(below or []):
        ax.text(xs[-1] / 2, low - 0.15 - 0.75 * k, line, ha="center", va="top", fontsize=size)
    bottom = low - 0.15 - 0.75 * len(below or []) - (0.15 if below else 0)
    ax.set_xlim(xs[0] - 0.8, xs[-1] + 0.8)
    ax.set_ylim(bottom, 1.3 if captions is not None else 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=size)
    return ax


def plot_chain_paths(x, t, paths, start, ax=None, title=None, w1_range=(-5.0, 7.0), w2_range=(-28.0, 14.0)):
    """Paths of gradient descent in the plane of the chain's two weights (w⁽¹⁾, w⁽²⁾), over the error
    E = (x·w⁽¹⁾·w⁽²⁾ − t)² drawn as shaded contours, with the weights where E = 0 (the hyperbola
    w⁽¹⁾w⁽²⁾ = t/x) as a dashed line.

    Args:
        paths: a dict, label -> array of (w1, w2) pairs, the start first; drawn in order, each in
            its own colour and marker.
        start: the starting pair, marked.

    Returns:
        The axes.
    """
    size = legible_size()
    ax = _axes(ax, figsize=(min(max_width_inches(), 8.2), 5.4))
    g1, g2 = np.meshgrid(np.linspace(*w1_range, 400), np.linspace(*w2_range, 400))
    E = (x * g1 * g2 - t) ** 2
    shade = ax.contourf(g1, g2, np.log10(E + 1e-2), levels=np.arange(-2, 6.5, 0.5), cmap="Greys", alpha=0.4)
    ax.figure.colorbar(shade, ax=ax, label="$\\log_{10} E$", ticks=range(-2, 7, 2), pad=0.02)
    for sign in (-1, 1):
        w1 = np.linspace(0.02, max(abs(w1_range[0]), abs(w1_range[1])), 400) * sign
        w2 = t / (x * w1)
        keep = (w2 > w2_range[0]) & (w2 < w2_range[1]) & (w1 > w1_range[0]) & (w1 < w1_range[1])
        ax.plot(w1[keep], w2[keep], "--", color="#333333", lw=1.3,
                label="$E = 0$: $w^{(1)} w^{(2)} = t/x$" if sign == 1 else None)
    styles = [("o-", layer_colour(2)), ("s-", layer_colour(1)), ("^-", layer_colour(3))]
    for (label, path), (marker, colour) in zip(paths.items(), styles):
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], marker, color=colour, ms=4, lw=1.6, label=label)
    ax.plot(*start, "k*", ms=14, label="start", zorder=5)
    ax.set_xlim(*w1_range)
    ax.set_ylim(*w2_range)
    ax.set_xlabel("$w^{(1)}$")
    ax.set_ylabel("$w^{(2)}$")
    ax.grid(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=size, frameon=False)
    if title:
        ax.set_title(title, fontsize=size)
    legible(ax.figure)
    return ax


def draw_net(sizes, node_labels, edges=None, captions=None, ax=None, title=None, plain=None,
             spacing=3.0, below=None, scale=0.85):
    """A small layered network, every unit of a layer joined to every unit of the next, with chosen
    arrows labelled, coloured or turned round (the backward pass).

    Args:
        sizes: units per layer, e.g. [2, 2, 2, 1] (the last may be the error E).
        node_labels: per layer, the label of each unit (LaTeX allowed).
        edges: a dict (l, i, j) -> options for the arrow from unit i of layer l to unit j of layer
            l + 1: "label" (a boxed text), "colour", "lw", "back" (True: the arrow points from j
            back to i), "at" (where along the arrow the label sits, 0 at unit i, 1 at unit j; set
            it differently for crossing arrows so their labels never meet), "dashed".
        plain: the style of every arrow not in `edges`: None draws them thin and grey, "hide"
            leaves them out.
        captions: a caption under each layer.
        below: lines of text under the picture.
        scale: inches per unit of the drawing (units apart: layers `spacing`, units 1.7), made
            smaller if the figure would be wider than a notebook's output.

    Returns:
        The axes.
    """
    size = legible_size()
    n_layers = len(sizes)
    tallest = max(sizes)
    height = 1.7 * (tallest - 1)
    r = 0.42
    width = spacing * (n_layers - 1) + 1.5
    scale = min(scale, (max_width_inches() - 0.2) / width)
    line = 1.35 * size / 72 / scale          # one line of text, in units of the drawing
    cap_lines = max((str(c).count("\n") + 1 for c in captions or [] if c), default=0)
    bottom = -height / 2 - r - 0.25 - cap_lines * line - len(below or []) * 1.6 * line
    top = height / 2 + r + 0.25
    ax = _axes(ax, figsize=(scale * width, scale * (top - bottom) + (0.45 if title else 0)))
    pos = [[(spacing * l, height / 2 - 1.7 * k - (tallest - n) * 0.85) for k in range(n)]
           for l, n in enumerate(sizes)]
    edges = edges or {}
    for l in range(n_layers - 1):
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                opts = edges.get((l, i, j))
                if opts is None and plain == "hide":
                    continue
                opts = opts or {"colour": "#b0b7bf", "lw": 1.0}
                (x0, y0), (x1, y1) = pos[l][i], pos[l + 1][j]
                d = np.hypot(x1 - x0, y1 - y0)
                ux, uy = (x1 - x0) / d, (y1 - y0) / d
                a, b = (x0 + r * ux, y0 + r * uy), (x1 - r * ux, y1 - r * uy)
                if opts.get("back"):
                    a, b = b, a
                ax.annotate("", xy=b, xytext=a, arrowprops=dict(
                    arrowstyle="-|>", color=opts.get("colour", "#333333"), lw=opts.get("lw", 1.5),
                    mutation_scale=16, linestyle="--" if opts.get("dashed") else "-"))
                if opts.get("label"):
                    f = opts.get("at", 0.5)
                    ax.text(x0 + f * (x1 - x0), y0 + f * (y1 - y0), opts["label"], ha="center", va="center",
                            fontsize=size, color="black", zorder=4,
                            bbox=dict(boxstyle="round,pad=0.2", fc="white",
                                      ec=opts.get("colour", "#333333"), lw=1.2))
    for l, layer in enumerate(pos):
        for k, (x, y) in enumerate(layer):
            ax.add_patch(plt.Circle((x, y), r, fc="#ddf4ff", ec="#0969da", lw=1.5, zorder=3))
            ax.text(x, y, node_labels[l][k], ha="center", va="center", fontsize=size, zorder=5)
    y = -height / 2 - r - 0.2
    for l, text in enumerate(captions or []):
        if text:
            ax.text(spacing * l, y, text, ha="center", va="top", fontsize=size, linespacing=1.25)
    y -= cap_lines * line + (0.15 if captions else 0)
    for k, text in enumerate(below or []):
        ax.text(spacing * (n_layers - 1) / 2, y - 1.6 * line * k, text, ha="center", va="top", fontsize=size)
    ax.set_xlim(-0.75, spacing * (n_layers - 1) + 0.75)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=size)
    return ax


# --- notebook 04: the paths back from one hidden unit --------------------------------------------


def draw_paths_back(W, delta, j, paths="all", ax=None, title=None, fontsize=12, lower="a^{(1)}", upper="a^{(2)}",
                    weight="W^{(2)}", signal=r"\delta^{(2)}"):
    """How ∂E/∂a_j of a lower unit is made: one path per unit it feeds, each carrying δ_k W[j, k] back.

    Two columns of units (the lower layer on the left, the next layer on the right, row convention:
    ``W[j, k]`` joins lower unit j to upper unit k). Unit j's arrows to the upper units are drawn in
    the upper layer's colour with their weights; the other arrows faint. Beside each upper unit its δ_k;
    under the picture the sum ∂E/∂a_j = Σ_k δ_k W[j, k], or the one term the seed keeps.

    Args:
        W: the weight matrix between the two layers (row convention, n_lower × n_upper).
        delta: the δ of the upper layer (one number per upper unit).
        j: the lower unit, counted from 1 as in the maths.
        paths: "all" (every unit j feeds) or "diagonal" (only W[j, j], seed 002's mistake).
        lower, upper, weight, signal: the LaTeX names of the two layers' units, of W and of δ.

    Returns:
        The axes.
    """
    W, delta = np.asarray(W, dtype=float), np.asarray(delta, dtype=float)
    n_in, n_out = W.shape
    ax = _axes(ax, figsize=(4.6, 3.8))
    gap = 1.5  # between units, room for a label on each of unit j's arrows
    y_in = [gap * ((n_in - 1) / 2 - i) for i in range(n_in)]
    y_out = [gap * ((n_out - 1) / 2 - k) for k in range(n_out)]
    x_in, x_out, r = 0.0, 4.0, 0.4
    kept = range(n_out) if paths == "all" else [j - 1]
    colour = layer_colour(2)
    for i in range(n_in):
        for k in range(n_out):
            if i == j - 1 and k in kept:
                continue
            ax.annotate("", xy=(x_out - r, y_out[k]), xytext=(x_in + r, y_in[i]),
                        arrowprops=dict(arrowstyle="-", color="#d0d7de", lw=1))
    for k in kept:  # unit j's paths, drawn last, on top
        (x0, y0), (x1, y1) = (x_in + r, y_in[j - 1]), (x_out - r, y_out[k])
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=dict(arrowstyle="->", color=colour, lw=2))
        t = 0.6  # past the middle, where unit j's arrows have fanned out
        ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), f"${weight}_{{{j}{k + 1}}}$ = {W[j - 1, k]:.1f}",
                fontsize=fontsize, ha="center", va="center", zorder=5,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=colour, lw=1.2))
    for i in range(n_in):
        on = i == j - 1
        ax.add_patch(plt.Circle((x_in, y_in[i]), r, fc="#ddf4ff" if on else "white",
                                ec=layer_colour(1) if on else "#8c959f", lw=2 if on else 1, zorder=3))
        ax.text(x_in, y_in[i], f"${lower}_{i + 1}$", ha="center", va="center", fontsize=fontsize, zorder=4,
                color="black" if on else "#8c959f")
    for k in range(n_out):
        on = k in kept
        ax.add_patch(plt.Circle((x_out, y_out[k]), r, fc="#ddf4ff" if on else "white",
                                ec=colour if on else "#8c959f", lw=2 if on else 1, zorder=3))
        ax.text(x_out, y_out[k], f"${upper}_{k + 1}$", ha="center", va="center", fontsize=fontsize, zorder=4)
        ax.text(x_out + r + 0.15, y_out[k], f"${signal}_{k + 1}$ = {delta[k]:.5f}", ha="left", va="center",
                fontsize=fontsize)
    terms = [delta[k] * W[j - 1, k] for k in kept]
    if paths == "all":
        total = " + ".join(f"{v:.5f}" for v in terms) + f" = {sum(terms):.5f}"
        text = f"$\\partial E/\\partial {lower}_{j} = \\sum_k {signal}_k\\, {weight}_{{{j}k}}$\n{total}"
    else:
        text = f"seed 002: $\\partial E/\\partial {lower}_{j} \\approx {signal}_{j}\\, {weight}_{{{j}{j}}}$\n= {terms[0]:.5f}"
    ax.text((x_in + x_out) / 2, y_out[-1] - 0.8, text, ha="center", va="top", fontsize=fontsize)
    ax.set_xlim(x_in - 0.5, x_out + 2.6)
    ax.set_ylim(y_out[-1] - 1.9, y_out[0] + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize)
    return ax


# --- notebook 05: a batch through the network, and AᵀΔ as a sum of outer products ------------------

EXAMPLE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def _grid(ax, M, left, top, fmt, fontsize, fill=None, frame=None, width=1.0):
    """Matrix M drawn with its entries written in, its top-left corner at (left, top), each cell
    `width` wide and 1 high; ``fill(i, j)`` gives a cell's colour, ``frame`` the outline's colour."""
    rows, cols = M.shape
    for i in range(rows):
        for j in range(cols):
            ax.add_patch(plt.Rectangle((left + j * width, top - i - 1), width, 1,
                                       fc=fill(i, j) if fill else "white", ec="#8c959f", lw=0.8))
            ax.text(left + (j + 0.5) * width, top - i - 0.5, fmt.format(M[i, j]).replace("-", "−"), ha="center",
                    va="center", fontsize=fontsize)
    ax.add_patch(plt.Rectangle((left, top - rows), cols * width, rows, fc="none",
                               ec=frame or "#57606a", lw=2.2 if frame else 1.5))


def _tint(colour, amount=0.25):
    """A light version of a colour (mixed with white), as a cell's background."""
    from matplotlib.colors import to_rgb

    return tuple(1 - amount * (1 - c) for c in to_rgb(colour))


def draw_outer_product_sum(A, D, ax=None, fmt="{:.2f}", fontsize=12,
                           names=(r"A^{\top}", r"\Delta", r"A^{\top}\Delta"), title=None):
    """AᵀD as one matrix product (top) and as the sum of the N outer products aₙᵀ dₙ (bottom).

    Column n of Aᵀ, row n of D and the n-th outer product share a colour: the matrix product pairs
    example n's activations with example n's errors, and adds up the N products.

    Args:
        A, D: two arrays with one row per example (N × m and N × k).
        names: the LaTeX names of Aᵀ, of D and of their product.

    Returns:
        The axes.
    """
    A, D = np.asarray(A, dtype=float), np.asarray(D, dtype=float)
    N, m = A.shape
    k = D.shape[1]
    colours = [EXAMPLE_COLOURS[n % len(EXAMPLE_COLOURS)] for n in range(N)]
    total = A.T @ D
    w, gap = 1.6, 1.0  # a cell's width (its height is 1), wide enough for "−0.80"; the room for an operator
    width = max(N * k * w + (N - 1) * gap, (N + 2 * k) * w + 2 * gap)
    if ax is None:  # an axes filling its figure: 0.37 inch per unit, so every cell fits its number
        ax = plt.figure(figsize=(0.37 * (width + 1.6), 0.37 * (m + max(m, N) + 4))).add_axes((0, 0, 1, 1))
    op = dict(ha="center", va="center", fontsize=fontsize + 4)
    # top: Aᵀ · D = AᵀD
    top, x = 0.0, 0.0
    _grid(ax, A.T, x, top, fmt, fontsize, fill=lambda i, j: _tint(colours[j]), width=w)
    ax.text(x + N * w / 2, top - m - 0.35, f"${names[0]}$  ({m}×{N})", ha="center", va="top", fontsize=fontsize)
    x += N * w + gap
    ax.text(x - gap / 2, top - m / 2, "·", **op)
    _grid(ax, D, x, top, fmt, fontsize, fill=lambda i, j: _tint(colours[i]), width=w)
    ax.text(x + k * w / 2, top - N - 0.35, f"${names[1]}$  ({N}×{k})", ha="center", va="top", fontsize=fontsize)
    x += k * w + gap
    ax.text(x - gap / 2, top - m / 2, "=", **op)
    _grid(ax, total, x, top, fmt, fontsize, width=w)
    ax.text(x + k * w / 2, top - m - 0.35, f"${names[2]}$  ({m}×{k})", ha="center", va="top", fontsize=fontsize)
    # bottom: = Σₙ aₙᵀ dₙ, one framed outer product per example
    top, x = -(max(m, N) + 1.6), 0.0
    ax.text(x - gap / 2, top - m / 2, "=", **op)
    for n in range(N):
        _grid(ax, np.outer(A[n], D[n]), x, top, fmt, fontsize, frame=colours[n], width=w)
        ax.text(x + k * w / 2, top - m - 0.35, f"example {n + 1}", ha="center", va="top", fontsize=fontsize)
        x += k * w
        if n < N - 1:
            ax.text(x + gap / 2, top - m / 2, "+", **op)
            x += gap
    ax.set_xlim(-1.1, width + 0.3)
    ax.set_ylim(top - m - 1.2, 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize)
    return ax


def draw_batch_flow(sizes, matrices, layer_labels, captions, fontsize=12, title=None):
    """A network drawn as layers of units (top) and a batch flowing through it (bottom): under each
    layer, the matrix of its values for the batch, one row per example and one column per unit.

    Args:
        sizes: units per layer, the input first (e.g. [4, 16, 16, 3]).
        matrices: one N × sizes[l] array per layer (X, A⁽¹⁾, …, P), drawn as heat maps (blue for
            values of one sign, red and blue about 0 for values of both signs).
        layer_labels: a caption under each layer of units (its activation, say).
        captions: a caption under each matrix (LaTeX allowed), e.g. "$X$: 16×4".

    Returns:
        The figure.
    """
    L = len(sizes)
    matrices = [np.asarray(M, dtype=float) for M in matrices]
    N = matrices[0].shape[0]
    width, height = 9.0, 7.0
    fig = plt.figure(figsize=(width, height))
    net = fig.add_axes((0.0, 0.6, 1.0, 0.4))
    tallest = max(sizes)
    xs = np.linspace(0.1, 0.9, L)   # the layers' positions, shared by the network and the matrices
    ys = [np.linspace(0.55 + 0.42 * (n - 1) / (tallest - 1), 0.55 - 0.42 * (n - 1) / (tallest - 1), n) if n > 1
          else np.array([0.55]) for n in sizes]
    from matplotlib.collections import LineCollection

    edges = [[(xs[l], y0), (xs[l + 1], y1)] for l in range(L - 1) for y0 in ys[l] for y1 in ys[l + 1]]
    net.add_collection(LineCollection(edges, colors="#d0d7de", linewidths=0.5, zorder=1))  # one artist, fast
    for l in range(L):
        net.scatter(np.full(sizes[l], xs[l]), ys[l], s=60, color=layer_colour(l), zorder=2, edgecolors="white")
        net.text(xs[l], 0.06, layer_labels[l], ha="center", va="center", fontsize=fontsize)
    net.set_xlim(0, 1)
    net.set_ylim(0.0, 1.0)
    net.axis("off")
    if title:
        net.set_title(title, fontsize=fontsize)
    # the matrices, each centred under its layer; square cells of the same size in every matrix
    cell_w = 0.0115
    cell_h = cell_w * width / height
    top = 0.56
    for l, M in enumerate(matrices):
        rows, cols = M.shape
        w, h = cols * cell_w, rows * cell_h
        ax = fig.add_axes((xs[l] - w / 2, top - h, w, h))
        signed = M.min() < 0
        vmax = float(np.max(np.abs(M))) or 1.0
        ax.imshow(M, cmap="RdBu_r" if signed else "Blues", vmin=-vmax if signed else 0, vmax=vmax,
                  aspect="auto", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for side in ax.spines.values():
            side.set_visible(True)
            side.set_color(layer_colour(l))
            side.set_linewidth(2)
        fig.text(xs[l], top - h - 0.015, captions[l], ha="center", va="top", fontsize=fontsize)
    y = top - N * cell_h / 2
    for l in range(L - 1):
        left = xs[l] + matrices[l].shape[1] * cell_w / 2 + 0.012
        right = xs[l + 1] - matrices[l + 1].shape[1] * cell_w / 2 - 0.012
        fig.add_artist(plt.matplotlib.patches.FancyArrowPatch((left, y), (right, y), transform=fig.transFigure,
                                                               arrowstyle="-|>", mutation_scale=18, lw=1.5,
                                                               color="#57606a"))
    fig.text(xs[0] - matrices[0].shape[1] * cell_w / 2 - 0.02, y, f"{N} examples,\none per row", rotation=90,
             ha="right", va="center", ma="center", fontsize=fontsize)
    return fig


# --- notebook 00: secants and the tangent, central differences, chains of functions, partial derivatives ---


def _readable(ax, size):
    """Every text of the axes (ticks, labels, title, legend) at `size` points, the title a little larger."""
    ax.tick_params(labelsize=size)
    ax.xaxis.label.set_size(size)
    ax.yaxis.label.set_size(size)
    ax.title.set_size(size + 1)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontsize(size)
    return ax


def draw_secants(f, x0, hs, slope, ax=None, xlim=(0.0, 2.4), title=None):
    """A curve with its secants from x0 to x0 + h for each h, and its tangent at x0.

    Args:
        f: the function (vectorised: takes and returns numpy arrays).
        x0: where the secants start and the tangent touches.
        hs: the runs of the secants, largest first.
        slope: the derivative f′(x0), the tangent's slope.

    Returns:
        The axes.
    """
    size = text_size()
    ax = _axes(ax, figsize=(6.4, 4.4))
    xs = np.linspace(*xlim, 200)
    ax.plot(xs, f(xs), color="#333333", lw=2, label="$f(x) = x^2$")
    styles = ("-", "-.", ":")
    for k, h in enumerate(hs):
        rise = f(np.array(x0 + h)) - f(np.array(x0))
        s = float(rise / h)
        colour = layer_colour(1 + k)
        ax.plot(xs, f(np.array(x0)) + s * (xs - x0), ls=styles[k % len(styles)], color=colour, lw=1.8,
                label=f"secant to $x$ = {x0 + h:g}: slope {s:g}")
        ax.plot([x0 + h], [f(np.array(x0 + h))], "o", color=colour, ms=7)
    ax.plot(xs, f(np.array(x0)) + slope * (xs - x0), ls="--", color="black", lw=2.2,
            label=f"tangent at $x$ = {x0:g}: slope {slope:g}")
    ax.plot([x0], [f(np.array(x0))], "o", color="black", ms=8, zorder=5)
    top = float(np.max(f(xs)))
    ax.set_xlim(*xlim)
    ax.set_ylim(-0.5, top + 0.3)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.legend(loc="upper left", framealpha=0.95)
    if title:
        ax.set_title(title)
    return _readable(ax, size)


def plot_difference_errors(hs, errors, ax=None, title=None):
    """The error of finite-difference estimates against the step h, both on log scales.

    Args:
        hs: the steps.
        errors: a dict, label -> the absolute error at each step.

    Returns:
        The axes.
    """
    size = text_size()
    ax = _axes(ax, figsize=(6.4, 4.2))
    for k, (label, values) in enumerate(errors.items()):
        ax.loglog(hs, values, "os^"[k % 3] + "-", ms=5, color=layer_colour(1 + k), label=label)
    from matplotlib.ticker import LogLocator

    # a tick every third decade: fewer labels to typeset, as easy to read
    ax.xaxis.set_major_locator(LogLocator(base=1000.0))
    ax.yaxis.set_major_locator(LogLocator(base=1000.0))
    ax.minorticks_off()
    ax.set_xlabel("step $h$")
    ax.set_ylabel("error of the estimate")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    if title:
        ax.set_title(title)
    return _readable(ax, size)


def draw_rate_chain(nodes, factors, values=None, factor_values=None, result=None, ax=None, title=None, spacing=3.4):
    """A chain of functions drawn left to right: a box per quantity, an arrow per link, and on each
    arrow the rate at which the next quantity changes with the one before (the chain rule's factor).

    Args:
        nodes: the label of each quantity (LaTeX allowed), e.g. ["$x$", "$u = x^2 + 1$", "$y = u^3$"].
        factors: one label per arrow, e.g. [r"$du/dx = 2x$", r"$dy/du = 3u^2$"].
        values: optional, a line under each box (its value at a point).
        factor_values: optional, a line under each arrow's factor (its value at that point).
        result: optional, one line under the chain (the product of the factors).
        spacing: the distance between boxes, in data units (a box is about 2 wide).

    Returns:
        The axes.
    """
    size = text_size()
    n = len(nodes)
    width = spacing * (n - 1) + 2.4
    height = 2.2 + (0.7 if result else 0)
    ax = _axes(ax, figsize=(width * 0.78, height * 0.78))
    xs = np.arange(n) * spacing
    for k, (x, label) in enumerate(zip(xs, nodes)):
        ax.text(x, 0, label, ha="center", va="center", fontsize=size + 1, zorder=3,
                bbox=dict(boxstyle="round,pad=0.45", fc="#ddf4ff", ec=layer_colour(1), lw=1.5))
        if values is not None and values[k]:
            ax.text(x, -0.75, values[k], ha="center", va="center", fontsize=size, color="#333333")
    for k in range(n - 1):
        start, end = xs[k] + 0.95, xs[k + 1] - 0.95
        ax.annotate("", xy=(end, 0), xytext=(start, 0),
                    arrowprops=dict(arrowstyle="-|>", color="#57606a", lw=1.8, mutation_scale=18))
        middle = (xs[k] + xs[k + 1]) / 2
        ax.text(middle, 0.42, factors[k], ha="center", va="bottom", fontsize=size, color="#8a4600")
        if factor_values is not None and factor_values[k]:
            ax.text(middle, -0.42, factor_values[k], ha="center", va="top", fontsize=size, color="#8a4600")
    if result:
        ax.text(xs.mean(), -1.55, result, ha="center", va="center", fontsize=size)
    ax.set_xlim(xs[0] - 1.2, xs[-1] + 1.2)
    ax.set_ylim(-1.95 if result else -1.15, 1.25)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=size + 1)
    return ax


def draw_partial_slices(E, point, grad, spans, names=("w", "b"), axes=None):
    """The two slices of a function of two variables through a point, each with its tangent there:
    a partial derivative is the ordinary derivative along one variable with the other held fixed.

    Args:
        E: the function of the two variables (vectorised in each).
        point: (v1, v2), where the slices cross.
        grad: (∂E/∂v1, ∂E/∂v2) at the point: the tangents' slopes.
        spans: ((low, high), (low, high)), the range of each variable.
        names: the two variables' names.
        axes: two axes, or None for a new figure.

    Returns:
        The two axes.
    """
    size = text_size()
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(8.6, 3.8))
        fig.subplots_adjust(wspace=0.28)
    v1, v2 = point
    height = E(v1, v2)
    for k, ax in enumerate(axes):
        s = np.linspace(*spans[k], 200)
        at = point[k]
        values = E(s, v2) if k == 0 else E(v1, s)
        held = f"${names[1]}$ held at {v2:g}" if k == 0 else f"${names[0]}$ held at {v1:g}"
        ax.plot(s, values, color=layer_colour(1 + k), lw=2, label=f"$E$ with {held}")
        ax.plot(s, height + grad[k] * (s - at), "--", color="black", lw=1.8,
                label=f"tangent: slope $\\partial E/\\partial {names[k]}$ = {grad[k]:g}")
        ax.plot([at], [height], "o", color="black", ms=7, zorder=5)
        ax.set_ylim(-1, max(values) * 1.05)
        ax.set_title(f"along ${names[k]}$: the slope is $\\partial E/\\partial {names[k]}$")
        ax.set_xlabel(f"${names[k]}$")
        ax.set_ylabel("$E$")
        ax.legend(loc="upper left", framealpha=0.95)
        _readable(ax, size)
    return axes


def draw_gradient_field(E, gradient, wlim, blim, points, valley=None, ax=None, title=None, names=("w", "b"),
                        scale=10.0):
    """The contour lines of a function of two variables, with its gradient drawn as an arrow at some
    points: each arrow points uphill, straight across the contour lines, longer where it is steeper.

    Args:
        E: the function, vectorised in both variables.
        gradient: (v1, v2) -> the gradient there, a pair.
        wlim, blim: the ranges of the two variables.
        points: where to draw the arrows, a list of (v1, v2).
        valley: optional (slope, intercept) of a line where E = 0, drawn dashed.
        scale: the arrows are drawn 1/scale as long as the gradient (in the variables' units).

    Returns:
        The axes.
    """
    size = text_size()
    ax = _axes(ax, figsize=(7.2, 5.0))
    W, B = np.meshgrid(np.linspace(*wlim, 200), np.linspace(*blim, 200))
    values = E(W, B)
    # E = u² is a square: contours at u = ½, 1, 1½, … are evenly spaced where E's own values are not
    levels = [(k / 2) ** 2 for k in range(int(2 * np.sqrt(values.max())) + 2)]
    filled = ax.contourf(W, B, values, levels=levels, cmap="Blues", alpha=0.75)
    ax.contour(W, B, values, levels=levels[1:], colors="#57606a", linewidths=0.8)
    bar = ax.figure.colorbar(filled, ax=ax, shrink=0.92, ticks=levels[::2])
    bar.ax.set_yticklabels([f"{v:g}" for v in levels[::2]])
    bar.set_label("$E$", size=size)
    bar.ax.tick_params(labelsize=size)
    if valley is not None:
        slope, intercept = valley
        ws = np.linspace(*wlim, 2)
        ax.plot(ws, slope * ws + intercept, "--", color="#333333", lw=1.8, label="$E = 0$")
    P = np.array(points, dtype=float)
    G = np.array([gradient(*p) for p in P], dtype=float)
    ax.quiver(P[:, 0], P[:, 1], G[:, 0], G[:, 1], color="#D55E00", angles="xy", scale_units="xy",
              scale=scale, width=0.008, zorder=4, label=f"$\\nabla E$, drawn 1/{scale:g} as long")
    ax.plot(P[:, 0], P[:, 1], "o", color="#D55E00", ms=4, zorder=5)
    ax.set_xlim(*wlim)
    ax.set_ylim(*blim)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel(f"${names[0]}$")
    ax.set_ylabel(f"${names[1]}$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    if title:
        ax.set_title(title)
    return _readable(ax, size)
