"""The monthly (月度小结) and year-end (年度总结) reviews: figures drafted from the period's data, the
manager's narrative beside them, and a published, frozen archive."""
