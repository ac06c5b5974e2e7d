"""Learning pages. Selection (选课) views live in ``selection``."""
