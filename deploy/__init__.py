"""Deployment checks (a Hugging Face Space built as Spaces build it)."""
