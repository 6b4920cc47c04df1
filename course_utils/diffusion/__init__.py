"""Diffusion models: noise in, picture out (notebook 08)."""
