"""Meta's threat indicators (github.com/facebook/threat-research): the stated counts, indicators and kill chain, and their charts."""

from .indicators import META_INDICATORS

__all__ = ["META_INDICATORS"]
