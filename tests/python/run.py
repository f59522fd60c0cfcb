"""Runs one tests/python/test_*.py with unittest (ctest: python_<stem>). Exit 77 (ctest: Skipped)
when every test of the file was skipped, e.g. without NumPy or torch; the reasons are printed."""
import sys
import unittest

stem = sys.argv[1]
suite = unittest.defaultTestLoader.loadTestsFromName(stem)
result = unittest.TextTestRunner(verbosity=2).run(suite)
if not result.wasSuccessful():
    sys.exit(1)
if result.testsRun and len(result.skipped) == result.testsRun:
    for test, reason in result.skipped:
        print(f"skipped {test.id()}: {reason}")
    sys.exit(77)
