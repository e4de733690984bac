"""The help center: categories and articles, one translation per locale, published or draft."""
