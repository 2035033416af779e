"""Co-assessment grids: participant and coach fill the same spider chart (issue #5)."""
