"""Mail: composing messages in the recipient's language, the outbox page, the sending thread."""
