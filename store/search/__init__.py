"""Search: the query, the word index, ranking, and the index kept between openings."""
