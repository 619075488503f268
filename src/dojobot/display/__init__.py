"""Pictures and formatting: numbers, times and dates in the learner's language (formats),
charts and the fluency map as PNGs, and the worker process that draws them (rendering)."""
