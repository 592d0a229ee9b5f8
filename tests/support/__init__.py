"""What tests and benchmarks share: real server processes, a scaled-out site, the browser harness."""
