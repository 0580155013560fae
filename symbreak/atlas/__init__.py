"""The main job: ``symbreak atlas`` (families, continuation, events, over-parameterisation)."""

from .options import AtlasOptions, young_specs
from .records import Atlas, AtlasEvent, Family, IntegerKPoint
from .run import ATLAS_FORMAT, ATLAS_VERSION, run_atlas

__all__ = [
    "ATLAS_FORMAT",
    "ATLAS_VERSION",
    "Atlas",
    "AtlasEvent",
    "AtlasOptions",
    "Family",
    "IntegerKPoint",
    "run_atlas",
    "young_specs",
]
