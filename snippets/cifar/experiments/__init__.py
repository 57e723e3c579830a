"""The homework's studies replayed through the trainer, and what is drawn from their records.

studies -- each study as a named grid of TrainConfigs (`study`, `STUDIES`, `SCALES`).
runner -- runs a study's grid into one folder of run folders, resumably (`run_study`).
records -- a study folder read back, every run's provenance checked (`load_study`).
summary -- the per-label tables (`markdown`, `csv_text`, `wall_time_markdown`).
figures -- one SVG per study (`render`, `render_all`).
"""

from snippets.cifar.experiments.records import StudyRecords, find_studies, load_study
from snippets.cifar.experiments.studies import SCALES, STUDIES, Run, Scale, Study, study

__all__ = [
    "SCALES",
    "STUDIES",
    "Run",
    "Scale",
    "Study",
    "StudyRecords",
    "find_studies",
    "load_study",
    "study",
]
