"""Read models between the pages and the data layer (and the app's one caching seam, views.cache)."""
