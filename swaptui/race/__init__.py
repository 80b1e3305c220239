"""Race mode: two or three algorithms on one simulated clock, side by side."""
