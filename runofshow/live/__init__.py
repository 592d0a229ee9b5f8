"""The live show: the one service that applies commands, the store it keeps state in, clocks and the run report."""
