"""Word lists that both the chat (chat/) and the explanations (explain/) read; they import nothing of either."""
