"""Report: verdicts, paper numbers, tables, plot style, exports."""
