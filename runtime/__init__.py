"""Process-wide facilities shared by the model-loading code of several packages."""
