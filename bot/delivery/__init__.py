"""Replies kept in the database until the platform has them (the outbox), and how they travel."""
