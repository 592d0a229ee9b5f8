"""Free-text annotator: infers stream plan, breakouts, duties, reminders, presence, groups and contacts."""

from runofshow.annotate.annotator import Annotations, annotate, classify_category, split_sentences

__all__ = ["Annotations", "annotate", "classify_category", "split_sentences"]
