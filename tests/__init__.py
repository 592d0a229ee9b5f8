"""The test suite (a package, so that `tests.support` imports the same way from tests and from bench/)."""
