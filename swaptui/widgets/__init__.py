"""The panels of the main screen; each renders from a FrameView, never steps the run."""
