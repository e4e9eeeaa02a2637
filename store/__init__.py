"""litbrowse's data layer: page formats, the merged model, persistence and search.

Nothing in this package imports textual or tui: the command line's JSON commands
and the tests of the data layer must not pay for the UI.
"""
