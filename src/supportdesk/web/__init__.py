"""The pages people open in a browser: the widget, the agent console and the demo site."""
