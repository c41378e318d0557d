"""layerscope-scrub: every layer of a region checked by content, fanned out on Dask.

The driver lists the region's timelines with ``layerctl check --recursive --list``, splits
them into batches of about equal bytes (:mod:`.plan`), and runs one Dask task per batch:
``layerctl check --json`` on the batch's timelines (:mod:`.worker`). Each task's JSON lines are
written to the report as the task finishes and counted per tenant (:mod:`.report`). A task is
the unit of retry: when its worker dies, Dask runs it again elsewhere and only the complete
run's lines reach the report, so every layer and every timeline is in it exactly once.

Exit status: 0 clean, 1 errors or warnings, 2 the scrub could not finish (the scheduler could
not be reached, layerctl could not be run, a batch failed for good, a layer could not be read,
or the region could not be listed).
"""

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_UNFINISHED = 2


class ScrubError(Exception):
    """A reason the scrub cannot go on: printed as one line, exit status 2."""
