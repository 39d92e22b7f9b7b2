"""statusboard: one shared, versioned picture of a project for many AI clients."""

__version__ = "0.1.0"
