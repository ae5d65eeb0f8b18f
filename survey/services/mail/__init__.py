"""Outgoing mail: the outbox (``outbox.enqueue``) and the SMTP sender (``sender.send_pending``)."""
