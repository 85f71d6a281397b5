//! CloudCart emulator.
