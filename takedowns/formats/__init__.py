"""Dataset formats: each owns everything about its data.

A ``Format`` declares its roles (the kinds of file in a release); each ``Role`` says
how its files are read (CSV columns and the rules every value must follow, or a
whole-file parser), how a batch or file becomes a partial statistic, and the
format turns its merged partials into published figures, names the module of
its charts, and may add tables to its pages.  The pipeline only looks formats up
here: adding one is a folder beside ``twitter/`` and ``meta/`` and a line at the bottom of this file.
"""

# The formats, each a folder that registers itself here: adding one is a folder and a line.
from . import meta, twitter  # noqa: E402
from .registry import FORMATS, Format, Role, Rule, register
from .twitter import TWEET_COLUMNS, TWITTER, USER_COLUMNS  # noqa: E402

__all__ = ["FORMATS", "TWEET_COLUMNS", "TWITTER", "USER_COLUMNS", "Format", "Role", "Rule", "meta", "register", "twitter"]
