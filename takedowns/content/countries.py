"""Countries named in disclosures, checked against ISO 3166 (pycountry)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pycountry

# Names platforms write that ISO 3166 spells otherwise (exact names only: no fuzzy matching,
# which maps Kosovo to Serbia), and short display names for long-winded ISO names.
_ALIASES = {"russia": "RU", "south korea": "KR", "north korea": "KP", "palestine": "PS",
            "uk": "GB", "britain": "GB", "great britain": "GB", "usa": "US", "us": "US", "united states of america": "US",
            "drc": "CD", "dr congo": "CD", "democratic republic of the congo": "CD", "congo-kinshasa": "CD",
            "republic of the congo": "CG", "congo-brazzaville": "CG",
            "ivory coast": "CI", "cote d'ivoire": "CI", "turkey": "TR", "turkiye": "TR", "uae": "AE",
            "macedonia": "MK", "burma": "MM", "swaziland": "SZ", "cape verde": "CV", "czech republic": "CZ",
            "kosovo": "XK", "xk": "XK", "vietnam": "VN", "viet nam": "VN", "laos": "LA", "syria": "SY", "iran": "IR",
            "moldova": "MD", "tanzania": "TZ", "bolivia": "BO", "venezuela": "VE", "taiwan": "TW", "hong kong": "HK"}
_DISPLAY = {"RU": "Russia", "KR": "South Korea", "KP": "North Korea", "PS": "Palestine",
            "CD": "DR Congo", "CG": "Republic of the Congo", "GB": "United Kingdom", "US": "United States", "MK": "North Macedonia"}
# Not in ISO 3166-1, but named as an origin in takedown reports; XK is the code the EU and others use.
_OUTSIDE_ISO = {"XK": "Kosovo"}


@dataclass(frozen=True, order=True)
class Country:
    """A country: its ISO 3166-1 alpha-2 code and the name readers see."""

    name: str
    code: str

    @property
    def slug(self) -> str:
        return self.code.lower()


@lru_cache(maxsize=512)
def country(text: str) -> Country:
    """Return the country that ``text`` names, as a name or an ISO code; raise ValueError if none."""
    wanted = text.strip()
    code = _ALIASES.get(wanted.lower())
    record = None
    if code in _OUTSIDE_ISO:
        return Country(name=_OUTSIDE_ISO[code], code=code)
    if code:
        record = pycountry.countries.get(alpha_2=code)
    else:
        try:
            record = pycountry.countries.lookup(wanted)
        except LookupError:
            record = None
    if record is None:
        names = sorted({getattr(c, "common_name", None) or c.name for c in pycountry.countries} | {a.title() for a in _ALIASES})
        import difflib

        hint = difflib.get_close_matches(wanted, names, n=1, cutoff=0.7)
        raise ValueError(f"{wanted!r} is not a country name or ISO 3166 code"
                         + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    name = _DISPLAY.get(record.alpha_2) or getattr(record, "common_name", None) or record.name
    return Country(name=name, code=record.alpha_2)


def country_numeric(code: str) -> str | None:
    """Return the ISO 3166-1 numeric code (``"156"``) of an alpha-2 code, the key of the world map's shapes; None for Kosovo."""
    record = pycountry.countries.get(alpha_2=code)
    return record.numeric if record else None
