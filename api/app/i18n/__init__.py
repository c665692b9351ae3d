"""The API's side of the translation workflow: its strings at run time (translate.py).

The languages, the one catalog reader and the tooling (the bot's texts, the catalog
check, the extractor) are the `catalogs` package (packages/catalogs), shared with the bot.
"""

from catalogs import LANGUAGES as SUPPORTED
from catalogs import SOURCE_LANGUAGE as SOURCE_LANG
from catalogs import TRANSLATED

__all__ = ["SOURCE_LANG", "SUPPORTED", "TRANSLATED"]
