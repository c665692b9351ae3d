"""Translation workflow: Babel catalogs in locales/ for every short user-facing string."""

SUPPORTED = ("kk", "ru", "en")
SOURCE_LANG = "en"
TRANSLATED = tuple(lang for lang in SUPPORTED if lang != SOURCE_LANG)
