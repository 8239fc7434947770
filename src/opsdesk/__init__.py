"""opsdesk: IT service management for managed-service providers."""

__version__ = "0.1.0"
