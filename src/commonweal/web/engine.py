"""The bridge to the evaluation engine: builds the engine's inputs from this tender's rows and returns its results.
Ranking, price scoring, thresholds, tie-breaks, abnormally low flags, sensitivity and assessment summaries all come
from `commonweal.services.evaluation` / `commonweal.domain.evaluation`; nothing here re-computes them."""
