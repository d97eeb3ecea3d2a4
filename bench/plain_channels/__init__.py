"""The plain Channels baseline: an AsyncWebsocketConsumer that relays each frame to
its group with `group_send` on `RedisChannelLayer`, served by daphne."""
