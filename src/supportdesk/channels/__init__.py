"""Channels through which customers reach the desk (email; chat lives in conversations/)."""
