"""The `runofshow` console script: monkey-patches for gevent first, when serving, then runs the CLI."""
import sys  # noqa: I001  (the patch below must run before anything else is imported)

if len(sys.argv) > 1 and sys.argv[1] in ("serve", "demo") and "threading" not in sys.argv and "eventlet" not in sys.argv:
    from gevent import monkey

    monkey.patch_all()

    import gevent

    # Ctrl-C is how a server is stopped: the hub passes it on to the CLI without printing it and a timestamp.
    hub = gevent.get_hub()
    hub.NOT_ERROR = (*hub.NOT_ERROR, KeyboardInterrupt)

    from runofshow.web.memory import skip_client_only_modules, stop_tracking_greenlet_tree

    skip_client_only_modules()
    stop_tracking_greenlet_tree()
elif len(sys.argv) > 1 and sys.argv[1] in ("serve", "demo") and "eventlet" in sys.argv:
    import eventlet

    eventlet.monkey_patch()


def main() -> None:
    """Run the command line."""
    from runofshow.terminal.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
