"""Data files shipped with dxlib (error profiles)."""
