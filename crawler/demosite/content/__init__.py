"""Data files of the demo site: one JSON document per outlet."""
