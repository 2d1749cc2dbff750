"""matplotlib backend of daytona-local's interpreter contexts (MPLBACKEND=module://daytona_inline):
Agg, whose show() hands every open figure to the client as a PNG output, as Jupyter's inline
backend does; figures still open when a cell ends are shown then too."""

from matplotlib.backend_bases import _Backend
from matplotlib.backends.backend_agg import _BackendAgg


@_Backend.export
class _BackendDaytonaInline(_BackendAgg):
    @staticmethod
    def show(*args, **kwargs):
        import daytona_kernel

        daytona_kernel.show_figures()
