"""``python -m rbcity`` = the ``rbcity`` command."""

from rbcity.outputs.cli import main

main()
