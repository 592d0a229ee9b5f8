"""The one error every importer raises: what is wrong, in which file, on which line."""

from __future__ import annotations


class ImportProblem(ValueError):
    """An agenda file that cannot be imported, with the file, line and field at fault."""

    def __init__(self, path: str, line: int | None, problem: str, field: str | None = None) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        super().__init__(f"{self.location}: {problem}")

    @property
    def location(self) -> str:
        """`path:line`, or just the path when no line is known."""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def __reduce__(self) -> tuple[type[ImportProblem], tuple[str, int | None, str, str | None]]:
        """Pickle with the constructor's own arguments (ValueError's default would lose them)."""
        return (type(self), (self.path, self.line, self.problem, self.field))
