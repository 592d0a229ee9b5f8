"""The one error every importer raises: what is wrong, in which file, on which line."""

from __future__ import annotations

from typing import Any

from runofshow.agenda.model import AgendaError


class ImportProblem(ValueError):
    """An agenda file that cannot be imported, with the file, line and field at fault (and the block, when known)."""

    def __init__(self, path: str, line: int | None, problem: str, field: str | None = None, *,
                 stage_id: str | None = None, block_id: str | None = None) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        self.stage_id = stage_id
        self.block_id = block_id
        super().__init__(f"{self.location}: {problem}")

    @classmethod
    def from_agenda_error(cls, error: AgendaError, path: str, line: int | None) -> ImportProblem:
        """The model's complaint, word for word, at a line of the file, with the stage, block and field it names."""
        return cls(path, line, str(error), error.field, stage_id=error.stage_id, block_id=error.block_id)

    @property
    def location(self) -> str:
        """`path:line`, or just the path when no line is known."""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the constructor's own arguments (ValueError's default would lose them), the block too."""
        return (type(self), (self.path, self.line, self.problem, self.field), self.__dict__)
