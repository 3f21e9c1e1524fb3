"""Tests of the portfolio service."""
