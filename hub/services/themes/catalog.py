"""The themes admins defined, as the tagger, the routing and the suggestions read
them: compiled once and cached, since every comment is matched against all of them."""

from __future__ import annotations

from cachetools import TTLCache

from hub.models.theme import Theme
from hub.services.themes.matching import CompiledTheme, compile_theme
from hub.services.themes.stores import themes as theme_store


class ThemeCatalog:
    """The themes and their compiled rules. As with routing rules, a change made in
    this process is seen at once (`forget`), one made by another within
    `cache_seconds`."""

    def __init__(self, cache_seconds: float = 5.0) -> None:
        self._compiled: TTLCache[str, list[CompiledTheme]] = TTLCache(maxsize=1, ttl=cache_seconds)

    async def themes(self) -> list[Theme]:
        """Every theme, by key."""
        return [Theme.model_validate(raw) for raw in await theme_store.every()]

    async def compiled(self) -> list[CompiledTheme]:
        """Every theme's rules compiled for matching, by key (cached)."""
        compiled = self._compiled.get("themes")
        if compiled is None:
            compiled = [compile_theme(theme.key, theme.rules) for theme in await self.themes()]
            self._compiled["themes"] = compiled
        return compiled

    def forget(self) -> None:
        """Drop the cache after a change in this process."""
        self._compiled.clear()
