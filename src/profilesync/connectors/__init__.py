"""Connectors: one per source, all behind ``base.Connector``. ``registry`` loads them by name."""
