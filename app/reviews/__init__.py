"""The general manager's assessment of a service manager against the 14 duties."""
