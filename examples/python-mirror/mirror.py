"""Entry point of the `mirror` example plugin, built on eKuiper's Python SDK.

The host starts it as `python -u mirror.py '<PortableConfig JSON>'` with this
folder as the working directory. The SDK dials the host's control channel at
ipc:///tmp/plugin_<name>.ipc, so the name must match the manifest file name
(`mirror.json`). Tests that run several copies side by side may set
PORTABLE_PLUGIN_NAME to give each copy its own control channel.
"""

import os

from ekuiper import PluginConfig, plugin

from echo_func import EchoFunction
from file_sink import FileSink
from random_source import RandomSource

DEFAULT_NAME = "mirror"


def plugin_name() -> str:
    return os.environ.get("PORTABLE_PLUGIN_NAME") or DEFAULT_NAME


def main() -> None:
    config = PluginConfig(
        plugin_name(),
        sources={"random": RandomSource},
        sinks={"file": FileSink},
        functions={"echo": EchoFunction},
    )
    plugin.start(config)


if __name__ == "__main__":
    main()
