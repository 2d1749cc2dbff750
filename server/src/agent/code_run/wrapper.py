"""daytona-local code-run wrapper: `python3 wrapper.py CODE_FILE [ARGS...]`.

Runs CODE_FILE as `__main__` (imports resolve from the working directory, as with `python3 -c`)
with matplotlib on the Agg backend. Each figure is reported when `plt.show()` is called, and the
figures still open are reported at exit: one line per figure on stdout, the artifact marker
followed by `{"type": "chart", "value": CHART}`. The agent strips these lines from the output.
"""

import atexit
import base64
import builtins
import importlib.abc
import importlib.util
import io
import json
import math
import os
import sys
import traceback
import types

MARKER = "dtn_artifact_k39fd2:"

# A non-GUI backend for this process and its children (an explicit choice in the code wins).
os.environ.setdefault("MPLBACKEND", "Agg")


def _num(v):
    """A finite float, or None."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _nums(values):
    return [f for f in (_num(v) for v in values) if f is not None]


def _points(xy):
    import numpy

    pts = []
    for x, y in numpy.ma.filled(numpy.ma.asarray(xy, dtype=float), numpy.nan):
        x, y = _num(x), _num(y)
        if x is not None and y is not None:
            pts.append([x, y])
    return pts


def _scale(axis, scale):
    """`categorical` or `datetime` for string or date data, else the axis scale (`linear`, …)."""
    get = getattr(axis, "get_converter", None)
    converter = type(get() if get else axis.converter).__name__
    if converter == "StrCategoryConverter":
        return "categorical"
    if converter in ("DateConverter", "ConciseDateConverter", "_SwitchableDateConverter"):
        return "datetime"
    return scale


class _TickLabels:
    """Label of a position on an axis: its tick label (filled by the draw that made the PNG),
    else the position itself."""

    def __init__(self, axis):
        texts = [t.get_text() for t in axis.get_ticklabels()]
        self.by_pos = {round(float(p), 6): s for p, s in zip(axis.get_ticklocs(), texts)}

    def at(self, pos):
        return self.by_pos.get(round(float(pos), 6), f"{float(pos):g}")


def _bar_elements(ax):
    elements, horizontal = [], False
    for container in ax.containers:
        if type(container).__name__ != "BarContainer":
            continue
        horizontal = getattr(container, "orientation", "vertical") == "horizontal"
        labels = _TickLabels(ax.yaxis if horizontal else ax.xaxis)
        values = getattr(container, "datavalues", None)
        for i, rect in enumerate(container.patches):
            if horizontal:
                pos, size = rect.get_y() + rect.get_height() / 2, rect.get_width()
            else:
                pos, size = rect.get_x() + rect.get_width() / 2, rect.get_height()
            value = _num(values[i]) if values is not None and i < len(values) else _num(size)
            label = labels.at(pos)
            elements.append({"label": label, "group": container.get_label(), "value": value})
    return elements, horizontal


def _box_elements(ax):
    elements, horizontal = [], False
    labels_x, labels_y = _TickLabels(ax.xaxis), _TickLabels(ax.yaxis)
    for stats, positions, horizontal in getattr(ax, "_dtn_boxes", []):
        labels = labels_y if horizontal else labels_x
        for i, st in enumerate(stats):
            pos = positions[i] if positions is not None and i < len(positions) else i + 1
            label = st.get("label")
            if label is None:
                label = labels.at(pos)
            elements.append(
                {
                    "label": str(label),
                    "min": _num(st.get("whislo")),
                    "first_quartile": _num(st.get("q1")),
                    "median": _num(st.get("med")),
                    "third_quartile": _num(st.get("q3")),
                    "max": _num(st.get("whishi")),
                    "outliers": _nums(st.get("fliers", [])),
                }
            )
    return elements, horizontal


def _axes_chart(ax):
    """The chart of one axes (without PNG)."""
    import matplotlib.collections
    import matplotlib.patches

    chart = {
        "title": ax.get_title(),
        "x_label": ax.get_xlabel(),
        "y_label": ax.get_ylabel(),
        "x_ticks": _nums(ax.get_xticks()),
        "x_tick_labels": [t.get_text() for t in ax.get_xticklabels()],
        "x_scale": _scale(ax.xaxis, ax.get_xscale()),
        "y_ticks": _nums(ax.get_yticks()),
        "y_tick_labels": [t.get_text() for t in ax.get_yticklabels()],
        "y_scale": _scale(ax.yaxis, ax.get_yscale()),
    }
    wedges = [p for p in ax.patches if isinstance(p, matplotlib.patches.Wedge)]
    scatters = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    has_bars = any(type(c).__name__ == "BarContainer" for c in ax.containers)
    swap = False
    if getattr(ax, "_dtn_boxes", None):
        chart["type"] = "box_and_whisker"
        chart["elements"], swap = _box_elements(ax)
    elif wedges:
        chart["type"] = "pie"
        chart["elements"] = [
            {"label": w.get_label(), "angle": _num(abs(w.theta2 - w.theta1)), "radius": _num(w.r)} for w in wedges
        ]
    elif has_bars:
        chart["type"] = "bar"
        chart["elements"], swap = _bar_elements(ax)
    elif scatters and not ax.lines:
        chart["type"] = "scatter"
        chart["elements"] = [{"label": c.get_label(), "points": _points(c.get_offsets())} for c in scatters]
    elif ax.lines and not scatters:
        chart["type"] = "line"
        chart["elements"] = [{"label": ln.get_label(), "points": _points(ln.get_xydata())} for ln in ax.lines]
    else:
        chart["type"] = "unknown"
        chart["elements"] = []
    if swap:
        # The category axis of horizontal bars and boxes is y: report it as the x axis.
        chart["x_label"], chart["y_label"] = chart["y_label"], chart["x_label"]
    return chart


def _figure_chart(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    axes = [ax for ax in fig.axes if getattr(ax, "_colorbar", None) is None and ax.has_data()]
    suptitle = fig._suptitle.get_text() if fig._suptitle else ""
    if len(axes) == 1:
        chart = _axes_chart(axes[0])
        chart["title"] = chart["title"] or suptitle
    elif axes:
        chart = {"type": "composite_chart", "title": suptitle, "elements": [_axes_chart(ax) for ax in axes]}
    else:
        chart = {"type": "unknown", "elements": []}
    chart["png"] = base64.b64encode(buf.getvalue()).decode("ascii")
    return chart


def _report_figures(plt):
    for num in plt.get_fignums():
        try:
            chart = _figure_chart(plt.figure(num))
        except Exception as e:  # a figure that cannot be described must not fail the run
            print(f"chart extraction failed: {e!r}", file=sys.stderr)
            continue
        line = json.dumps({"type": "chart", "value": chart}, allow_nan=False)
        sys.stdout.write(f"{MARKER}{line}\n")
    sys.stdout.flush()
    plt.close("all")


def _instrument(plt):
    """Makes `show()` report the open figures and records box plot statistics per axes."""
    import matplotlib.axes

    plt.show = lambda *args, **kwargs: _report_figures(plt)
    bxp = matplotlib.axes.Axes.bxp

    def recording_bxp(self, bxpstats, positions=None, *args, **kwargs):
        vert = kwargs.get("vert", args[1] if len(args) > 1 else True)
        horizontal = kwargs.get("orientation", "vertical" if vert in (True, None) else "horizontal") == "horizontal"
        stats = [dict(s) for s in bxpstats]
        self.__dict__.setdefault("_dtn_boxes", []).append((stats, positions, horizontal))
        return bxp(self, bxpstats, positions, *args, **kwargs)

    matplotlib.axes.Axes.bxp = recording_bxp
    atexit.register(_report_figures, plt)


class _PyplotHook(importlib.abc.MetaPathFinder):
    """Instruments `matplotlib.pyplot` when (and only if) the code imports it."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "matplotlib.pyplot":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            _instrument(module)

        spec.loader.exec_module = exec_module
        return spec


def main():
    path = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = ""
    sys.meta_path.insert(0, _PyplotHook())
    with open(path, encoding="utf-8") as f:
        source = f.read()
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=path, __builtins__=builtins)
    sys.modules["__main__"] = module
    try:
        exec(compile(source, path, "exec"), module.__dict__)
    except SystemExit:
        raise
    except BaseException as e:
        # Leave this wrapper's frame out of the traceback.
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        sys.exit(1)


main()
