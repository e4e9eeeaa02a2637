"""Adding pages to the store: read and parse them (in helper processes when that pays), merge, save."""
