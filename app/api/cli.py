"""`flask api-token create|revoke`."""


def register(app) -> None:
    pass
