"""Go Decision Handbook engine: toolchain, measurements, models, claims, reports.

Imports no Jupyter UI code, so everything here can be unit-tested and used from the CLI.
"""

__version__ = "0.1.0"
