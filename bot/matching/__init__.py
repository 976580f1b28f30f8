"""Find tracked entities and themes in item text: the catalog, the matcher and the theme scorer."""
