"""Build a static website from information-operations takedown disclosures."""

__version__ = "0.1.0"
