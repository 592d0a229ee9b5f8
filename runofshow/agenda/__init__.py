"""The agenda: the model of a day's blocks, its document form, and pure operations on it (days, edits, diffs)."""
