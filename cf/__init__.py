"""Collaborative-filtering priors from an `implicit` ALS model."""

from cf.als import ALSConfig, CFModel, interaction_matrix

__all__ = ["ALSConfig", "CFModel", "interaction_matrix"]
