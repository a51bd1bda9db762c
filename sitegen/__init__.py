"""sitegen: a static site generator for AI-policy news explainers."""

__version__ = "0.1.0"

from .errors import BuildFailed, SitegenError  # noqa: E402
from .model import Site, Story  # noqa: E402


def build(*args, **kwargs):
    """Build a site; see sitegen.build.build."""
    from .build import build as _build

    return _build(*args, **kwargs)


__all__ = ["__version__", "build", "BuildFailed", "Site", "SitegenError", "Story"]
