"""Foreign formats litbrowse writes: one module each."""
