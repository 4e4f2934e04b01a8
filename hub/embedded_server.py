"""The embedded database's process: SecantusDB's own command line, handed the one
setting of its configuration file that it reads but does not pass on to the server,
the period of the TTL sweep (`[storage] ttl_sweep_seconds`; 0 turns the sweep off).

Without it a server started with `EmbeddedDatabase(ttl_monitor=False)` swept every
minute all the same: the tests' frozen clock stores times long past by the wall clock,
and a sweep between two requests of a test deleted, for one, the console session it
had just signed in with."""

from __future__ import annotations

import functools
import sys

from secantus import cli
from secantus.config import ConfigError, load_config
from secantus.server import SecantusDBServer


def main(argv: list[str]) -> int:
    args = cli.build_parser().parse_args(argv)
    try:
        config, _ = load_config(args.config)
    except ConfigError:
        return int(cli.main(argv))  # which reports the file's problem
    cli.SecantusDBServer = functools.partial(
        SecantusDBServer, ttl_sweep_seconds=config.ttl_sweep_seconds
    )
    return int(cli.main(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
