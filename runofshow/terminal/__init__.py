"""The `runofshow` command line: subcommands, terminal summaries and the terminal rehearsal."""
