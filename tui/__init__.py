"""litbrowse's front ends: the command line (no textual import) and the Textual app."""
