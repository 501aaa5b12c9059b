"""Helpers the tests share: emulators and servers started on free loopback ports."""
