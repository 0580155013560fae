"""The main job: ``symbreak atlas`` (families, continuation, events, over-parameterisation)."""

from .options import AtlasOptions, young_specs
from .run import ATLAS_FORMAT, ATLAS_VERSION, run_atlas

__all__ = ["ATLAS_FORMAT", "ATLAS_VERSION", "AtlasOptions", "run_atlas", "young_specs"]
