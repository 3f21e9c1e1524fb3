"""The portfolio service and its reusable core, under one import name."""
