"""Push notifications: provider change events delivered as signed webhooks to subscribers."""
