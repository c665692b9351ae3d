"""The API's side of the translation workflow: its strings at run time (translate.py).

The languages, the one catalog reader and the tooling (the bot's texts, the catalog
check, the extractor) are the `catalogs` package (packages/catalogs), shared with the bot.
"""

from typing import Literal, get_args

from catalogs import LANGUAGES as SUPPORTED
from catalogs import SOURCE_LANGUAGE as SOURCE_LANG
from catalogs import TRANSLATED

# The type pydantic and mypy check a language against. A Literal cannot be built from the
# tuple, so it is written out here once and must agree with it: the API does not start if
# a language is added to one and not the other.
Lang = Literal["kk", "ru", "en"]
if get_args(Lang) != SUPPORTED:
    raise RuntimeError(f"app.i18n.Lang {get_args(Lang)} != catalogs.LANGUAGES {SUPPORTED}")

__all__ = ["SOURCE_LANG", "SUPPORTED", "TRANSLATED", "Lang"]
