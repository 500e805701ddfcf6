"""The contracts every layer shares."""
