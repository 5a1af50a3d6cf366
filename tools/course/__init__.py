"""Course machinery shared by tools/run-tests, grade, progress, handout, bench-report."""
