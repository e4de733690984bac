"""One retrieval engine for help-center search, the answer bot and agents' suggestions."""
