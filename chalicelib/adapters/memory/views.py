"""Saved views in memory, with the counters that hold their limits."""
from chalicelib.adapters.memory.store import MemoryRepository, require
from chalicelib.domain.views import MAX_PERSONAL_VIEWS, MAX_SHARED_VIEWS, ScopeFull, View
from chalicelib.errors import NotFound


def _where(project_id: str, view: View) -> tuple[str, str, str | None]:
    return project_id, view.id, None if view.shared else view.owner


def _scope(project_id: str, view: View) -> tuple[str, str]:
    return project_id, "S" if view.shared else f"U#{view.owner}"


class MemoryViews(MemoryRepository):
    def views(self, project_id: str, user_id: str | None) -> list[View]:
        shared = sorted((view_id, view) for (pid, view_id, owner), view in self.store.views.items()
                        if pid == project_id and owner is None)[:MAX_SHARED_VIEWS]
        own = sorted((view_id, view) for (pid, view_id, owner), view in self.store.views.items()
                     if pid == project_id and user_id is not None and owner == user_id)[:MAX_PERSONAL_VIEWS]
        return [view for _, view in shared + own]

    def find(self, project_id: str, view_id: str, user_id: str | None) -> View | None:
        shared = self.store.views.get((project_id, view_id, None))
        if shared is not None:
            return shared
        return self.store.views.get((project_id, view_id, user_id)) if user_id is not None else None

    def add(self, project_id: str, view: View, limit: int) -> None:
        store = self.store
        with store.transaction():
            scope = _scope(project_id, view)
            require(store.view_counts.get(scope, 0) < limit, ScopeFull("the scope holds its limit of views"))
            store.view_counts[scope] = store.view_counts.get(scope, 0) + 1
            require(_where(project_id, view) not in store.views, ScopeFull("the scope holds its limit of views"))
            store.views[_where(project_id, view)] = view

    def rename(self, project_id: str, view: View) -> None:
        kept = self.store.views.get(_where(project_id, view))
        if kept is None:
            raise NotFound("view not found")
        self.store.views[_where(project_id, view)] = View(
            id=kept.id, name=view.name, query=view.query, kind=kept.kind, owner=kept.owner,
            created_at=kept.created_at, updated_at=view.updated_at)

    def remove(self, project_id: str, view: View) -> None:
        store = self.store
        with store.transaction():
            require(_where(project_id, view) in store.views, NotFound("view not found"))
            del store.views[_where(project_id, view)]
            scope = _scope(project_id, view)
            store.view_counts[scope] = store.view_counts.get(scope, 0) - 1
