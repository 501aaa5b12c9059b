"""The PR loop: which environments a change affects, a plan a reviewer reads, applying exactly
that plan, and which environments an event delivers to (docs/delivery.md)."""
