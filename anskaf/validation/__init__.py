"""Validation rules every layer shares, in pure Python (no Django): the text rule."""
