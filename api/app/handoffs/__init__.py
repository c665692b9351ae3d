"""Handoffs to a person: open, queue, take, reply, close (service.py), delivery to her channel."""
