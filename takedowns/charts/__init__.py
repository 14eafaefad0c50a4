"""Charts: figures in, Vega-Lite specs and their text alternatives out (pure: no files, no clock).

``base`` holds the registry (``@chart``) and what every chart shares; ``disclosure`` and ``overview``
register their builders on import, in the order pages show them; a format's own charts live in its folder.
"""

from . import disclosure, overview
from .base import (
           COLOR,
           COUNT_AXIS,
           DISCLOSURE_CHARTS,
           MIN_DRAWN,
           NARROW,
           OVERVIEW_CHARTS,
           SIGNAL_CHARTS,
           WIDTH,
           Chart,
           _bars,
           _iso,
           _n,
           _spec,
           chart,
           chart_text,
           charts_for,
           narrow,
)
from .overview import SYNTHETIC, WORLD_URL

__all__ = ["COLOR", "COUNT_AXIS", "DISCLOSURE_CHARTS", "MIN_DRAWN", "NARROW", "OVERVIEW_CHARTS", "SIGNAL_CHARTS", "SYNTHETIC", "WIDTH", "WORLD_URL", "Chart",
           "_bars", "_iso", "_n", "_spec", "chart", "chart_text", "charts_for", "disclosure", "narrow", "overview"]
