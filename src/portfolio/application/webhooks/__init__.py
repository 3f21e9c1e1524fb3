"""Webhooks: endpoints, their signed deliveries, and the works that send them."""
