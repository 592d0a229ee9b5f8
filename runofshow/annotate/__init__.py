"""Free-text annotator: infers stream plan, breakouts, duties, reminders, presence, groups and contacts."""

from runofshow.annotate.annotator import (
    Annotations,
    annotate,
    classify_category,
    classify_conference_type,
    split_sentences,
)

__all__ = ["Annotations", "annotate", "classify_category", "classify_conference_type", "split_sentences"]
