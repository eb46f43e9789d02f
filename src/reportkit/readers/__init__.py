"""Readers: one per input format, each turning a file into text (and table grids) for the loader."""
