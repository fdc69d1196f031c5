"""The course's pictures. Each function takes ``ax=None``, returns the axes and never calls
``plt.show()``; figure defaults are set once, by ``setup()``. A notebook shows a figure with
``show(alt="what it shows")``, which gives it a text alternative (see ``show``).
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt
import numpy as np


def setup():
    """Figure defaults for the notebooks: PNG output (nbval cannot compare SVG), a modest size."""
    plt.rcParams.update({
        "figure.figsize": (6.0, 3.6),
        "figure.dpi": 90,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
    })


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

    def __init__(self, png, alt, width, height):
        self.png, self.alt, self.width, self.height = png, alt, width, height

    def __repr__(self):
        return f"Figure: {self.alt}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = base64.b64encode(self.png).decode("ascii")
        img = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
               f'width="{self.width}" height="{self.height}" style="max-width:100%;height:auto">')
        bundle = {"text/html": img, "image/png": data, "text/plain": repr(self)}
        meta = {"image/png": {"width": self.width, "height": self.height, "alt": self.alt}}
        return bundle, meta


def render(fig=None, alt=""):
    """The figure (the current one if None) as a Figure with its text alternative; closes it."""
    fig = plt.gcf() if fig is None else fig
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=fig.dpi * HIDPI,
                metadata={"Software": None})
    plt.close(fig)
    png = buffer.getvalue()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return Figure(png, alt, round(width / HIDPI), round(height / HIDPI))


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
    display(render(fig, alt.strip()))


def _axes(ax, figsize=None):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def draw_network(layer_sizes, weights=None, layer_labels=None, node_labels=None,
                 convention="column", ax=None, title=None, weight_fmt="{:.2f}"):
    """A layered network diagram: nodes per layer, an arrow per weight, weights written on them.

    Args:
        layer_sizes: nodes per layer, input first, e.g. [2, 2, 2].
        weights: optional weight matrices between consecutive layers, in the given convention
            (column: W[j, i] joins input i to output j; row: W[i, j] does).
        layer_labels: a caption under each layer.
        node_labels: a list (per layer) of lists of node labels (LaTeX allowed).
        convention: "column" or "row", to read ``weights``.
        title: the axes title.

    Returns:
        The axes.
    """
    n_layers = len(layer_sizes)
    ax = _axes(ax, figsize=(2.2 * n_layers + 1, 1.1 * max(layer_sizes) + 1.2))
    xs = np.arange(n_layers) * 2.2
    tallest = max(layer_sizes)
    pos = [[(xs[l], (tallest - 1) / 2 - k) for k in range(n)] for l, n in enumerate(layer_sizes)]
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
                    # each edge's label sits at its own fraction of the way, set by its target, so
                    # labels of crossing edges never meet at the crossing
                    t = 0.5 if n_out == 1 else 0.25 + 0.5 * j / (n_out - 1)
                    ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), weight_fmt.format(w), fontsize=8,
                            ha="center", va="center", color="#0550ae",
                            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
    for l, layer in enumerate(pos):
        for k, (x, y) in enumerate(layer):
            ax.add_patch(plt.Circle((x, y), 0.27, fc="#ddf4ff", ec="#0969da", lw=1.5, zorder=3))
            if node_labels is not None:
                ax.text(x, y, node_labels[l][k], ha="center", va="center", fontsize=10, zorder=4)
        if layer_labels is not None:
            ax.text(xs[l], -(tallest - 1) / 2 - 0.75, layer_labels[l], ha="center", va="top", fontsize=9)
    ax.set_xlim(xs[0] - 0.6, xs[-1] + 0.6)
    ax.set_ylim(-(tallest - 1) / 2 - 1.2, (tallest - 1) / 2 + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def plot_weight_sequence(ws, target=None, ax=None, title=None, label="w after step k"):
    """The weight after each gradient-descent step, with the optimum as a dashed line."""
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
    its legend sits below the axes, clear of the data whatever the rate.

    Returns:
        The figure.
    """
    from helpers import nets

    fig = fig or plt.figure(figsize=(8.2, 3.1))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
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
    left.set_title(f"$\\eta$ = {rate:.4f}: {nets.regime(x, rate)}", fontsize=9)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=8, frameon=False)
    etas = np.linspace(0, rate_max, 200)
    edge_monotone, edge_divergent = 1 / (2 * x**2), 1 / x**2
    for lo, hi, colour, text in [(0, edge_monotone, "#009E73", "monotone"),
                                 (edge_monotone, edge_divergent, "#E69F00", "oscillates,\nconverges"),
                                 (edge_divergent, rate_max, "#D55E00", "diverges")]:
        right.axvspan(lo, hi, color=colour, alpha=0.18, lw=0)
        right.text((lo + hi) / 2, 1.35, text, ha="center", va="top", fontsize=8)
    right.plot(etas, 1 - 2 * etas * x**2, color="#333333", lw=1.2)
    q = nets.contraction(x, rate)
    right.plot([rate], [q], "o", ms=8, color=layer_colour(1))
    right.axhline(-1, color="#777777", lw=0.8, ls=":")
    right.axhline(0, color="#777777", lw=0.8, ls=":")
    right.set_xlim(0, rate_max)
    right.set_ylim(-2.0, 1.4)
    right.set_xlabel("learning rate $\\eta$")
    right.set_ylabel("$q = 1 - 2\\eta x^2$")
    right.set_title(f"$q$ = {q:.4f} (the dot)", fontsize=9)
    fig.tight_layout()
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


def draw_matrix(M, ax=None, title=None, fmt="{:.3f}", row_labels=None, col_labels=None, cmap="RdBu_r"):
    """A matrix as a grid of coloured cells with each entry written in it (zero is white).

    Args:
        M: a 2-D array (a 1-D array is drawn as one row).
        fmt: how each entry is written.
        row_labels, col_labels: tick labels for the rows and columns (LaTeX allowed).
        cmap: a diverging colour map; the colour scale is symmetric about zero.

    Returns:
        The axes.
    """
    M = np.atleast_2d(np.asarray(M, dtype=float))
    ax = _axes(ax, figsize=(0.9 * M.shape[1] + 1.2, 0.6 * M.shape[0] + 0.9))
    vmax = float(np.max(np.abs(M))) or 1.0
    ax.imshow(M, cmap=cmap, vmin=-vmax, vmax=vmax)
    for (i, j), v in np.ndenumerate(M):
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9,
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
    ax.legend(loc="best", fontsize=8)
    return ax


def draw_matrix_row(items, operators=None, captions=None, ax=None, title=None, cell=0.62, fontsize=10):
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

    Returns:
        The axes.
    """
    shapes = [tuple(item) if _is_shape(item) else np.shape(np.asarray(item, dtype=object)) for item in items]
    shapes = [(s[0], s[1]) if len(s) == 2 else (1, s[0]) for s in shapes]
    gap = 0.8
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
            ax.text(left + gap / 2, 0, operators[n], ha="center", va="center", fontsize=fontsize + 4)
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
    ax.legend(loc="upper left", fontsize=8)
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
                    color="white" if C[i, j] > 0.6 * C.max() else "black", fontsize=11)
    labels = names if names is not None else [str(i) for i in range(k)]
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax


def plot_layer_norms(norms, ax=None, title=None, ylabel=r"$\|\partial E / \partial W_l\|$"):
    """Per layer, the norm of a gradient (log scale): one line per network.

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


# --- notebook 00: secants and the tangent, central differences, chains of functions, partial derivatives ---


def _text_size():
    """Text at least as large as the notebook's body text when the figure is shown at its natural size."""
    return max(12.0, float(plt.rcParams["font.size"]))


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
    size = _text_size()
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
    size = _text_size()
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


def draw_chain(nodes, factors, values=None, factor_values=None, result=None, ax=None, title=None, spacing=3.4):
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
    size = _text_size()
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
    size = _text_size()
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
    size = _text_size()
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
