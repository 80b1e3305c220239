"""The app's main view: the Textual app, the player that steps a timeline, click details."""
