"""One module per site: NAME, score(lines) and parse(lines) (the registry is store/pages/__init__.py)."""
