"""The web chat widget: its script (with the interface strings from the catalogs), the demo
page at the API's root, and the public feedback route the widget posts to."""
