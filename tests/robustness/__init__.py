"""Bad, hostile and broken input: nothing crashes, nothing is lost, nothing leaks (issue 7)."""
