"""Protections that every request or every login shares: client identity, shared limits,
login lock-out, input guards (body size, JSON depth, NUL bytes, integer range) and JSON CSRF
failures for the API. docs/security.md lists each one with its setting and its test."""
